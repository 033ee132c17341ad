"""The journal: where the receiver stores a callback before answering it, and handlers take it from.

"Answered means stored": the receiver answers 200 only after ``append`` returned, so an answered
push survives whatever happens next, as far as the journal itself survives (memory: not a
crash; SQLite: a crash of the process; Redis: a crash of any receiver or worker).

Every journal implements [`Journal`][gewe_async.bot.Journal]; the dispatcher code is the same on
each, and the mode is configuration.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import AsyncIterator, Callable
from typing import Protocol, runtime_checkable

import attrs

from gewe_async.exceptions import JournalFullError

__all__ = ["Delivery", "Entry", "Journal", "JournalFullError", "JournalStats"]

#: How long a journal remembers an idempotency key to refuse duplicates, by default (48 h).
DEFAULT_DEDUPE_WINDOW: float = 48 * 3600.0


@attrs.frozen
class Entry:
    """One callback as the receiver got it, before any handler saw it."""

    key: str
    """Its idempotency key: a second entry with the same key within the window is a duplicate."""
    chat: str
    """Its ordering key: entries of one chat are delivered and handled in order."""
    body: bytes
    """The body as received, parsed again by whoever handles it."""
    received_at: float
    """When it arrived (``time.time()``)."""


@attrs.frozen
class Delivery:
    """An entry handed to a consumer, to be acknowledged once handled."""

    entry: Entry
    id: str
    """The journal's own handle for it (a row id, a stream id)."""
    attempt: int = 1
    """1 the first time; more when it is delivered again after a crash or a timeout."""


@attrs.frozen
class JournalStats:
    """The state of the queue, for metrics."""

    depth: int
    """Entries stored and not yet acknowledged (in flight included)."""
    oldest_pending_age: float | None
    """Seconds since the oldest unacknowledged entry arrived (``None``: nothing pending)."""
    redeliveries: int
    """Deliveries made again after a crash or timeout, since this journal was opened."""


@runtime_checkable
class Journal(Protocol):
    """Durable storage of callbacks between the receiver and the handlers.

    Contract:

    - ``append`` returns only once the entry is stored as durably as the journal can; it
      returns ``False`` (and stores nothing) when the key was seen within the dedupe window.
    - ``consume`` yields stored, unacknowledged entries, those left pending by an earlier
      run first; entries with the same ``chat`` come in the order they were appended, and the
      next one of a chat is not handed out before the previous one is acknowledged.
    - ``ack`` marks a delivery handled; it is never delivered again.
    """

    async def open(self) -> None:
        """Connect or create the storage; called once before use."""
        ...

    async def aclose(self) -> None:
        """Release the storage; unacknowledged entries stay for the next run."""
        ...

    async def append(self, entry: Entry) -> bool:
        """Store ``entry``; ``False`` when it is a duplicate (nothing stored).

        Raises:
            JournalFullError: The journal is at its bound and did not free up in time.
        """
        ...

    def consume(self) -> AsyncIterator[Delivery]:
        """Yield deliveries to handle, forever, until the journal is closed."""
        ...

    async def ack(self, delivery: Delivery) -> None:
        """Mark a delivery handled."""
        ...

    async def stats(self) -> JournalStats:
        """Queue depth, oldest pending age and redeliveries."""
        ...

    @property
    def unavailable_since(self) -> float | None:
        """When the storage started failing (``time.time()``), ``None`` while it works.

        Set by the first failed storage operation (a Redis command, a SQLite commit) and
        cleared by the next one that succeeds. The journal retries by itself meanwhile; a
        health endpoint reports it.
        """
        ...


logger = logging.getLogger("gewe_async.bot.journal")

# Backoff of the retries of a failing storage: from 50 ms, doubling, at most 5 s.
_BACKOFF_FIRST = 0.05
_BACKOFF_CAP = 5.0
# A storage that keeps failing is logged again at most this often.
_LOG_EVERY = 30.0


def backoff(failures: int) -> float:
    """Seconds to wait before retry number `failures` (1, 2, ...): capped, with jitter."""
    delay: float = min(_BACKOFF_CAP, _BACKOFF_FIRST * 2.0 ** min(max(failures - 1, 0), 16))
    return delay * random.uniform(0.5, 1.0)  # noqa: S311 - jitter, not a secret


class Health:
    """Whether a journal's storage works, logged once when it fails and once when it recovers."""

    def __init__(self, name: str) -> None:
        self._name = name
        self.since: float | None = None
        self.failures = 0
        self._logged = -_LOG_EVERY
        self._reported = False

    def failed(self, exc: BaseException) -> None:
        """Record a failed storage operation."""
        self.failures += 1
        now = time.monotonic()
        if self.since is None:
            self.since = time.time()
            # A storage flapping (appends failing on a full disk while acks work) is logged
            # once per `_LOG_EVERY`, not once per flip.
            self._reported = now - self._logged >= _LOG_EVERY
            if self._reported:
                self._logged = now
                logger.error("%s: storage failing, retrying: %r", self._name, exc)
        elif now - self._logged >= _LOG_EVERY:
            self._reported = True
            self._logged = now
            logger.error(
                "%s: storage still failing (%d failures in %.0f s): %r",
                self._name,
                self.failures,
                time.time() - self.since,
                exc,
            )

    def ok(self) -> None:
        """Record a storage operation that worked."""
        if self.since is not None and self._reported:
            logger.info(
                "%s: storage back after %.1f s (%d failures)",
                self._name,
                time.time() - self.since,
                self.failures,
            )
        self.since = None
        self.failures = 0


class Room:
    """Waiting for room in the journals bounded in this process (memory, SQLite).

    `append` calls `wait` when the journal is full; `ack` calls `freed`. One rule for both,
    where one used a Condition and the other an Event loop.
    """

    def __init__(self) -> None:
        self._freed = asyncio.Event()

    def freed(self) -> None:
        """Something was handled: waiters check their room again."""
        self._freed.set()

    async def wait(self, fits: Callable[[], bool], timeout: float, full: Callable[[], str]) -> None:
        """Return once `fits()`; raise `JournalFullError(full())` after `timeout` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not fits():
            self._freed.clear()
            try:
                await asyncio.wait_for(self._freed.wait(), max(deadline - loop.time(), 0.0))
            except TimeoutError:
                if fits():
                    return
                raise JournalFullError(full()) from None
