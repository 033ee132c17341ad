"""An outbox: sends stored before they are made, delivered per account, never sent twice blindly.

GeWe has no idempotency key: a send whose answer was lost may or may not have reached the
chat, and sending it again may show the message twice. So the outbox keeps to this:

- an item is stored (``pending``) before anything is sent, and marked ``sending`` before its
  request is made;
- it is sent again only when the failure proves GeWe did not act: the request never left
  (connection refused, no free connection), GeWe refused it (the device offline: retried
  later; any other refusal: ``failed``, a dead letter), or a budget held it back;
- every other failure after the request left (a timeout, a dropped connection, a proxy's 5xx,
  an unreadable answer), and every item found ``sending`` after a crash, becomes ``unknown``:
  reported, never resent unless you say so ([`resend()`][gewe_async.fleet.Outbox.resend]).

So a message is sent at most once by the outbox itself, and at least once unless it ends
``failed`` or ``unknown``; what ends ``unknown`` is for a person (or your code) to check.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs

from gewe_async._batch import CALL_TRACE, CallTrace
from gewe_async.exceptions import (
    BudgetExceededError,
    GeweAPIError,
    GeweClientClosedError,
    GeweDeviceOfflineError,
    GeweHTTPStatusError,
    GeweTransportError,
)
from gewe_async.fleet._outbox_store import OutboxStore, Settle, dumps, make_store
from gewe_async.fleet._store import StoreSpec, resolve

if TYPE_CHECKING:
    from gewe_async._client import AsyncGeweClient

__all__ = ["SEND_METHODS", "Outbox", "OutboxItem", "OutboxState"]

logger: Final = logging.getLogger("gewe_async.fleet")

OutboxState = Literal["pending", "sending", "sent", "failed", "unknown"]
"""Where an item is: waiting (``pending``), being sent (``sending``), done (``sent``), refused
for good (``failed``, a dead letter), or sent with no answer (``unknown``)."""

#: The ``client.message`` methods an outbox sends with.
SEND_METHODS: Final = frozenset(
    {
        "post_text",
        "post_image",
        "post_file",
        "post_voice",
        "post_video",
        "post_link",
        "post_name_card",
        "post_emoji",
        "post_app_msg",
        "post_mini_app",
        "send_finder_msg",
        "forward_image",
        "forward_video",
        "forward_file",
        "forward_url",
        "forward_mini_app",
    }
)

_ORPHANED: Final = "the process sending it stopped before the answer: it may have been sent"


@attrs.frozen
class OutboxItem:
    """One stored send and what became of it."""

    id: int
    """The outbox's id of the send."""
    app_id: str
    """The account sending it."""
    method: str
    """The ``client.message`` method (``post_text``, ...)."""
    args: dict[str, Any]
    """Its arguments after ``app_id`` (``to_wxid``, ``content``, ...)."""
    state: OutboxState
    """Where it is (see [`OutboxState`][gewe_async.fleet.OutboxState])."""
    attempts: int
    """How many times it was handed to the client."""
    created_at: float
    """When it was stored (wall clock, seconds)."""
    settled_at: float | None = None
    """When it reached ``sent``, ``failed`` or ``unknown``."""
    error: str | None = None
    """Why it failed, is unknown, or waits for a retry."""
    result: dict[str, Any] | None = None
    """What the send returned (``new_msg_id``, ...), once ``sent``."""
    tag: str = ""
    """Your label for it (a campaign's name)."""

    @property
    def to_wxid(self) -> str | None:
        """The chat it goes to."""
        value = self.args.get("to_wxid")
        return value if isinstance(value, str) else None


def _item(row: Mapping[str, Any]) -> OutboxItem:
    return OutboxItem(
        id=int(row["id"]),
        app_id=row["app_id"],
        method=row["method"],
        args=json.loads(row["args"]),
        state=row["state"],
        attempts=int(row["attempts"]),
        created_at=float(row["created_at"]),
        settled_at=row["settled_at"],
        error=row["error"],
        result=json.loads(row["result"]) if row["result"] else None,
        tag=row["tag"] or "",
    )


def _result(value: Any) -> str | None:
    """The plain fields of what a send returned (``new_msg_id``, ...), as JSON."""
    if value is None or not attrs.has(type(value)):
        return None
    plain = {}
    for field in attrs.fields(type(value)):
        item = getattr(value, field.name)
        if item is None or isinstance(item, str | int | float | bool):
            plain[field.name] = item
    return json.dumps(plain, ensure_ascii=False)


def _positive(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be seconds, got {value!r}")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive number of seconds, got {value!r}")
    return float(value)


