"""Send pacing: the messages one account sends keep a human distance from each other.

GeWe's account guides (``账号规范/``) say a person sends one message every 1-2 s and suggest
20-40 messages a minute per account; faster sending is what gets accounts restricted. So every
send endpoint (``Endpoint.sends``) of one appId starts at least ``send_interval`` seconds after
the previous send of that appId started. Other endpoints and other appIds never wait here.

Why not ``Limits.rate_per_app_id``: that paces every call of the account, reads included, and
a turn it hands out is kept even when the call is cancelled while waiting. Here a send that is
cancelled or times out while waiting leaves no trace: the next send waits only for the last
send that really went out.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Final

__all__ = ["DEFAULT_SEND_INTERVAL", "SendPacer", "as_send_interval"]

#: Seconds between the starts of two sends of one appId: at most 40 messages a minute, the top
#: of the guides' 20-40, and inside their "one message every 1-2 s".
DEFAULT_SEND_INTERVAL: Final = 1.5

#: Per-appId entries are pruned once there are this many, so 100,000 appIds do not stay in memory.
_PRUNE_AT: Final = 4096


def as_send_interval(value: object) -> float | None:
    """Validate a send interval: seconds (``0`` or ``None`` turns pacing off)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"send_interval must be seconds or None, got {value!r}")
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"send_interval must be a finite number of seconds >= 0, got {value!r}")
    return float(value) or None


class _Lane:
    """One appId's pacing state: when its last send started, and who is waiting."""

    __slots__ = ("last", "lock")

    def __init__(self) -> None:
        self.last: float | None = None
        self.lock = asyncio.Lock()


class SendPacer:
    """Spaces the sends of each appId; shared by a client and its views.

    Args:
        clock: Returns the current time in seconds (default: the running loop's clock).
        sleep: Waits that many seconds (default: `asyncio.sleep`). Tests pass a fake pair.
    """

    __slots__ = ("_clock", "_lanes", "_longest", "_sleep")

    def __init__(
        self,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        self._clock = clock or (lambda: asyncio.get_running_loop().time())
        self._sleep = sleep or asyncio.sleep
        self._lanes: dict[str, _Lane] = {}
        self._longest = 0.0

    def turn(self, app_id: str | None, interval: float) -> _Turn:
        """Wait for the appId's next send time; the send counts as started when the block ends.

        ```python
        async with pacer.turn(app_id, 1.5):
            await limiter.acquire(app_id)  # the send starts once this returns
        ```

        Leaving the block by an exception (cancellation, a timeout) records nothing.
        """
        return _Turn(self, app_id, interval)

    def _lane(self, app_id: str) -> _Lane:
        lane = self._lanes.get(app_id)
        if lane is None:
            if len(self._lanes) >= _PRUNE_AT:
                self._prune()
            lane = self._lanes[app_id] = _Lane()
        return lane

    def _prune(self) -> None:
        now = self._clock()
        self._lanes = {
            app_id: lane
            for app_id, lane in self._lanes.items()
            if lane.lock.locked() or lane.last is None or now - lane.last < self._longest
        }


class _Turn:
    __slots__ = ("_app_id", "_interval", "_lane", "_pacer")

    def __init__(self, pacer: SendPacer, app_id: str | None, interval: float) -> None:
        self._pacer = pacer
        self._app_id = app_id
        self._interval = interval
        self._lane: _Lane | None = None

    async def __aenter__(self) -> None:
        if self._app_id is None:
            return
        pacer = self._pacer
        pacer._longest = max(pacer._longest, self._interval)
        lane = pacer._lane(self._app_id)
        await lane.lock.acquire()
        try:
            if lane.last is not None:
                wait = lane.last + self._interval - pacer._clock()
                if wait > 0:
                    await pacer._sleep(wait)
        except BaseException:
            lane.lock.release()
            raise
        self._lane = lane

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # No await in here: nothing can cancel the call between its start and this record.
        lane = self._lane
        if lane is None:
            return
        if exc_type is None:
            lane.last = self._pacer._clock()
        lane.lock.release()
