"""A receiver or worker whose journal fails: it survives, says so at /healthz, answers 503."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from gewe_async.bot import (
    AiohttpReceiver,
    ASGIReceiver,
    Context,
    Delivery,
    Dispatcher,
    Entry,
    Health,
    MemoryJournal,
    RedisJournal,
    Runner,
    SqliteJournal,
    Worker,
    _receiver,
)
from gewe_async.callbacks import TextMessage
from tests.bot_helpers import served, text_push, until
from tests.journals import redis_server

SECRET = "s3cret-path-token"


def recording() -> tuple[Dispatcher, list[str]]:
    dp = Dispatcher()
    seen: list[str] = []

    @dp.on(TextMessage)
    async def record(event: TextMessage, ctx: Context) -> None:
        seen.append(event.text)

    return dp, seen


class FlakyConsume(MemoryJournal):
    """Its consume() raises the first `failures` times, or ends at once (storage gone)."""

    def __init__(self, failures: int, *, end: bool = False) -> None:
        super().__init__()
        self.failures = failures
        self.end = end
        self.calls = 0

    async def consume(self) -> AsyncIterator[Delivery]:  # type: ignore[override]
        self.calls += 1
        if self.calls <= self.failures:
            if self.end:
                return
            raise ConnectionError("storage unreachable")
        async for delivery in super().consume():
            yield delivery


@pytest.mark.parametrize("end", [False, True], ids=["raises", "ends"])
async def test_the_runner_consumes_again_after_its_journal_failed(caplog, end):
    """consume() raising (or ending) is logged, backed off, and consumed again: events run."""
    dp, seen = recording()
    journal = FlakyConsume(3, end=end)
    worker = Worker(dp, journal)
    task = asyncio.create_task(worker.run())
    try:
        await until(lambda: journal.calls >= 2)
        health = worker.health()
        assert not health.ok
        assert health.consumer_failing_since is not None
        assert "failing to deliver" in health.reason
        await journal.append(_entry("after the failure"))
        await until(lambda: seen == ["after the failure"])
        await until(lambda: worker.health().ok)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert "consuming again" in caplog.text
    assert next(r.levelno for r in caplog.records if "consuming again" in r.message) == (
        logging.ERROR
    )


def _entry(text: str) -> Entry:
    body = json.dumps(text_push(text)).encode()
    event = Dispatcher().parse(body)
    return Entry(event.idempotency_key, event.chat_key, body, 0.0)


class FlakyAck(MemoryJournal):
    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures
        self.tries = 0

    async def ack(self, delivery: Delivery) -> None:
        self.tries += 1
        if self.tries <= self.failures:
            raise ConnectionError("storage unreachable")
        await super().ack(delivery)


async def test_a_failed_ack_is_retried(caplog):
    dp, seen = recording()
    journal = FlakyAck(2)
    await journal.open()
    runner = Runner(dp, journal)
    runner.start()
    try:
        await journal.append(_entry("acked late"))
        await until(lambda: journal.tries >= 3)
        await until(lambda: _depth_zero(journal))
    finally:
        await runner.stop(5)
        await journal.aclose()
    assert seen == ["acked late"]
    assert "could not acknowledge" in caplog.text


async def _depth_zero(journal: MemoryJournal) -> bool:
    return (await journal.stats()).depth == 0


async def test_healthz_answers_200_with_json_when_healthy(http):
    """GET <path>/healthz needs no secret and answers a small JSON without the secret."""
    dp, _ = recording()
    async with served(ASGIReceiver(dp, secret=SECRET, path="/gewe")) as root:
        answer = await http.get(f"{root}/gewe/healthz")
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "application/json"
        assert answer.json()["ok"] is True
        assert SECRET not in answer.text
        # Pushes still need the secret, and a POST to /healthz is a push.
        assert (await http.post(f"{root}/gewe/healthz", content=b"{}")).status_code == 403


async def test_a_stopped_redis_answers_503_to_pushes_and_at_healthz(http, tmp_path, caplog):
    """Redis gone: a push is never answered 200 unstored; /healthz says why, with 503."""
    stack = contextlib.ExitStack()
    url = stack.enter_context(redis_server(tmp_path))
    journal = RedisJournal(url, prefix="health", partitions=1)
    receiver = ASGIReceiver(Dispatcher(), journal=journal, run_handlers=False)
    try:
        async with served(receiver) as root:
            first = await http.post(f"{root}/gewe", content=json.dumps(text_push("stored")))
            assert first.status_code == 200
            assert (await http.get(f"{root}/gewe/healthz")).status_code == 200
            stack.close()  # the real server stops
            answer = await http.post(f"{root}/gewe", content=json.dumps(text_push("lost")))
            assert answer.status_code == 503
            health = await http.get(f"{root}/gewe/healthz")
            assert health.status_code == 503
            body = health.json()
            assert body["ok"] is False
            assert "journal" in body["reason"]
            assert "since" in body["reason"]
    finally:
        stack.close()


async def test_the_aiohttp_receiver_answers_healthz_and_refuses_undecodable_secrets():
    """GET /gewe/healthz is 200 JSON; a secret header of non-UTF-8 bytes is 403, not 500."""
    dp, _ = recording()
    receiver = AiohttpReceiver(dp, secret=SECRET)
    app = web.Application()
    receiver.setup(app, "/gewe")
    async with TestServer(app, host="127.0.0.1") as server, httpx.AsyncClient() as http:
        root = str(server.make_url("")).rstrip("/")
        health = await http.get(f"{root}/gewe/healthz")
        assert health.status_code == 200
        assert health.json()["ok"] is True
        answer = await http.post(
            f"{root}/gewe",
            content=json.dumps(text_push("x")),
            headers=[(b"X-Gewe-Secret", b"\xff\xfe")],
        )
        assert answer.status_code == 403


def test_an_empty_secret_is_refused():
    with pytest.raises(ValueError, match="None"):
        ASGIReceiver(Dispatcher(), secret="")


async def test_a_receiver_without_a_secret_warns_once_at_start(caplog):
    receiver = ASGIReceiver(Dispatcher())
    await receiver.start()
    await receiver.start()
    await receiver.stop()
    warnings = [r for r in caplog.records if "WITHOUT A SECRET" in r.message]
    assert len(warnings) == 1
    assert warnings[0].levelno == logging.WARNING
    caplog.clear()
    with_secret = ASGIReceiver(Dispatcher(), secret=SECRET)
    await with_secret.start()
    await with_secret.stop()
    assert "WITHOUT A SECRET" not in caplog.text


class BrokenJournal(MemoryJournal):
    async def append(self, entry):
        raise ConnectionError("storage unreachable")


async def test_a_flood_of_503s_logs_a_few_lines_with_a_count(http, caplog, monkeypatch):
    monkeypatch.setattr(_receiver, "LOG_EVERY", 3600.0)
    async with served(ASGIReceiver(Dispatcher(), journal=BrokenJournal())) as root:
        for n in range(20):
            answer = await http.post(f"{root}/gewe", content=json.dumps(text_push(f"m{n}")))
            assert answer.status_code == 503
    errors = [r for r in caplog.records if "failed to store" in r.message]
    assert len(errors) == 1
    monkeypatch.setattr(_receiver, "LOG_EVERY", 0.0)
    caplog.clear()
    async with served(ASGIReceiver(Dispatcher(), journal=BrokenJournal())) as root:
        await http.post(f"{root}/gewe", content=json.dumps(text_push("a")))
    assert "failed to store" in caplog.text


def test_the_throttle_summarises_what_it_suppressed(caplog, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(_receiver.time, "monotonic", lambda: clock[0])
    throttle = _receiver._Throttle()
    for _ in range(5):
        throttle.error("store", "failed %s", "x")
    clock[0] += _receiver.LOG_EVERY + 1
    throttle.error("store", "failed %s", "x")
    lines = [r.getMessage() for r in caplog.records]
    assert lines == ["failed x", "failed x (4 more like it in the last 10 s not logged)"]


def _with_surrogate(where: str) -> dict[str, Any]:
    push = text_push("hi")
    if where == "TypeName":
        push["TypeName"] = "\udc00"
    elif where == "Appid":
        push["Appid"] = "wx\udc00"
    elif where in ("MsgType", "NewMsgId"):
        push["Data"][where] = "\udc00"
    elif where == "FromUserName":
        push["Data"]["FromUserName"]["string"] = "wxid_\udc00"
    else:
        push["Data"]["Content"]["string"] = "hi \udc00"
    return push


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
@pytest.mark.parametrize(
    "where", ["TypeName", "Appid", "MsgType", "NewMsgId", "FromUserName", "Content"]
)
async def test_a_lone_surrogate_is_stored_or_refused_with_400_never_500(
    http, tmp_path, kind, where
):
    """The id of an event with a lone surrogate cannot be encoded: 400, and the journal goes on."""
    body = json.dumps(_with_surrogate(where))  # ensure_ascii: travels as the escape \udc00
    assert "\\udc00" in body
    journal = MemoryJournal() if kind == "memory" else SqliteJournal(tmp_path / "j.sqlite3")
    dp, seen = recording()
    async with served(ASGIReceiver(dp, journal=journal)) as root:
        answer = await http.post(f"{root}/gewe", content=body)
        assert answer.status_code in (200, 400)
        after = await http.post(f"{root}/gewe", content=json.dumps(text_push("after")))
        assert after.status_code == 200
        await until(lambda: "after" in seen)


def test_health_is_a_frozen_value():
    health = Health.of(started=True, journal=object(), runner=None)
    assert health.ok
    assert health.as_json()["ok"] is True
