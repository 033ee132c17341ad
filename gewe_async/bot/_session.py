"""An open journal and what runs on it: the handlers (a Runner) and the metrics task.

Receivers and workers open and close one the same way; only what they run on it differs.
"""

from __future__ import annotations

import asyncio

from gewe_async.bot._dispatcher import Dispatcher
from gewe_async.bot._journal import Journal
from gewe_async.bot._metrics import JournalMetrics
from gewe_async.bot._runner import Health, Runner

__all__ = ["JournalSession", "health_of"]


def health_of(
    session: JournalSession | None, journal: Journal, store_failing_since: float | None = None
) -> Health:
    """The health of a receiver or worker: its session (`None`: stopped) and its journal."""
    return Health.of(
        started=session is not None,
        journal=journal,
        runner=session.runner if session is not None else None,
        store_failing_since=store_failing_since,
    )


class JournalSession:
    """Opens a journal, starts the handlers and metrics asked for; stops them, then closes it."""

    def __init__(
        self,
        dispatcher: Dispatcher,
        journal: Journal,
        *,
        run_handlers: bool,
        metrics_interval: float | None,
    ) -> None:
        """Prepare the session; nothing runs before `open`.

        Args:
            dispatcher: Whose handlers run (and whose storage closes with the session).
            journal: The journal opened and closed.
            run_handlers: Whether to run a [`Runner`][gewe_async.bot.Runner] on it.
            metrics_interval: Seconds between metrics reports, `None` for none.
        """
        self._dispatcher = dispatcher
        self._journal = journal
        self._run_handlers = run_handlers
        self._metrics_interval = metrics_interval
        self._runner: Runner | None = None
        self._metrics: asyncio.Task[None] | None = None

    @property
    def runner(self) -> Runner | None:
        """The runner of the handlers, while open with ``run_handlers``."""
        return self._runner

    async def open(self) -> None:
        """Open the journal, then start taking deliveries and reporting metrics."""
        await self._journal.open()
        if self._run_handlers:
            self._runner = Runner(self._dispatcher, self._journal)
            self._runner.start()
        if self._metrics_interval is not None:
            metrics = JournalMetrics(self._journal, interval=self._metrics_interval)
            self._metrics = asyncio.create_task(metrics.run(), name="gewe-journal-metrics")

    async def close(self, drain_timeout: float) -> int:
        """Stop the metrics, drain the handlers (up to `drain_timeout`), close the journal.

        The dispatcher's conversation storage is closed too, after the last handler: it opens
        again by itself on its next use, so a receiver restarted in the process goes on.

        Returns how many handlers were cancelled (their events are not acknowledged).
        """
        metrics, self._metrics = self._metrics, None
        if metrics is not None:
            metrics.cancel()
            await asyncio.gather(metrics, return_exceptions=True)
        runner, self._runner = self._runner, None
        cancelled = 0 if runner is None else await runner.stop(drain_timeout)
        try:
            await self._journal.aclose()
        finally:
            # Its SQLite thread or Redis pool would otherwise outlive the receiver.
            await self._dispatcher.storage.aclose()
        return cancelled
