"""The journal: where the receiver stores a callback before answering it, and handlers take it from.

"Answered means stored": the receiver answers 200 only after ``append`` returned, so an answered
push survives whatever happens next, as far as the journal itself survives (memory: not a
crash; SQLite: a crash of the process; Redis: a crash of any receiver or worker).

Every journal implements [`Journal`][gewe_async.bot.Journal]; the dispatcher code is the same on
each, and the mode is configuration.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import AsyncIterator, Callable, Iterable
from typing import TYPE_CHECKING, Literal, Protocol, runtime_checkable

import attrs

from gewe_async.exceptions import JournalFullError

if TYPE_CHECKING:
    from gewe_async.callbacks import CallbackEvent

__all__ = ["DeadLetter", "Delivery", "Entry", "Journal", "JournalFullError", "JournalStats"]

#: How long a journal remembers an idempotency key to refuse duplicates, by default (48 h).
DEFAULT_DEDUPE_WINDOW: float = 48 * 3600.0
#: How many dead letters a journal keeps by default; beyond, the oldest are dropped (logged).
DEFAULT_MAX_DEAD_LETTERS: int = 10_000


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
    event: CallbackEvent | None = attrs.field(default=None, eq=False, repr=False)
    """The body as the receiver parsed it, handed along in the process (not stored).

    The runner uses it instead of parsing the body a second time; an entry read back from
    storage (after a restart, or in another process) has `None`, and its body is parsed.
    """


@attrs.frozen
class Delivery:
    """An entry handed to a consumer, to be settled once handled: `ack` or `dead_letter`."""

    entry: Entry
    id: str
    """The journal's own handle for it (a row id, a stream id)."""
    attempt: int = 1
    """1 the first time; more when it is delivered again after a crash or a timeout."""


@attrs.frozen
class DeadLetter:
    """An entry whose handling failed for good, kept with why instead of being dropped.

    [`Journal.replay`][gewe_async.bot.Journal.replay] puts it back to be handled again;
    [`Journal.purge`][gewe_async.bot.Journal.purge] forgets it.
    """

    id: str
    """The journal's handle for it, what `replay` and `purge` take."""
    entry: Entry
    """The entry as it was stored, its body the original push."""
    error: str
    """The last failure: the exception's class and message (at most 2,000 characters)."""
    attempts: int
    """How many times it was run (or delivered, for a poison push) before it was given up."""
    first_failed_at: float
    """When its first run failed (``time.time()``)."""
    last_failed_at: float
    """When it was given up (``time.time()``)."""


#: What `replay` and `purge` take: dead letters' ids, or every one.
Selection = Iterable[str] | Literal["all"]


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
      next one of a chat is not handed out before the previous one is settled (``ack`` or
      ``dead_letter``).
    - ``ack`` marks a delivery handled; it is never delivered again.
    - ``dead_letter`` marks a delivery failed for good: like ``ack`` it releases its chat,
      and the entry is kept among the dead letters with the failure, up to a bound (the
      oldest dropped first, logged) until ``replay`` stores it again or ``purge`` drops it.
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

    async def dead_letter(
        self,
        delivery: Delivery,
        *,
        error: str,
        attempts: int,
        first_failed_at: float,
        last_failed_at: float | None = None,
    ) -> None:
        """Acknowledge ``delivery`` as failed: its entry goes to the dead letters.

        Args:
            delivery: The delivery handed out by ``consume``.
            error: Why it failed, for the operator.
            attempts: How many times it was run.
            first_failed_at: When the first run failed (``time.time()``).
            last_failed_at: When the last one failed (now when `None`).
        """
        ...

    async def dead_letters(self) -> list[DeadLetter]:
        """The dead letters kept, oldest first."""
        ...

    async def replay(self, ids: Selection) -> int:
        """Store the dead letters ``ids`` (or ``"all"``) again as entries; how many were.

        They are handed out like new entries (behind what their chat already holds),
        without the duplicate check: their keys were seen already.
        """
        ...

    async def purge(self, ids: Selection) -> int:
        """Forget the dead letters ``ids`` (or ``"all"``); how many were."""
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
    """Waiting for room in a full journal, the same way in all three.

    `append` calls `wait` when the journal is full; `ack` calls `freed`. Where the bound is
    kept elsewhere (Redis: another process may ack), `pause` waits for a local ack or a poll.
    """

    def __init__(self) -> None:
        self._freed = asyncio.Event()

    def freed(self) -> None:
        """Something was handled: waiters check their room again."""
        self._freed.set()

    async def pause(self, seconds: float) -> None:
        """Return once something is freed here, or after `seconds` at most."""
        self._freed.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._freed.wait(), max(seconds, 0.0))

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
