"""Per-chat hand-out: in order within a chat, one at a time per chat, concurrently across chats.

Every journal keeps its stored, unsettled entries here once loaded (through
[`BaseJournal`][gewe_async.bot.BaseJournal]), so that the ordering rule of
[`Journal`][gewe_async.bot.Journal] lives in one place.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable

import attrs

from gewe_async.bot._journal import Delivery


@attrs.define
class ChatQueue:
    """Deliveries waiting per chat, and the chats whose next delivery may be handed out."""

    _waiting: dict[str, deque[Delivery]] = attrs.field(factory=dict)
    _in_flight: dict[str, Delivery] = attrs.field(factory=dict)
    # A chat is in `_ready` once exactly when it has waiting deliveries and none in flight;
    # `None` tells consumers the queue is closed.
    _ready: asyncio.Queue[str | None] = attrs.field(factory=asyncio.Queue)
    _closed: bool = False
    # How many deliveries `_waiting` holds: a journal checks its bound on every append, and
    # summing the deques there cost O(chats) per push (5 % of a receiver's loop at 500 chats).
    _waiting_n: int = 0

    def __len__(self) -> int:
        return self._waiting_n + len(self._in_flight)

    def put(self, delivery: Delivery) -> None:
        """Queue a delivery behind the others of its chat."""
        chat = delivery.entry.chat
        waiting = self._waiting.get(chat)
        if waiting is None:
            waiting = self._waiting[chat] = deque()
            if chat not in self._in_flight:
                self._ready.put_nowait(chat)
        waiting.append(delivery)
        self._waiting_n += 1

    async def get(self) -> Delivery | None:
        """The next delivery of a chat with none in flight; `None` once closed."""
        chat = await self._ready.get()
        if chat is None:
            self._ready.put_nowait(None)  # wake the next consumer too
            return None
        return self._take(chat)

    def take_ready(self, limit: int) -> list[Delivery]:
        """Up to `limit` deliveries that `get` would return right now, without waiting."""
        taken: list[Delivery] = []
        while len(taken) < limit and not self._ready.empty():
            chat = self._ready.get_nowait()
            if chat is None:
                self._ready.put_nowait(None)
                break
            taken.append(self._take(chat))
        return taken

    def put_back(self, delivery: Delivery) -> None:
        """Undo the `get` of a delivery not handed out after all: its chat's first again."""
        chat = delivery.entry.chat
        if self._in_flight.get(chat) != delivery:
            return
        del self._in_flight[chat]
        self._waiting.setdefault(chat, deque()).appendleft(delivery)
        self._waiting_n += 1
        if not self._closed:  # closed: `get` must keep returning `None`
            self._ready.put_nowait(chat)

    def _take(self, chat: str) -> Delivery:
        waiting = self._waiting[chat]
        delivery = waiting.popleft()
        if not waiting:
            del self._waiting[chat]
        self._waiting_n -= 1
        self._in_flight[chat] = delivery
        return delivery

    def done(self, delivery: Delivery) -> bool:
        """Release the delivery's chat; `False` when it was not the one in flight."""
        chat = delivery.entry.chat
        if self._in_flight.get(chat) != delivery:
            return False
        del self._in_flight[chat]
        if chat in self._waiting:
            self._ready.put_nowait(chat)
        return True

    def drop(self, predicate: Callable[[Delivery], bool]) -> None:
        """Forget waiting deliveries matching `predicate` (another consumer owns them now)."""
        for chat, waiting in list(self._waiting.items()):
            kept = deque(d for d in waiting if not predicate(d))
            if kept:
                self._waiting[chat] = kept
            else:
                del self._waiting[chat]
        self._waiting_n = sum(map(len, self._waiting.values()))
        self._rebuild_ready()

    def waiting_count(self) -> int:
        """Deliveries loaded and not yet handed out."""
        return self._waiting_n

    def waiting(self) -> list[Delivery]:
        """The deliveries loaded and not yet handed out."""
        return [d for waiting in self._waiting.values() for d in waiting]

    def in_flight(self) -> list[Delivery]:
        """Deliveries handed out and not yet acknowledged."""
        return list(self._in_flight.values())

    def close(self) -> None:
        """Make every current and future `get` return `None`."""
        if not self._closed:
            self._closed = True
            self._ready.put_nowait(None)

    def _rebuild_ready(self) -> None:
        if self._closed:
            return
        while not self._ready.empty():
            self._ready.get_nowait()
        for chat in self._waiting:
            if chat not in self._in_flight:
                self._ready.put_nowait(chat)
