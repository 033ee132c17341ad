"""A worker: runs a bot's handlers on what receivers in other processes stored."""

from __future__ import annotations

import asyncio
import logging

from gewe_async._validators import number
from gewe_async.bot._dispatcher import Dispatcher
from gewe_async.bot._journal import Journal
from gewe_async.bot._runner import Health
from gewe_async.bot._session import JournalSession, health_of

__all__ = ["Worker"]

log = logging.getLogger("gewe_async.bot")


class Worker:
    """Handles the events of a shared journal, with no HTTP side: the other half of a split bot.

    Receivers made with `run_handlers=False` store pushes in a
    [`RedisJournal`][gewe_async.bot.RedisJournal]; workers, in as many processes as needed,
    run the same dispatcher on them. `gewe-async worker MODULE:DP --journal redis://...`
    runs one.

    ```python
    worker = Worker(dp, RedisJournal("redis://127.0.0.1:6379/0", prefix="mybot"))
    await worker.run()           # until cancelled; then drains and closes the journal
    ```
    """

    def __init__(
        self,
        dispatcher: Dispatcher,
        journal: Journal,
        *,
        drain_timeout: float = 10.0,
        metrics_interval: float | None = None,
    ) -> None:
        """Make a worker.

        Args:
            dispatcher: The bot's dispatcher, the same as its receivers'.
            journal: The journal the receivers store into (not opened yet).
            drain_timeout: Seconds a stop waits for running handlers before cancelling them
                (their events are not acknowledged, so they run again elsewhere).
            metrics_interval: When set, log the journal's figures every so many seconds.
        """
        number("drain_timeout", drain_timeout, allow_inf=False)
        if metrics_interval is not None:
            number("metrics_interval", metrics_interval, allow_inf=False)
        self.dispatcher = dispatcher
        self.journal = journal
        self.drain_timeout = drain_timeout
        self.metrics_interval = metrics_interval
        self._session: JournalSession | None = None

    def health(self) -> Health:
        """The worker's state: whether its journal delivers, how many handlers run."""
        return health_of(self._session, self.journal)

    def __repr__(self) -> str:
        return f"<Worker journal={self.journal!r}>"

    async def run(self) -> None:
        """Open the journal and handle events until cancelled; then drain and close.

        Cancelling the task that runs it is how it stops: the handlers running then get
        `drain_timeout` seconds, and the journal is closed before the cancellation goes on.
        """
        session = JournalSession(
            self.dispatcher,
            self.journal,
            run_handlers=True,
            metrics_interval=self.metrics_interval,
        )
        await session.open()
        self._session = session
        try:
            await asyncio.Event().wait()  # until cancelled
        finally:
            self._session = None
            # Shielded: the drain must finish even though this task is being cancelled.
            cancelled = await asyncio.shield(session.close(self.drain_timeout))
            if cancelled:
                log.warning("worker stopped: %d events left to run again", cancelled)
