"""SqliteStorage's speed-ups keep its promises: group commit, the read cache and its lock."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from gewe_async.bot.fsm import SqliteStorage, StorageKey

KEY = StorageKey("wx_bot", "wxid_friend", "wxid_friend")


def keys(n: int) -> list[StorageKey]:
    return [StorageKey("wx_bot", f"wxid_{i}", f"wxid_{i}") for i in range(n)]


def statements(storage: SqliteStorage) -> list[str]:
    """Every statement the storage's connection runs from now on."""
    seen: list[str] = []
    assert storage._conn is not None
    storage._conn.set_trace_callback(seen.append)
    return seen


async def test_writes_of_many_chats_share_transactions(tmp_path: Path):
    async with SqliteStorage(tmp_path / "s.db") as storage:
        seen = statements(storage)
        await asyncio.gather(*(storage.update_data(k, n=i) for i, k in enumerate(keys(50))))
        transactions = [s for s in seen if s == "BEGIN IMMEDIATE"]
        assert 1 <= len(transactions) < 10  # one per write before group commit
    async with SqliteStorage(tmp_path / "s.db") as again:  # and each was committed
        assert [await again.get_data(k) for k in keys(50)] == [{"n": i} for i in range(50)]


async def test_reads_of_a_conversation_it_knows_need_no_query(tmp_path: Path):
    async with SqliteStorage(tmp_path / "s.db") as storage:
        seen = statements(storage)
        assert await storage.get_state(KEY) is None  # one query: now known to be absent
        await storage.update_data(KEY, name="Ada")
        await storage.set_state(KEY, "ask_city")
        for _ in range(5):
            assert await storage.get_state(KEY) == "ask_city"
            assert await storage.get_data(KEY) == {"name": "Ada"}
        selects = [s for s in seen if s.startswith("SELECT")]
        assert len(selects) == 1  # the first read: writes of a known one store it whole


async def test_a_second_owner_of_the_file_is_refused_with_the_way_out(tmp_path: Path):
    async with SqliteStorage(tmp_path / "s.db") as first:
        await first.set_state(KEY, "x")
        with pytest.raises(sqlite3.OperationalError, match=r"shared=True"):
            await SqliteStorage(tmp_path / "s.db").open()
    shared = [SqliteStorage(tmp_path / "s.db", shared=True) for _ in range(2)]
    try:
        await shared[0].set_state(KEY, "y")
        assert await shared[1].get_state(KEY) == "y"
        await shared[1].set_state(KEY, "z")
        assert await shared[0].get_state(KEY) == "z"  # no cache to go stale
    finally:
        for storage in shared:
            await storage.aclose()


class _FailingOnce(SqliteStorage):
    fail = False

    def _apply(self, ops: Sequence[Any], now: float) -> None:
        if self.fail:
            self.fail = False
            raise sqlite3.OperationalError("disk I/O error")
        super()._apply(ops, now)


async def test_a_failed_commit_raises_to_its_writers_and_the_cache_follows_the_file(tmp_path):
    async with _FailingOnce(tmp_path / "s.db") as storage:
        await storage.set_state(KEY, "ask_name")
        storage.fail = True
        with pytest.raises(sqlite3.OperationalError, match="disk I/O"):
            await storage.set_state(KEY, "ask_city")
        assert await storage.get_state(KEY) == "ask_name"  # what the file holds
        await storage.set_state(KEY, "ask_city")
        assert await storage.get_state(KEY) == "ask_city"


async def test_the_cache_is_bounded_and_forgotten_conversations_are_read_back(tmp_path):
    async with SqliteStorage(tmp_path / "s.db", cache_size=10) as storage:
        for i, key in enumerate(keys(100)):
            await storage.update_data(key, n=i)
            assert len(storage._cache) <= 10
        assert [await storage.get_data(k) for k in keys(100)] == [{"n": i} for i in range(100)]


async def test_cleared_and_expired_conversations_are_gone_from_the_cache_too(tmp_path):
    now = [1000.0]
    async with SqliteStorage(tmp_path / "s.db", ttl=60, clock=lambda: now[0]) as storage:
        await storage.update_data(KEY, name="Ada")
        await storage.clear(KEY)
        assert await storage.get_data(KEY) == {}
        await storage.update_data(KEY, name="Bob")
        now[0] += 61
        assert await storage.get_data(KEY) == {}


def test_cache_size_must_be_a_positive_int(tmp_path):
    with pytest.raises(ValueError, match="cache_size"):
        SqliteStorage(tmp_path / "s.db", cache_size=0)


def test_the_storage_url_says_whether_the_file_is_shared():
    from gewe_async.bot.fsm import storage_from_url

    assert storage_from_url("sqlite:///s.db?shared=1").shared is True  # type: ignore[attr-defined]
    assert storage_from_url("sqlite:///s.db").shared is False  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="storage option shared"):
        storage_from_url("sqlite:///s.db?shared=maybe")
    with pytest.raises(ValueError, match="unknown storage option 'shared'"):
        storage_from_url("memory?shared=1")
