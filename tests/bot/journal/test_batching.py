"""Bursts cost the journals one round trip or one commit, not one per delivery or per ack."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import uuid
import zlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio

from gewe_async.bot import Delivery
from gewe_async.bot._redis import GROUP, RedisJournal
from gewe_async.bot._sqlite import _DELIVER, SqliteJournal
from tests.journals import consuming, entry, opened


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


def commits(journal: SqliteJournal) -> list[str]:
    """The COMMITs the journal's connection runs from now on."""
    seen: list[str] = []
    assert journal._conn is not None
    journal._conn.set_trace_callback(lambda sql: seen.append(sql) if sql == "COMMIT" else None)
    return seen


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


async def test_sqlite_marks_a_burst_of_deliveries_in_few_commits(tmp_path: Path):
    """Deliveries taken one after another, as a runner takes them, share commits."""
    async with opened(SqliteJournal(tmp_path / "j.db")) as journal:
        for n in range(200):
            await journal.append(entry(f"k{n}", f"chat-{n}"))
        seen = commits(journal)
        async with consuming(journal) as deliveries:
            taken = [await deliveries.take() for _ in range(200)]
        assert len({d.id for d in taken}) == 200
    assert 0 < len(seen) < 10


async def test_sqlite_hands_out_only_after_the_attempt_is_committed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """While the commit of its attempt count is held up, no delivery is handed out."""
    gate = threading.Event()
    apply = SqliteJournal._apply

    def held(self: SqliteJournal, ops: Any) -> Any:
        if any(kind == _DELIVER for kind, _ in ops):
            gate.wait(10)
        return apply(self, ops)

    monkeypatch.setattr(SqliteJournal, "_apply", held)
    try:
        async with opened(SqliteJournal(tmp_path / "j.db")) as journal:
            for n in range(3):
                await journal.append(entry(f"k{n}", f"chat-{n}"))
            async with consuming(journal) as deliveries:
                assert await deliveries.nothing_more()
                gate.set()
                for _ in range(3):
                    delivery = await deliveries.take()
                    attempts = await journal._run(
                        lambda d=delivery: journal._conn.execute(  # type: ignore[union-attr]
                            "SELECT attempts FROM entries WHERE id = ?", (int(d.id),)
                        ).fetchone()[0]
                    )
                    assert attempts == 1
    finally:
        gate.set()  # a failure above must not leave the journal's thread waiting


async def test_sqlite_burst_of_acks_is_few_commits(tmp_path: Path):
    """250 acks at once are written in a few transactions, not one each."""
    async with opened(SqliteJournal(tmp_path / "j.db")) as journal:
        for n in range(250):
            await journal.append(entry(f"k{n}", f"chat-{n}"))
        async with consuming(journal) as deliveries:
            taken = [await deliveries.take() for _ in range(250)]
            seen = commits(journal)
            await asyncio.gather(*(journal.ack(delivery) for delivery in taken))
        assert (await journal.stats()).depth == 0
    assert 0 < len(seen) < 10


async def test_sqlite_deliveries_not_handed_out_go_back_to_their_chats(tmp_path: Path):
    """A consumer closed with deliveries marked ahead leaves them to the next consumer, in order."""
    async with opened(SqliteJournal(tmp_path / "j.db")) as journal:
        for key, chat in [("a1", "a"), ("a2", "a"), ("b1", "b"), ("c1", "c")]:
            await journal.append(entry(key, chat))
        async with consuming(journal) as first:
            assert (await first.take()).entry.key == "a1"  # b1 and c1 were marked with it
        async with consuming(journal) as second:
            got = [await second.take(), await second.take()]
            assert sorted(d.entry.key for d in got) == ["b1", "c1"]
            assert await second.nothing_more()  # a2 waits for the ack of a1


