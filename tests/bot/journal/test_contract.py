"""The journal contract, the same for every journal: duplicates, order, ack, redelivery, stats."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gewe_async.bot import Journal, JournalFullError, MemoryJournal
from gewe_async.bot._journal import DEFAULT_DEDUPE_WINDOW
from gewe_async.bot._redis import RedisJournal
from gewe_async.bot._sqlite import SqliteJournal
from tests.journals import FakeClock, consuming, entry, opened

MakeJournal = Callable[..., Journal]


@pytest.fixture(params=["memory", "sqlite", "redis"])
def make_journal(request: pytest.FixtureRequest, tmp_path: Path) -> MakeJournal:
    """A factory of journals over one storage: each call is a new run on the same data."""
    if request.param == "memory":
        # Memory survives no process: a "new run" is the same object closed and reopened
        # (a receiver restarted in-process), and the first call's options hold for all.
        made: list[MemoryJournal] = []

        def memory(**options: Any) -> Journal:
            if not made:
                made.append(MemoryJournal(dedupe_window=DEFAULT_DEDUPE_WINDOW, **options))
            return made[0]

        return memory
    if request.param == "sqlite":
        path = tmp_path / "journal.db"
        return lambda **options: SqliteJournal(path, **options)
    url = request.getfixturevalue("redis_url")
    prefix = f"t-{uuid.uuid4().hex[:8]}"
    return lambda **options: RedisJournal(url, prefix=prefix, partitions=4, **options)


async def test_duplicate_refused_within_window_and_accepted_after(make_journal: MakeJournal):
    """A key is refused for the whole dedupe window and stored again once it has passed."""
    clock = FakeClock()
    async with opened(make_journal(clock=clock)) as journal:
        assert await journal.append(entry("k1")) is True
        assert await journal.append(entry("k1")) is False
        clock.advance(DEFAULT_DEDUPE_WINDOW - 1)
        assert await journal.append(entry("k1")) is False
        clock.advance(2)
        assert await journal.append(entry("k1")) is True
        assert (await journal.stats()).depth == 2


async def test_duplicate_refused_after_a_restart(make_journal: MakeJournal):
    """De-duplication survives closing and reopening the journal."""
    async with opened(make_journal()) as journal:
        assert await journal.append(entry("k1"))
        async with consuming(journal) as deliveries:
            await journal.ack(await deliveries.take())
    async with opened(make_journal()) as journal:
        assert await journal.append(entry("k1")) is False
        assert (await journal.stats()).depth == 0


async def test_concurrent_appends_of_one_key_store_it_once(make_journal: MakeJournal):
    """Fifty receivers handed the same push at once store it once."""
    async with opened(make_journal()) as journal:
        stored = await asyncio.gather(*(journal.append(entry("same")) for _ in range(50)))
        assert stored.count(True) == 1
        assert (await journal.stats()).depth == 1


async def test_next_of_a_chat_waits_for_the_ack_of_the_previous(make_journal: MakeJournal):
    """Chats are handed out side by side, but one chat's next entry only after its ack."""
    async with opened(make_journal()) as journal:
        for key, chat in [("a1", "a"), ("a2", "a"), ("b1", "b")]:
            await journal.append(entry(key, chat))
        async with consuming(journal) as deliveries:
            first = [await deliveries.take(), await deliveries.take()]
            assert sorted(d.entry.key for d in first) == ["a1", "b1"]
            assert await deliveries.nothing_more()
            await journal.ack(next(d for d in first if d.entry.key == "a1"))
            assert (await deliveries.take()).entry.key == "a2"