class Outbox:
    """Sends stored first (memory, an SQLite file or Redis), then delivered per account.

    ```python
    async with Outbox(client, "sqlite:///bot.db-state") as outbox:
        await outbox.post_text("wx_1", "wxid_friend", "hello")
        await outbox.drain()                 # or run `outbox.run()` as a task
        print(await outbox.counts(), await outbox.unknown())
    ```

    Each account's items go one at a time, in the order stored, through the client: its send
    pacing (``send_interval``) and risk budgets apply. Accounts go at once (up to
    ``concurrency``). Several processes may share one SQLite file or Redis: an account's
    items still go one at a time.

    Args:
        client: The client to send with.
        store: ``"memory"`` (lost on exit), ``"sqlite:///PATH"``, ``"redis://..."``, or a
            bot's conversation storage (`dp.storage`) to sit beside.
        name: This outbox's name among the processes sharing the store: items it was sending
            when it stopped are reported ``unknown`` when it opens again. Give each process
            its own (a worker's number).
        max_attempts: Attempts of an item that fails without being sent before it is
            ``failed``.
        retry_delay: Seconds before the first retry (doubled each time, up to
            ``max_retry_delay``).
        max_retry_delay: The longest wait between attempts.
        lease: Seconds an item may stay ``sending`` before other processes report it
            ``unknown`` (longer than the client's ``total_timeout``).
        concurrency: How many accounts send at once.
        clock: The wall clock (tests pass a fake one); ``sleep`` waits.
    """

    def __init__(
        self,
        client: AsyncGeweClient,
        store: StoreSpec = "memory",
        *,
        name: str = "outbox",
        max_attempts: int = 5,
        retry_delay: float = 5.0,
        max_retry_delay: float = 300.0,
        lease: float = 600.0,
        concurrency: int = 64,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if not isinstance(name, str) or not name or not name.isprintable():
            raise ValueError(f"name must be a non-empty printable str, got {name!r}")
        for what, value in (("max_attempts", max_attempts), ("concurrency", concurrency)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{what} must be an int of at least 1, got {value!r}")
        self.client = client
        self.name = name
        self.max_attempts = max_attempts
        self.retry_delay = _positive("retry_delay", retry_delay)
        self.max_retry_delay = _positive("max_retry_delay", max_retry_delay)
        self.lease = _positive("lease", lease)
        self.concurrency = concurrency
        self._store: OutboxStore = make_store(resolve(store, "outbox"))
        self._clock = clock
        self._sleep = sleep
        self._opened = False
        self._wake = asyncio.Event()
        self._next_orphan_check = -math.inf

    def __repr__(self) -> str:
        return f"Outbox(name={self.name!r})"

    # -- lifecycle --------------------------------------------------------------------------

    async def open(self) -> int:
        """Open the store and report what a previous life of this outbox left ``sending``.

        Returns:
            How many items became ``unknown`` (see [`unknown()`][gewe_async.fleet.Outbox.unknown]).
        """
        if self._opened:
            return 0
        await self._store.open()
        self._opened = True
        orphans = await self._store.orphan(self._clock(), self.name, _ORPHANED)
        if orphans:
            logger.warning(
                "outbox %s: %d send(s) were in flight when it last stopped: reported unknown, "
                "not resent",
                self.name,
                orphans,
            )
        return orphans

    async def aclose(self) -> None:
        """Close the store (the outbox opens again on its next use)."""
        if self._opened:
            self._opened = False
            await self._store.close()

    async def __aenter__(self) -> Outbox:
        await self.open()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def _ready(self) -> None:
        if not self._opened:
            await self.open()

    # -- storing ----------------------------------------------------------------------------

    async def send(self, app_id: str, method: str, /, *, tag: str = "", **args: Any) -> int:
        """Store one send of ``client.message.<method>(app_id, **args)``; return its id.

        ```python
        await outbox.send("wx_1", "post_image", to_wxid="wxid_a", img_url="https://...")
        ```

        Raises:
            ValueError: An unknown method, or an empty appId.
            TypeError: An argument is not JSON (it must survive a restart).
        """
        return (await self.send_many([(app_id, method, args)], tag=tag))[0]

    async def send_many(
        self, sends: list[tuple[str, str, Mapping[str, Any]]], *, tag: str = ""
    ) -> list[int]:
        """Store many sends in one step (``(app_id, method, args)`` each); return their ids.

        Raises:
            ValueError: An unknown method, or an empty appId.
            TypeError: An argument is not JSON.
        """
        rows = []
        for app_id, method, args in sends:
            if not isinstance(app_id, str) or not app_id.strip():
                raise ValueError(f"app_id must be a non-empty str, got {app_id!r}")
            if method not in SEND_METHODS:
                raise ValueError(f"unknown send method {method!r}; one of {sorted(SEND_METHODS)}")
            rows.append((app_id, method, dumps(dict(args)), tag))
        await self._ready()
        ids = await self._store.add(rows, self._clock())
        self._wake.set()
        return ids

    async def post_text(self, app_id: str, to_wxid: str, content: str, *, tag: str = "") -> int:
        """Store a text message (checked now, as ``client.message.post_text`` would).

        Raises:
            ValueError: ``to_wxid`` or ``content`` is empty.
        """
        from gewe_async._api.message._sending import PostTextRequest

        PostTextRequest(app_id=app_id, to_wxid=to_wxid, content=content)  # refuse bad input now
        return await self.send(app_id, "post_text", tag=tag, to_wxid=to_wxid, content=content)

    # -- delivering -------------------------------------------------------------------------

    async def deliver(self) -> int:
        """Deliver the items due now, one per account; return how many were handed on.

        Sends whose lease passed (their process died) become ``unknown`` first.
        """
        await self._ready()
        store = self._store
        now = self._clock()
        if now >= self._next_orphan_check:
            self._next_orphan_check = now + min(self.lease / 10, 30.0)
            await store.orphan(now, None, _ORPHANED)
        rows = await store.claim(self.name, now, now + self.lease, self.concurrency)
        if not rows:
            return 0
        settles: list[Settle] = []
        try:
            await asyncio.gather(*(self._deliver_one(row, settles) for row in rows))
        finally:
            # One write for the round; recorded even when stopped (cancelled) mid-round.
            if settles:
                await asyncio.shield(store.settle_many(settles))
        return len(rows)

    async def _deliver_one(self, row: Mapping[str, Any], settles: list[Settle]) -> None:
        trace = CallTrace()
        CALL_TRACE.set(trace)  # the pipeline notes there when a request leaves
        try:
            args = json.loads(row["args"])
            result = await getattr(self.client.message, row["method"])(row["app_id"], **args)
        except asyncio.CancelledError:
            # Stopped mid-send: what never left goes back; the rest is unknown.
            settles.append(self._failure(row, None, trace))
            raise
        except Exception as exc:
            settles.append(self._failure(row, exc, trace))
        else:
            settles.append(
                Settle(
                    row["id"],
                    row["app_id"],
                    row["token"],
                    "sent",
                    self._clock(),
                    result=_result(result),
                )
            )

    def _failure(
        self, row: Mapping[str, Any], exc: BaseException | None, trace: CallTrace
    ) -> Settle:
        now = self._clock()
        why = "stopped while sending" if exc is None else f"{type(exc).__name__}: {exc}"
        decision, delay = _decide(exc, trace.sent)
        attempts = int(row["attempts"])
        if decision == "retry" and delay is None and attempts >= self.max_attempts:
            decision = "failed"
        if decision == "retry":
            if delay is None:
                delay = min(self.max_retry_delay, self.retry_delay * 2 ** (attempts - 1))
            return Settle(
                row["id"],
                row["app_id"],
                row["token"],
                "pending",
                now,
                next_at=now + delay,
                error=why,
                uncount=isinstance(exc, BudgetExceededError) or exc is None,
            )
        if decision == "unknown":
            logger.warning(
                "outbox %s: send %s of %s is unknown (%s)", self.name, row["id"], row["app_id"], why
            )
        return Settle(row["id"], row["app_id"], row["token"], decision, now, error=why)

    async def drain(self, *, timeout: float | None = None) -> None:
        """Deliver until no item is pending or sending (retries waited for).

        Raises:
            TimeoutError: ``timeout`` seconds passed first.
        """
        async with asyncio.timeout(timeout):
            await self._pump(until_idle=True, poll=1.0)

    async def run(self, *, poll: float = 1.0) -> None:
        """Deliver forever (until cancelled): run it as a task beside the bot."""
        await self._pump(until_idle=False, poll=poll)

    async def _pump(self, *, until_idle: bool, poll: float) -> None:
        """Keep up to ``concurrency`` accounts sending; a slow one holds up only itself.

        As each send ends, its outcome is written and its account's next item (or another
        account's) is taken, in one write and one claim for all that ended together.
        """
        from gewe_async.bot._journal import Health, backoff

        await self._ready()
        store = self._store
        in_flight: set[asyncio.Task[None]] = set()
        settles: list[Settle] = []
        health = Health(f"outbox {self.name}")

        async def failed(exc: Exception) -> None:
            if until_idle:
                raise exc  # `settle()` reports the failure to its caller
            # `run()` goes on by itself once the store is back (Redis away, a full disk).
            health.failed(exc)
            await self._sleep(backoff(health.failures))

        try:
            while True:
                now = self._clock()
                try:
                    if settles:
                        # The same list stays with the sends in flight: take what is in it.
                        done = settles[:]
                        del settles[:]
                        try:
                            await store.settle_many(done)
                        except BaseException:
                            settles[:0] = done  # written at the next try
                            raise
                    if now >= self._next_orphan_check:
                        self._next_orphan_check = now + min(self.lease / 10, 30.0)
                        await store.orphan(now, None, _ORPHANED)
                    free = self.concurrency - len(in_flight)
                    if free > 0:
                        for row in await store.claim(self.name, now, now + self.lease, free):
                            in_flight.add(asyncio.create_task(self._deliver_one(row, settles)))
                except Exception as exc:
                    await failed(exc)
                    continue
                health.ok()
                if in_flight:
                    # Wake for the first send to end, or now and then for new items due.
                    finished, _ = await asyncio.wait(
                        in_flight, timeout=poll, return_when=asyncio.FIRST_COMPLETED
                    )
                    in_flight -= finished
                    continue
                if until_idle:
                    counts = await store.counts()
                    if not counts["pending"] and not counts["sending"]:
                        return
                try:
                    await self._pause(poll)
                except Exception as exc:
                    await failed(exc)
        finally:
            for task in in_flight:
                task.cancel()
            await asyncio.gather(*in_flight, return_exceptions=True)
            if settles:  # recorded even when stopped mid-send
                await asyncio.shield(store.settle_many(settles))

    async def _pause(self, poll: float = 1.0) -> None:
        self._wake.clear()  # before reading: a send stored from here on wakes us
        due = await self._store.next_due()
        wait = poll if due is None else min(poll, max(0.0, due - self._clock()))
        wait = max(wait, 0.001)
        if self._sleep is not asyncio.sleep:
            await self._sleep(wait)  # a test's clock: no waking early
            return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(wait):
                await self._wake.wait()

    # -- reading and deciding -----------------------------------------------------------------

    async def get(self, item_id: int) -> OutboxItem | None:
        """The item with this id, or `None`."""
        await self._ready()
        row = await self._store.get(item_id)
        return None if row is None else _item(row)

    async def items(
        self, state: OutboxState | None = None, *, app_id: str | None = None, limit: int = 1000
    ) -> list[OutboxItem]:
        """The items in ``state`` (all when `None`), oldest first."""
        await self._ready()
        return [_item(r) for r in await self._store.items(state, app_id, limit)]

    async def unknown(self) -> list[OutboxItem]:
        """The sends whose outcome is unknown: check the chat, then `resend` or `forget`."""
        return await self.items("unknown")

    async def failed(self) -> list[OutboxItem]:
        """The dead letters: sends GeWe refused, or that never went after every attempt."""
        return await self.items("failed")

    async def counts(self) -> dict[str, int]:
        """How many items are in each state."""
        await self._ready()
        return await self._store.counts()

    async def resend(self, item_id: int) -> bool:
        """Queue an ``unknown`` or ``failed`` item again (you checked it was not sent).

        Returns:
            Whether it was queued (`False`: no such item, or not unknown/failed).
        """
        await self._ready()
        done = await self._store.resend(item_id, self._clock())
        self._wake.set()
        return done

    async def forget(self, item_id: int) -> bool:
        """Drop an item that is not being sent; return whether it existed."""
        await self._ready()
        return await self._store.forget(item_id)


def _decide(
    exc: BaseException | None, sent: bool
) -> tuple[Literal["retry", "failed", "unknown"], float | None]:
    """What a failed delivery becomes, and the delay a retry must wait (None: the backoff)."""
    if isinstance(exc, BudgetExceededError):
        return "retry", exc.retry_after
    if isinstance(exc, GeweDeviceOfflineError):
        return "retry", None  # refused while offline: nothing sent; it may come back
    if isinstance(exc, GeweAPIError):
        return "failed", None  # refused: nothing sent, and the same request stays refused
    if isinstance(exc, ValueError | TypeError) and not sent:
        return "failed", None  # arguments the client refuses: they will not change
    if not sent or isinstance(exc, GeweClientClosedError):
        return "retry", None  # the request never reached the transport
    if isinstance(exc, GeweTransportError) and not exc.request_sent:
        return "retry", None
    if isinstance(exc, GeweHTTPStatusError) and exc.status_code == 429:
        return "retry", exc.retry_after  # too many requests: turned away, not acted on
    return "unknown", None  # it left, and no answer says what GeWe did