async def test_redis_appends_survive_redis_losing_its_scripts(redis_url: str, admin: Any):
    """After SCRIPT FLUSH (as after a Redis restart) a burst of appends is stored, each once."""
    journal = RedisJournal(redis_url, prefix=f"t-{uuid.uuid4().hex[:8]}", partitions=4)
    async with opened(journal):
        assert await journal.append(entry("k-before", "chat-0"))
        await admin.script_flush()
        stored = await asyncio.gather(
            *(journal.append(entry(f"k{n}", f"chat-{n % 7}")) for n in range(50))
        )
        assert stored == [True] * 50
        assert not await journal.append(entry("k3", "chat-3"))  # still de-duplicated
        assert (await journal.stats()).depth == 51
        taken = []
        async with consuming(journal) as deliveries:
            for _ in range(51):  # a chat's next comes once its previous is acknowledged
                taken.append(await deliveries.take())
                await journal.ack(taken[-1])
        keys = [d.entry.key for d in taken]
        assert sorted(keys) == sorted(["k-before", *(f"k{n}" for n in range(50))])
        for chat in range(7):  # each chat's entries in the order they were appended
            mine = [
                int(d.entry.key[1:])
                for d in taken
                if d.entry.chat == f"chat-{chat}" and d.entry.key != "k-before"
            ]
            assert mine == sorted(mine)


async def test_redis_burst_of_appends_is_one_round_trip(redis_url: str, admin: Any):
    """A burst of appends runs as EVALSHAs in one pipeline, with no SCRIPT EXISTS per burst."""
    journal = RedisJournal(redis_url, prefix=f"t-{uuid.uuid4().hex[:8]}", partitions=4)
    async with opened(journal):
        await journal.append(entry("warm", "chat-0"))
        before = await calls(admin)
        stored = await asyncio.gather(
            *(journal.append(entry(f"k{n}", f"chat-{n}")) for n in range(100))
        )
        after = await calls(admin)
    assert stored == [True] * 100
    assert after["evalsha"] - before.get("evalsha", 0) == 100
    assert after.get("script|exists", 0) == before.get("script|exists", 0)


async def test_sqlite_burst_of_appends_is_one_insert(tmp_path: Path):
    """100 appends at once, duplicates among them: few INSERTs, each key stored once, in order."""
    async with opened(SqliteJournal(tmp_path / "j.db")) as journal:
        await journal.append(entry("old", "chat-0"))
        assert journal._conn is not None
        inserts: list[str] = []
        journal._conn.set_trace_callback(
            lambda sql: inserts.append(sql) if sql.startswith("INSERT INTO entries") else None
        )
        keys = ["old", *(f"k{n % 80}" for n in range(99))]  # "old" and k0-k18 come twice
        stored = await asyncio.gather(*(journal.append(entry(k, "chat-0")) for k in keys))
        assert stored == [False, *([True] * 80), *([False] * 19)]
        assert 0 < len(inserts) < 10
        async with consuming(journal) as deliveries:
            taken = []
            for _ in range(81):  # one chat: in the order appended
                taken.append(await deliveries.take())
                await journal.ack(taken[-1])
            assert await deliveries.nothing_more()
        assert [d.entry.key for d in taken] == ["old", *(f"k{n}" for n in range(80))]


async def test_sqlite_entry_ids_are_never_given_twice(tmp_path: Path):
    """Ids of acknowledged (deleted) entries are not given again, after a reopen either."""
    path = tmp_path / "j.db"
    async with opened(SqliteJournal(path)) as journal:
        for n in range(5):
            await journal.append(entry(f"k{n}", f"chat-{n}"))
        async with consuming(journal) as deliveries:
            first = [await deliveries.take() for _ in range(5)]
            for delivery in first:
                await journal.ack(delivery)
    async with opened(SqliteJournal(path)) as journal:
        await journal.append(entry("k-next", "chat-0"))
        async with consuming(journal) as deliveries:
            later = await deliveries.take()
    assert int(later.id) > max(int(d.id) for d in first)
    assert len({d.id for d in first}) == 5


async def test_sqlite_burst_fits_the_variable_limit_of_older_sqlite(tmp_path: Path):
    """A burst of 500 appends, acks and hand-outs works where SQLite binds at most 999 values."""
    journal = SqliteJournal(tmp_path / "journal.db")
    async with opened(journal):
        assert journal._conn is not None
        journal._conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)  # before SQLite 3.32
        stored = await asyncio.gather(
            *(journal.append(entry(f"k{n}", f"chat-{n}")) for n in range(500))
        )
        assert all(stored)
        assert not any(await asyncio.gather(*(journal.append(entry(f"k{n}")) for n in range(500))))
        async with consuming(journal) as deliveries:
            taken = [await deliveries.take() for _ in range(500)]
            await asyncio.gather(*(journal.ack(d) for d in taken))
        assert (await journal.stats()).depth == 0
