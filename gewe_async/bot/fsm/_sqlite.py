"""Conversations in an SQLite file: they survive a restart of the bot's process.

Writes of many chats share one transaction (group commit, as the SQLite journal does): a
write is queued, and the writer task commits everything queued while the last commit ran.
Each write still returns only once committed. Unless the file is ``shared``, the storage
keeps it for itself and answers reads from memory.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from os import PathLike
from typing import Any, Final, Literal, TypeVar, cast

from gewe_async.bot._burst import Burst
from gewe_async.bot.fsm._base import BaseStorage, Scope, _Keep, merge

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
_Record = tuple[str | None, dict[str, str], float | None]
# A write: key, state (or KEEP), fields, replace; or (key, None, None, None) to delete.
_Op = tuple[str, str | _Keep | None, dict[str, str] | None, bool | None]
_ABSENT: Final = object()
"""Cached: no conversation under this key."""


class SqliteStorage(BaseStorage):
    """Conversations in one SQLite file (WAL mode), kept across restarts.

    All SQLite work runs on one thread of its own (stdlib `sqlite3`). Writes issued while a
    commit runs are committed together in the next transaction (``BEGIN IMMEDIATE``, each
    write merged with the row as it is then), so an `update` never loses a concurrent one,
    and each returns once its transaction is committed.

    **Not shared** (the default): the storage keeps the file for itself (SQLite's exclusive
    locking: another process or storage opening it fails, saying so) and keeps the
    conversations it read or wrote in memory (``cache_size`` of them, least recently used
    dropped first), so that reads need no query. That is safe because no one else can
    change the file, and because each conversation of the default scopes lies in one chat,
    whose messages this process handles one after another. **Shared**
    (``shared=True``): several processes on one host use the file at once; every read is
    a query, and there is no cache to go stale.

    A [`SqliteJournal`][gewe_async.bot.SqliteJournal] locks its file for itself too: give the
    storage another file (``bot.db`` for the journal, ``bot.db-state`` for conversations).

    Args:
        path: The database file; created with its table if missing.
        ttl: Seconds after its last change a conversation is forgotten (`None`: never).
        scope: Whose conversation a message belongs to.
        synchronous: ``"NORMAL"`` (the default: a commit survives a crash of the process,
            the last ones may be lost on a power cut) or ``"FULL"`` (an fsync per commit).
        shared: Let other processes use the file at the same time (no cache, no lock).
        cache_size: The most conversations kept in memory when not shared.
        clock: The wall clock (tests pass a fake one).

    Raises:
        ValueError: ``synchronous`` or ``cache_size`` out of range.
    """

    def __init__(
        self,
        path: str | PathLike[str],
        *,
        ttl: float | None = None,
        scope: Scope = "chat_sender",
        synchronous: Literal["FULL", "NORMAL"] = "NORMAL",
        shared: bool = False,
        cache_size: int = 10_000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(ttl=ttl, scope=scope, clock=clock)
        if synchronous not in ("FULL", "NORMAL"):
            raise ValueError(f"synchronous must be 'FULL' or 'NORMAL', not {synchronous!r}")
        if isinstance(cache_size, bool) or not isinstance(cache_size, int) or cache_size < 1:
            raise ValueError(f"cache_size must be an int of at least 1, not {cache_size!r}")
        self._path = path
        self._synchronous = synchronous
        self.shared = shared
        self._cache_size = cache_size
        self._conn: sqlite3.Connection | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._writes = 0
        self._cache: OrderedDict[str, _Record | object] = OrderedDict()
        # The last queued write of each key, until it is committed.
        self._pending: dict[str, _Op] = {}
        self._commit: Burst[_Op, None] = Burst(self._commit_queued, "gewe-sqlite-state-write")

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
        # schema (SQLite answers "locked" without waiting there); an owner's lock stays.
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
                    f"{self._path} is locked: a SqliteJournal, or a SqliteStorage that is not "
                    "shared, keeps its file for itself; give the conversations their own file "
                    f"(such as {self._path}-state), or SqliteStorage(..., shared=True) to every "
                    "process using it"
                ) from exc
            raise

    def _connect_once(self) -> None:
        conn = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        try:
            if not self.shared:
                # The cache is right only while no one else writes: keep the file to itself.
                conn.execute("PRAGMA locking_mode=EXCLUSIVE")
            conn.execute("PRAGMA busy_timeout=100")  # short: opening retries itself
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if mode != "wal":
                raise sqlite3.OperationalError(f"{self._path}: WAL mode refused ({mode})")
            conn.execute(f"PRAGMA synchronous={self._synchronous}")
            if not self.shared:
                conn.execute("BEGIN IMMEDIATE")  # takes the exclusive lock, kept until close
            conn.executescript(_SCHEMA)  # commits
            # Writers of one conversation from other processes wait for each other.
            conn.execute("PRAGMA busy_timeout=5000")
        except BaseException:
            conn.close()
            raise
        self._conn = conn

    async def _close(self) -> None:
        await self._commit.wait()
        self._cache.clear()
        if self._executor is None:
            return
        conn = self._conn
        if conn is not None:
            await self._run(conn.close)
        self._conn = None
        self._executor.shutdown(wait=True)
        self._executor = None

    # -- reads --------------------------------------------------------------------------------

    def _cached(self, key: str) -> _Record | object | None:
        """The cached record (or `_ABSENT`), `None` when not cached or expired."""
        record = self._cache.get(key)
        if record is None:
            return None
        if record is not _ABSENT:
            expires = record[2]  # type: ignore[index]
            if expires is not None and expires <= self._clock():
                self._cache[key] = record = _ABSENT
        self._cache.move_to_end(key)
        return record

    def _remember(self, key: str, record: _Record | object) -> None:
        self._cache[key] = record
        self._cache.move_to_end(key)
        while len(self._cache) > self._cache_size:
            # The least recently used key without a write under way (the file has it).
            for old in self._cache:
                if old not in self._pending:
                    del self._cache[old]
                    break
            else:
                break

    async def _read(self, key: str) -> tuple[str | None, dict[str, str]] | None:
        if self.shared:
            return await self._run(self._select, key, self._clock())
        cached = self._cached(key)
        if cached is None:
            if key in self._pending:  # evicted while being written: read after the commit
                await self._commit.wait()
            record = await self._run(self._select_record, key, self._clock())
            if key not in self._pending and key not in self._cache:
                # No write since the query was queued: it read the file's current row.
                self._remember(key, _ABSENT if record is None else record)
            cached = _ABSENT if record is None else record
        if cached is _ABSENT:
            return None
        record = cast("_Record", cached)
        return record[0], record[1]  # read only: the callers decode it into new objects

    def _select(self, key: str, now: float) -> tuple[str | None, dict[str, str]] | None:
        record = self._select_record(key, now)
        return None if record is None else (record[0], record[1])

    def _select_record(self, key: str, now: float) -> _Record | None:
        assert self._conn is not None
        row = self._conn.execute(
            "SELECT state, data, expires FROM conversations WHERE key = ? AND "
            "(expires IS NULL OR expires > ?)",
            (key, now),
        ).fetchone()
        return None if row is None else (row[0], json.loads(row[1]), row[2])

    # -- writes -------------------------------------------------------------------------------

    async def _write(
        self, key: str, state: str | _Keep | None, fields: Mapping[str, str], *, replace: bool
    ) -> None:
        fields = dict(fields)
        if not self.shared:
            cached = self._cached(key)
            if cached is not None:
                old = None if cached is _ABSENT else cached
                new_state, new_fields = merge(old, state, fields, replace)  # type: ignore[arg-type]
                self._remember(key, (new_state, new_fields, self._deadline()))
                # The whole record, as the file has no other writer: no merge in the file.
                await self._submit((key, new_state, new_fields, True))
                return
            self._cache.pop(key, None)
        await self._submit((key, state, fields, replace))

    async def _delete(self, key: str) -> None:
        if not self.shared:
            self._remember(key, _ABSENT)
        await self._submit((key, None, None, None))

    async def _submit(self, op: _Op) -> None:
        self._pending[op[0]] = op
        await self._commit(op)

    async def _commit_queued(self, ops: Sequence[_Op]) -> Sequence[None]:
        """Commit the writes queued while the last commit ran, in one transaction."""
        try:
            await self._run(self._apply, ops, self._clock())
        except BaseException:
            self._settle(ops, failed=True)
            raise
        self._settle(ops, failed=False)
        return [None] * len(ops)

    def _settle(self, ops: Sequence[_Op], *, failed: bool) -> None:
        for op in ops:
            key = op[0]
            if self._pending.get(key) is op:
                del self._pending[key]
            if failed:
                self._cache.pop(key, None)  # ahead of the file: read it again

    def _apply(self, ops: Sequence[_Op], now: float) -> None:
        conn = self._conn
        assert conn is not None
        expires = None if self.ttl is None else now + self.ttl
        conn.execute("BEGIN IMMEDIATE")
        try:
            for key, state, fields, replace in ops:
                if fields is None:
                    conn.execute("DELETE FROM conversations WHERE key = ?", (key,))
                    continue
                if replace and not isinstance(state, _Keep):
                    new_state, new_fields = state, fields  # the whole record: nothing to read
                else:
                    old = self._select(key, now)
                    new_state, new_fields = merge(old, state, fields, bool(replace))
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
