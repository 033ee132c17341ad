"""Calls that arrive while a round trip is under way go together in the next one."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

__all__ = ["Burst"]

In = TypeVar("In")
Out = TypeVar("Out")


class Burst(Generic[In, Out]):
    """Sends items in bursts: one `send` per round, each caller awaiting its own result.

    `send` takes the items gathered since the last round and returns one result per item, in
    order; a result that is an exception is raised in that item's caller only. If `send`
    itself raises (the server is unreachable), every caller of the round gets the error.
    """

    def __init__(
        self,
        send: Callable[[Sequence[In]], Awaitable[Sequence[Out | BaseException]]],
        name: str,
    ) -> None:
        self._send = send
        self._name = name
        self._waiting: list[tuple[In, asyncio.Future[Out]]] = []
        self._task: asyncio.Task[None] | None = None

    async def __call__(self, item: In) -> Out:
        """Send `item` in the next round; its result."""
        future: asyncio.Future[Out] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._rounds(), name=self._name)
        return await future

    async def wait(self) -> None:
        """Return once the items sent so far have their results."""
        if self._task is not None:
            await self._task

    async def _rounds(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            results: Sequence[Out | BaseException]
            try:
                results = await self._send([item for item, _ in batch])
            except Exception as exc:
                results = [exc] * len(batch)
            for (_, future), result in zip(batch, results, strict=True):
                if future.done():  # its caller was cancelled
                    continue
                if isinstance(result, BaseException):
                    future.set_exception(result)
                else:
                    future.set_result(result)
