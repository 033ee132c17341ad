"""Concurrency and pacing inside the client, applied before httpx's pool.

Why here: a ``gather`` over 10,000 calls must queue in the client, not pile up in httpx's pool
(where waiting requests cost CPU and end in ``PoolTimeout``); and GeWe's guides say calls for
one account must not overlap, while different accounts are independent.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections import deque
from typing import Final

import attrs

from gewe_async import _validators as v
from gewe_async.exceptions import GeweEventLoopError

__all__ = ["Limits"]


def _finite(rate: float | None) -> float | None:
    return None if rate is None or math.isinf(rate) else rate


@attrs.frozen
class Limits:
    """How many calls a client runs at once, and how fast.

    The defaults fan out across appIds and serialise within one, as the GeWe guides ask:

    ```python
    AsyncGeweClient(limits=Limits(max_in_flight=100, rate_per_app_id=1.0))
    ```
    """

    max_in_flight: int = attrs.field(default=64, validator=v.count)
    """Calls sent at once by the whole client; more wait in the client, in order of arrival.
    The client's own connection pool is sized to match."""
    per_app_id: int | None = attrs.field(
        default=1,
        validator=attrs.validators.optional(v.count),  # type: ignore[arg-type]
    )
    """Calls in flight at once for one appId (1: one at a time); ``None`` for no limit."""
    rate: float | None = attrs.field(
        default=None, validator=attrs.validators.optional(v.positive_or_inf)
    )
    """Calls started per second by the whole client; ``None`` (or infinity) for no pacing.
    A call cancelled or timed out before it is sent gives its start time back."""
    rate_per_app_id: float | None = attrs.field(
        default=None, validator=attrs.validators.optional(v.positive_or_inf)
    )
    """Calls started per second for one appId (the guides suggest about 1/s for sends);
    ``None`` (or infinity) for no pacing."""


class _Pacer:
    """Let calls start at most ``rate`` per second, first come first served.

    A start time is taken only when the call starts, never promised in advance: a call
    cancelled (or timed out) while it waits takes no slot with it.
    """

    __slots__ = ("_interval", "_next", "_turn")

    def __init__(self, rate: float) -> None:
        self._interval = 1.0 / rate
        self._next = 0.0  # the earliest time (loop clock) at which the next call may start
        self._turn = asyncio.Lock()  # FIFO: waiters go in order of arrival

    async def wait(self) -> None:
        async with self._turn:
            loop = asyncio.get_running_loop()
            delay = self._next - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            self._next = loop.time() + self._interval

    def give_back(self) -> None:
        """Return the slot of a call that passed here but was stopped before it was sent."""
        self._next -= self._interval

    @property
    def idle(self) -> bool:
        return not self._turn.locked()

    def next_start(self) -> float:
        """The earliest time (event loop clock) at which the next call may start."""
        return self._next


class _Gate:
    """A FIFO semaphore that hands a released slot straight to the next waiter.

    Every call takes two (its appId's and a global one) and, at the default 64 in flight
    under 100 workers, most of them wait: ``asyncio.Semaphore`` wakes a waiter that must then
    take the slot again, a second trip through the event loop per call, and creates a
    Semaphore per appId. Here a release resolves the first waiter's future with the slot.
    """

    __slots__ = ("_free", "_waiters")

    def __init__(self, slots: int) -> None:
        self._free = slots
        # Made on the first wait: a gate per appId in flight, most of which never queue (an
        # empty deque is over 600 bytes, 6 MB across 10,000 gathered calls).
        self._waiters: deque[asyncio.Future[None]] | None = None

    async def acquire(self) -> None:
        """Take a slot, waiting in line for one if none is free."""
        waiters = self._waiters
        if self._free > 0 and not waiters:
            self._free -= 1
            return
        if waiters is None:
            waiters = self._waiters = deque()
        waiter = asyncio.get_running_loop().create_future()
        waiters.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release()  # the slot was handed over as the wait was cancelled: pass it on
            else:
                with contextlib.suppress(ValueError):  # a release may have dropped it already
                    waiters.remove(waiter)
            raise

    def release(self) -> None:
        """Give a slot back: to the first waiter still waiting, else to the free count."""
        waiters = self._waiters
        while waiters:
            waiter = waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self._free += 1


class _AppSlot:
    __slots__ = ("gate", "users")

    def __init__(self, per_app_id: int | None) -> None:
        self.gate = _Gate(per_app_id) if per_app_id is not None else None
        self.users = 0


#: Per-appId pacers are pruned once there are this many, so 10,000 appIds do not stay in memory.
_PRUNE_AT: Final = 4096


