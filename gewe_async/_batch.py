"""Fan one call out over many appIds: every appId gets exactly one outcome, nothing is lost."""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Iterable
from contextlib import aclosing
from contextvars import ContextVar
from typing import Any, Final, Generic, TypedDict, TypeVar

import attrs

from gewe_async._config import TimeoutTypes
from gewe_async._validators import number
from gewe_async.exceptions import GeweError, GeweTimeoutError

__all__ = [
    "BatchOptions",
    "BatchResult",
    "Outcome",
    "ProgressCallback",
    "iter_batch",
    "run_batch",
]

T = TypeVar("T")

#: The failures of one call that callers report per appId: the GeweError of a failed call, or
#: the ValueError/TypeError of an appId whose input was refused before sending.
CALL_FAILURES = (GeweError, ValueError, TypeError)


@attrs.define
class CallTrace:
    """How far the call of one batch item got, noted by the request path (``_pipeline.run``)."""

    endpoint: str | None = None
    sent: bool = False


#: The trace of the batch item whose call runs in this task, if any.
CALL_TRACE: Final[ContextVar[CallTrace | None]] = ContextVar("gewe_call_trace", default=None)


@attrs.frozen
class Outcome(Generic[T]):
    """What happened to one appId in a batch: its result, or the error that stopped it."""

    app_id: str
    result: T | None = None
    """The call's return value when it succeeded."""
    error: BaseException | None = None
    """The [`GeweError`][gewe_async.exceptions.GeweError] (or input error) when it failed.

    A call that raised anything else (a bug in the function given to the batch, a stray
    `asyncio.CancelledError`) keeps what it raised here: one failure never costs the other
    appIds their outcomes."""

    @property
    def ok(self) -> bool:
        """Whether the call succeeded."""
        return self.error is None


ProgressCallback = Callable[[Outcome[Any], int, int], object]
"""Called after each appId finishes, with its outcome, how many are done, and the total."""


class BatchOptions(TypedDict, total=False):
    """How a batch runs; the keyword arguments of the groups' batch helpers (``get_profiles``).

    See [`run_batch()`][gewe_async.run_batch] for their meaning. ``timeout`` applies to each call.
    """

    concurrency: int
    on_progress: ProgressCallback
    fail_fast: bool
    deadline: float
    timeout: TimeoutTypes


@attrs.frozen
class BatchResult(Generic[T]):
    """The outcomes of a batch, one per appId, in the order the appIds were given."""

    outcomes: tuple[Outcome[T], ...]

    @property
    def succeeded(self) -> list[Outcome[T]]:
        """The outcomes of the calls that succeeded."""
        return [o for o in self.outcomes if o.error is None]

    @property
    def failed(self) -> list[Outcome[T]]:
        """The outcomes of the calls that failed, each with its error."""
        return [o for o in self.outcomes if o.error is not None]

    @property
    def results(self) -> dict[str, T]:
        """The results of the successful calls, by appId."""
        return {o.app_id: o.result for o in self.outcomes if o.error is None}  # type: ignore[misc]

    def __len__(self) -> int:
        return len(self.outcomes)


def _check(concurrency: int, deadline: float | None) -> float | None:
    """Validate the options; return the deadline in seconds, ``None`` (or infinity) for none."""
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise ValueError(f"concurrency must be an int of at least 1, got {concurrency!r}")
    if deadline is None:
        return None
    try:
        seconds = number("deadline", deadline, allow_inf=True)
    except TypeError as exc:
        raise ValueError(str(exc)) from None
    return None if math.isinf(seconds) else seconds


def _unique(app_ids: Iterable[str]) -> list[str]:
    ids = list(app_ids)
    seen: set[str] = set()
    for app_id in ids:
        if app_id in seen:
            raise ValueError(f"appId {app_id!r} appears twice in the batch")
        seen.add(app_id)
    return ids


async def iter_batch(
    app_ids: Iterable[str],
    call: Callable[[str], Awaitable[T]],
    *,
    concurrency: int = 64,
    on_progress: ProgressCallback | None = None,
    deadline: float | None = None,
) -> AsyncIterator[Outcome[T]]:
    """Run ``call(app_id)`` for every appId and yield each outcome as it completes.

    At most ``concurrency`` calls run at once, so a batch of 100,000 appIds holds 100,000
    small outcomes at most, never 100,000 pending requests. Leaving the loop early (``break``,
    an exception, or cancellation) cancels the calls still running.

    ```python
    async for outcome in iter_batch(app_ids, client.personal.get_profile):
        print(outcome.app_id, outcome.result if outcome.ok else outcome.error)
    ```

    With ``deadline`` (seconds for the whole batch), calls still running or not started when it
    passes are cancelled, and each of those appIds gets an outcome whose error is a
    [`GeweTimeoutError`][gewe_async.exceptions.GeweTimeoutError] saying whether the call had
    started; its ``request_sent`` is ``False`` when no request of it reached the transport.

    Whatever a call raises is recorded as that appId's outcome, except ``KeyboardInterrupt``
    and ``SystemExit`` (which stop the program) and the batch's own cancellation.

    Raises:
        ValueError: An appId appears twice, or ``concurrency`` or ``deadline`` is not positive.
    """
    deadline = _check(concurrency, deadline)
    # aclosing: leaving this generator must close the inner one now, cancelling its calls,
    # not whenever the inner generator happens to be garbage-collected.
    batch = _iterate(_unique(app_ids), call, concurrency, on_progress, deadline)
    async with aclosing(batch) as outcomes:
        async for outcome in outcomes:
            yield outcome


