"""Conversations in a dict: for tests and bots that may forget them on a restart."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Unpack

from gewe_async.bot.fsm._base import BaseStorage, StorageOptions, _Keep, merge

__all__ = ["MemoryStorage"]

# Writes between sweeps of expired conversations: bounds the memory of chats gone quiet.
_SWEEP_EVERY: Final = 1024


class MemoryStorage(BaseStorage):
    """Conversations in this process's memory, lost when it stops.

    Every operation runs without awaiting, so each is atomic on the event loop.

    Keyword Args:
        ttl (float | None): Seconds after its last change a conversation is forgotten
            (`None`: never).
        scope (Scope): Whose conversation a message belongs to.
        clock (Callable[[], float]): The wall clock (tests pass a fake one).
    """

    def __init__(self, **options: Unpack[StorageOptions]) -> None:
        super().__init__(**options)
        self._records: dict[str, tuple[str | None, dict[str, str], float | None]] = {}
        self._writes = 0

    def __repr__(self) -> str:
        return f"MemoryStorage(conversations={len(self._records)})"

    def _live(self, key: str) -> tuple[str | None, dict[str, str], float | None] | None:
        record = self._records.get(key)
        if record is not None and record[2] is not None and record[2] <= self._clock():
            del self._records[key]
            return None
        return record

    async def _read_state(self, key: str) -> str | None:
        record = self._live(key)
        return None if record is None else record[0]

    async def _read(self, key: str) -> tuple[str | None, dict[str, str]] | None:
        record = self._live(key)
        return None if record is None else (record[0], dict(record[1]))

    async def _write(
        self, key: str, state: str | _Keep | None, fields: Mapping[str, str], *, replace: bool
    ) -> None:
        new_state, new_fields = merge(
            self._live(key), state, dict(fields) if replace else fields, replace
        )
        self._records[key] = (new_state, new_fields, self._deadline())
        self._writes += 1
        if self.ttl is not None and self._writes % _SWEEP_EVERY == 0:
            now = self._clock()
            for gone in [k for k, r in self._records.items() if r[2] is not None and r[2] <= now]:
                del self._records[gone]

    async def _delete(self, key: str) -> None:
        self._records.pop(key, None)
