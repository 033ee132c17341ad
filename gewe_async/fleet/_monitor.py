"""Account health across a fleet: ``Offline`` pushes, ``checkOnline`` polls, silent accounts.

One `AccountMonitor` watches many appIds. It learns from three sources:

- the pushes a dispatcher handles (it is a middleware of it): an ``Offline`` push, and when
  each account last pushed anything;
- ``login/checkOnline``, polled per appId every ``interval`` seconds (with jitter, at most
  ``concurrency`` at once);
- the client's calls (it is an event hook of the client): a call refused with ``微信已离线``
  while ``checkOnline`` says online is the *zombie* answer.

Each change of an account's health becomes an `AccountOffline`, `AccountOnline` or
`AccountSilent` event, dispatched to the bot's handlers and to the monitor's listeners.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import math
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any, Final

import attrs

from gewe_async._events import CallEvent
from gewe_async.callbacks import CallbackEvent, Offline
from gewe_async.exceptions import (
    GeweDeviceNotFoundError,
    GeweDeviceOfflineError,
    GeweError,
)
from gewe_async.fleet._events import EVENT_OF, AccountEvent, AccountHealth, HealthCause

if TYPE_CHECKING:
    from gewe_async._client import AsyncGeweClient
    from gewe_async.bot import Context, Dispatcher
    from gewe_async.bot._dispatcher import CallNext

__all__ = ["AccountMonitor", "AccountStatus", "Listener"]

log = logging.getLogger("gewe_async.fleet")

Listener = Callable[[AccountEvent], object]
"""``listener(event)``, plain or ``async``: told of every health event (metrics, alerts)."""

# Endpoints whose refusal says nothing about a zombie: they work (or fail) while logged out.
_LOGIN_PREFIX: Final = "login/"


@attrs.frozen
class AccountStatus:
    """What the monitor knows of one account, at one moment (times are the monitor's clock)."""

    app_id: str
    """The device."""
    health: AccountHealth
    """The health as the monitor sees it."""
    cause: HealthCause | None
    """Why it has that health (`None` before the first check)."""
    reason: str
    """Why, for people."""
    wxid: str | None
    """The account, once a push named it."""
    online: bool | None
    """The last answer of ``checkOnline`` (`None`: not answered yet)."""
    checked_at: float | None
    """When ``checkOnline`` last answered."""
    last_push_at: float | None
    """When the last push for this appId was handled."""
    pushes: int
    """Pushes seen for this appId."""
    changed_at: float | None
    """When the health last changed."""
    error: str | None
    """Why the last check failed, if it did (the health is kept: a network failure says
    nothing of the account)."""
    zombie_answers: int
    """Calls refused with ``微信已离线`` since the last check that said online."""


@attrs.define
class _Account:
    app_id: str
    health: AccountHealth = AccountHealth.UNKNOWN
    cause: HealthCause | None = None
    reason: str = "not checked yet"
    wxid: str | None = None
    online: bool | None = None
    checked_at: float | None = None
    last_push_at: float | None = None
    pushes: int = 0
    changed_at: float | None = None
    error: str | None = None
    zombie_answers: int = 0
    sends_ok: bool = False
    reconnect_tried: bool = False
    due: float = 0.0
    checking: bool = False

    def snapshot(self) -> AccountStatus:
        return AccountStatus(
            self.app_id,
            self.health,
            self.cause,
            self.reason,
            self.wxid,
            self.online,
            self.checked_at,
            self.last_push_at,
            self.pushes,
            self.changed_at,
            self.error,
            self.zombie_answers,
        )


def _seconds(name: str, value: object, *, allow_none: bool = False) -> float | None:
    if value is None and allow_none:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise ValueError(f"{name} must be a positive number of seconds, got {value!r}")
    return float(value)


def _app_id(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"an appId is a non-empty str, got {value!r}")
    return value


class AccountMonitor:
    """Watches the health of many accounts and dispatches `AccountEvent`s on each change.

    ```python
    monitor = AccountMonitor(client, ["wx_1", "wx_2"], dispatcher=dp)

    @dp.on(AccountOffline)
    async def alert(event: AccountOffline, ctx: Context) -> None:
        ...

    async with monitor:          # polls in the background while the block runs
        ...                      # serve the receiver
    ```

    Give the client ``event_hooks=[monitor.observe_call]`` (or call it yourself) so that
    sends refused as offline flag a zombie.

    Args:
        client: The client to call ``login/checkOnline`` and ``login/reconnection`` with.
        app_ids: The devices to watch (more with `add`).
        dispatcher: Where the events go, as if pushed; the monitor also becomes one of its
            middleware, to see ``Offline`` and every push. `None` to use listeners only.
        interval: Seconds between two ``checkOnline`` of one appId.
        jitter: How much each interval varies, as a share of it (0.2: 48 to 72 s for 60 s),
            so hundreds of appIds do not all poll at once.
        concurrency: ``checkOnline`` calls in flight at most (across appIds; one appId is
            never checked twice at once).
        silent_after: Seconds without a push, once pushes arrived, after which an online
            account is silent; `None` to never judge by pushes.
        reconnect: Try ``login/reconnection`` once when an account goes offline or turns
            zombie (the docs' case for it: offline for the server, the phone still showing
            the iPad online).
        announce_first: Dispatch `AccountOnline` for accounts found online by the first check
            (by default only problems found at the start are announced).
        listeners: Called with every event (counters, alerts).
        clock: Monotonic seconds (tests pass a fake one).
        sleep: What `run` waits with (tests pass one that moves their clock).
        seed: Seed of the jitter draws.
    """

    def __init__(
        self,
        client: AsyncGeweClient,
        app_ids: Iterable[str],
        *,
        dispatcher: Dispatcher | None = None,
        interval: float = 60.0,
        jitter: float = 0.2,
        concurrency: int = 16,
        silent_after: float | None = 900.0,
        reconnect: bool = True,
        announce_first: bool = False,
        listeners: Iterable[Listener] = (),
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        seed: int | None = None,
    ) -> None:
        if isinstance(app_ids, str):
            raise TypeError("app_ids is a list of appIds, not one str")
        self.interval: float = _seconds("interval", interval)  # type: ignore[assignment]
        if isinstance(jitter, bool) or not isinstance(jitter, int | float) or not 0 <= jitter < 1:
            raise ValueError(f"jitter must be a share from 0 to below 1, got {jitter!r}")
        if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
            raise ValueError(f"concurrency must be an int of at least 1, got {concurrency!r}")
        self.silent_after = _seconds("silent_after", silent_after, allow_none=True)
        self.jitter = float(jitter)
        self.concurrency = concurrency
        self.reconnect = reconnect
        self.announce_first = announce_first
        self.listeners: list[Listener] = list(listeners)
        """Called with every event; append to it freely."""
        self.counts: Counter[str] = Counter()
        """Events dispatched so far, by class name (``AccountOffline``...), for metrics."""
        self._client = client
        self._dispatcher = dispatcher
        self._clock = clock
        self._sleep = sleep
        self._rng = random.Random(seed)  # noqa: S311 - jitter, not secrets
        self._accounts: dict[str, _Account] = {}
        self._gate = asyncio.Semaphore(concurrency)
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        for app_id in app_ids:
            self.add(app_id)
        if dispatcher is not None:
            dispatcher.middleware(self.middleware)

    def __repr__(self) -> str:
        by = Counter(a.health.value for a in self._accounts.values())
        return f"<AccountMonitor accounts={len(self._accounts)} {dict(sorted(by.items()))}>"

    # -- the fleet ---------------------------------------------------------------------------

    @property
    def app_ids(self) -> tuple[str, ...]:
        """The watched appIds, in the order they were added."""
        return tuple(self._accounts)

    def add(self, app_id: str) -> None:
        """Watch one more appId (checked at the next tick); already watched: nothing changes.

        Raises:
            ValueError: ``app_id`` is not a non-empty str.
        """
        if _app_id(app_id) not in self._accounts:
            self._accounts[app_id] = _Account(app_id, due=self._clock())
            self._poke()

    def remove(self, app_id: str) -> None:
        """Stop watching ``app_id`` (unknown: nothing happens)."""
        self._accounts.pop(app_id, None)

    def status(self, app_id: str) -> AccountStatus:
        """What is known of ``app_id`` now.

        Raises:
            KeyError: ``app_id`` is not watched.
        """
        return self._accounts[app_id].snapshot()

    def statuses(self) -> list[AccountStatus]:
        """What is known of every watched appId, in the order they were added."""
        return [a.snapshot() for a in self._accounts.values()]

    # -- what the monitor is told ------------------------------------------------------------

    def observe_call(self, call: CallEvent) -> None:
        """A client event hook: ``AsyncGeweClient(event_hooks=[monitor.observe_call])``.

        A call refused with ``微信已离线`` (outside ``login/*``) counts as a zombie answer,
        checked at once; a call that succeeds clears a zombie flag. Cheap and never raises.
        """
        account = self._accounts.get(call.app_id or "")
        if account is None or call.endpoint.startswith(_LOGIN_PREFIX):
            return
        if isinstance(call.error, GeweDeviceOfflineError):
            account.zombie_answers += 1
            account.sends_ok = False
            account.due = min(account.due, self._clock())
            self._poke()
        elif call.error is None and account.cause is HealthCause.ZOMBIE:
            account.sends_ok = True
            self._poke()

    async def observe(self, event: CallbackEvent) -> None:
        """Take note of a push (the middleware calls this for every event it sees).

        An ``Offline`` push makes the account offline at once (the next tick tries a
        reconnection); any push clears a silence judged by pushes.
        """
        if isinstance(event, AccountEvent):
            return
        account = self._accounts.get(event.app_id)
        if account is None:
            return
        account.pushes += 1
        account.last_push_at = self._clock()
        if event.wxid:
            account.wxid = event.wxid
        if isinstance(event, Offline):
            account.reconnect_tried = False
            account.due = self._clock()
            await self._change(
                account,
                AccountHealth.OFFLINE,
                HealthCause.OFFLINE_PUSH,
                "GeWe pushed Offline: the account logged out",
            )
            self._poke()
        elif account.health is AccountHealth.SILENT and account.cause is HealthCause.NO_PUSH:
            await self._change(
                account, AccountHealth.ONLINE, HealthCause.PUSH_RESUMED, "pushes arrive again"
            )

    async def middleware(self, call_next: CallNext, event: CallbackEvent, ctx: Context) -> Any:
        """The dispatcher middleware that feeds `observe` (added by ``dispatcher=``)."""
        try:
            return await call_next(event, ctx)
        finally:
            await self.observe(event)

    # -- checking ----------------------------------------------------------------------------

    async def check(self, app_id: str) -> AccountStatus:
        """Check ``app_id`` now (``checkOnline``, a reconnection if needed); return its status.

        Raises:
            KeyError: ``app_id`` is not watched.
        """
        account = self._accounts[app_id]
        if account.checking:  # one check per appId at a time: calls of one account queue
            return account.snapshot()
        account.checking = True
        try:
            async with self._gate:
                await self._check(account)
        finally:
            account.checking = False
            account.due = self._next_due()
        return account.snapshot()

    async def check_all(self) -> list[AccountStatus]:
        """Check every watched appId now, ``concurrency`` at a time."""
        await asyncio.gather(*(self.check(a) for a in list(self._accounts)))
        return self.statuses()

    async def tick(self) -> list[AccountStatus]:
        """Check the appIds that are due, judge silence; return the statuses of those checked.

        `run` calls this in a loop; tests call it with a fake clock.
        """
        now = self._clock()
        due = [a.app_id for a in self._accounts.values() if a.due <= now and not a.checking]
        await asyncio.gather(*(self.check(a) for a in due))
        for account in list(self._accounts.values()):
            await self._judge(account, self._clock())
        return [self._accounts[a].snapshot() for a in due if a in self._accounts]

    def next_due(self) -> float | None:
        """When the next appId is due (the monitor's clock), `None` with none watched."""
        return min((a.due for a in self._accounts.values()), default=None)

    async def run(self) -> None:
        """Tick until cancelled, sleeping until the next appId is due (or a push wakes it)."""
        self._wake = asyncio.Event()
        while True:
            try:
                await self.tick()
            except Exception:  # a bug in a listener must not stop the watch
                log.exception("the account monitor's tick failed")
            due = self.next_due()
            wait = self.interval if due is None else max(0.0, due - self._clock())
            if self.silent_after is not None:
                wait = min(wait, self.silent_after / 4)  # notice a silence in good time
            await self._pause(wait)

    async def __aenter__(self) -> AccountMonitor:
        if self._task is None:
            self._task = asyncio.create_task(self.run(), name="gewe-account-monitor")
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    # -- inside ------------------------------------------------------------------------------

    def _poke(self) -> None:
        if self._wake is not None:
            self._wake.set()

    async def _pause(self, seconds: float) -> None:
        wake = self._wake
        assert wake is not None
        if wake.is_set():
            wake.clear()
            return
        sleeper = asyncio.ensure_future(self._sleep(seconds))
        waker = asyncio.ensure_future(wake.wait())
        try:
            await asyncio.wait({sleeper, waker}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            sleeper.cancel()
            waker.cancel()
            wake.clear()

    def _next_due(self) -> float:
        spread = self.interval * self.jitter
        return self._clock() + self.interval + self._rng.uniform(-spread, spread)

    async def _check(self, account: _Account) -> None:
        client = self._client
        gone = False
        try:
            online = await client.login.check_online(account.app_id)
        except GeweDeviceNotFoundError:
            online, gone = False, True
        except GeweDeviceOfflineError:
            online = False
        except GeweError as exc:
            account.error = f"{type(exc).__name__}: {exc}"
            log.info("checkOnline of %s failed: %s", account.app_id, account.error)
            return
        account.error = None
        account.online = online
        account.checked_at = self._clock()
        if gone:
            await self._change(
                account,
                AccountHealth.OFFLINE,
                HealthCause.DEVICE_GONE,
                "the server does not know this appId (设备不存在): log in anew",
            )
            return
        if not online:
            if await self._reconnect(account):
                await self._change(
                    account,
                    AccountHealth.ONLINE,
                    HealthCause.RECONNECTED,
                    "login/reconnection brought the account back",
                )
            elif account.health is not AccountHealth.OFFLINE:  # keep the cause it had
                await self._change(
                    account,
                    AccountHealth.OFFLINE,
                    HealthCause.CHECK_ONLINE,
                    "checkOnline says offline: a new login (a QR scan) is needed",
                )
            return
        if account.zombie_answers:
            answers = account.zombie_answers
            account.zombie_answers = 0
            tried = await self._reconnect(account)
            note = "; login/reconnection was tried" if tried else ""
            await self._change(
                account,
                AccountHealth.SILENT,
                HealthCause.ZOMBIE,
                f"checkOnline says online but {answers} call(s) were refused with 微信已离线{note}",
            )
            return
        if account.health is AccountHealth.SILENT and account.cause is HealthCause.ZOMBIE:
            return  # still a zombie until a call succeeds (or a push comes)
        account.reconnect_tried = False
        if account.health is not AccountHealth.SILENT:
            await self._change(
                account, AccountHealth.ONLINE, HealthCause.CHECK_ONLINE, "checkOnline says online"
            )

    async def _reconnect(self, account: _Account) -> bool:
        """Try ``login/reconnection`` once per episode; whether the account is online after."""
        if not self.reconnect or account.reconnect_tried:
            return False
        account.reconnect_tried = True
        try:
            await self._client.login.reconnection(account.app_id)
            online = await self._client.login.check_online(account.app_id)
        except GeweError as exc:
            log.info("reconnection of %s failed: %s", account.app_id, exc)
            return False
        account.online = online
        return online

    async def _judge(self, account: _Account, now: float) -> None:
        if account.health is AccountHealth.SILENT and account.cause is HealthCause.ZOMBIE:
            if account.sends_ok:
                account.sends_ok = False
                account.reconnect_tried = False
                await self._change(
                    account, AccountHealth.ONLINE, HealthCause.SEND_OK, "calls succeed again"
                )
            return
        if (
            self.silent_after is not None
            and account.health is AccountHealth.ONLINE
            and account.last_push_at is not None
            and now - account.last_push_at > self.silent_after
        ):
            quiet = now - account.last_push_at
            await self._change(
                account,
                AccountHealth.SILENT,
                HealthCause.NO_PUSH,
                f"online, but no push for {quiet:.0f} s (pushes used to arrive)",
            )

    async def _change(
        self, account: _Account, health: AccountHealth, cause: HealthCause, reason: str
    ) -> None:
        previous = account.health
        account.cause, account.reason = cause, reason
        if health is previous:
            return
        account.health = health
        account.changed_at = self._clock()
        first_online = previous is AccountHealth.UNKNOWN and health is AccountHealth.ONLINE
        if first_online and not self.announce_first:
            return
        event = EVENT_OF[health](
            app_id=account.app_id,
            wxid=account.wxid,
            type_name=EVENT_OF[health].__name__,
            raw={"health": health.value, "previous": previous.value, "cause": cause.value},
            health=health,
            previous=previous,
            cause=cause,
            reason=reason,
        )
        await self._emit(event)

    async def _emit(self, event: AccountEvent) -> None:
        name = event.type_name
        self.counts[name] += 1
        level = logging.INFO if event.health is AccountHealth.ONLINE else logging.WARNING
        log.log(
            level, "%s %s: %s", event.app_id, name, event.reason, extra={"account_event": event}
        )
        for listener in self.listeners:
            try:
                result = listener(event)
                if inspect.isawaitable(result):
                    await result
            except Exception:
                log.exception("an account monitor listener failed on %s", name)
        if self._dispatcher is not None:
            await self._dispatcher.dispatch(event)
