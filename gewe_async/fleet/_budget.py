"""Risk budgets: how many risky actions one account may take in a time window.

GeWe's account guides (``账号规范/账号规范之风险``) give the limits that get accounts
restricted when passed: friend requests to different people at most 15 a day, 30 minutes
apart; at most 15 new mutual friends per 2 hours; messages to more than 10-15 friends a
minute; red packets at most 100 a day. A [`Budgets`][gewe_async.fleet.Budgets] given to the
client is checked before each call that spends one, per appId: the call waits until the
budget allows it, or is refused with
[`BudgetExceededError`][gewe_async.exceptions.BudgetExceededError], as the user chose.

Budgets live in the client's memory: they count what this process sent. A fleet split
over several processes gives each account to one process (the journal's partitions do).
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs

from gewe_async.exceptions import BudgetExceededError, GeweAPIError, GeweTransportError

if TYPE_CHECKING:
    from gewe_async._endpoint import Endpoint

__all__ = ["BUDGET_NAMES", "Budget", "Budgets", "OnExceeded"]

OnExceeded = Literal["wait", "refuse"]
"""What a call over budget does: wait until the budget allows it, or raise at once."""

BUDGET_NAMES: Final = ("friend_requests", "new_friends", "chats_per_minute", "red_packets")
"""The budgets a `Budgets` knows (the *Risk budgets* guide says which calls spend each)."""

_DAY: Final = 86_400.0


def _positive_int(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{attribute.name} must be an int of at least 1, got {value!r}")


def _seconds(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{attribute.name} must be seconds, got {value!r}")
    if not math.isfinite(value) or value < 0 or (attribute.name == "per" and value == 0):
        raise ValueError(f"{attribute.name} must be a finite number of seconds, got {value!r}")


@attrs.frozen
class Budget:
    """At most ``limit`` actions per ``per`` seconds (a sliding window), ``spacing`` apart.

    >>> Budget(15, per=86400, spacing=1800)
    Budget(limit=15, per=86400, spacing=1800, distinct=False)
    >>> Budget(0, per=60)
    Traceback (most recent call last):
    ...
    ValueError: limit must be an int of at least 1, got 0
    """

    limit: int = attrs.field(validator=_positive_int)
    """How many actions the window holds."""
    per: float = attrs.field(validator=_seconds)
    """The window, in seconds."""
    spacing: float = attrs.field(default=0.0, validator=_seconds)
    """The least seconds between two actions (``0``: none)."""
    distinct: bool = False
    """Count each target once per window (a chat written to twice in a minute is one chat)."""


def _recommended() -> dict[str, Budget]:
    return {
        "friend_requests": Budget(15, per=_DAY, spacing=1800.0),
        "new_friends": Budget(15, per=7200.0),
        "chats_per_minute": Budget(10, per=60.0, distinct=True),
        "red_packets": Budget(100, per=_DAY),
    }


class _Window:
    """One account's spending of one budget: when each action of the window happened."""

    __slots__ = ("targets", "times")

    def __init__(self) -> None:
        self.times: deque[tuple[float, str | None]] = deque()
        self.targets: dict[str, int] = {}

    def prune(self, budget: Budget, now: float) -> None:
        times = self.times
        while times and times[0][0] <= now - budget.per:
            self._uncount(times.popleft()[1])

    def _uncount(self, target: str | None) -> None:
        """One action at ``target`` is out of the window."""
        if target is not None:
            left = self.targets[target] - 1
            if left:
                self.targets[target] = left
            else:
                del self.targets[target]

    def wait(self, budget: Budget, now: float, target: str | None) -> float:
        """Seconds until one more action is allowed (0: now)."""
        self.prune(budget, now)
        if budget.distinct and target is not None and target in self.targets:
            return 0.0  # already counted in this window
        wait = 0.0
        times = self.times
        if len(times) >= budget.limit:
            wait = times[-budget.limit][0] + budget.per - now
        if budget.spacing and times:
            wait = max(wait, times[-1][0] + budget.spacing - now)
        return max(wait, 0.0)

    def charge(self, budget: Budget, now: float, target: str | None) -> tuple[float, str | None]:
        if budget.distinct and target is not None and target in self.targets:
            return (math.nan, None)  # nothing spent: nothing to give back
        key = target if budget.distinct else None
        item = (now, key)
        self.times.append(item)
        if key is not None:
            self.targets[key] = self.targets.get(key, 0) + 1
        return item

    def refund(self, item: tuple[float, str | None]) -> None:
        try:
            self.times.remove(item)
        except ValueError:
            return  # already out of the window
        self._uncount(item[1])


_Charges = list[tuple[str, str | None]]
#: What a call spent: (appId, budget name, the entry charged), for a refund.
Ticket = list[tuple[str, str, tuple[float, str | None]]]


