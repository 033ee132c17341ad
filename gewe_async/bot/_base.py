"""What the three journals share: their settings, per-chat order, room, and dead letters.

The model is aiogram's storage base: the behaviour is here once, and a backend
([`MemoryJournal`][gewe_async.bot.MemoryJournal], [`SqliteJournal`][gewe_async.bot.SqliteJournal],
[`RedisJournal`][gewe_async.bot.RedisJournal]) does its storage's reads and writes only.
"""

from __future__ import annotations

import abc
import logging
import math
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import attrs

from gewe_async.bot._chatqueue import ChatQueue
from gewe_async.bot._journal import (
    DEFAULT_DEDUPE_WINDOW,
    DEFAULT_MAX_DEAD_LETTERS,
    DeadLetter,
    Delivery,
    Entry,
    Room,
    Selection,
)

if TYPE_CHECKING:
    from gewe_async.callbacks import CallbackEvent

__all__ = ["BaseJournal"]

logger = logging.getLogger("gewe_async.bot.journal")

#: The longest error text a dead letter keeps.
ERROR_TEXT_MAX = 2000
#: Parsed events kept for their hand-out in this process; beyond, the oldest are parsed again.
PARSED_MAX = 1024


def positive_int(name: str, value: object) -> int:
    """`value` if it is an int of at least 1; else the error every journal raises."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be an int of at least 1, got {value!r}")
    return value


def positive_seconds(name: str, value: object) -> float:
    """`value` as a float if it is a positive, finite number; else the shared error."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise ValueError(f"{name} must be a positive, finite number of seconds, got {value!r}")
    return float(value)


def selection(ids: Selection) -> list[str] | None:
    """The ids `replay` or `purge` were given (`None`: all), checked."""
    if isinstance(ids, str):
        if ids == "all":
            return None
        raise TypeError(f"give the dead letters' ids as a list of str, or 'all'; got {ids!r}")
    chosen = list(ids)
    for one in chosen:
        if not isinstance(one, str):
            raise TypeError(f"a dead letter's id is a str, got {type(one).__name__}")
    return chosen