async def test_each_chat_is_handled_in_append_order(make_journal: MakeJournal):
    """Appends from many tasks, handled by several concurrent handlers: every chat in order."""
    chats = [f"chat-{i}" for i in range(8)]
    sent = {chat: [f"{chat}/{n}" for n in range(25)] for chat in chats}

    async def receive(chat: str) -> int:
        stored = 0
        for key in sent[chat]:
            stored += await journal.append(entry(key, chat))
            if key.endswith("0"):  # a tenth pushed twice
                assert not await journal.append(entry(key, chat))
        return stored

    handled: dict[str, list[str]] = {chat: [] for chat in chats}
    acked = 0
    all_handled = asyncio.Event()

    async def handler() -> None:
        nonlocal acked
        async for delivery in journal.consume():
            handled[delivery.entry.chat].append(delivery.entry.key)
            await asyncio.sleep(0)
            await journal.ack(delivery)
            acked += 1
            if acked == 200:
                all_handled.set()

    async with opened(make_journal()) as journal:
        handlers = [asyncio.create_task(handler()) for _ in range(4)]
        assert sum(await asyncio.gather(*map(receive, chats))) == 200
        await asyncio.wait_for(all_handled.wait(), 30)
        assert (await journal.stats()).depth == 0
    # Closing the journal ends every consumer's iteration, not just one of them.
    await asyncio.wait_for(asyncio.gather(*handlers), 10)
    assert handled == sent


async def test_unacknowledged_entries_are_delivered_again_after_a_restart(
    make_journal: MakeJournal,
):
    """What was handed out and not acknowledged comes back, counted as a redelivery."""
    async with opened(make_journal()) as journal:
        await journal.append(entry("a1", "a"))
        await journal.append(entry("b1", "b"))
        async with consuming(journal) as deliveries:
            got = {d.entry.key: d for d in [await deliveries.take(), await deliveries.take()]}
            assert {d.attempt for d in got.values()} == {1}
            await journal.ack(got["b1"])
    async with opened(make_journal()) as journal, consuming(journal) as deliveries:
        again = await deliveries.take()
        assert (again.entry.key, again.attempt) == ("a1", 2)
        assert (await journal.stats()).redeliveries == 1
        assert await deliveries.nothing_more()
        await journal.ack(again)
    async with opened(make_journal()) as journal, consuming(journal) as deliveries:
        assert await deliveries.nothing_more()
        assert (await journal.stats()).depth == 0


async def test_entries_left_pending_come_before_new_ones(make_journal: MakeJournal):
    """After a restart the entry left in flight is handed out before the new arrivals."""
    async with opened(make_journal()) as journal:
        await journal.append(entry("old", "a"))
        async with consuming(journal) as deliveries:
            await deliveries.take()
    async with opened(make_journal()) as journal, consuming(journal) as deliveries:
        await journal.append(entry("new", "b"))
        assert (await deliveries.take()).entry.key == "old"


async def test_entry_body_and_fields_come_back_intact(make_journal: MakeJournal):
    """What is delivered is the entry as appended, binary body included."""
    body = bytes(range(256)) * 4
    sent = entry("k", "wxid_1@chatroom", body=body, at=1_700_000_123.25)
    async with opened(make_journal()) as journal:
        await journal.append(sent)
        async with consuming(journal) as deliveries:
            assert (await deliveries.take()).entry == sent


async def test_stats_depth_and_oldest_pending_age(make_journal: MakeJournal):
    """Depth counts unacknowledged entries; the age is the oldest's, `None` once none is left."""
    clock = FakeClock()
    async with opened(make_journal(clock=clock)) as journal:
        assert await journal.stats() == type(await journal.stats())(0, None, 0)
        await journal.append(entry("a1", "a", at=clock() - 5))
        await journal.append(entry("b1", "b", at=clock()))
        clock.advance(30)
        stats = await journal.stats()
        assert (stats.depth, stats.oldest_pending_age) == (2, 35)
        async with consuming(journal) as deliveries:
            for _ in range(2):
                await journal.ack(await deliveries.take())
        stats = await journal.stats()
        assert (stats.depth, stats.oldest_pending_age, stats.redeliveries) == (0, None, 0)


async def test_full_journal_refuses_with_journal_full_error(make_journal: MakeJournal):
    """At its bound, append waits briefly, then raises `JournalFullError`."""
    options: dict[str, Any] = {"max_pending": 1, "full_timeout": 0.05}
    async with opened(make_journal(**options)) as journal:
        assert await journal.append(entry("k1"))
        with pytest.raises(JournalFullError):
            await journal.append(entry("k2"))
        async with consuming(journal) as deliveries:
            await journal.ack(await deliveries.take())
        assert await journal.append(entry("k2"))


