"""The runner does not parse a push a second time when the receiver parsed it in this process."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from gewe_async.bot import (
    Context,
    Dispatcher,
    Journal,
    MemoryJournal,
    Receiver,
    RedisJournal,
    SqliteJournal,
)
from gewe_async.callbacks import CallbackEvent, TextMessage
from tests.bot_helpers import text_push
from tests.journals import redis_server


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server on loopback for this module."""
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


class CountingDispatcher(Dispatcher):
    """Counts the bodies parsed."""

    parsed = 0

    def parse(self, body: bytes | str | Mapping[str, Any]) -> CallbackEvent:
        self.parsed += 1
        return super().parse(body)


def bot() -> tuple[CountingDispatcher, list[str]]:
    dp = CountingDispatcher()
    handled: list[str] = []

    @dp.on(TextMessage)
    async def record(event: TextMessage, ctx: Context) -> None:
        handled.append(event.text)

    return dp, handled


async def until(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(30):
        while True:
            if condition():
                return
            await asyncio.sleep(0.01)


@pytest.fixture(params=["memory", "sqlite", "redis"])
def make_journal(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], Journal]:
    if request.param == "memory":
        return MemoryJournal
    if request.param == "sqlite":
        return lambda: SqliteJournal(tmp_path / "j.db")
    url = request.getfixturevalue("redis_url")
    prefix = f"p-{uuid.uuid4().hex[:8]}"
    return lambda: RedisJournal(url, prefix=prefix, partitions=2)


async def test_each_push_is_parsed_once_in_one_process(make_journal: Callable[[], Journal]):
    dp, handled = bot()
    receiver = Receiver(dp, journal=make_journal())
    await receiver.start()
    try:
        # A first push, handled: the journal's consumer runs from then on.
        assert (await receiver.accept(json.dumps(text_push("warm-up")).encode())).status == 200
        await until(lambda: handled == ["warm-up"])
        dp.parsed = 0
        handled.clear()
        for n in range(20):
            body = json.dumps(text_push(f"m{n}", sender=f"wxid_{n % 3}")).encode()
            assert (await receiver.accept(body)).status == 200
        await until(lambda: len(handled) == 20)
    finally:
        await receiver.stop()
    assert dp.parsed == 20  # on arrival only


async def test_after_a_restart_the_body_is_parsed_again(tmp_path: Path):
    dp, handled = bot()
    receiver = Receiver(dp, journal=SqliteJournal(tmp_path / "j.db"), run_handlers=False)
    await receiver.start()
    try:
        assert (await receiver.accept(json.dumps(text_push("kept")).encode())).status == 200
    finally:
        await receiver.stop()
    assert dp.parsed == 1
    again = Receiver(dp, journal=SqliteJournal(tmp_path / "j.db"))
    await again.start()
    try:
        await until(lambda: handled == ["kept"])
    finally:
        await again.stop()
    assert dp.parsed == 2  # read back from the file: parsed from its body