async def _iterate(
    ids: list[str],
    call: Callable[[str], Awaitable[T]],
    concurrency: int,
    on_progress: ProgressCallback | None,
    deadline: float | None,
) -> AsyncGenerator[Outcome[T], None]:
    # iter_batch's body, for appIds already checked to be unique.
    total = len(ids)
    pending = iter(ids)
    traces: dict[str, CallTrace] = {}
    unfinished = dict.fromkeys(ids)  # ordered: the deadline's outcomes come in input order
    done: asyncio.Queue[Outcome[T]] = asyncio.Queue()

    async def worker() -> None:
        task = asyncio.current_task()
        assert task is not None
        for app_id in pending:  # shared iterator: each appId is taken by exactly one worker
            trace = traces[app_id] = CallTrace()
            CALL_TRACE.set(trace)
            try:
                outcome = Outcome[T](app_id, result=await call(app_id))
            except asyncio.CancelledError as exc:
                if task.cancelling():
                    raise  # the batch itself is being cancelled
                outcome = Outcome[T](app_id, error=exc)  # the call's own: this appId failed
            except Exception as exc:
                outcome = Outcome[T](app_id, error=exc)
            done.put_nowait(outcome)

    loop = asyncio.get_running_loop()
    ends_at = None if deadline is None else loop.time() + deadline
    workers = [asyncio.create_task(worker()) for _ in range(min(concurrency, total))]
    try:
        finished = 0
        while unfinished:
            try:
                async with asyncio.timeout_at(ends_at):
                    item = await done.get()
            except TimeoutError:
                break
            del unfinished[item.app_id]
            finished += 1
            if on_progress is not None:
                on_progress(item, finished, total)
            yield item
        if not unfinished:
            return
        # The deadline passed: stop the calls first, then account for every appId left. What
        # finished while they stopped keeps its outcome.
        await _cancel(workers)
        while not done.empty():
            late = done.get_nowait()
            if late.app_id in unfinished:
                del unfinished[late.app_id]
                finished += 1
                if on_progress is not None:
                    on_progress(late, finished, total)
                yield late
        for app_id in unfinished:
            trace = traces.get(app_id)
            when = "before this call" if trace is None else "while this call was running"
            error = GeweTimeoutError(
                f"the batch deadline of {deadline:g} s passed {when}",
                request_sent=trace is not None and trace.sent,
                endpoint=trace.endpoint if trace is not None else None,
                app_id=app_id,
            )
            finished += 1
            outcome = Outcome[T](app_id, error=error)
            if on_progress is not None:
                on_progress(outcome, finished, total)
            yield outcome
    finally:
        await _cancel(workers)


async def _cancel(tasks: list[asyncio.Task[None]]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def run_batch(
    app_ids: Iterable[str],
    call: Callable[[str], Awaitable[T]],
    *,
    concurrency: int = 64,
    on_progress: ProgressCallback | None = None,
    fail_fast: bool = False,
    deadline: float | None = None,
) -> BatchResult[T]:
    """Run ``call(app_id)`` for every appId; return every outcome, in the order given.

    By default every appId is attempted and failures are collected in the result. With
    ``fail_fast=True`` the first failure cancels the calls still running and is raised
    (``asyncio.TaskGroup`` semantics). With ``deadline`` (seconds for the whole batch), the
    appIds not done in time are cancelled and get a
    [`GeweTimeoutError`][gewe_async.exceptions.GeweTimeoutError]
    outcome (raised instead, with ``fail_fast``).

    ```python
    result = await run_batch(app_ids, client.personal.get_profile)
    print(len(result.succeeded), "ok;", [o.app_id for o in result.failed], "failed")
    ```
    """
    deadline = _check(concurrency, deadline)
    ids = _unique(app_ids)
    by_id: dict[str, Outcome[T]] = {}
    async with aclosing(_iterate(ids, call, concurrency, on_progress, deadline)) as outcomes:
        async for outcome in outcomes:
            if fail_fast and outcome.error is not None:
                raise outcome.error  # closing the generator cancels the calls still running
            by_id[outcome.app_id] = outcome
    return BatchResult(tuple(by_id[app_id] for app_id in ids))
