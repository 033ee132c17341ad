"""Send pacing per account, on a fake clock: sends keep their distance, nothing else waits."""

from __future__ import annotations

import asyncio
import math

import httpx
import pytest

from gewe_async import AsyncGeweClient, Limits
from gewe_async._send_pacing import DEFAULT_SEND_INTERVAL, SendPacer, as_send_interval
from gewe_async.testing import FakeGewe
from tests.clock import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(1000.0)


@pytest.fixture
def pacer(clock: FakeClock) -> SendPacer:
    return SendPacer(clock.time, clock.sleep)


async def start(pacer: SendPacer, clock: FakeClock, app_id: str, interval: float = 1.5) -> float:
    """Take a turn and return the clock time the send started at."""
    async with pacer.turn(app_id, interval):
        return clock.now


async def test_sends_of_one_app_id_are_spaced(pacer, clock):
    """Three sends in a row start at t, t+1.5, t+3."""
    starts = [await start(pacer, clock, "wx_1") for _ in range(3)]
    assert starts == [1000.0, 1001.5, 1003.0]
    assert clock.sleeps == [1.5, 1.5]


async def test_other_app_ids_do_not_wait(pacer, clock):
    """Another account's send right after is not delayed."""
    await start(pacer, clock, "wx_1")
    await start(pacer, clock, "wx_2")
    await start(pacer, clock, "wx_3")
    assert clock.sleeps == []


async def test_time_already_passed_counts(pacer, clock):
    """A send 1 s after the last waits only the 0.5 s left; after 2 s it does not wait."""
    await start(pacer, clock, "wx_1")
    clock.now += 1.0
    await start(pacer, clock, "wx_1")
    clock.now += 2.0
    await start(pacer, clock, "wx_1")
    assert clock.sleeps == [0.5]


async def test_concurrent_sends_of_one_app_id_queue(pacer, clock):
    """Sends started together go out one interval apart, in order."""
    starts = await asyncio.gather(*(start(pacer, clock, "wx_1") for _ in range(4)))
    assert sorted(starts) == [1000.0, 1001.5, 1003.0, 1004.5]


async def test_a_cancelled_send_keeps_no_slot(pacer, clock):
    """A send cancelled while waiting its turn does not push back the next one."""
    await start(pacer, clock, "wx_1")  # the last real send, at 1000
    clock.gate = asyncio.Event()
    waiting = asyncio.create_task(start(pacer, clock, "wx_1"))
    await asyncio.sleep(0)
    assert clock.sleeps == [1.5]
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting

    clock.gate = None
    clock.now += 1.6  # past the real send's interval, not past a phantom's
    assert await start(pacer, clock, "wx_1") == 1001.6
    assert clock.sleeps == [1.5]


async def test_a_failed_start_records_nothing(pacer, clock):
    """A send whose start fails (its slot never came) does not count as sent."""
    await start(pacer, clock, "wx_1")
    clock.now += 2
    with pytest.raises(RuntimeError):
        async with pacer.turn("wx_1", 1.5):
            raise RuntimeError("the limiter gave up")
    clock.now += 0.1
    await start(pacer, clock, "wx_1")
    assert clock.sleeps == []


async def test_prunes_idle_app_ids(clock, monkeypatch):
    """Idle accounts' lanes are dropped once many exist, so memory stays bounded."""
    monkeypatch.setattr("gewe_async._send_pacing._PRUNE_AT", 10)
    pacer = SendPacer(clock.time, clock.sleep)
    for i in range(9):
        await start(pacer, clock, f"wx_{i}")
    clock.now += 60
    await start(pacer, clock, "wx_recent")
    await start(pacer, clock, "wx_new")  # the 11th lane: the 9 idle ones go
    assert set(pacer._lanes) == {"wx_recent", "wx_new"}
    await start(pacer, clock, "wx_recent")  # its last send was just now: it still waits
    assert clock.sleeps == [1.5]


@pytest.mark.parametrize("value", [math.nan, math.inf, -1, "1.5", True])
def test_bad_send_intervals_are_refused(value):
    """NaN, infinity, negatives, strings and bools are refused as send_interval."""
    with pytest.raises((TypeError, ValueError)):
        as_send_interval(value)
    with pytest.raises((TypeError, ValueError)):
        AsyncGeweClient(token="t", send_interval=value)


def test_zero_and_none_turn_pacing_off():
    """0 and None both mean no pacing; the default is within the guides' 1-2 s."""
    assert as_send_interval(0) is None
    assert as_send_interval(None) is None
    assert 1.0 <= DEFAULT_SEND_INTERVAL <= 2.0
    assert 20 <= 60 / DEFAULT_SEND_INTERVAL <= 40


# -- through the client ------------------------------------------------------------------------


