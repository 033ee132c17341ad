"""AccountMonitor against FakeGewe: offline pushes, polls, silence, zombies, reconnection."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from gewe_async import AsyncGeweClient, CallEvent, Retries
from gewe_async.bot import Context, Dispatcher
from gewe_async.callbacks import Offline
from gewe_async.exceptions import GeweDeviceOfflineError
from gewe_async.fleet import (
    AccountEvent,
    AccountHealth,
    AccountMonitor,
    AccountOffline,
    AccountOnline,
    AccountSilent,
    HealthCause,
)
from gewe_async.testing import FakeGewe, Faults
from gewe_async.testing._fake import IN_PROCESS_BASE_URL
from tests.paths import DOCS


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


@pytest.fixture
def fake() -> FakeGewe:
    fake = FakeGewe()
    for n in range(1, 4):
        fake.add_device(f"wx_{n}")
    return fake


@pytest.fixture
async def setup(
    fake: FakeGewe,
) -> AsyncIterator[tuple[AsyncGeweClient, Dispatcher, list[AccountEvent]]]:
    seen: list[AccountEvent] = []
    client = fake.client()
    dp = Dispatcher(client)

    @dp.on(AccountEvent)
    async def record(event: AccountEvent, ctx: Context) -> None:
        seen.append(event)

    fake.connect(dp)
    async with client:
        yield client, dp, seen


def make(
    client: AsyncGeweClient, dp: Dispatcher, clock: Clock, **options: object
) -> AccountMonitor:
    return AccountMonitor(
        client, ["wx_1", "wx_2", "wx_3"], dispatcher=dp, clock=clock, sleep=clock.sleep,
        seed=1, **options,  # type: ignore[arg-type]
    )  # fmt: skip


async def test_an_offline_push_reaches_the_handlers_as_account_offline(fake, setup):
    """The Offline push makes AccountOffline at once; the next tick tries a reconnection."""
    client, dp, seen = setup
    clock = Clock()
    monitor = make(client, dp, clock)
    await monitor.tick()
    assert seen == []  # healthy at the start: nothing announced
    await fake.take_offline("wx_2")
    assert [type(e) for e in seen] == [AccountOffline]
    assert seen[0].cause is HealthCause.OFFLINE_PUSH
    assert seen[0].app_id == "wx_2"
    assert seen[0].wxid == "wxid_wx_2"
    assert seen[0].previous is AccountHealth.ONLINE
    await monitor.tick()
    assert any(r.endpoint == "login/reconnection" for r in fake.requests)
    assert [type(e) for e in seen] == [AccountOffline]  # reconnection refused: still offline
    assert monitor.status("wx_2").health is AccountHealth.OFFLINE
    assert monitor.counts["AccountOffline"] == 1


async def test_poll_finds_an_account_that_went_offline_without_a_push(fake, setup):
    client, dp, seen = setup
    clock = Clock()
    monitor = make(client, dp, clock, reconnect=False)
    await monitor.tick()
    fake.set_offline("wx_3")
    assert await monitor.tick() == []  # not due yet
    clock.now += monitor.interval * 1.3
    checked = await monitor.tick()
    assert {s.app_id for s in checked} == {"wx_1", "wx_2", "wx_3"}
    assert [(type(e), e.app_id, e.cause) for e in seen] == [
        (AccountOffline, "wx_3", HealthCause.CHECK_ONLINE)
    ]
    fake.set_online("wx_3")  # a person logged it in again
    clock.now += monitor.interval * 1.3
    await monitor.tick()
    assert (type(seen[-1]), seen[-1].previous) == (AccountOnline, AccountHealth.OFFLINE)


async def test_reconnection_that_works_brings_the_account_back(fake, setup):
    """Offline for the server while the phone still shows the iPad: reconnection helps."""
    client, dp, _seen = setup
    clock = Clock()
    monitor = make(client, dp, clock)
    await monitor.tick()
    await fake.take_offline("wx_1", push=False, reconnection_cures=True)
    status = await monitor.check("wx_1")
    assert status.health is AccountHealth.ONLINE
    assert status.cause is HealthCause.RECONNECTED
    assert any(r.endpoint == "login/reconnection" for r in fake.requests)


async def test_an_account_that_stops_pushing_is_silent_and_back_when_pushes_resume(fake, setup):
    client, dp, seen = setup
    clock = Clock()
    monitor = make(client, dp, clock, silent_after=300)
    await monitor.tick()
    await fake.receive_text("wx_1", "wxid_friend", "hello")
    fake.make_silent("wx_1")
    clock.now += 200
    await fake.receive_text("wx_1", "wxid_friend", "lost")  # muted: never pushed
    await monitor.tick()
    assert seen == []
    clock.now += 150
    await monitor.tick()
    assert [(type(e), e.app_id, e.cause) for e in seen] == [
        (AccountSilent, "wx_1", HealthCause.NO_PUSH)
    ]
    assert "no push for 350 s" in seen[0].reason
    # Accounts that never pushed are not judged by pushes.
    assert monitor.status("wx_2").health is AccountHealth.ONLINE
    fake.make_healthy("wx_1")
    await fake.receive_text("wx_1", "wxid_friend", "back")
    assert (type(seen[-1]), seen[-1].cause) == (AccountOnline, HealthCause.PUSH_RESUMED)


async def test_a_zombie_is_flagged_from_the_client_hook_and_cleared_by_a_good_send(fake):
    """checkOnline says online, sends say 微信已离线: silent with the zombie cause."""
    clock = Clock()
    seen: list[AccountEvent] = []
    monitor_box: list[AccountMonitor] = []
    client = fake.client(event_hooks=[lambda call: monitor_box[0].observe_call(call)])
    async with client:
        monitor = AccountMonitor(
            client, ["wx_1", "wx_2"], listeners=[seen.append], clock=clock, seed=2
        )
        monitor_box.append(monitor)
        await monitor.tick()
        fake.make_zombie("wx_1")
        with pytest.raises(Exception, match="微信已离线"):
            await client.message.post_text("wx_1", "wxid_x", "hi")
        assert monitor.status("wx_1").zombie_answers >= 1
        await monitor.tick()  # due at once, though the interval has not passed
        assert [(type(e), e.cause) for e in seen] == [(AccountSilent, HealthCause.ZOMBIE)]
        assert "微信已离线" in seen[0].reason
        assert "reconnection was tried" in seen[0].reason
        clock.now += monitor.interval * 1.3
        await monitor.tick()
        assert len(seen) == 1  # still a zombie: checkOnline alone does not clear it
        fake.make_healthy("wx_1")
        await client.message.post_text("wx_1", "wxid_x", "hi")
        await monitor.tick()
        assert [(type(e), e.cause) for e in seen][-1] == (AccountOnline, HealthCause.SEND_OK)


async def test_a_zombie_cured_by_reconnection_still_needs_a_good_call_to_clear(fake):
    clock = Clock()
    client = fake.client()
    async with client:
        monitor = AccountMonitor(client, ["wx_1"], clock=clock)
        fake.make_zombie("wx_1", reconnection_cures=True)
        with pytest.raises(GeweDeviceOfflineError, match="微信已离线") as refused:
            await client.message.post_text("wx_1", "wxid_x", "hi")
        # Fed by hand here, as an application without the event hook would.
        monitor.observe_call(CallEvent("message/postText", "wx_1", 1, 0.0, refused.value, None))
        await monitor.tick()
        assert monitor.status("wx_1").cause is HealthCause.ZOMBIE
        assert not fake.devices["wx_1"].fleet.zombie  # the reconnection cured it
        await client.message.post_text("wx_1", "wxid_x", "hi")  # works now


async def test_an_unknown_device_is_offline_and_a_network_failure_changes_nothing(fake, setup):
    client, dp, seen = setup
    clock = Clock()
    monitor = AccountMonitor(client, ["wx_1", "wx_gone"], dispatcher=dp, clock=clock)
    await monitor.tick()
    assert [(e.app_id, e.cause) for e in seen] == [("wx_gone", HealthCause.DEVICE_GONE)]
    fake.set_faults(Faults(error_rate=1.0))  # a proxy answering 502/503 pages
    async with fake.client(retries=Retries(max_retries=0)) as down:
        blind = AccountMonitor(down, ["wx_1"], clock=clock)
        status = await blind.check("wx_1")
    assert status.health is AccountHealth.UNKNOWN
    assert status.error is not None


async def test_hundreds_of_accounts_are_polled_with_jitter_and_bounded_concurrency():
    fake = FakeGewe(record_requests=False)
    ids = [f"wx_{n:04}" for n in range(300)]
    for app_id in ids:
        fake.add_device(app_id)
    in_flight = peak = 0
    clock = Clock()

    async def counting(scope, receive, send):  # type: ignore[no-untyped-def]
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        try:
            await asyncio.sleep(0.001)
            await fake.app(scope, receive, send)
        finally:
            in_flight -= 1

    transport = httpx.ASGITransport(app=counting)
    client = AsyncGeweClient(token=fake.token, base_url=IN_PROCESS_BASE_URL, transport=transport)
    async with client:
        monitor = AccountMonitor(client, ids, concurrency=8, interval=60, jitter=0.25, clock=clock)
        assert len(await monitor.tick()) == 300
        assert 1 < peak <= 8
        dues = sorted(monitor._accounts[a].due - clock.now for a in ids)
        assert 45 <= dues[0] < dues[-1] <= 75
        assert dues[-1] - dues[0] > 10  # spread, not one burst
        clock.now += 50
        assert 0 < len(await monitor.tick()) < 300


async def test_run_sleeps_until_due_and_a_push_wakes_it(fake, setup):
    client, dp, _seen = setup
    clock = Clock()
    monitor = make(client, dp, clock, interval=30)
    async with monitor:
        for _ in range(3000):
            if clock.now > 1100:
                break
            await asyncio.sleep(0)
        assert clock.now > 1100  # the fake sleep moved the clock: several rounds ran
        checks = sum(r.endpoint == "login/checkOnline" for r in fake.requests)
        assert checks >= 6
    assert monitor._task is None


async def test_bad_options_are_refused_before_any_call(fake):
    async with fake.client() as client:
        for options, message in [
            ({"interval": 0}, "interval"),
            ({"jitter": 1.0}, "jitter"),
            ({"concurrency": 0}, "concurrency"),
            ({"silent_after": -1}, "silent_after"),
        ]:
            with pytest.raises(ValueError, match=message):
                AccountMonitor(client, ["wx_1"], **options)  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="appId"):
            AccountMonitor(client, ["wx_1", ""])
        with pytest.raises(TypeError):
            AccountMonitor(client, "wx_1")
    assert not fake.requests


async def test_health_events_are_not_callbacks_but_go_through_the_dispatcher(fake, setup):
    client, dp, seen = setup
    monitor = make(client, dp, Clock())
    await monitor.tick()
    await fake.take_offline("wx_1")
    event = seen[0]
    assert not hasattr(event, "kind")
    assert event.idempotency_key.startswith("wx_1:AccountOffline:")
    assert isinstance(event, AccountOffline)
    assert not isinstance(event, Offline)
    await fake.take_offline("wx_1")
    assert len(seen) == 1  # offline already: no second event for the repeated push


@pytest.mark.parametrize("page", ["fleet-health.md", "fleet-health.zh.md"])
async def test_the_pages_setup_block_runs_as_written(page, monkeypatch):
    """The first block (a real client, no fake) builds a monitor wired as the page says."""
    import re

    text = (DOCS / page).read_text(encoding="utf-8")
    blocks = re.findall(r"^```python\n(.*?)^```", text, re.S | re.M)
    setup = next(b for b in blocks if not b.startswith("# "))
    monkeypatch.setenv("GEWE_TOKEN", "page-token")
    namespace: dict[str, object] = {}
    exec(compile(setup, page, "exec"), namespace)
    monitor, client = namespace["monitor"], namespace["client"]
    assert isinstance(monitor, AccountMonitor)
    assert monitor.app_ids == ("wx_1", "wx_2", "wx_3")
    assert isinstance(client, AsyncGeweClient)
    await client.aclose()


async def test_accounts_join_and_leave_and_listeners_may_be_async_or_fail(fake, caplog):
    clock = Clock()
    heard: list[str] = []

    async def slow(event: AccountEvent) -> None:
        await asyncio.sleep(0)
        heard.append(f"async {event.app_id}")

    def broken(event: AccountEvent) -> None:
        raise RuntimeError("metrics are down")

    async with fake.client() as client:
        monitor = AccountMonitor(client, ["wx_1"], listeners=[broken, slow], clock=clock)
        monitor.add("wx_gone")
        monitor.add("wx_1")  # watched already: nothing changes
        assert monitor.app_ids == ("wx_1", "wx_gone")
        await monitor.tick()
        assert heard == ["async wx_gone"]
        assert "listener failed" in caplog.text
        monitor.remove("wx_gone")
        monitor.remove("wx_never")
        assert [s.app_id for s in monitor.statuses()] == ["wx_1"]
        assert "offline" not in repr(monitor)
        with pytest.raises(KeyError):
            monitor.status("wx_gone")