class BaseJournal(abc.ABC):
    """The behaviour of every journal; subclasses do storage I/O only.

    Settings, the same name, meaning and check on all three journals (each public):

    - ``dedupe_window``: seconds a key is remembered to refuse duplicates (48 h).
    - ``max_pending``: stored, unacknowledged entries beyond which ``append`` waits.
    - ``full_timeout``: seconds ``append`` waits for room before raising
      [`JournalFullError`][gewe_async.bot.JournalFullError].
    - ``max_dead_letters``: dead letters kept (10,000); past it the oldest are dropped, with
      a WARNING line saying how many.

    A value out of range raises `ValueError` naming the setting.
    """

    def __init__(
        self,
        name: str,
        dedupe_window: float = DEFAULT_DEDUPE_WINDOW,
        max_pending: int = 10_000,
        full_timeout: float = 1.0,
        max_dead_letters: int = DEFAULT_MAX_DEAD_LETTERS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Check and keep the shared settings (see the class); `name` is for the logs."""
        self.dedupe_window = positive_seconds("dedupe_window", dedupe_window)
        """Seconds a key is remembered to refuse duplicates."""
        self.max_pending = positive_int("max_pending", max_pending)
        """Stored, unacknowledged entries beyond which `append` waits for room."""
        self.full_timeout = positive_seconds("full_timeout", full_timeout)
        """Seconds `append` waits for room before raising `JournalFullError`."""
        self.max_dead_letters = positive_int("max_dead_letters", max_dead_letters)
        """Dead letters kept; beyond, the oldest are dropped (logged)."""
        self._name = name
        self._clock = clock
        # Per-chat order, the same rule for all: a chat's next entry waits for the ack.
        self._chats = ChatQueue()
        self._room = Room()
        self._redeliveries = 0
        # Events the receiver parsed, by handle, until handed out in this process: the runner
        # does not parse them again. Bounded: waiting entries keep their bodies in storage.
        self._parsed: dict[str, CallbackEvent] = {}

    def _keep_parsed(self, handle: str, entry: Entry) -> Entry:
        """`entry` without its parsed event, which is kept for its hand-out under `handle`."""
        if entry.event is None:
            return entry
        parsed = self._parsed
        parsed[handle] = entry.event
        if len(parsed) > PARSED_MAX:
            del parsed[next(iter(parsed))]
        return attrs.evolve(entry, event=None)

    def _with_parsed(self, delivery: Delivery, handle: str) -> Delivery:
        """`delivery` with the event parsed on arrival, when this process still has it."""
        event = self._parsed.pop(handle, None)
        if event is None:
            return delivery
        return attrs.evolve(delivery, entry=attrs.evolve(delivery.entry, event=event))

    def _handing_out(self, delivery: Delivery) -> Delivery:
        """Count a delivery made again (after a crash or a restart) as it is handed out."""
        if delivery.attempt > 1:
            self._redeliveries += 1
        return delivery

    async def dead_letter(
        self,
        delivery: Delivery,
        *,
        error: str,
        attempts: int,
        first_failed_at: float,
        last_failed_at: float | None = None,
    ) -> None:
        """Acknowledge ``delivery`` as failed for good: kept among the dead letters.

        Its chat goes on as after an ack. At most ``max_dead_letters`` are kept; the oldest
        are dropped past it, with a WARNING.

        Args:
            delivery: The delivery handed out by ``consume``.
            error: Why it failed (cut to 2,000 characters).
            attempts: How many times it was run.
            first_failed_at: When the first run failed (``time.time()``).
            last_failed_at: When the last one failed (now when `None`).
        """
        if len(error) > ERROR_TEXT_MAX:
            error = error[: ERROR_TEXT_MAX - 1] + "…"
        letter = DeadLetter(
            id="",
            entry=delivery.entry,
            error=error,
            attempts=attempts,
            first_failed_at=first_failed_at,
            last_failed_at=self._clock() if last_failed_at is None else last_failed_at,
        )
        dropped = await self._bury(delivery, letter)
        if dropped:
            logger.warning(
                "%s: %d oldest dead letters dropped, to keep at most %d",
                self._name,
                dropped,
                self.max_dead_letters,
            )

    async def dead_letters(self) -> list[DeadLetter]:
        """The dead letters kept, oldest first."""
        return sorted(await self._dead_letters(), key=lambda d: d.last_failed_at)

    async def replay(self, ids: Selection) -> int:
        """Store dead letters again as entries, to be handled like new ones; how many were.

        Replayed entries are handed out behind what their chat already holds, without the
        duplicate check (their keys were seen). A running receiver or worker on the same
        storage handles them; a SQLite file is locked by its process, so replay there from
        that process, or while it is stopped (handled at its next start).

        Args:
            ids: Dead letters' ids (unknown ones are skipped), or ``"all"``.

        Raises:
            TypeError: ``ids`` is a single string other than ``"all"``, or holds non-strings.
        """
        chosen = selection(ids)
        replayed = await self._replay(chosen)
        if replayed:
            logger.info("%s: %d dead letters stored again to be handled", self._name, replayed)
        return replayed

    async def purge(self, ids: Selection) -> int:
        """Forget dead letters; how many were.

        Args:
            ids: Dead letters' ids (unknown ones are skipped), or ``"all"``.

        Raises:
            TypeError: ``ids`` is a single string other than ``"all"``, or holds non-strings.
        """
        chosen = selection(ids)
        return await self._purge(chosen)

    # What a backend does: storage only.

    @abc.abstractmethod
    async def _bury(self, delivery: Delivery, letter: DeadLetter) -> int:
        """Store `letter` and remove `delivery`'s entry, release its chat; dead letters dropped."""

    @abc.abstractmethod
    async def _dead_letters(self) -> list[DeadLetter]:
        """Every dead letter kept, in any order."""

    @abc.abstractmethod
    async def _replay(self, ids: list[str] | None) -> int:
        """Store the dead letters `ids` (all when `None`) as entries again; how many."""

    @abc.abstractmethod
    async def _purge(self, ids: list[str] | None) -> int:
        """Drop the dead letters `ids` (all when `None`); how many."""
