"""``MemoryJournal``: the journal kept in the process's memory (fast, lost on a crash)."""

from __future__ import annotations

import collections
import time
from collections.abc import AsyncIterator, Callable

import attrs

from gewe_async.bot._chatqueue import ChatQueue
from gewe_async.bot._journal import Delivery, Entry, JournalStats, Room

__all__ = ["MemoryJournal"]


class MemoryJournal:
    """A [`Journal`][gewe_async.bot.Journal] in memory: nothing to set up, nothing survives.

    - De-duplication: a key is remembered for ``dedupe_window`` seconds (10 minutes by
      default), and at most ``dedupe_max_keys`` keys (100,000) are kept, the oldest
      forgotten first. A push repeated later than that, or after a restart, is handled again:
      GeWe repeats some pushes hours later, which only a durable journal catches.
    - Bound: at most ``max_pending`` entries stored and not yet handled, holding at most
      ``max_pending_bytes`` bytes of bodies (64 MiB; one entry larger than that is taken
      when nothing else waits). When full, ``append`` waits up to ``full_timeout`` seconds
      for room, then raises [`JournalFullError`][gewe_async.bot.JournalFullError] (the
      receiver answers 503). Without the byte bound, 1,000 pending pushes of 500 KB held
      512 MiB.
    - Clock: ``clock`` (``time.time``) dates keys and entries; tests pass a fake one.
    - Loss: entries not yet handled are lost when the process stops or crashes. Closed and
      opened again in the same process (a receiver restarted), it hands out again what was
      handed out and not acknowledged, with ``attempt`` 2.
    """

    def __init__(
        self,
        *,
        max_pending: int = 10_000,
        max_pending_bytes: int = 64 * 1024 * 1024,
        dedupe_window: float = 600.0,
        dedupe_max_keys: int = 100_000,
        full_timeout: float = 1.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Make an empty journal; the arguments are described on the class."""
        if max_pending < 1 or dedupe_max_keys < 1 or max_pending_bytes < 1:
            raise ValueError(
                "max_pending, max_pending_bytes and dedupe_max_keys must be at least 1"
            )
        self.max_pending = max_pending
        self.max_pending_bytes = max_pending_bytes
        self._pending_bytes = 0
        self.dedupe_window = dedupe_window
        self.dedupe_max_keys = dedupe_max_keys
        self.full_timeout = full_timeout
        self._clock = clock
        self._seen: collections.OrderedDict[str, float] = collections.OrderedDict()
        # Per-chat order is the one the durable journals use (`ChatQueue`), not a copy of it.
        self._chats = ChatQueue()
        self._pending: dict[int, Entry] = {}
        self._room = Room()
        self._redeliveries = 0
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
        self._next_id += 1
        self._pending[self._next_id] = entry
        self._pending_bytes += size
        self._chats.put(Delivery(entry, str(self._next_id)))
        return True

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
            if delivery.attempt > 1:
                self._redeliveries += 1
            yield delivery

    async def ack(self, delivery: Delivery) -> None:
        """Mark ``delivery`` handled: the next entry of its chat may be handed out."""
        if not self._chats.done(delivery):
            return
        self._pending_bytes -= len(self._pending.pop(int(delivery.id)).body)
        self._room.freed()

    async def stats(self) -> JournalStats:
        """Entries waiting or being handled, and the age of the oldest."""
        oldest = next(iter(self._pending.values()), None)
        age = None if oldest is None else max(0.0, self._clock() - oldest.received_at)
        return JournalStats(
            depth=len(self._pending), oldest_pending_age=age, redeliveries=self._redeliveries
        )
