"""JournalMetrics: the queue's figures in the logs."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from gewe_async.bot import JournalMetrics, SqliteJournal
from tests.journals import FakeClock, entry


async def test_metrics_log_depth_age_and_redeliveries(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    """A report is one INFO line with the figures, which also ride on the record."""
    clock = FakeClock()
    journal = SqliteJournal(tmp_path / "j.db", clock=clock)
    await journal.open()
    try:
        await journal.append(entry("k1", at=clock()))
        clock.advance(12)
        with caplog.at_level(logging.INFO, logger="gewe_async.bot.journal"):
            stats = await JournalMetrics(journal).report()
    finally:
        await journal.aclose()
    [record] = caplog.records
    assert record.levelno == logging.INFO
    assert record.getMessage() == "journal depth=1 oldest_pending_age=12.0s redeliveries=0"
    assert record.journal_stats == stats  # type: ignore[attr-defined]


async def test_metrics_warn_when_the_oldest_entry_is_stale(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    """An entry waiting longer than `stale_after` turns the report into a warning."""
    clock = FakeClock()
    journal = SqliteJournal(tmp_path / "j.db", clock=clock)
    await journal.open()
    try:
        await journal.append(entry("k1", at=clock()))
        clock.advance(61)
        with caplog.at_level(logging.INFO, logger="gewe_async.bot.journal"):
            await JournalMetrics(journal, stale_after=60).report()
    finally:
        await journal.aclose()
    assert [r.levelno for r in caplog.records] == [logging.WARNING]
