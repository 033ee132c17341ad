"""The fleet's background loops outlive a store that fails for a while (Redis away, a full disk)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from gewe_async.fleet import Outbox
from gewe_async.fleet._schedule import Scheduler
from gewe_async.testing import FakeGewe
from tests.journals import FakeClock


class Flaky:
    """Wraps a store method: its first ``failures`` calls raise, as a store that is away."""

    def __init__(self, method: Callable[..., Awaitable[Any]], failures: int) -> None:
        self.method = method
        self.failures = failures
        self.calls = 0

    async def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        if self.calls <= self.failures:
            raise OSError("the store is away")
        return await self.method(*args, **kwargs)


async def until(check: Callable[[], Awaitable[bool]]) -> None:
    for _ in range(3000):  # up to 30 s on a loaded machine
        if await check():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the condition never held")


async def test_the_outbox_delivers_once_its_store_is_back() -> None:
    fake = FakeGewe()
    fake.add_device("wx_1")
    async with fake.client() as client, Outbox(client) as outbox:
        for n in range(3):
            await outbox.post_text("wx_1", "wxid_a", f"m{n}")
        flaky = Flaky(outbox._store.claim, failures=3)
        outbox._store.claim = flaky  # type: ignore[method-assign]
        task = asyncio.create_task(outbox.run(poll=0.05))

        async def all_sent() -> bool:
            return (await outbox.counts())["sent"] == 3

        try:
            await until(all_sent)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
    assert flaky.calls > 3
    assert [m.content for m in fake.devices["wx_1"].outbox] == ["m0", "m1", "m2"]


async def test_the_scheduler_runs_its_jobs_once_its_store_is_back() -> None:
    clock = FakeClock(1_700_000_041.0)
    runs: list[str] = []

    async def sleep(seconds: float) -> None:
        clock.now += max(seconds, 1.0)  # the fake clock moves on; the loop yields
        await asyncio.sleep(0)

    schedule = Scheduler(object(), app_ids=["wx_1"], clock=clock, sleep=sleep)

    @schedule.every(minutes=1)
    async def beat(client: Any, app_id: str) -> None:
        runs.append(app_id)

    await schedule.start()
    assert schedule._store is not None
    flaky = Flaky(schedule._store.claim, failures=3)
    schedule._store.claim = flaky  # type: ignore[method-assign]
    task = asyncio.create_task(schedule.run())

    async def ran() -> bool:
        return len(runs) >= 2

    try:
        await until(ran)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert flaky.calls > 3
