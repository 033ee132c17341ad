"""Stopping a long job cleanly on SIGINT (Ctrl-C) or SIGTERM (``kill``, container shutdown).

On the first signal no new call starts; calls in flight get a grace period to settle, then are
cancelled. A second signal cancels them at once. The job then writes what it knows and exits
130 (SIGINT) or 143 (SIGTERM), as shells expect of a process stopped by that signal.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Awaitable, Iterator
from typing import TypeVar

T = TypeVar("T")

#: Seconds calls in flight get to settle after the first signal.
DEFAULT_GRACE = 5.0


class NotTried(Exception):
    """The job was stopped before this call started."""

    def __init__(self) -> None:
        super().__init__("not tried: the job was interrupted before this call started")


class Unsettled(Exception):
    """The job was stopped while this call was in flight: it may or may not have been applied."""

    def __init__(self) -> None:
        super().__init__("unknown: may have been applied (interrupted while in flight)")


class Interrupt:
    """The stop state of one job: which signal came, and the calls to cancel after the grace."""

    def __init__(self, grace: float = DEFAULT_GRACE) -> None:
        self.grace = grace
        self.signal: int | None = None
        self._in_flight: set[asyncio.Task[object]] = set()
        self._hard_stop: asyncio.TimerHandle | None = None

    @property
    def exit_code(self) -> int | None:
        """128 + the signal's number (130 for SIGINT, 143 for SIGTERM), once one came."""
        return None if self.signal is None else 128 + self.signal

    @contextlib.contextmanager
    def handling_signals(self) -> Iterator[None]:
        """Catch SIGINT and SIGTERM in the running loop while the block runs."""
        loop = asyncio.get_running_loop()
        installed = []
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(signum, self._received, signum)
                installed.append(signum)
        try:
            yield
        finally:
            for signum in installed:
                loop.remove_signal_handler(signum)
            if self._hard_stop is not None:
                self._hard_stop.cancel()

    def _received(self, signum: int) -> None:
        if self.signal is not None:  # the second signal: stop waiting
            self._cancel_in_flight()
            return
        self.signal = signum
        loop = asyncio.get_running_loop()
        self._hard_stop = loop.call_later(self.grace, self._cancel_in_flight)

    def _cancel_in_flight(self) -> None:
        for task in self._in_flight:
            task.cancel()

    async def run(self, call: Awaitable[T]) -> T:
        """Run one call of the job, unless the job is stopping.

        Raises:
            NotTried: The job was already stopping: the call was not started.
            Unsettled: The call was cancelled after the grace period, in flight.
        """
        if self.signal is not None:
            if asyncio.iscoroutine(call):
                call.close()
            raise NotTried
        inner: asyncio.Task[T] = asyncio.ensure_future(call)
        self._in_flight.add(inner)
        try:
            return await inner
        except asyncio.CancelledError:
            this = asyncio.current_task()
            if inner.cancelled() and this is not None and not this.cancelling():
                raise Unsettled from None
            inner.cancel()  # the job itself is being cancelled: take the call with it
            raise
        finally:
            self._in_flight.discard(inner)