async def test_many_handlers_acking_at_once_all_succeed(make_journal: MakeJournal):
    """A dispatcher with 250 handlers at once: their acks all go through, none is refused."""
    async with opened(make_journal()) as journal:
        for n in range(250):
            await journal.append(entry(f"k{n}", f"chat-{n}"))
        async with consuming(journal) as deliveries:
            taken = [await deliveries.take() for _ in range(250)]
            await asyncio.gather(*(journal.ack(delivery) for delivery in taken))
        assert (await journal.stats()).depth == 0


# SQLite only.


async def test_sqlite_file_has_one_owner(tmp_path: Path):
    """A second journal on an open file is refused instead of delivering its entries twice."""
    async with opened(SqliteJournal(tmp_path / "j.db")):
        with pytest.raises(sqlite3.OperationalError, match="another process"):
            await SqliteJournal(tmp_path / "j.db").open()


async def test_sqlite_prunes_keys_past_the_window(tmp_path: Path):
    """Keys older than the window are removed from the file, the recent ones kept."""
    clock = FakeClock()
    path = tmp_path / "j.db"
    async with opened(SqliteJournal(path, clock=clock, prune_interval=60)) as journal:
        await journal.append(entry("old"))
        clock.advance(DEFAULT_DEDUPE_WINDOW + 1)
        await journal.append(entry("recent"))
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT key FROM seen").fetchall() == [("recent",)]


@pytest.mark.parametrize("synchronous", ["FULL", "NORMAL"])
async def test_sqlite_uses_wal_and_the_synchronous_asked(tmp_path: Path, synchronous: str):
    """The file is in WAL mode with the durability asked for."""
    journal = SqliteJournal(tmp_path / "j.db", synchronous=synchronous)  # type: ignore[arg-type]
    async with opened(journal):
        conn = journal._conn
        assert conn is not None
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        level = conn.execute("PRAGMA synchronous").fetchone()[0]
        assert level == {"NORMAL": 1, "FULL": 2}[synchronous]


# Redis only.


async def test_redis_receivers_share_deduplication(redis_url: str):
    """Two receiver processes given the same push store it once."""
    prefix = f"t-{uuid.uuid4().hex[:8]}"
    async with (
        opened(RedisJournal(redis_url, prefix=prefix)) as one,
        opened(RedisJournal(redis_url, prefix=prefix)) as two,
    ):
        assert await one.append(entry("k"))
        assert not await two.append(entry("k"))


async def test_redis_workers_split_the_partitions_and_keep_chats_apart(redis_url: str):
    """Two workers each take a share of the partitions; each chat goes to one of them."""
    prefix = f"t-{uuid.uuid4().hex[:8]}"
    one = RedisJournal(redis_url, prefix=prefix, partitions=4, lease=3)
    two = RedisJournal(redis_url, prefix=prefix, partitions=4, lease=3)
    seen: dict[str, set[str]] = {}
    all_handled = asyncio.Event()

    async def work(journal: RedisJournal) -> None:
        async for delivery in journal.consume():
            seen.setdefault(delivery.entry.chat, set()).add(journal.consumer)
            await journal.ack(delivery)
            if (await journal.stats()).depth == 0:
                all_handled.set()

    async with opened(one), opened(two):
        workers = [asyncio.create_task(work(one)), asyncio.create_task(work(two))]
        async with asyncio.timeout(30):  # both registered and the partitions shared out
            while not (one._owned and two._owned) or one._draining or two._draining:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
        for n in range(200):
            await one.append(entry(f"k{n}", f"chat-{n % 20}"))
        await asyncio.wait_for(all_handled.wait(), 30)
    await asyncio.gather(*workers)
    assert len(seen) == 20
    assert all(len(consumers) == 1 for consumers in seen.values())
    assert {c for consumers in seen.values() for c in consumers} == {one.consumer, two.consumer}


async def test_sqlite_commits_a_burst_of_appends_together(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Appends arriving together share transactions (group commit), each still answered."""
    transactions: list[int] = []
    apply = SqliteJournal._apply

    def counting(self: SqliteJournal, ops: Any) -> Any:
        transactions.append(len(ops))
        return apply(self, ops)

    monkeypatch.setattr(SqliteJournal, "_apply", counting)
    async with opened(SqliteJournal(tmp_path / "j.db")) as journal:
        stored = await asyncio.gather(*(journal.append(entry(f"k{n}")) for n in range(100)))
    assert stored == [True] * 100
    assert sum(transactions) == 100
    assert len(transactions) < 10
