"""Calls that take a list with a documented maximum: split, run every chunk, merge in order."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

import attrs

from gewe_async.exceptions import GeweError

__all__ = ["Chunk", "ChunkedResult", "run_chunks", "split"]

T = TypeVar("T")


@attrs.frozen
class Chunk(Generic[T]):
    """One request of a chunked call: the items it carried and its answer or its error."""

    items: tuple[str, ...]
    """The wxids (or other items) this request carried, in input order."""
    results: tuple[T, ...] = ()
    """What the server answered for them, in input order (empty when the request failed)."""
    error: GeweError | None = None
    """The [`GeweError`][gewe_async.exceptions.GeweError] that failed this request."""

    @property
    def ok(self) -> bool:
        """Whether the request succeeded."""
        return self.error is None


@attrs.frozen
class ChunkedResult(Generic[T]):
    """Every chunk of a call split by the endpoint's maximum, in input order.

    ```python
    result = await client.contacts.get_brief_info_many("wx_123", wxids)
    for info in result.results:  # the answers of the chunks that succeeded
        print(info.user_name, info.nick_name)
    for chunk in result.failed:  # what was not answered, and why
        print(chunk.items, chunk.error)
    infos = result.unwrap()  # or: every answer, raising the first chunk's error
    ```
    """

    chunks: tuple[Chunk[T], ...]

    @property
    def results(self) -> list[T]:
        """The answers of the chunks that succeeded, merged in input order."""
        return [item for chunk in self.chunks for item in chunk.results]

    @property
    def failed(self) -> list[Chunk[T]]:
        """The chunks whose request failed, each with its error."""
        return [chunk for chunk in self.chunks if chunk.error is not None]

    @property
    def ok(self) -> bool:
        """Whether every chunk succeeded."""
        return not self.failed

    def unwrap(self) -> list[T]:
        """Every answer in input order; raise the first failed chunk's error if any failed."""
        for chunk in self.chunks:
            if chunk.error is not None:
                raise chunk.error
        return self.results

    def __len__(self) -> int:
        return len(self.chunks)


def split(items: Sequence[str], size: int) -> list[tuple[str, ...]]:
    """Cut ``items`` into tuples of at most ``size``, keeping their order."""
    return [tuple(items[i : i + size]) for i in range(0, len(items), size)]


def _in_order(items: tuple[str, ...], answers: list[T], key: Callable[[T], str]) -> tuple[T, ...]:
    # The server need not answer in the order asked; put answers back in input order, and keep
    # any it added that were not asked for at the end rather than drop them.
    rank = {item: i for i, item in reversed(list(enumerate(items)))}
    return tuple(sorted(answers, key=lambda a: rank.get(key(a), len(items))))


async def run_chunks(
    items: Sequence[str],
    size: int,
    call: Callable[[tuple[str, ...]], Awaitable[list[T]]],
    key: Callable[[T], str],
) -> ChunkedResult[T]:
    """Run ``call`` on every chunk of at most ``size`` items and gather every outcome.

    The calls go through the client's normal request path, so its limits (the per-appId turn,
    the in-flight cap) order them; a failed chunk is recorded and the others still run.
    """

    async def one(chunk: tuple[str, ...]) -> Chunk[T]:
        try:
            return Chunk(chunk, _in_order(chunk, await call(chunk), key))
        except GeweError as exc:
            return Chunk(chunk, error=exc)

    async with asyncio.TaskGroup() as group:
        tasks = [group.create_task(one(chunk)) for chunk in split(items, size)]
    return ChunkedResult(tuple(task.result() for task in tasks))
