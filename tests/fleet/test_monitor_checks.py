"""AccountMonitor's record of a checkOnline answer: the same for every answer, a gone device too."""

from __future__ import annotations

from gewe_async import Retries
from gewe_async.fleet import AccountHealth, AccountMonitor, HealthCause
from gewe_async.testing import FakeGewe, Faults


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_gone_device_is_recorded_as_checked_offline_and_clears_the_last_error():
    """After a failed check, the answer "no such appId" is an answer: error cleared, time kept."""
    fake = FakeGewe()
    fake.add_device("wx_1")
    clock = Clock()
    async with fake.client(retries=Retries(max_retries=0)) as client:
        monitor = AccountMonitor(client, ["wx_1", "wx_gone"], clock=clock)
        fake.set_faults(Faults(error_rate=1.0))
        failed = await monitor.check("wx_gone")
        assert failed.error is not None
        assert failed.checked_at is None
        fake.set_faults(Faults())
        clock.now = 2000.0
        gone = await monitor.check("wx_gone")
        online = await monitor.check("wx_1")
    assert (gone.health, gone.cause) == (AccountHealth.OFFLINE, HealthCause.DEVICE_GONE)
    assert (gone.online, gone.checked_at, gone.error) == (False, 2000.0, None)
    assert (online.health, online.online, online.checked_at) == (AccountHealth.ONLINE, True, 2000.0)