async def test_client_default_and_views_keep_the_interval():
    """A client paces at 1.5 s unless told; its views keep the client's interval."""
    async with (
        AsyncGeweClient(token="t") as default,
        AsyncGeweClient(token="t", send_interval=3) as slow,
    ):
        assert default.send_interval == DEFAULT_SEND_INTERVAL == 1.5
        assert slow.with_options(timeout=5).send_interval == 3.0


@pytest.fixture
def fake() -> FakeGewe:
    fake = FakeGewe()
    fake.add_device("wx_1")
    fake.add_device("wx_2")
    return fake


def paced_client(fake: FakeGewe, clock: FakeClock, **options: object) -> AsyncGeweClient:
    client = fake.client(**options)
    client._core.send_pacer = SendPacer(clock.time, clock.sleep)
    return client


async def test_client_paces_sends_by_default(fake, clock):
    """A client's default paces one account's sends 1.5 s apart."""
    client = AsyncGeweClient(
        token=fake.token,
        base_url="http://127.0.0.1/v2/api",
        transport=httpx.ASGITransport(app=fake.app),
    )
    client._core.send_pacer = SendPacer(clock.time, clock.sleep)
    async with client:
        for _ in range(3):
            await client.message.post_text("wx_1", "a", "hi")
    assert clock.sleeps == [1.5, 1.5]


async def test_only_sends_of_the_same_account_wait(fake, clock):
    """Reads, revokes and downloads of the account, and other accounts' sends, are not paced."""
    async with paced_client(fake, clock, send_interval=1.5) as client:
        sent = await client.message.post_text("wx_1", "a", "one")
        await client.personal.get_profile("wx_1")
        await client.message.revoke("wx_1", sent)
        await client.message.post_text("wx_2", "a", "other account")
        assert clock.sleeps == []
        await client.message.post_image("wx_1", "a", "https://x.test/a.png")
        assert clock.sleeps == [1.5]
    assert [m.to_wxid for m in fake.devices["wx_1"].outbox] == ["a", "a"]


async def test_per_call_send_interval_overrides_the_client(fake, clock):
    """send_interval= on a call changes or disables its wait; a view keeps the client's."""
    async with paced_client(fake, clock, send_interval=1.5) as client:
        await client.message.post_text("wx_1", "a", "1")
        await client.message.post_text("wx_1", "a", "2", send_interval=0)
        await client.message.post_text("wx_1", "a", "3", send_interval=4)
        await client.with_options(timeout=10).message.post_text("wx_1", "a", "4")
    assert clock.sleeps == [4.0, 1.5]


async def test_pacing_off_for_the_client(fake, clock):
    """send_interval=None on the client sends without waiting."""
    async with paced_client(fake, clock, send_interval=None) as client:
        for i in range(3):
            await client.message.post_text("wx_1", "a", str(i))
    assert clock.sleeps == []


async def test_a_send_cancelled_while_paced_frees_its_turn_and_slot(fake, clock):
    """Cancelling a waiting send leaves no slot held: the next send starts on time."""
    async with paced_client(fake, clock, send_interval=1.5) as client:
        await client.message.post_text("wx_1", "a", "first")
        clock.gate = asyncio.Event()
        waiting = asyncio.create_task(client.message.post_text("wx_1", "a", "cancelled"))
        for _ in range(5):
            await asyncio.sleep(0)
        assert clock.sleeps == [1.5]
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        clock.gate = None
        clock.now += 1.5
        await client.message.post_text("wx_1", "a", "next")
        assert client._core.limiter.tracked_app_ids == 0
    assert clock.sleeps == [1.5]
    assert fake.devices["wx_1"].outbox.texts() == ["first", "next"]


async def test_a_waiting_send_holds_no_slot_others_need(fake, clock):
    """While a send waits for its pace, the account's reads and other accounts' calls go on,
    even with one call in flight allowed for the whole client."""
    async with paced_client(
        fake, clock, send_interval=1.5, limits=Limits(max_in_flight=1)
    ) as client:
        await client.message.post_text("wx_1", "a", "first")
        clock.gate = asyncio.Event()
        waiting = asyncio.create_task(client.message.post_text("wx_1", "a", "paced"))
        for _ in range(5):
            await asyncio.sleep(0)
        assert clock.sleeps == [1.5]  # the second send is waiting for its turn
        try:
            async with asyncio.timeout(10):  # a guard against a hang, not a timing
                assert (await client.personal.get_profile("wx_2")).wxid == "wxid_wx_2"
                assert (await client.personal.get_profile("wx_1")).wxid == "wxid_wx_1"
            assert not waiting.done()
        finally:
            clock.gate.set()
            await waiting
    assert fake.devices["wx_1"].outbox.texts() == ["first", "paced"]
