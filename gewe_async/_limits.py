"""Concurrency and pacing inside the client, applied before httpx's pool.

Why here: a ``gather`` over 10,000 calls must queue in the client, not pile up in httpx's pool
(where waiting requests cost CPU and end in ``PoolTimeout``); and GeWe's guides say calls for
one account must not overlap, while different accounts are independent.
"""

from __future__ import annotations

import asyncio
from typing import Any, Final

import attrs

__all__ = ["Limits"]


def _positive_or_none(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ValueError(f"{attribute.name} must be a positive number or None, got {value!r}")


def _positive_int(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{attribute.name} must be an int of at least 1, got {value!r}")


@attrs.frozen
class Limits:
    """How many calls a client runs at once, and how fast.

    The defaults fan out across appIds and serialise within one, as the GeWe guides ask:

    ```python
    AsyncGeweClient(limits=Limits(max_in_flight=100, rate_per_app_id=1.0))
    ```
    """

    max_in_flight: int = attrs.field(default=64, validator=_positive_int)
    """Calls sent at once by the whole client; more wait in the client, in order of arrival.
    The client's own connection pool is sized to match."""
    per_app_id: int | None = attrs.field(default=1, validator=_positive_or_none)
    """Calls in flight at once for one appId (1: one at a time); ``None`` for no limit."""
    rate: float | None = attrs.field(default=None, validator=_positive_or_none)
    """Calls started per second by the whole client; ``None`` for no pacing."""
    rate_per_app_id: float | None = attrs.field(default=None, validator=_positive_or_none)
    """Calls started per second for one appId (the guides suggest about 1/s for sends)."""


class _Pacer:
    """Hand out start times at most ``rate`` per second, first come first served."""

    __slots__ = ("_interval", "_next")

    def __init__(self, rate: float) -> None:
        self._interval = 1.0 / rate
        self._next = 0.0

    def reserve(self, now: float) -> float:
        start = max(now, self._next)
        self._next = start + self._interval
        return start - now


class _AppSlot:
    __slots__ = ("gate", "users")

    def __init__(self, per_app_id: int | None) -> None:
        self.gate = asyncio.Semaphore(per_app_id) if per_app_id is not None else None
        self.users = 0


#: Per-appId pacers are pruned once there are this many, so 10,000 appIds do not stay in memory.
_PRUNE_AT: Final = 4096


class Limiter:
    """The runtime state of [`Limits`][gewe_async.Limits], shared by a client and its views."""

    __slots__ = ("_app_pacers", "_global", "_limits", "_pacer", "_slots")

    def __init__(self, limits: Limits) -> None:
        self._limits = limits
        self._global = asyncio.Semaphore(limits.max_in_flight)
        self._slots: dict[str, _AppSlot] = {}
        self._pacer = _Pacer(limits.rate) if limits.rate else None
        self._app_pacers: dict[str, _Pacer] = {}

    @property
    def limits(self) -> Limits:
        """The configuration this limiter enforces."""
        return self._limits

    async def acquire(self, app_id: str | None) -> None:
        """Wait for this call's turn: its appId's slot, its pace, then a global slot."""
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
                await self._pace(app_id)
                await self._global.acquire()
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

    def release_global(self) -> None:
        """Lend the global slot back while the call waits to retry (its appId slot is kept)."""
        self._global.release()

    async def acquire_global(self) -> None:
        """Take a global slot again after `release_global`."""
        await self._global.acquire()

    def _leave(self, app_id: str | None, slot: _AppSlot | None) -> None:
        if slot is not None and app_id is not None:
            slot.users -= 1
            if slot.users == 0:
                del self._slots[app_id]

    async def _pace(self, app_id: str | None) -> None:
        if self._pacer is None and self._limits.rate_per_app_id is None:
            return
        now = asyncio.get_running_loop().time()
        delay = self._pacer.reserve(now) if self._pacer is not None else 0.0
        if app_id is not None and self._limits.rate_per_app_id is not None:
            pacer = self._app_pacers.get(app_id)
            if pacer is None:
                if len(self._app_pacers) >= _PRUNE_AT:
                    self._app_pacers = {k: p for k, p in self._app_pacers.items() if p._next > now}
                pacer = self._app_pacers[app_id] = _Pacer(self._limits.rate_per_app_id)
            delay = max(delay, pacer.reserve(now))
        if delay > 0:
            await asyncio.sleep(delay)

    @property
    def tracked_app_ids(self) -> int:
        """How many appIds have a call in flight or waiting (for tests: it returns to 0)."""
        return len(self._slots)
