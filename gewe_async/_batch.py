"""Fan one call out over many appIds: every appId gets exactly one outcome, nothing is lost."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Iterable
from contextlib import aclosing
from typing import Any, Generic, TypedDict, TypeVar

import attrs

from gewe_async._config import TimeoutTypes
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

#: The failures a batch records per appId instead of raising: the GeweError of a failed call,
#: or the ValueError/TypeError of an appId whose input was refused before sending.
CALL_FAILURES = (GeweError, ValueError, TypeError)


@attrs.frozen
class Outcome(Generic[T]):
    """What happened to one appId in a batch: its result, or the error that stopped it."""

    app_id: str
    result: T | None = None
    """The call's return value when it succeeded."""
    error: Exception | None = None
    """The [`GeweError`][gewe_async.exceptions.GeweError] (or input error) when it failed."""

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


def _check(concurrency: int, deadline: float | None) -> None:
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise ValueError(f"concurrency must be an int of at least 1, got {concurrency!r}")
    if deadline is not None and (
        isinstance(deadline, bool) or not isinstance(deadline, int | float) or deadline <= 0
    ):
        raise ValueError(f"deadline must be a positive number of seconds, got {deadline!r}")


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
    started.

    Raises:
        ValueError: An appId appears twice, or ``concurrency`` or ``deadline`` is not positive.
    """
    _check(concurrency, deadline)
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
    started: set[str] = set()
    unfinished = dict.fromkeys(ids)  # ordered: the deadline's outcomes come in input order
    done: asyncio.Queue[Outcome[T] | Exception] = asyncio.Queue()

    async def worker() -> None:
        for app_id in pending:  # shared iterator: each appId is taken by exactly one worker
            started.add(app_id)
            try:
                outcome = Outcome[T](app_id, result=await call(app_id))
            except CALL_FAILURES as exc:
                outcome = Outcome[T](app_id, error=exc)
            except Exception as exc:  # a bug in `call`: hand it to the consumer to raise
                done.put_nowait(exc)
                return
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
            if isinstance(item, Exception):
                raise item
            del unfinished[item.app_id]
            finished += 1
            if on_progress is not None:
                on_progress(item, finished, total)
            yield item
        if not unfinished:
            return
        # The deadline passed: stop the calls first, then account for every appId left.
        await _cancel(workers)
        for app_id in unfinished:
            when = "while this call was running" if app_id in started else "before this call"
            error = GeweTimeoutError(
                f"the batch deadline of {deadline} s passed {when}", app_id=app_id
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
    _check(concurrency, deadline)
    ids = _unique(app_ids)
    by_id: dict[str, Outcome[T]] = {}
    async with aclosing(_iterate(ids, call, concurrency, on_progress, deadline)) as outcomes:
        async for outcome in outcomes:
            if fail_fast and outcome.error is not None:
                raise outcome.error  # closing the generator cancels the calls still running
            by_id[outcome.app_id] = outcome
    return BatchResult(tuple(by_id[app_id] for app_id in ids))
