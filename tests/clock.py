"""One fake clock for the tests: time moves only when a test advances it or code sleeps on it."""

from __future__ import annotations

import asyncio


class FakeClock:
    """A clock that moves only when told to.

    Call it (``clock()``) or use ``clock.time`` where code takes a wall-clock function; hand
    ``clock.sleep`` where code takes a sleep: each sleep is recorded in ``sleeps`` and moves the
    clock, and a test that sets ``gate`` holds sleepers until it sets the event.
    """

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now
        self.sleeps: list[float] = []
        self.gate: asyncio.Event | None = None

    def __call__(self) -> float:
        return self.now

    def time(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 9))
        if self.gate is not None:  # hold sleepers until the test lets them go
            await self.gate.wait()
        self.now += seconds
        await asyncio.sleep(0)
