"""Conversations in an SQLite file: they survive a restart of the bot's process."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from os import PathLike
from typing import Any, Final, Literal, TypeVar

from gewe_async.bot.fsm._base import BaseStorage, Scope, _Keep

__all__ = ["SqliteStorage"]

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS conversations (
    key TEXT PRIMARY KEY,
    state TEXT,
    data TEXT NOT NULL,
    expires REAL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS conversations_expires ON conversations (expires);
"""
# Writes between removals of expired conversations.
_PRUNE_EVERY: Final = 1024
# Attempts at opening a file another connection is switching to WAL (50 ms apart).
_OPEN_TRIES: Final = 10

T = TypeVar("T")


class SqliteStorage(BaseStorage):
    """Conversations in one SQLite file (WAL mode), kept across restarts.

    All SQLite work runs on one thread of its own (stdlib `sqlite3`); each write is one
    transaction (``BEGIN IMMEDIATE``), so an `update` never loses a concurrent one, even from
    another process on the same file.

    A [`SqliteJournal`][gewe_async.bot.SqliteJournal] locks its file for itself: give the
    storage another file (``bot.db`` for the journal, ``bot.db-state`` for conversations).

    Args:
        path: The database file; created with its table if missing.
        ttl: Seconds after its last change a conversation is forgotten (`None`: never).
        scope: Whose conversation a message belongs to.
        synchronous: ``"NORMAL"`` (the default: a commit survives a crash of the process,
            the last ones may be lost on a power cut) or ``"FULL"`` (an fsync per write).
        clock: The wall clock (tests pass a fake one).
    """

    def __init__(
        self,
        path: str | PathLike[str],
        *,
        ttl: float | None = None,
        scope: Scope = "chat_sender",
        synchronous: Literal["FULL", "NORMAL"] = "NORMAL",
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(ttl=ttl, scope=scope, clock=clock)
        if synchronous not in ("FULL", "NORMAL"):
            raise ValueError(f"synchronous must be 'FULL' or 'NORMAL', not {synchronous!r}")
        self._path = path
        self._synchronous = synchronous
        self._conn: sqlite3.Connection | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._writes = 0

    def __repr__(self) -> str:
        return f"SqliteStorage({str(self._path)!r})"

    async def _run(self, work: Callable[..., T], *args: Any) -> T:
        assert self._executor is not None
        return await asyncio.get_running_loop().run_in_executor(self._executor, work, *args)

    async def _open(self) -> None:
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="gewe-sqlite-state")
        try:
            await self._run(self._connect)
        except BaseException:
            self._executor.shutdown(wait=False)
            self._executor = None
            raise

    def _connect(self) -> None:
        # Storages opening the same file at once contend briefly for the WAL switch and the
        # schema (SQLite answers "locked" without waiting there); a journal's lock stays.
        for _ in range(_OPEN_TRIES - 1):
            try:
                return self._connect_once()
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc):
                    raise
                time.sleep(0.05)
        try:
            return self._connect_once()
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc):
                raise sqlite3.OperationalError(
                    f"{self._path} is locked: a SqliteJournal keeps its file for itself, "
                    f"give the conversations another file (such as {self._path}-state)"
                ) from exc
            raise

    def _connect_once(self) -> None:
        conn = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        try:
            conn.execute("PRAGMA busy_timeout=100")  # short: opening retries itself
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if mode != "wal":
                raise sqlite3.OperationalError(f"{self._path}: WAL mode refused ({mode})")
            conn.execute(f"PRAGMA synchronous={self._synchronous}")
            conn.executescript(_SCHEMA)
            # Writers of one conversation from other processes wait for each other.
            conn.execute("PRAGMA busy_timeout=5000")
        except BaseException:
            conn.close()
            raise
        self._conn = conn

    async def _close(self) -> None:
        if self._executor is None:
            return
        conn = self._conn
        if conn is not None:
            await self._run(conn.close)
        self._conn = None
        self._executor.shutdown(wait=True)
        self._executor = None

    async def _read(self, key: str) -> tuple[str | None, dict[str, str]] | None:
        return await self._run(self._select, key, self._clock())

    def _select(self, key: str, now: float) -> tuple[str | None, dict[str, str]] | None:
        assert self._conn is not None
        row = self._conn.execute(
            "SELECT state, data FROM conversations WHERE key = ? AND "
            "(expires IS NULL OR expires > ?)",
            (key, now),
        ).fetchone()
        return None if row is None else (row[0], json.loads(row[1]))

    async def _write(
        self, key: str, state: str | _Keep | None, fields: Mapping[str, str], *, replace: bool
    ) -> None:
        await self._run(self._upsert, key, state, dict(fields), replace, self._clock())

    def _upsert(
        self, key: str, state: str | _Keep | None, fields: dict[str, str], replace: bool, now: float
    ) -> None:
        conn = self._conn
        assert conn is not None
        conn.execute("BEGIN IMMEDIATE")
        try:
            old = self._select(key, now)
            old_state, old_fields = (None, {}) if old is None else old
            new_fields = fields if replace else {**old_fields, **fields}
            new_state = old_state if isinstance(state, _Keep) else state
            expires = None if self.ttl is None else now + self.ttl
            conn.execute(
                "INSERT OR REPLACE INTO conversations (key, state, data, expires) "
                "VALUES (?, ?, ?, ?)",
                (key, new_state, json.dumps(new_fields, ensure_ascii=False), expires),
            )
            self._writes += 1
            if self.ttl is not None and self._writes % _PRUNE_EVERY == 0:
                conn.execute("DELETE FROM conversations WHERE expires <= ?", (now,))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    async def _delete(self, key: str) -> None:
        await self._run(self._remove, key)

    def _remove(self, key: str) -> None:
        assert self._conn is not None
        self._conn.execute("DELETE FROM conversations WHERE key = ?", (key,))
