"""An account that goes offline again later is a new event, not a duplicate of the first."""

from __future__ import annotations

import asyncio
import json

import gewe_async.callbacks._events as events
from gewe_async.bot import Dispatcher, MemoryJournal, Receiver
from gewe_async.callbacks import Offline, parse_callback

BODY = json.dumps({"TypeName": "Offline", "Appid": "wx_1", "Wxid": "wxid_me"}).encode()


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def test_a_repeat_soon_after_shares_the_key_a_later_offline_does_not(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(events.time, "time", clock)
    event = parse_callback(BODY)
    assert isinstance(event, Offline)
    first = event.idempotency_key
    clock.now += 1
    assert parse_callback(BODY).idempotency_key == first
    clock.now += 24 * 3600
    assert parse_callback(BODY).idempotency_key != first


async def test_the_receiver_handles_the_next_nights_offline(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(events.time, "time", clock)
    dp = Dispatcher()
    handled: list[str] = []

    @dp.on(Offline)
    async def on_offline(event: Offline, ctx: object) -> None:
        handled.append(event.app_id)

    journal = MemoryJournal(dedupe_window=48 * 3600.0, clock=clock)
    receiver = Receiver(dp, journal=journal, secret="s3cret-value")
    await receiver.start()
    try:
        assert (await receiver.accept(BODY)).status == 200
        assert (await receiver.accept(BODY)).status == 200  # GeWe's quick repeat
        clock.now += 24 * 3600
        assert (await receiver.accept(BODY)).status == 200  # the next night
        for _ in range(1000):  # up to 10 s on a loaded machine
            if len(handled) >= 2 and (await journal.stats()).depth == 0:
                break
            await asyncio.sleep(0.01)
    finally:
        await receiver.stop()
    assert handled == ["wx_1", "wx_1"]
