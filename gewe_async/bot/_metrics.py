"""Queue metrics of a journal, logged periodically."""

from __future__ import annotations

import asyncio
import logging

import attrs

from gewe_async.bot._journal import Journal, JournalStats

__all__ = ["JournalMetrics"]

logger = logging.getLogger("gewe_async.bot.journal")


@attrs.define
class JournalMetrics:
    """Logs a journal's depth, oldest pending age and redeliveries every `interval` seconds.

    Each report is one line on the `gewe_async.bot.journal` logger, at INFO, or at WARNING
    when the oldest unacknowledged entry is older than `stale_after` (handlers are stuck or
    too slow), with the figures in the record's `journal_stats` attribute for log shippers.

    ```python
    metrics = JournalMetrics(journal, interval=30)
    task = asyncio.create_task(metrics.run())
    ```
    """

    journal: Journal
    """The journal to watch."""
    interval: float = 60.0
    """Seconds between reports."""
    stale_after: float = 60.0
    """Age in seconds of the oldest pending entry that makes a report a warning."""

    async def report(self) -> JournalStats:
        """Log the journal's figures once, and return them."""
        stats = await self.journal.stats()
        age = stats.oldest_pending_age
        level = logging.WARNING if age is not None and age > self.stale_after else logging.INFO
        logger.log(
            level,
            "journal depth=%d oldest_pending_age=%s redeliveries=%d",
            stats.depth,
            "-" if age is None else f"{age:.1f}s",
            stats.redeliveries,
            extra={"journal_stats": stats},
        )
        return stats

    async def run(self) -> None:
        """Report every `interval` seconds until cancelled; a failed read is logged, not raised."""
        while True:
            try:
                await self.report()
            except Exception:
                logger.exception("journal metrics could not be read")
            await asyncio.sleep(self.interval)
