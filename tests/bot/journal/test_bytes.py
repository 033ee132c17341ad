"""Pending pushes are bounded in bytes too, not only in count (issue 19: 1,000 pending pushes
of 500 KB held 512 MiB)."""

from __future__ import annotations

import gc
import tracemalloc
from pathlib import Path

import pytest

from gewe_async.bot import JournalFullError, MemoryJournal, SqliteJournal
from gewe_async.exceptions import GeweError
from tests.journals import entry

BODY = 400_000


async def test_memory_journal_refuses_beyond_its_byte_bound():
    journal = MemoryJournal(max_pending_bytes=1_000_000, full_timeout=0.05)
    await journal.open()
    assert await journal.append(entry("a", chat="c1", body=b"a" * BODY))
    assert await journal.append(entry("b", chat="c2", body=b"b" * BODY))
    with pytest.raises(JournalFullError, match="bytes"):
        await journal.append(entry("c", chat="c3", body=b"c" * BODY))
    # Small entries still fit beside them.
    assert await journal.append(entry("small", chat="c3"))
    # Room comes back as entries are handled.
    consumer = journal.consume()
    delivery = await anext(consumer)
    await journal.ack(delivery)
    assert await journal.append(entry("c", chat="c3", body=b"c" * BODY))
    await journal.aclose()


async def test_memory_journal_takes_one_body_larger_than_its_bound_alone():
    journal = MemoryJournal(max_pending_bytes=1_000, full_timeout=0.05)
    await journal.open()
    assert await journal.append(entry("big", body=b"x" * 5_000))
    with pytest.raises(JournalFullError):
        await journal.append(entry("next", body=b"y" * 10))
    await journal.aclose()


def test_memory_journal_byte_bound_must_be_positive():
    with pytest.raises(ValueError, match="max_pending_bytes"):
        MemoryJournal(max_pending_bytes=0)


def test_journal_full_error_is_a_gewe_error():
    assert issubclass(JournalFullError, GeweError)


def _held() -> int:
    gc.collect()
    return tracemalloc.get_traced_memory()[0]


async def test_sqlite_journal_keeps_waiting_bodies_in_the_file_not_in_memory(tmp_path: Path):
    pushes, size = 200, 500_000
    journal = SqliteJournal(tmp_path / "journal.db", synchronous="NORMAL")
    await journal.open()
    tracemalloc.start()
    try:
        before = _held()
        for n in range(pushes):
            assert await journal.append(entry(f"k{n}", chat=f"c{n % 7}", body=bytes([n]) * size))
        grown = _held() - before
    finally:
        tracemalloc.stop()
    # 100 MB of bodies wait; what stays in memory is per-entry bookkeeping.
    assert grown < 10 * 1024 * 1024, grown
    consumer = journal.consume()
    delivery = await anext(consumer)
    assert delivery.entry.key == "k0"
    assert delivery.entry.body == bytes([0]) * size
    await journal.ack(delivery)
    await journal.aclose()

    # Opened again: the waiting entries are loaded without their bodies too.
    again = SqliteJournal(tmp_path / "journal.db", synchronous="NORMAL")
    tracemalloc.start()
    try:
        before = _held()
        await again.open()
        grown = _held() - before
    finally:
        tracemalloc.stop()
    assert grown < 10 * 1024 * 1024, grown
    seen = {}
    consumer = again.consume()
    while len(seen) < pushes - 1:
        delivery = await anext(consumer)
        seen[delivery.entry.key] = delivery.entry.body
        await again.ack(delivery)
    assert seen == {f"k{n}": bytes([n]) * size for n in range(1, pushes)}
    await again.aclose()
