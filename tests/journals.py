"""Helpers of the journal tests: a real redis-server on loopback, a fake clock, entries, and
a journal opened and consumed without leaking its iterator."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bench.loopback_redis import free_port, redis_server
from gewe_async.bot import Delivery, Entry, Journal
from tests.clock import FakeClock

__all__ = ["Consumer", "FakeClock", "consuming", "entry", "free_port", "opened", "redis_server"]


def entry(key: str, chat: str = "chat-a", body: bytes | None = None, at: float = 0.0) -> Entry:
    """An entry with `key` in `chat`."""
    return Entry(key=key, chat=chat, body=body or key.encode(), received_at=at)


@asynccontextmanager
async def opened(journal: Journal) -> AsyncIterator[Journal]:
    """``journal``, opened for the block and closed after it."""
    await journal.open()
    try:
        yield journal
    finally:
        await journal.aclose()


class Consumer:
    """One `consume()` iterator, waited on without cancelling it (that would end it)."""

    def __init__(self, journal: Journal) -> None:
        self._deliveries = journal.consume()
        self._next: asyncio.Future[Delivery] | None = None

    async def next(self, timeout: float) -> Delivery | None:
        if self._next is None:
            self._next = asyncio.ensure_future(anext(self._deliveries))
        done, _ = await asyncio.wait({self._next}, timeout=timeout)
        if not done:
            return None
        got, self._next = self._next, None
        return got.result()

    async def take(self) -> Delivery:
        """The next delivery (a generous bound keeps a broken journal from hanging the suite)."""
        delivery = await self.next(10.0)
        assert delivery is not None, "no delivery came"
        return delivery

    async def nothing_more(self) -> bool:
        """True when no delivery comes within a short while."""
        return await self.next(0.5) is None

    async def stop(self) -> None:
        if self._next is not None:
            self._next.cancel()
            await asyncio.gather(self._next, return_exceptions=True)
        await self._deliveries.aclose()  # type: ignore[attr-defined]


@asynccontextmanager
async def consuming(journal: Journal) -> AsyncIterator[Consumer]:
    """A `Consumer` of ``journal``, stopped after the block."""
    consumer = Consumer(journal)
    try:
        yield consumer
    finally:
        await consumer.stop()
