"""``MemoryJournal``: the journal kept in the process's memory (fast, lost on a crash)."""

from __future__ import annotations

import collections
import time
from collections.abc import AsyncIterator, Callable

import attrs

from gewe_async.bot._base import BaseJournal, positive_int
from gewe_async.bot._chatqueue import ChatQueue
from gewe_async.bot._journal import (
    DEFAULT_DEDUPE_WINDOW,
    DEFAULT_MAX_DEAD_LETTERS,
    DeadLetter,
    Delivery,
    Entry,
    JournalStats,
)

__all__ = ["MemoryJournal"]


class MemoryJournal(BaseJournal):
    """A [`Journal`][gewe_async.bot.Journal] in memory: nothing to set up, nothing survives.

    - De-duplication: a key is remembered for ``dedupe_window`` seconds (48 h, as in the
      durable journals), and at most ``dedupe_max_keys`` keys (100,000) are kept, the oldest
      forgotten first. A push repeated after a restart is handled again: only a durable
      journal catches that.
    - Bound: at most ``max_pending`` entries stored and not yet handled, holding at most
      ``max_pending_bytes`` bytes of bodies (64 MiB; one entry larger than that is taken
      when nothing else waits). When full, ``append`` waits up to ``full_timeout`` seconds
      for room, then raises [`JournalFullError`][gewe_async.bot.JournalFullError] (the
      receiver answers 503). Without the byte bound, 1,000 pending pushes of 500 KB held
      512 MiB.
    - Dead letters: at most ``max_dead_letters`` (10,000), lost with the process.
    - Clock: ``clock`` (``time.time``) dates keys and entries; tests pass a fake one.
    - Loss: entries not yet handled are lost when the process stops or crashes. Closed and
      opened again in the same process (a receiver restarted), it hands out again what was
      handed out and not acknowledged, with ``attempt`` 2.

    The settings shared with the other journals are described on
    [`BaseJournal`][gewe_async.bot.BaseJournal].
    """

    def __init__(
        self,
        *,
        max_pending: int = 10_000,
        max_pending_bytes: int = 64 * 1024 * 1024,
        dedupe_window: float = DEFAULT_DEDUPE_WINDOW,
        dedupe_max_keys: int = 100_000,
        full_timeout: float = 1.0,
        max_dead_letters: int = DEFAULT_MAX_DEAD_LETTERS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Make an empty journal; the arguments are described on the class."""
        name = "MemoryJournal"
        super().__init__(name, dedupe_window, max_pending, full_timeout, max_dead_letters, clock)
        self.max_pending_bytes = positive_int("max_pending_bytes", max_pending_bytes)
        """The most bytes of bodies stored and not yet handled."""
        self.dedupe_max_keys = positive_int("dedupe_max_keys", dedupe_max_keys)
        """The most keys remembered; the oldest are forgotten first."""
        self._pending_bytes = 0
        self._seen: collections.OrderedDict[str, float] = collections.OrderedDict()
        self._pending: dict[int, Entry] = {}
        self._dead: collections.OrderedDict[str, DeadLetter] = collections.OrderedDict()
        self._next_id = 0
        self._closed = False

    @property
    def unavailable_since(self) -> None:
        """Always ``None``: memory does not fail the way a disk or a server does."""
        return None

    def __repr__(self) -> str:
        return f"<MemoryJournal pending={len(self._pending)} keys={len(self._seen)}>"

    async def open(self) -> None:
        """Open (or reopen) the journal: what was handed out and not acked is handed out again."""
        if self._closed:
            old, self._chats = self._chats, ChatQueue()
            for delivery in old.in_flight():  # each ahead of the rest of its chat
                self._chats.put(attrs.evolve(delivery, attempt=delivery.attempt + 1))
            for delivery in old.waiting():
                self._chats.put(delivery)
        self._closed = False

    async def aclose(self) -> None:
        """End ``consume``; entries not handled yet are dropped with the object."""
        self._closed = True
        self._chats.close()

    def _forget_old_keys(self) -> None:
        horizon = self._clock() - self.dedupe_window
        seen = self._seen
        while seen and (len(seen) > self.dedupe_max_keys or next(iter(seen.values())) < horizon):
            seen.popitem(last=False)

    async def append(self, entry: Entry) -> bool:
        """Store ``entry``; ``False`` for a key seen within the window.

        Raises:
            JournalFullError: ``max_pending`` entries (or ``max_pending_bytes`` bytes) wait
                and not enough was handled within ``full_timeout`` seconds.
        """
        self._forget_old_keys()
        if entry.key in self._seen:
            return False
        size = len(entry.body)
        if not self._has_room(size):
            await self._room.wait(
                lambda: self._has_room(size),
                self.full_timeout,
                lambda: (
                    f"{len(self._pending)} callbacks ({self._pending_bytes} bytes)"
                    " wait to be handled"
                ),
            )
            if entry.key in self._seen:  # the same push arrived while this one waited
                return False
        self._seen[entry.key] = self._clock()
        self._store(entry)
        return True

    def _store(self, entry: Entry) -> None:
        self._next_id += 1
        entry = self._keep_parsed(str(self._next_id), entry)
        self._pending[self._next_id] = entry
        self._pending_bytes += len(entry.body)
        self._chats.put(Delivery(entry, str(self._next_id)))

    def _has_room(self, size: int) -> bool:
        if len(self._pending) >= self.max_pending:
            return False
        # One body larger than the whole bound still goes in alone, or it never would.
        return not self._pending or self._pending_bytes + size <= self.max_pending_bytes

    async def consume(self) -> AsyncIterator[Delivery]:
        """Yield entries, one chat's in order and the next only after the previous is acked."""
        while not self._closed:  # closed: nothing more, even what was ready
            delivery = await self._chats.get()
            if delivery is None:
                return
            yield self._handing_out(self._with_parsed(delivery, delivery.id))

    async def ack(self, delivery: Delivery) -> None:
        """Mark ``delivery`` handled: the next entry of its chat may be handed out."""
        if not self._chats.done(delivery):
            return
        self._pending_bytes -= len(self._pending.pop(int(delivery.id)).body)
        self._room.freed()

    async def _bury(self, delivery: Delivery, letter: DeadLetter) -> int:
        if int(delivery.id) not in self._pending:
            return 0
        await self.ack(delivery)
        self._dead[delivery.id] = attrs.evolve(letter, id=delivery.id)
        dropped = 0
        while len(self._dead) > self.max_dead_letters:
            self._dead.popitem(last=False)
            dropped += 1
        return dropped

    async def _dead_letters(self) -> list[DeadLetter]:
        return list(self._dead.values())

    async def _replay(self, ids: list[str] | None) -> int:
        chosen = list(self._dead) if ids is None else [i for i in ids if i in self._dead]
        for one in chosen:
            self._store(self._dead.pop(one).entry)
        return len(chosen)

    async def _purge(self, ids: list[str] | None) -> int:
        if ids is None:
            count = len(self._dead)
            self._dead.clear()
            return count
        return sum(self._dead.pop(one, None) is not None for one in dict.fromkeys(ids))

    async def stats(self) -> JournalStats:
        """Entries waiting or being handled, and the age of the oldest."""
        oldest = next(iter(self._pending.values()), None)
        age = None if oldest is None else max(0.0, self._clock() - oldest.received_at)
        return JournalStats(
            depth=len(self._pending), oldest_pending_age=age, redeliveries=self._redeliveries
        )
