"""Bursts cost the journals one round trip, not one per ack."""

from __future__ import annotations

import asyncio
import uuid
import zlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import redis.asyncio

from gewe_async.bot import Delivery
from gewe_async.bot._redis import GROUP, RedisJournal

from .journals import entry, redis_server
from .test_journal_contract import consuming, opened


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server on loopback for this module."""
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture
async def admin(redis_url: str) -> AsyncIterator[Any]:
    """A client of the same server, to look at it from outside the journal."""
    pool = redis.asyncio.BlockingConnectionPool.from_url(redis_url, max_connections=10)
    client = redis.asyncio.Redis.from_pool(pool)
    yield client
    await client.aclose()


async def calls(admin: Any) -> dict[str, int]:
    """How many times the server has run each command so far."""
    stats = await admin.info("commandstats")
    return {name.removeprefix("cmdstat_"): int(s["calls"]) for name, s in stats.items()}


async def test_redis_burst_of_acks_is_one_transaction(redis_url: str, admin: Any):
    """250 acks at once: one MULTI/EXEC, one XACK and XDEL per stream; each returns once done."""
    journal = RedisJournal(redis_url, prefix=f"t-{uuid.uuid4().hex[:8]}", partitions=4)
    async with opened(journal):
        for n in range(250):
            await journal.append(entry(f"k{n}", f"chat-{n}"))
        async with consuming(journal) as deliveries:
            taken = [await deliveries.take() for _ in range(250)]

            async def ack(delivery: Delivery) -> None:
                await journal.ack(delivery)
                partition, _, stream_id = delivery.id.partition("/")
                stream = f"{{{journal._prefix}:{partition}}}:s"
                # Returned: its entry is acknowledged and deleted already.
                assert await admin.xpending_range(stream, GROUP, stream_id, stream_id, 1) == []
                assert await admin.xrange(stream, stream_id, stream_id) == []

            before = await calls(admin)
            await asyncio.gather(*(ack(delivery) for delivery in taken))
            after = await calls(admin)
        assert after["exec"] - before.get("exec", 0) == 1
        assert after["xack"] - before.get("xack", 0) <= 4
        assert after["xdel"] - before.get("xdel", 0) <= 4
        assert journal._in_flight == set()
        assert journal._chats.in_flight() == []
        assert (await journal.stats()).depth == 0


async def test_redis_failed_ack_reaches_its_callers_only(redis_url: str, admin: Any):
    """An ack Redis refuses raises in its caller; the acks of other streams in its batch succeed."""
    journal = RedisJournal(redis_url, prefix=f"t-{uuid.uuid4().hex[:8]}", partitions=4)
    async with opened(journal):
        for n in range(3):
            await journal.append(entry(f"k{n}", f"chat-{n}"))
        async with consuming(journal) as deliveries:
            taken = [await deliveries.take() for _ in range(3)]
            used = {zlib.crc32(d.entry.chat.encode()) % 4 for d in taken}
            free = next(p for p in range(4) if p not in used)
            bad = Delivery(entry("bad", "chat-bad"), f"{free}/not-a-stream-id")
            results = await asyncio.gather(
                *(journal.ack(d) for d in [*taken, bad]), return_exceptions=True
            )
        assert results[:3] == [None, None, None]
        assert isinstance(results[3], redis.ResponseError)
        assert journal._chats.in_flight() == []
        assert (await journal.stats()).depth == 0
