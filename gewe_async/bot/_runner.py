"""The runner: takes deliveries from a journal, handles them with a dispatcher, acks them."""

from __future__ import annotations

import asyncio
import logging

from gewe_async.bot._dispatcher import Dispatcher
from gewe_async.bot._journal import Delivery, Journal
from gewe_async.exceptions import GeweCallbackError

__all__ = ["Runner"]

log = logging.getLogger("gewe_async.bot")


class Runner:
    """Handle what a journal hands out, ``dispatcher.concurrency`` events at a time.

    Only the [`Journal`][gewe_async.bot.Journal] protocol is used, so the runner works with
    any journal. Order within a chat comes from the journal, which hands out a chat's next
    entry only once the previous one is acknowledged. A delivery is acknowledged once its
    handler returned or raised (the error handler saw it); one cut short by shutdown is not
    acknowledged, so a durable journal delivers it again (at least once).
    """

    def __init__(self, dispatcher: Dispatcher, journal: Journal) -> None:
        self.dispatcher = dispatcher
        self.journal = journal
        self._slots = asyncio.Semaphore(dispatcher.concurrency)
        self._tasks: set[asyncio.Task[None]] = set()
        self._consumer: asyncio.Task[None] | None = None

    @property
    def running(self) -> int:
        """How many events are being handled now."""
        return len(self._tasks)

    def start(self) -> None:
        """Start taking deliveries (the journal must be open)."""
        if self._consumer is None:
            self._consumer = asyncio.create_task(self._consume(), name="gewe-bot-consumer")

    async def _consume(self) -> None:
        deliveries = aiter(self.journal.consume())
        while True:
            # Take a slot before the next delivery: a busy bot leaves work in the journal.
            await self._slots.acquire()
            try:
                delivery = await anext(deliveries)
            except StopAsyncIteration:
                self._slots.release()
                return
            except BaseException:
                self._slots.release()
                raise
            task = asyncio.create_task(self._handle(delivery))
            self._tasks.add(task)
            task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self._slots.release()

    async def _handle(self, delivery: Delivery) -> None:
        try:
            event = self.dispatcher.parse(delivery.entry.body)
        except GeweCallbackError as exc:
            log.error("journal entry %s is not a callback, dropped: %s", delivery.id, exc)
        else:
            await self.dispatcher.dispatch(event, attempt=delivery.attempt)
        try:
            await self.journal.ack(delivery)
        except Exception:
            log.exception("could not acknowledge %s: it may be handled again", delivery.id)

    async def stop(self, timeout: float) -> int:
        """Stop taking deliveries, wait up to ``timeout`` s for running handlers; cancel the rest.

        Returns how many handlers were cancelled (their events are not acknowledged).
        """
        if self._consumer is not None:
            self._consumer.cancel()
            await asyncio.gather(self._consumer, return_exceptions=True)
            self._consumer = None
        if not self._tasks:
            return 0
        _, late = await asyncio.wait(set(self._tasks), timeout=timeout)
        for task in late:
            task.cancel()
        if late:
            log.warning(
                "shutdown: %d handlers still running after %g s were cancelled", len(late), timeout
            )
            await asyncio.gather(*late, return_exceptions=True)
        return len(late)
