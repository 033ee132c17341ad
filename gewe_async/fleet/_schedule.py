"""Scheduled jobs per account: every N seconds, on a cron expression, or once at a time.

```python
schedule = Scheduler(client, store="sqlite:///bot.db-state", app_ids=["wx_1", "wx_2"])

@schedule.cron("0 9 * * *", tz="Asia/Shanghai", jitter=300)
async def good_morning(client, app_id):
    await client.message.post_text(app_id, "wxid_boss", "早上好")

await schedule.run()   # or: async with schedule.running(): ...
```

Job definitions live in code; what they did lives in the store (the bot's storage): for each
job and account, the last run claimed. A run is claimed before it starts, atomically, so:

- with several workers on one store, each run happens once (the first to claim it runs it);
- a restart never repeats a run that was claimed, even one cut short by the crash
  (reported by [`interrupted()`][gewe_async.fleet.Scheduler.interrupted], not rerun);
- a restart never forgets a run missed while down: the *misfire* policy decides. By default
  (``misfire="once"``) the runs missed become one run at start; ``misfire_grace`` (seconds)
  drops them when the latest is older than that; ``misfire="skip"`` drops them always.

Runs go through the client given, so its send pacing and budgets apply to what jobs send.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import heapq
import inspect
import logging
import math
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any, Final, Literal, TypeAlias

import attrs

from gewe_async.fleet._outbox_store import dumps
from gewe_async.fleet._schedule_store import ScheduleStore, make_store
from gewe_async.fleet._store import StoreSpec, resolve

if TYPE_CHECKING:
    from gewe_async._client import AsyncGeweClient

__all__ = ["Job", "Misfire", "Scheduler"]

logger: Final = logging.getLogger("gewe_async.fleet")

Misfire = Literal["once", "skip"]
"""What runs missed while the scheduler was down (or too busy) become: one run now, or none."""

JobFunction: TypeAlias = Callable[..., Awaitable[Any]]
"""``async def job(client, app_id)``; a planned job also gets the plan's ``data``."""
AppIds: TypeAlias = (
    Iterable[str] | Callable[[], Iterable[str]] | Callable[[], Awaitable[Iterable[str]]]
)
"""The accounts: a list, or a function (sync or async) returning them, asked again now and then."""

_NAME: Final = re.compile(r"^[A-Za-z0-9_.\-]{1,100}$")
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


# -- triggers -----------------------------------------------------------------------------------


@attrs.frozen(repr=False)
class _Every:
    seconds: float

    def __repr__(self) -> str:
        return f"every {self.seconds:g} s"

    def next_after(self, t: float) -> float | None:
        # Slots on multiples of the interval since the epoch: the same for every account,
        # every worker and every restart.
        return (math.floor(t / self.seconds) + 1) * self.seconds

    def latest_at(self, t: float) -> float | None:
        return math.floor(t / self.seconds) * self.seconds


class _Cron:
    def __init__(self, expr: str, tz: tzinfo) -> None:
        try:
            from cronsim import CronSim, CronSimError
        except ImportError as exc:  # pragma: no cover - the extra is missing
            raise ImportError("cron jobs need cronsim: pip install 'gewe-async[schedule]'") from exc
        try:
            CronSim(expr, datetime.now(tz))
        except CronSimError as exc:
            raise ValueError(f"bad cron expression {expr!r}: {exc}") from None
        self._sim = CronSim
        self.expr = expr
        self.tz = tz
        self._next: dict[float, float] = {}

    def __repr__(self) -> str:
        return f"cron {self.expr!r} ({self.tz})"

    def next_after(self, t: float) -> float | None:
        # Every account of a job asks about the same instants: remember the last few.
        found = self._next.get(t)
        if found is None:
            start = datetime.fromtimestamp(t, self.tz)
            found = next(self._sim(self.expr, start)).timestamp()
            if len(self._next) > 64:
                self._next.clear()
            self._next[t] = found
        return found

    def latest_at(self, t: float) -> float | None:
        start = datetime.fromtimestamp(t, self.tz) + timedelta(microseconds=1)
        return next(self._sim(self.expr, start, reverse=True)).timestamp()


