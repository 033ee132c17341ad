"""The runner: takes deliveries from a journal, handles them with a dispatcher, acks them."""

from __future__ import annotations

import asyncio
import logging
import random
import time

import attrs

from gewe_async.bot._dispatcher import Dispatcher
from gewe_async.bot._journal import Delivery, Journal
from gewe_async.exceptions import GeweCallbackError

__all__ = ["Health", "Runner"]

log = logging.getLogger("gewe_async.bot")

_BACKOFF_MIN = 0.1
_BACKOFF_MAX = 5.0
_ACK_TRIES = 4


def _backoff(failures: int) -> float:
    """Capped exponential backoff with full jitter, so that many workers do not retry in step."""
    return random.uniform(_BACKOFF_MIN, min(_BACKOFF_MAX, _BACKOFF_MIN * 2**failures))  # noqa: S311


@attrs.frozen
class Health:
    """What a receiver or worker knows of its own state, for a health check.

    Attributes:
        ok: Whether pushes are stored and handled: `False` when any ``*_since`` is set.
        reason: Why not, in a few words (empty when ``ok``).
        started: Whether the journal is open.
        journal_unavailable_since: When (epoch seconds) the journal reported it could not
            reach its storage, or `None`.
        store_failing_since: When the journal started failing to store pushes, or `None`.
        consumer_failing_since: When taking deliveries from the journal started failing,
            or `None`.
        running_handlers: How many events are being handled now.
    """

    ok: bool
    reason: str = ""
    started: bool = False
    journal_unavailable_since: float | None = None
    store_failing_since: float | None = None
    consumer_failing_since: float | None = None
    running_handlers: int = 0

    @classmethod
    def of(
        cls,
        *,
        started: bool,
        journal: object,
        runner: Runner | None,
        store_failing_since: float | None = None,
    ) -> Health:
        """Merge what the journal, the runner and the receiver observed."""
        unavailable = getattr(journal, "unavailable_since", None)
        if not isinstance(unavailable, int | float):
            unavailable = None
        consumer = runner.failing_since if runner is not None else None
        reasons = []
        if not started:
            reasons.append("not started")
        if unavailable is not None:
            reasons.append(f"journal unreachable since {_stamp(unavailable)}")
        if store_failing_since is not None:
            reasons.append(f"journal failing to store since {_stamp(store_failing_since)}")
        if consumer is not None:
            reasons.append(f"journal failing to deliver since {_stamp(consumer)}")
        return cls(
            ok=not reasons,
            reason="; ".join(reasons),
            started=started,
            journal_unavailable_since=unavailable,
            store_failing_since=store_failing_since,
            consumer_failing_since=consumer,
            running_handlers=runner.running if runner is not None else 0,
        )

    def as_json(self) -> dict[str, object]:
        """The fields as a JSON-ready mapping (what ``/healthz`` answers)."""
        return attrs.asdict(self)


def _stamp(at: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(at))


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
        self._stopping = False
        self.failing_since: float | None = None
        """When taking deliveries started failing (epoch seconds), `None` while it works."""

    @property
    def running(self) -> int:
        """How many events are being handled now."""
        return len(self._tasks)

    def start(self) -> None:
        """Start taking deliveries (the journal must be open)."""
        if self._consumer is None:
            self._stopping = False
            self._consumer = asyncio.create_task(self._consume(), name="gewe-bot-consumer")

    async def _consume(self) -> None:
        # A journal that fails (its storage went away) must not end the handling for good:
        # log, back off, consume again.
        failures = 0
        while not self._stopped():
            try:
                await self._consume_once()
                problem = "the journal stopped delivering"
            except Exception as exc:
                problem = f"the journal failed to deliver: {type(exc).__name__}: {exc}"
            if self._stopped():
                return
            if self.failing_since is None:
                # Deliveries came since the last failure: start the backoff over.
                self.failing_since = time.time()
                failures = 0
            delay = _backoff(failures)
            failures += 1
            log.error("%s; consuming again in %.1f s (failure %d)", problem, delay, failures)
            await asyncio.sleep(delay)

    async def _consume_once(self) -> None:
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
            self.failing_since = None
            task = asyncio.create_task(self._handle(delivery))
            self._tasks.add(task)
            task.add_done_callback(self._done)

    def _stopped(self) -> bool:
        # A method, not the attribute: the flag changes while the consumer awaits.
        return self._stopping

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self._slots.release()

    async def _handle(self, delivery: Delivery) -> None:
        limit = self.dispatcher.max_delivery_attempts
        if limit is not None and delivery.attempt > limit:
            log.error(
                "POISON PUSH: journal entry %s (%s) delivered %d times, each time the process "
                "died handling it: acknowledged without running handlers",
                delivery.id,
                delivery.entry.key,
                delivery.attempt,
            )
        else:
            try:
                event = self.dispatcher.parse(delivery.entry.body)
            except GeweCallbackError as exc:
                log.error("journal entry %s is not a callback, dropped: %s", delivery.id, exc)
            else:
                await self.dispatcher.dispatch(event, attempt=delivery.attempt)
        for attempt in range(1, _ACK_TRIES + 1):
            try:
                await self.journal.ack(delivery)
                return
            except Exception:
                if attempt == _ACK_TRIES:
                    log.exception(
                        "could not acknowledge %s after %d tries: it may be handled again",
                        delivery.id,
                        attempt,
                    )
                    return
                delay = _backoff(attempt - 1)
                log.warning(
                    "could not acknowledge %s, trying again in %.1f s",
                    delivery.id,
                    delay,
                    exc_info=True,
                )
                await asyncio.sleep(delay)

    async def stop(self, timeout: float) -> int:
        """Stop taking deliveries, wait up to ``timeout`` s for running handlers; cancel the rest.

        Returns how many handlers were cancelled (their events are not acknowledged).
        """
        self._stopping = True
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