def charges(endpoint: Endpoint[Any], request: Any) -> _Charges:
    """Which budgets a call spends, and on whom: the table in the *Risk budgets* guide."""
    path = endpoint.path
    if endpoint.sends:
        return [("chats_per_minute", getattr(request, "to_wxid", None))]
    if path == "contacts/addContacts":
        option = int(getattr(request, "option", 0))
        who = getattr(request, "v3", None)
        if option == 2:  # a friend request
            return [("friend_requests", who), ("new_friends", who)]
        if option == 3:  # accepting one: a new mutual friend
            return [("new_friends", who)]
        return []
    if path == "group/addGroupMemberAsFriend":
        who = getattr(request, "member_wxid", None)
        return [("friend_requests", who), ("new_friends", who)]
    return []


class Budgets:
    """Per-account risk budgets the client checks before each call that spends one.

    ```python
    client = AsyncGeweClient(budgets=Budgets.recommended(on_exceeded="wait"))
    client.budgets.remaining("wx_1")   # {'friend_requests': 15, 'new_friends': 15, ...}
    ```

    Off by default: a client without ``budgets=`` is not slowed or refused.

    Args:
        friend_requests: Friend requests sent (``contacts/addContacts`` option 2,
            ``group/addGroupMemberAsFriend``); `None`: not counted.
        new_friends: New mutual friends (the requests above and accepted requests,
            option 3); `None`: not counted.
        chats_per_minute: Distinct chats messaged (every message send); `None`: not counted.
        red_packets: Red packets (no GeWe endpoint sends one: spend it with
            [`spend()`][gewe_async.fleet.Budgets.spend]); `None`: not counted.
        on_exceeded: ``"refuse"`` (raise `BudgetExceededError`) or ``"wait"`` (the call
            waits, outside its ``total_timeout``, until the budget allows it).
        clock: Returns the time in seconds (default: `time.monotonic`).
        sleep: Waits that many seconds (default: `asyncio.sleep`). Tests pass a fake pair.
    """

    def __init__(
        self,
        *,
        friend_requests: Budget | None = None,
        new_friends: Budget | None = None,
        chats_per_minute: Budget | None = None,
        red_packets: Budget | None = None,
        on_exceeded: OnExceeded = "refuse",
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        if on_exceeded not in ("wait", "refuse"):
            raise ValueError(f"on_exceeded must be 'wait' or 'refuse', got {on_exceeded!r}")
        given = {
            "friend_requests": friend_requests,
            "new_friends": new_friends,
            "chats_per_minute": chats_per_minute,
            "red_packets": red_packets,
        }
        for name, budget in given.items():
            if budget is not None and not isinstance(budget, Budget):
                raise TypeError(f"{name} must be a Budget or None, got {budget!r}")
        self.on_exceeded: OnExceeded = on_exceeded
        self._policy: dict[str, Budget] = {n: b for n, b in given.items() if b is not None}
        self._accounts: dict[str, dict[str, Budget]] = {}
        self._windows: dict[tuple[str, str], _Window] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._clock = clock or time.monotonic
        self._sleep = sleep or asyncio.sleep

    @classmethod
    def recommended(
        cls,
        *,
        on_exceeded: OnExceeded = "refuse",
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> Budgets:
        """The account guides' limits, as the *Risk budgets* guide lists them.

        15 friend requests a day 30 min apart, 15 new friends per 2 h, 10 distinct chats a
        minute, 100 red packets a day.

        >>> Budgets.recommended().policy("wx_1")["friend_requests"]
        Budget(limit=15, per=86400.0, spacing=1800.0, distinct=False)
        """
        return cls(**_recommended(), on_exceeded=on_exceeded, clock=clock, sleep=sleep)

    def __repr__(self) -> str:
        return f"Budgets({', '.join(self._policy)}, on_exceeded={self.on_exceeded!r})"

    def set_account(self, app_id: str, **budgets: Budget | None) -> None:
        """Give one account other budgets than the rest (a new account: fewer).

        ``None`` turns a budget off for that account:

        >>> b = Budgets.recommended()
        >>> b.set_account("wx_new", friend_requests=Budget(5, per=86400, spacing=3600))
        >>> b.policy("wx_new")["friend_requests"].limit, b.policy("wx_1")["friend_requests"].limit
        (5, 15)

        Raises:
            ValueError: An unknown budget name.
        """
        unknown = budgets.keys() - set(BUDGET_NAMES)
        if unknown:
            raise ValueError(f"unknown budget(s) {sorted(unknown)}; known: {list(BUDGET_NAMES)}")
        for name, budget in budgets.items():
            if budget is not None and not isinstance(budget, Budget):
                raise TypeError(f"{name} must be a Budget or None, got {budget!r}")
        policy = dict(self.policy(app_id))
        for name, budget in budgets.items():
            if budget is None:
                policy.pop(name, None)
            else:
                policy[name] = budget
        self._accounts[app_id] = policy

    def policy(self, app_id: str) -> Mapping[str, Budget]:
        """The budgets that apply to ``app_id``, by name."""
        return self._accounts.get(app_id, self._policy)

    def remaining(self, app_id: str) -> dict[str, int]:
        """How many actions each budget of ``app_id`` allows now, by name.

        >>> Budgets.recommended().remaining("wx_1")
        {'friend_requests': 15, 'new_friends': 15, 'chats_per_minute': 10, 'red_packets': 100}
        """
        now = self._clock()
        left = {}
        for name, budget in self.policy(app_id).items():
            window = self._windows.get((app_id, name))
            if window is None:
                left[name] = budget.limit
            else:
                window.prune(budget, now)
                left[name] = budget.limit - len(window.times)
        return left

    def wait_time(self, app_id: str, name: str, target: str | None = None) -> float:
        """Seconds until ``app_id`` may spend ``name`` once more (``0.0``: now).

        Raises:
            ValueError: ``name`` is not a budget of ``app_id``.
        """
        budget = self._budget(app_id, name)
        window = self._windows.get((app_id, name))
        return 0.0 if window is None else window.wait(budget, self._clock(), target)

    def _budget(self, app_id: str, name: str) -> Budget:
        budget = self.policy(app_id).get(name)
        if budget is None:
            raise ValueError(f"{name!r} is not a budget of {app_id!r}: {list(self.policy(app_id))}")
        return budget

    async def spend(self, app_id: str, name: str, target: str | None = None) -> None:
        """Spend one action of a budget yourself (a red packet sent from the phone).

        Waits or raises as ``on_exceeded`` says.

        Raises:
            BudgetExceededError: The budget is spent and ``on_exceeded`` is ``"refuse"``.
            ValueError: ``name`` is not a budget of ``app_id``.
        """
        self._budget(app_id, name)
        await self._take(app_id, [(name, target)], None)

    async def charge(self, endpoint: Endpoint[Any], request: Any) -> Ticket | None:
        """Spend what a call costs before it is sent (the client calls this)."""
        app_id = getattr(request, "app_id", None)
        if not app_id:
            return None
        policy = self.policy(app_id)
        wanted = [(n, t) for n, t in charges(endpoint, request) if n in policy]
        if not wanted:
            return None
        return await self._take(app_id, wanted, endpoint.path)

    async def _take(self, app_id: str, wanted: _Charges, path: str | None) -> Ticket:
        if self.on_exceeded == "refuse":
            ticket = self._try(app_id, wanted, path, refuse=True)
            assert ticket is not None  # it raised otherwise
            return ticket
        lock = self._locks.get(app_id)
        if lock is None:
            lock = self._locks[app_id] = asyncio.Lock()
        async with lock:  # first come, first served within one account
            while True:
                ticket = self._try(app_id, wanted, path, refuse=False)
                if ticket is not None:
                    return ticket
                await self._sleep(self._longest_wait(app_id, wanted))

    def _longest_wait(self, app_id: str, wanted: _Charges) -> float:
        now = self._clock()
        policy = self.policy(app_id)
        return max(
            self._window(app_id, name).wait(policy[name], now, target) for name, target in wanted
        )

    def _window(self, app_id: str, name: str) -> _Window:
        window = self._windows.get((app_id, name))
        if window is None:
            window = self._windows[(app_id, name)] = _Window()
        return window

    def _try(
        self, app_id: str, wanted: _Charges, path: str | None, *, refuse: bool
    ) -> Ticket | None:
        """Charge every budget wanted, or none: `None` (or raise) when one is spent."""
        now = self._clock()
        policy = self.policy(app_id)
        for name, target in wanted:
            wait = self._window(app_id, name).wait(policy[name], now, target)
            if wait > 0:
                if refuse:
                    raise BudgetExceededError(
                        budget=name,
                        limit=policy[name].limit,
                        per=policy[name].per,
                        retry_after=wait,
                        endpoint=path,
                        app_id=app_id,
                    )
                return None
        ticket: Ticket = []
        for name, target in wanted:
            item = self._window(app_id, name).charge(policy[name], now, target)
            if not math.isnan(item[0]):
                ticket.append((app_id, name, item))
        return ticket

    def refund(self, ticket: Ticket | None, error: BaseException) -> None:
        """Give back what a failed call spent, when it cannot have acted.

        A refusal by GeWe (``ret != 200``) or a failure before the request left
        (``request_sent=False``) did nothing on WeChat; any other failure may have.
        """
        if not ticket:
            return
        unsent = isinstance(error, GeweAPIError) or (
            isinstance(error, GeweTransportError) and not error.request_sent
        )
        if not unsent:
            return
        for app_id, name, item in ticket:
            window = self._windows.get((app_id, name))
            if window is not None:
                window.refund(item)
