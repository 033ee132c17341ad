"""Fan one call out over many appIds: every appId gets exactly one outcome, nothing is lost."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Iterable
from contextlib import aclosing
from typing import Any, Generic, TypeVar

import attrs

from gewe_async.exceptions import GeweError

__all__ = ["BatchResult", "Outcome", "ProgressCallback", "iter_batch", "run_batch"]

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
    """The :class:`~gewe_async.GeweError` (or input error) when it failed."""

    @property
    def ok(self) -> bool:
        """Whether the call succeeded."""
        return self.error is None


ProgressCallback = Callable[[Outcome[Any], int, int], object]
"""Called after each appId finishes, with its outcome, how many are done, and the total."""


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
) -> AsyncIterator[Outcome[T]]:
    """Run ``call(app_id)`` for every appId and yield each outcome as it completes.

    At most ``concurrency`` calls run at once, so a batch of 100,000 appIds holds 100,000
    small outcomes at most, never 100,000 pending requests. Leaving the loop early (``break``,
    an exception, or cancellation) cancels the calls still running.

    ::

        async for outcome in iter_batch(app_ids, client.personal.get_profile):
            print(outcome.app_id, outcome.result if outcome.ok else outcome.error)

    Raises:
        ValueError: An appId appears twice, or ``concurrency`` is not positive.
    """
    if concurrency < 1:
        raise ValueError(f"concurrency must be at least 1, got {concurrency}")
    # aclosing: leaving this generator must close the inner one now, cancelling its calls,
    # not whenever the inner generator happens to be garbage-collected.
    async with aclosing(_iterate(_unique(app_ids), call, concurrency, on_progress)) as outcomes:
        async for outcome in outcomes:
            yield outcome


async def _iterate(
    ids: list[str],
    call: Callable[[str], Awaitable[T]],
    concurrency: int,
    on_progress: ProgressCallback | None,
) -> AsyncGenerator[Outcome[T], None]:
    # iter_batch's body, for appIds already checked to be unique.
    total = len(ids)
    pending = iter(ids)
    done: asyncio.Queue[Outcome[T] | Exception] = asyncio.Queue()

    async def worker() -> None:
        for app_id in pending:  # shared iterator: each appId is taken by exactly one worker
            try:
                outcome = Outcome[T](app_id, result=await call(app_id))
            except CALL_FAILURES as exc:
                outcome = Outcome[T](app_id, error=exc)
            except Exception as exc:  # a bug in `call`: hand it to the consumer to raise
                done.put_nowait(exc)
                return
            done.put_nowait(outcome)

    workers = [asyncio.create_task(worker()) for _ in range(min(concurrency, total))]
    try:
        for finished in range(1, total + 1):
            item = await done.get()
            if isinstance(item, Exception):
                raise item
            if on_progress is not None:
                on_progress(item, finished, total)
            yield item
    finally:
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)


async def run_batch(
    app_ids: Iterable[str],
    call: Callable[[str], Awaitable[T]],
    *,
    concurrency: int = 64,
    on_progress: ProgressCallback | None = None,
    fail_fast: bool = False,
) -> BatchResult[T]:
    """Run ``call(app_id)`` for every appId; return every outcome, in the order given.

    By default every appId is attempted and failures are collected in the result. With
    ``fail_fast=True`` the first failure cancels the calls still running and is raised
    (``asyncio.TaskGroup`` semantics).

    ::

        result = await run_batch(app_ids, client.personal.get_profile)
        print(len(result.succeeded), "ok;", [o.app_id for o in result.failed], "failed")
    """
    if concurrency < 1:
        raise ValueError(f"concurrency must be at least 1, got {concurrency}")
    ids = _unique(app_ids)
    by_id: dict[str, Outcome[T]] = {}
    async with aclosing(_iterate(ids, call, concurrency, on_progress)) as outcomes:
        async for outcome in outcomes:
            if fail_fast and outcome.error is not None:
                raise outcome.error  # closing the generator cancels the calls still running
            by_id[outcome.app_id] = outcome
    return BatchResult(tuple(by_id[app_id] for app_id in ids))