@attrs.frozen(repr=False)
class _At:
    when: float

    def __repr__(self) -> str:
        return f"at {datetime.fromtimestamp(self.when, UTC).isoformat()}"

    def next_after(self, t: float) -> float | None:
        return self.when if self.when > t else None

    def latest_at(self, t: float) -> float | None:
        return self.when if self.when <= t else None


_Trigger = _Every | _Cron | _At


def _timestamp(when: datetime | float) -> float:
    if isinstance(when, datetime):
        if when.tzinfo is None:
            raise ValueError("give the time with its time zone (datetime(..., tzinfo=...))")
        return when.timestamp()
    if isinstance(when, bool) or not isinstance(when, int | float) or not math.isfinite(when):
        raise TypeError(f"a time is an aware datetime or epoch seconds, got {when!r}")
    return float(when)


def _zone(tz: str | tzinfo | None) -> tzinfo:
    if tz is None:
        return UTC
    if isinstance(tz, tzinfo):
        return tz
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {tz!r}") from None


def _jitter_of(name: str, app_id: str, slot: float, jitter: float) -> float:
    """A delay in [0, jitter), the same in every worker for one run: they agree on when."""
    if not jitter:
        return 0.0
    digest = hashlib.blake2b(f"{name}\0{app_id}\0{slot!r}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64 * jitter


# -- jobs ---------------------------------------------------------------------------------------


@attrs.frozen
class Job:
    """One job as it was declared: what runs, when, for which accounts."""

    name: str
    """Its name in the store: keep it when you change the code (a new name is a new job)."""
    function: JobFunction = attrs.field(repr=False)
    """``async def job(client, app_id)`` (planned jobs: ``(client, app_id, data)``)."""
    trigger: str
    """When it runs, in words (``every 60 s``, ``cron '0 9 * * *' (Asia/Shanghai)``)."""
    jitter: float = 0.0
    """Each run starts up to this many seconds late, at random (per account and run)."""
    misfire: Misfire = "once"
    """What missed runs become (see [`Misfire`][gewe_async.fleet.Misfire])."""
    misfire_grace: float | None = None
    """Missed runs older than this many seconds are dropped (`None`: never dropped)."""
    app_ids: Any = attrs.field(default=None, repr=False)
    """The job's own accounts (`None`: the scheduler's)."""
    _when: _Trigger | None = attrs.field(default=None, repr=False, alias="when")


def _check_seconds(name: str, value: object, *, zero: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be seconds, got {value!r}")
    if not math.isfinite(value) or value < 0 or (not zero and value == 0):
        raise ValueError(f"{name} must be a finite number of seconds > 0, got {value!r}")
    return float(value)


class Scheduler:
    """Interval, cron and one-shot jobs for each account, run once across workers.

    Args:
        client: The client jobs get (or a function returning it: a dispatcher's).
        store: Where runs are recorded: ``"memory"``, ``"sqlite:///PATH"``, ``"redis://..."``,
            or a bot's conversation storage (``dp.storage``), or a function returning one.
        app_ids: The accounts each job runs for (a job may name its own): a list, or a
            function returning them (asked again every ``refresh`` seconds).
        name: This worker's name in the records (which worker ran what).
        concurrency: How many runs go at once.
        lease: Seconds a run may take before it counts as interrupted.
        refresh: Seconds between two readings of ``app_ids`` when it is a function.
        clock: The wall clock (tests pass a fake one); ``sleep`` waits.
    """

    def __init__(
        self,
        client: AsyncGeweClient | Callable[[], AsyncGeweClient],
        *,
        store: StoreSpec | Callable[[], StoreSpec] = "memory",
        app_ids: AppIds | None = None,
        name: str = "scheduler",
        concurrency: int = 64,
        lease: float = 3600.0,
        refresh: float = 60.0,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
            raise ValueError(f"concurrency must be an int of at least 1, got {concurrency!r}")
        self._client = client
        self._store_spec = store
        self._store: ScheduleStore | None = None
        self.app_ids = app_ids
        self.name = name
        self.concurrency = concurrency
        self.lease = _check_seconds("lease", lease, zero=False)
        self.refresh = _check_seconds("refresh", refresh, zero=False)
        self._clock = clock
        self._sleep = sleep
        self.jobs: dict[str, Job] = {}
        """The jobs declared, by name."""
        self._heap: list[tuple[float, int, str, str, float]] = []
        self._seq = 0
        self._accounts: dict[str, list[str]] = {}
        self._running: set[tuple[str, str]] = set()
        self._queued: set[tuple[str, str]] = set()  # (job, account) with a run in the heap
        self._tasks: set[asyncio.Task[None]] = set()
        self._started = False
        self._limit: asyncio.Semaphore | None = None
        self._wake = asyncio.Event()
        self._refreshed_at = -math.inf

    def __repr__(self) -> str:
        return f"Scheduler({len(self.jobs)} jobs, name={self.name!r})"

    @property
    def client(self) -> AsyncGeweClient:
        """The client jobs are called with."""
        return self._client() if callable(self._client) else self._client

    # -- declaring --------------------------------------------------------------------------

    def _declare(
        self,
        when: _Trigger | None,
        name: str | None,
        jitter: float,
        misfire: Misfire,
        misfire_grace: float | None,
        app_ids: AppIds | None,
    ) -> Callable[[JobFunction], JobFunction]:
        jitter = _check_seconds("jitter", jitter, zero=True)
        if misfire not in ("once", "skip"):
            raise ValueError(f"misfire must be 'once' or 'skip', got {misfire!r}")
        grace = (
            None
            if misfire_grace is None
            else _check_seconds("misfire_grace", misfire_grace, zero=True)
        )

        def register(function: JobFunction) -> JobFunction:
            if not inspect.iscoroutinefunction(function):
                raise TypeError(f"a job is an async function, not {function!r}")
            job_name = name or function.__name__
            if not _NAME.match(job_name):
                raise ValueError(
                    f"a job name is up to 100 letters, digits, '_', '.' or '-': {job_name!r}"
                )
            if job_name in self.jobs:
                raise ValueError(f"a job named {job_name!r} exists already")
            self.jobs[job_name] = Job(
                name=job_name,
                function=function,
                trigger="planned" if when is None else repr(when),
                jitter=jitter,
                misfire=misfire,
                misfire_grace=grace,
                app_ids=app_ids,
                when=when,
            )
            return function

        return register

    def every(
        self,
        seconds: float = 0,
        *,
        minutes: float = 0,
        hours: float = 0,
        name: str | None = None,
        jitter: float = 0.0,
        misfire: Misfire = "once",
        misfire_grace: float | None = None,
        app_ids: AppIds | None = None,
    ) -> Callable[[JobFunction], JobFunction]:
        """Run the decorated job every interval, for each account.

        Runs fall on multiples of the interval since the epoch (UTC), so workers and
        restarts agree on them; use [`cron()`][gewe_async.fleet.Scheduler.cron] for times
        of day in a time zone.

        Args:
            seconds: Seconds of the interval, added to ``minutes`` and ``hours``.
            minutes: Minutes of the interval.
            hours: Hours of the interval.
            name: The job's name in the store (default: the function's name).
            jitter: Each run starts up to this many seconds late, at random.
            misfire: What runs missed while down become (a
                [`Misfire`][gewe_async.fleet.Misfire]).
            misfire_grace: Missed runs older than this many seconds are dropped.
            app_ids: The job's own accounts (default: the scheduler's).

        Raises:
            ValueError: The interval is not positive.
        """
        total = _check_seconds("seconds", seconds, zero=True) + 60 * minutes + 3600 * hours
        if not total > 0 or not math.isfinite(total):
            raise ValueError("every() needs a positive interval: seconds=, minutes= or hours=")
        return self._declare(_Every(total), name, jitter, misfire, misfire_grace, app_ids)

    def cron(
        self,
        expression: str,
        *,
        tz: str | tzinfo | None = None,
        name: str | None = None,
        jitter: float = 0.0,
        misfire: Misfire = "once",
        misfire_grace: float | None = None,
        app_ids: AppIds | None = None,
    ) -> Callable[[JobFunction], JobFunction]:
        """Run the decorated job at the times of a cron expression, for each account.

        Args:
            expression: Read by `cronsim` (five fields; ``L``, ``W`` and ``#`` too), with the
                daylight-saving rules of cron itself.
            tz: The time zone of the expression (a name such as ``"Asia/Shanghai"``, or a
                `tzinfo`); UTC when `None`.
            name: The job's name in the store (default: the function's name).
            jitter: Each run starts up to this many seconds late, at random.
            misfire: What runs missed while down become (a
                [`Misfire`][gewe_async.fleet.Misfire]).
            misfire_grace: Missed runs older than this many seconds are dropped.
            app_ids: The job's own accounts (default: the scheduler's).

        Raises:
            ValueError: A bad expression or an unknown time zone.
        """
        if not isinstance(expression, str):
            raise TypeError(f"a cron expression is a str, got {expression!r}")
        trigger = _Cron(expression, _zone(tz))
        return self._declare(trigger, name, jitter, misfire, misfire_grace, app_ids)

    def at(
        self,
        when: datetime | float,
        *,
        name: str | None = None,
        jitter: float = 0.0,
        misfire: Misfire = "once",
        misfire_grace: float | None = None,
        app_ids: AppIds | None = None,
    ) -> Callable[[JobFunction], JobFunction]:
        """Run the decorated job once, for each account.

        Remembered in the store: it never runs twice, and runs at start if its time passed
        while the scheduler was down (unless ``misfire``/``misfire_grace`` say otherwise).
        A time already past when the job is first seen is not a missed run: it never runs.

        Args:
            when: An aware `datetime`, or epoch seconds.
            name: The job's name in the store (default: the function's name).
            jitter: Each run starts up to this many seconds late, at random.
            misfire: What runs missed while down become (a
                [`Misfire`][gewe_async.fleet.Misfire]).
            misfire_grace: Missed runs older than this many seconds are dropped.
            app_ids: The job's own accounts (default: the scheduler's).
        """
        return self._declare(_At(_timestamp(when)), name, jitter, misfire, misfire_grace, app_ids)

    def job(self, name: str | None = None) -> Callable[[JobFunction], JobFunction]:
        """Declare a job that runs only when planned, with the plan's data.

        Its function is ``async def job(client, app_id, data)``.

        ```python
        @schedule.job()
        async def remind(client, app_id, data):
            await client.message.post_text(app_id, data["chat"], data["text"])

        await schedule.plan(remind, "wx_1", when=time.time() + 3600, data={...})
        ```
        """
        return self._declare(None, name, 0.0, "once", None, None)

    # -- planning one-shots at run time --------------------------------------------------------

    async def plan(
        self,
        job: str | JobFunction,
        app_id: str,
        *,
        when: datetime | float,
        data: Any = None,
    ) -> int:
        """Plan one run of a [`job()`][gewe_async.fleet.Scheduler.job] for ``app_id``.

        The plan is stored (it survives restarts) and runs once, in one worker, at ``when``
        or as soon as the scheduler runs after it.

        Args:
            job: The job, or its name.
            app_id: The account it runs for.
            when: An aware `datetime`, or epoch seconds.
            data: What the job gets as its third argument (JSON: it is stored).

        Returns:
            The plan's id, for [`cancel()`][gewe_async.fleet.Scheduler.cancel].

        Raises:
            ValueError: No such job, or the job has a trigger of its own.
            TypeError: ``data`` is not JSON.
        """
        declared = self._job(job)
        if declared._when is not None:
            raise ValueError(f"job {declared.name!r} runs on its own trigger: plan a job()")
        if not isinstance(app_id, str) or not app_id.strip():
            raise ValueError(f"app_id must be a non-empty str, got {app_id!r}")
        store = await self._open()
        plan_id = await store.plan(declared.name, app_id, _timestamp(when), dumps(data))
        self._wake.set()
        return plan_id

    async def cancel(self, plan_id: int) -> bool:
        """Drop a plan that has not started; return whether it existed."""
        return await (await self._open()).cancel(plan_id)

    async def planned(self) -> list[dict[str, Any]]:
        """The plans not started yet: ``{"id", "job", "app_id", "at", "data", ...}`` each."""
        return await (await self._open()).plans()

    async def interrupted(self) -> list[tuple[str, str, float]]:
        """Runs claimed and never finished (their worker died): ``(job, app_id, slot)``.

        They are not run again: look at what they were doing.
        """
        return await (await self._open()).interrupted(self._clock())

    def _job(self, job: str | JobFunction) -> Job:
        name = (
            job
            if isinstance(job, str)
            else next((j.name for j in self.jobs.values() if j.function is job), None)
        )
        if name is None or name not in self.jobs:
            raise ValueError(f"no job {job!r} is declared on this scheduler")
        return self.jobs[name]

    # -- running --------------------------------------------------------------------------------

    async def _open(self) -> ScheduleStore:
        if self._store is None:
            spec = self._store_spec
            if callable(spec) and not isinstance(spec, str):
                spec = spec()
            self._store = make_store(resolve(spec, "schedule"))
            await self._store.open()
        return self._store

    async def aclose(self) -> None:
        """Stop the runs in progress and close the store."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        store, self._store = self._store, None
        self._started = False
        if store is not None:
            await store.close()

    async def _accounts_of(self, source: AppIds | None) -> list[str]:
        if source is None:
            return []
        if callable(source):
            got = source()
            if inspect.isawaitable(got):
                got = await got
            source = got
        return list(dict.fromkeys(source))

    async def start(self) -> None:
        """Open the store, read the accounts and compute each job's next run.

        `run` calls it; tests call it, then [`tick()`][gewe_async.fleet.Scheduler.tick].

        Raises:
            ValueError: A job has no accounts (give ``app_ids`` to the scheduler or job).
        """
        await self._open()
        self._limit = asyncio.Semaphore(self.concurrency)
        await self._read_accounts()
        self._started = True

    async def _read_accounts(self) -> None:
        store = await self._open()
        now = self._clock()
        self._refreshed_at = now
        shared: list[str] | None = None
        new: list[tuple[str, str]] = []
        for job in self.jobs.values():
            if job._when is None:
                continue
            if job.app_ids is not None:
                accounts = await self._accounts_of(job.app_ids)
            else:
                if shared is None:
                    shared = await self._accounts_of(self.app_ids)
                accounts = shared
            if not accounts and job.app_ids is None and self.app_ids is None:
                raise ValueError(
                    f"job {job.name!r} has no accounts: give app_ids= to the scheduler or the job"
                )
            new += [(job.name, a) for a in accounts if (job.name, a) not in self._queued]
            self._accounts[job.name] = accounts
        if not new:
            return
        records = await store.anchor(new, now)
        for (job_name, app_id), (since, slot) in records.items():
            base = slot if slot is not None else since
            self._push(self.jobs[job_name], app_id, base, now)

    def _push(self, job: Job, app_id: str, after: float, now: float) -> None:
        """Queue the job's next run for ``app_id`` after the slot ``after``."""
        trigger = job._when
        assert trigger is not None
        slot = trigger.next_after(after)
        if slot is None:
            self._queued.discard((job.name, app_id))
            return  # a one-shot that ran
        if slot <= now:  # missed: at least one run fell while down or busy
            latest = trigger.latest_at(now)
            assert latest is not None
            late = now - latest
            if job.misfire == "skip" or (
                job.misfire_grace is not None and late > job.misfire_grace
            ):
                logger.info(
                    "job %s [%s]: missed run(s) up to %s dropped (misfire policy)",
                    job.name,
                    app_id,
                    datetime.fromtimestamp(latest, UTC).isoformat(),
                )
                slot = trigger.next_after(now)
                if slot is None:
                    self._queued.discard((job.name, app_id))
                    return
                due = slot + _jitter_of(job.name, app_id, slot, job.jitter)
            else:
                slot, due = latest, now  # one run now stands for all those missed
        else:
            due = slot + _jitter_of(job.name, app_id, slot, job.jitter)
        self._seq += 1
        self._queued.add((job.name, app_id))
        heapq.heappush(self._heap, (due, self._seq, job.name, app_id, slot))

    def next_due(self) -> float | None:
        """When the next run is due (wall clock), or `None` when nothing is queued."""
        return self._heap[0][0] if self._heap else None

    async def tick(self, *, wait: bool = True) -> int:
        """Start every run due by now; with ``wait``, return once they are done.

        Returns:
            How many runs this worker started (runs other workers claimed first are not).
        """
        if not self._started:
            await self.start()
        store = await self._open()
        now = self._clock()
        if now - self._refreshed_at >= self.refresh and (
            callable(self.app_ids) or any(callable(j.app_ids) for j in self.jobs.values())
        ):
            await self._read_accounts()
        heap, due, popped = self._heap, [], []
        while heap and heap[0][0] <= now:
            entry = heapq.heappop(heap)
            _, _, job_name, app_id, slot = entry
            job = self.jobs.get(job_name)
            if job is None or app_id not in self._accounts.get(job_name, ()):
                self._queued.discard((job_name, app_id))
                continue  # the account left the fleet
            if (job_name, app_id) in self._running:
                logger.warning(
                    "job %s [%s]: the previous run is still going: this one is skipped",
                    job_name,
                    app_id,
                )
                self._push(job, app_id, slot, now)
                continue
            due.append((job, app_id, slot))
            popped.append(entry)
        started: list[asyncio.Task[None]] = []
        if due:
            try:
                won = await store.claim(
                    [(j.name, a, s) for j, a, s in due], self.name, now, self.lease
                )
            except BaseException:
                for entry in popped:  # still due: claimed at the next tick, not forgotten
                    heapq.heappush(heap, entry)
                raise
            for (job, app_id, slot), ours in zip(due, won, strict=True):
                if ours:
                    started.append(self._start(job, app_id, slot, None))
                self._push(job, app_id, slot, now)
        if any(j._when is None for j in self.jobs.values()):
            for plan in await store.claim_plans(self.name, now, self.lease, self.concurrency):
                job = self.jobs.get(plan["job"])
                if job is None:
                    await store.finish_plan(plan["id"], "error: no such job in this code")
                    continue
                started.append(self._start(job, plan["app_id"], plan["at"], plan))
        if wait and started:
            await asyncio.gather(*started, return_exceptions=True)
        return len(started)

    def _start(
        self, job: Job, app_id: str, slot: float, plan: dict[str, Any] | None
    ) -> asyncio.Task[None]:
        task = asyncio.create_task(self._run_one(job, app_id, slot, plan))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _run_one(
        self, job: Job, app_id: str, slot: float, plan: dict[str, Any] | None
    ) -> None:
        assert self._limit is not None
        assert self._store is not None
        store = self._store
        key = (job.name, app_id)
        self._running.add(key)
        try:
            async with self._limit:
                try:
                    if plan is None:
                        await job.function(self.client, app_id)
                    else:
                        await job.function(self.client, app_id, plan["data"])
                except Exception as exc:
                    logger.exception("job %s [%s] failed", job.name, app_id)
                    outcome = f"error: {type(exc).__name__}: {exc}"[:500]
                else:
                    outcome = "ok"
            if plan is None:
                await store.finish(job.name, app_id, slot, outcome)
            else:
                await store.finish_plan(plan["id"], outcome)
        finally:
            if plan is None:
                self._running.discard(key)

    async def run(self) -> None:
        """Run the jobs until cancelled: start what is due, sleep until the next is.

        A store that fails (Redis away, a full disk) is logged and tried again with backoff:
        the scheduler goes on by itself once the store is back.
        """
        from gewe_async.bot._journal import Health, backoff

        if not self._started:  # `running()` has started it, so that its errors reach the caller
            await self.start()
        health = Health(f"scheduler {self.name}")
        try:
            while True:
                try:
                    await self.tick(wait=False)
                    await self._pause()
                except Exception as exc:
                    health.failed(exc)
                    await self._sleep(backoff(health.failures))
                else:
                    health.ok()
        finally:
            await self.aclose()

    async def _pause(self) -> None:
        self._wake.clear()
        times = [t for t in (self.next_due(),) if t is not None]
        if self._store is not None and any(j._when is None for j in self.jobs.values()):
            planned = await self._store.next_plan()
            if planned is not None:
                times.append(planned)
        now = self._clock()
        wait = min([self.refresh, *(t - now for t in times)])
        wait = max(wait, 0.001)
        if self._sleep is not asyncio.sleep:
            await self._sleep(wait)
            return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(wait):
                await self._wake.wait()

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[Scheduler]:
        """Run the jobs in the background while the block runs.

        ```python
        async with schedule.running():
            await serve_forever()
        ```

        Raises:
            ValueError: A job has no accounts. What [`start()`][gewe_async.fleet.Scheduler.start]
                raises (a store that cannot be opened) is raised here too, before the block
                runs, rather than lost in a background task.
        """
        try:
            await self.start()
        except BaseException:
            await self.aclose()
            raise
        task = asyncio.create_task(self.run())
        try:
            yield self
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
