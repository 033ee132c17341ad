"""Split bots: receivers that only store, workers that run the handlers, one Redis between."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid

import httpx
import pytest

from gewe_async.bot import ASGIReceiver, Context, Dispatcher, Entry, RedisJournal, Worker
from gewe_async.callbacks import TextMessage
from tests.bot_helpers import served, text_push, until


def recording_bot(handled: list[str], pid: str) -> Dispatcher:
    """The same bot in every process: it records which process handled which text."""
    dp = Dispatcher()

    @dp.on(TextMessage)
    async def record(event: TextMessage, ctx: Context) -> None:
        handled.append(f"{pid}:{event.text}")

    return dp


async def test_a_receiver_without_handlers_stores_and_a_worker_handles(redis_url: str):
    """`run_handlers=False` answers and stores only; a Worker on the same prefix handles."""
    prefix = f"t-{uuid.uuid4().hex[:8]}"
    handled: list[str] = []
    receiver = ASGIReceiver(
        recording_bot(handled, "receiver"),
        journal=RedisJournal(redis_url, prefix=prefix, partitions=2),
        run_handlers=False,
    )
    async with served(receiver) as url, httpx.AsyncClient(timeout=10) as http:
        for text in ("one", "two"):
            answer = await http.post(f"{url}/gewe", content=json.dumps(text_push(text)))
            assert answer.status_code == 200
        await asyncio.sleep(0.3)
        assert handled == []  # stored, not handled, by the receiver
        depth = (await receiver.journal.stats()).depth
        assert depth == 2
        worker = Worker(
            recording_bot(handled, "worker"),
            RedisJournal(redis_url, prefix=prefix, partitions=2, lease=1),
        )
        task = asyncio.create_task(worker.run())
        try:
            await until(lambda: len(handled) == 2)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
    assert sorted(handled) == ["worker:one", "worker:two"]
    check = RedisJournal(redis_url, prefix=prefix, partitions=2)
    await check.open()
    try:
        assert (await check.stats()).depth == 0  # acknowledged
    finally:
        await check.aclose()


async def test_a_stopped_worker_drains_then_closes_leaving_cut_events_for_others(
    redis_url: str,
):
    """Cancelling `run` lets running handlers finish within the drain timeout, then closes."""
    prefix = f"t-{uuid.uuid4().hex[:8]}"
    started, finished = asyncio.Event(), asyncio.Event()
    dp = Dispatcher()

    @dp.on(TextMessage)
    async def slow(event: TextMessage, ctx: Context) -> None:
        started.set()
        await asyncio.sleep(0.2)
        finished.set()

    journal = RedisJournal(redis_url, prefix=prefix, partitions=1, lease=1)
    await journal.open()
    body = json.dumps(text_push("slow")).encode()
    await journal.append(Entry("k", "chat", body, 0.0))
    await journal.aclose()
    worker = Worker(dp, RedisJournal(redis_url, prefix=prefix, partitions=1, lease=1))
    task = asyncio.create_task(worker.run())
    await asyncio.wait_for(started.wait(), 10)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert finished.is_set()  # drained, not cut short


async def test_a_receiver_logs_journal_metrics_when_asked(caplog: pytest.LogCaptureFixture):
    """`metrics_interval` logs depth, oldest pending age and redeliveries periodically."""
    caplog.set_level(logging.INFO, logger="gewe_async.bot.journal")
    receiver = ASGIReceiver(Dispatcher(), run_handlers=False, metrics_interval=0.05)
    await receiver.start()
    try:
        answer = await receiver.accept(json.dumps(text_push("x")).encode())
        assert answer.status == 200
        await until(lambda: any("depth=1" in r.getMessage() for r in caplog.records))
    finally:
        await receiver.stop()


@pytest.mark.parametrize(
    ("option", "value"),
    [("drain_timeout", float("nan")), ("metrics_interval", float("inf")), ("max_body", 0)],
)
def test_receiver_and_worker_refuse_bad_options(option: str, value: float):
    """NaN, infinite or non-positive settings are refused when the object is made."""
    with pytest.raises(ValueError, match=option):
        ASGIReceiver(Dispatcher(), **{option: value})  # type: ignore[arg-type]
    if option != "max_body":
        with pytest.raises(ValueError, match=option):
            Worker(Dispatcher(), RedisJournal(), **{option: value})  # type: ignore[arg-type]
