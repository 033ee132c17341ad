"""The runner: takes deliveries from a journal, handles them with a dispatcher, settles them.

Settling is an ack once the handlers are done, or a dead letter once they failed for good.
A failure the dispatcher's [`RetryPolicy`][gewe_async.bot.RetryPolicy] retries is run again
in place, after its backoff, by the same task: its chat's later entries wait behind it (the
journal hands a chat's next entry out only after this one is settled), so a chat keeps its
order; the task gives its concurrency slot back while it waits, so other chats are not held
up. A stop during the wait leaves the entry unacknowledged, delivered again next run.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable

import attrs

from gewe_async.bot._dispatcher import Dispatcher
from gewe_async.bot._journal import Delivery, Journal
from gewe_async.bot._retry import describe
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
    entry only once the previous one is settled. A delivery is acknowledged once its
    handler returned; one whose handler failed is retried in place as the dispatcher's
    [`RetryPolicy`][gewe_async.bot.RetryPolicy] says, then kept as a dead letter of the
    journal (the error handler saw it); one cut short by shutdown is not acknowledged, so
    a durable journal delivers it again (at least once).
    """

    def __init__(self, dispatcher: Dispatcher, journal: Journal) -> None:
        self.dispatcher = dispatcher
        self.journal = journal
        self._slots = asyncio.Semaphore(dispatcher.concurrency)
        self._tasks: set[asyncio.Task[None]] = set()
        # Handlers waiting to be run again: they gave their slot back meanwhile.
        self._resting: set[asyncio.Task[None]] = set()
        self._consumer: asyncio.Task[None] | None = None
        self._stopping = False
        self._stop = asyncio.Event()
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
            self._stop.clear()
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
        if task in self._resting:
            self._resting.discard(task)  # cancelled while waiting: it holds no slot
        else:
            self._slots.release()

    async def _handle(self, delivery: Delivery) -> None:
        entry = delivery.entry
        limit = self.dispatcher.max_delivery_attempts
        if limit is not None and delivery.attempt > limit:
            log.error(
                "POISON PUSH: journal entry %s (%s) delivered %d times, each time the process "
                "died handling it: kept as a dead letter without running handlers",
                delivery.id,
                entry.key,
                delivery.attempt,
            )
            error = f"poison push: the process died handling it {delivery.attempt - 1} times"
            await self._bury(delivery, error, delivery.attempt - 1, entry.received_at)
            return
        # Parsed by the receiver in this process: not parsed again.
        event = entry.event
        if event is None:
            try:
                event = self.dispatcher.parse(entry.body)
            except GeweCallbackError as exc:
                log.error("journal entry %s is not a callback, a dead letter: %s", delivery.id, exc)
                await self._bury(delivery, describe(exc), 1, time.time())
                return
        policy = self.dispatcher.retry
        first_failed_at: float | None = None
        run = 1
        while True:
            outcome = await self.dispatcher.dispatch(
                event, attempt=delivery.attempt + run - 1, run=run
            )
            if outcome.error is None:
                await self._settle(delivery, "acknowledge", lambda: self.journal.ack(delivery))
                return
            if first_failed_at is None:
                first_failed_at = time.time()
            if outcome.retry_after is None:
                log.warning(
                    "DEAD LETTER: journal entry %s (%s) failed after %d runs: %s",
                    delivery.id,
                    entry.key,
                    run,
                    describe(outcome.error),
                )
                await self._bury(delivery, describe(outcome.error), run, first_failed_at)
                return
            log.warning(
                "handler failed on %s (run %d of %d), running it again in %.1f s: %s",
                entry.key,
                run,
                policy.max_attempts,
                outcome.retry_after,
                describe(outcome.error),
            )
            if not await self._rest(outcome.retry_after):
                return  # stopping: not settled, delivered again next run
            run += 1

    async def _rest(self, seconds: float) -> bool:
        """Wait `seconds` without a slot; `False` when the runner stops meanwhile."""
        task = asyncio.current_task()
        assert task is not None
        self._resting.add(task)
        self._slots.release()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), seconds)
        if self._stop.is_set():
            return False  # `_done` sees it resting: no slot to give back
        await self._slots.acquire()
        self._resting.discard(task)
        return True

    async def _bury(
        self, delivery: Delivery, error: str, attempts: int, first_failed_at: float
    ) -> None:
        if not callable(getattr(self.journal, "dead_letter", None)):
            # A journal written before dead letters: its chat must go on all the same.
            log.error(
                "%r keeps no dead letters: journal entry %s acknowledged and dropped",
                self.journal,
                delivery.id,
            )
            await self._settle(delivery, "acknowledge", lambda: self.journal.ack(delivery))
            return
        await self._settle(
            delivery,
            "keep as a dead letter",
            lambda: self.journal.dead_letter(
                delivery, error=error, attempts=attempts, first_failed_at=first_failed_at
            ),
        )

    async def _settle(
        self, delivery: Delivery, what: str, settle: Callable[[], Awaitable[None]]
    ) -> None:
        """`settle()` (an ack, a dead letter), tried a few times with backoff."""
        for attempt in range(1, _ACK_TRIES + 1):
            try:
                await settle()
                return
            except Exception:
                if attempt == _ACK_TRIES:
                    log.exception(
                        "could not %s %s after %d tries: it may be handled again",
                        what,
                        delivery.id,
                        attempt,
                    )
                    return
                delay = _backoff(attempt - 1)
                log.warning(
                    "could not %s %s, trying again in %.1f s",
                    what,
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
        self._stop.set()  # handlers waiting to be run again give up at once
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