class Limiter:
    """The runtime state of [`Limits`][gewe_async.Limits], shared by a client and its views.

    Its semaphores and pacers belong to one event loop. When a call comes from another loop
    and nothing is in flight on the old one, they are made anew for the new loop.
    """

    __slots__ = (
        "_active",
        "_app_pacers",
        "_app_rate",
        "_global",
        "_limits",
        "_loop",
        "_pacer",
        "_slots",
    )

    def __init__(self, limits: Limits) -> None:
        self._limits = limits
        self._app_rate = _finite(limits.rate_per_app_id)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._active = 0  # calls between acquire() and release(), waiting ones included
        self._bind()

    def _bind(self) -> None:
        limits = self._limits
        self._global = _Gate(limits.max_in_flight)
        self._slots: dict[str, _AppSlot] = {}
        rate = _finite(limits.rate)
        self._pacer = _Pacer(rate) if rate else None
        self._app_pacers: dict[str, _Pacer] = {}

    def _rebind(self, loop: asyncio.AbstractEventLoop) -> None:
        old = self._loop
        if old is not None and not old.is_closed() and (old.is_running() or self._active):
            raise GeweEventLoopError(
                "this client is in use on another event loop; use one client per loop "
                "(or per thread)"
            )
        # Calls left on a closed loop can never finish: their slots are void.
        if old is not None:
            self._active = 0
            self._bind()
        self._loop = loop

    @property
    def limits(self) -> Limits:
        """The configuration this limiter enforces."""
        return self._limits

    async def acquire(self, app_id: str | None) -> None:
        """Wait for this call's turn: its appId's slot, its pace, then a global slot."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._rebind(loop)
        self._active += 1
        slot = None
        if app_id is not None and self._limits.per_app_id is not None:
            slot = self._slots.get(app_id)
            if slot is None:
                slot = self._slots[app_id] = _AppSlot(self._limits.per_app_id)
            slot.users += 1
        gate = slot.gate if slot is not None else None
        try:
            # The appId's own turn comes first, so that the queued calls of one busy account
            # hold no global slot that other accounts could use.
            if gate is not None:
                await gate.acquire()
            try:
                paced = await self._pace(app_id)
                try:
                    await self._global.acquire()
                except BaseException:
                    for pacer in paced:
                        pacer.give_back()
                    raise
            except BaseException:
                if gate is not None:
                    gate.release()
                raise
        except BaseException:
            self._leave(app_id, slot)
            raise

    def release(self, app_id: str | None, *, holds_global: bool = True) -> None:
        """Give back the slots taken by `acquire`."""
        if holds_global:
            self._global.release()
        if app_id is not None and self._limits.per_app_id is not None:
            slot = self._slots[app_id]
            if slot.gate is not None:
                slot.gate.release()
            self._leave(app_id, slot)
        else:
            self._active -= 1

    def release_global(self) -> None:
        """Lend the global slot back while the call waits to retry (its appId slot is kept)."""
        self._global.release()

    async def acquire_global(self) -> None:
        """Take a global slot again after `release_global`."""
        await self._global.acquire()

    def _leave(self, app_id: str | None, slot: _AppSlot | None) -> None:
        self._active -= 1
        if slot is not None and app_id is not None:
            slot.users -= 1
            if slot.users == 0:
                del self._slots[app_id]

    async def _pace(self, app_id: str | None) -> tuple[_Pacer, ...]:
        """Wait for the call's start time; return the pacers whose slot it took."""
        if self._pacer is None and self._app_rate is None:
            return ()
        paced: tuple[_Pacer, ...] = ()
        try:
            if app_id is not None and self._app_rate is not None:
                pacer = self._app_pacers.get(app_id)
                if pacer is None:
                    if len(self._app_pacers) >= _PRUNE_AT:
                        now = asyncio.get_running_loop().time()
                        self._app_pacers = {
                            k: p
                            for k, p in self._app_pacers.items()
                            if p.next_start() > now or not p.idle
                        }
                    pacer = self._app_pacers[app_id] = _Pacer(self._app_rate)
                await pacer.wait()
                paced = (pacer,)
            if self._pacer is not None:
                await self._pacer.wait()
                paced = (*paced, self._pacer)
        except BaseException:
            for taken in paced:
                taken.give_back()
            raise
        return paced

    def next_start(self) -> float:
        """When the client's pacing lets the next call start (event loop clock; for tests)."""
        return self._pacer.next_start() if self._pacer is not None else 0.0

    @property
    def tracked_app_ids(self) -> int:
        """How many appIds have a call in flight or waiting (for tests: it returns to 0)."""
        return len(self._slots)
