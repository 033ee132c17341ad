"""The SQLite journal: one file, no server, every answered push survives a crash of the process.

All SQLite work runs on one dedicated thread (stdlib `sqlite3`), so the event loop never waits
on the disk. Appends that arrive while a commit is running are written together in the next
transaction (group commit): one fsync for many pushes, and each `append` still returns only
after the commit holding its entry. Acks share commits the same way, and a consumer marks the
deliveries ready at once (their attempt counts) in one commit before handing them out.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import sqlite3
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from os import PathLike
from typing import Any, Final, Literal

import attrs

from gewe_async.bot._base import BaseJournal, positive_seconds
from gewe_async.bot._journal import (
    DEFAULT_DEDUPE_WINDOW,
    DEFAULT_MAX_DEAD_LETTERS,
    DeadLetter,
    Delivery,
    Entry,
    Health,
    JournalStats,
    backoff,
)

__all__ = ["SqliteJournal"]

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS seen (key TEXT PRIMARY KEY, at REAL NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS seen_at ON seen (at);
CREATE TABLE IF NOT EXISTS entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL,
    chat TEXT NOT NULL,
    body BLOB NOT NULL,
    received_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS dead_letters (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL,
    chat TEXT NOT NULL,
    body BLOB NOT NULL,
    received_at REAL NOT NULL,
    error TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    first_failed_at REAL NOT NULL,
    last_failed_at REAL NOT NULL
);
"""
_DEAD_COLUMNS: Final = (
    "id, key, chat, body, received_at, error, attempts, first_failed_at, last_failed_at"
)


class _Kind(enum.IntEnum):
    """What an operation queued for the writer does."""

    APPEND = 0
    DELIVER = 1
    ACK = 2


_APPEND, _DELIVER, _ACK = _Kind
# Most operations one transaction takes: bounds the wait of the first caller of a burst;
# most deliveries a consumer marks in one commit ahead of handing them out; most values one
# statement binds (SQLite before 3.32 refuses more than 999, SQLITE_MAX_VARIABLE_NUMBER, and
# a Python may be linked to one that old).
_BATCH, _AHEAD, _VARIABLES = 512, 64, 999


def _chunks(values: Sequence[Any], columns: int) -> list[Sequence[Any]]:
    """`values` (rows of `columns` values, flattened) cut into statements' worth."""
    size = (_VARIABLES - 1) // columns * columns  # one variable left for a bound beside them
    return [values[start : start + size] for start in range(0, len(values), size)]


def _marks(rows: int, columns: int) -> str:
    """Placeholders for `rows` values (`?,?`), or rows of `columns` values (`(?,?),(?,?)`).

    Only these are formatted into SQL; every value is bound.
    """
    if columns == 1:
        return ",".join("?" * rows)
    return ",".join([f"({','.join('?' * columns)})"] * rows)


_Op = tuple[int, Any, "asyncio.Future[Any]"]


def _bodiless(entry: Entry) -> Entry:
    """`entry` as it waits in memory: its body is read from the file when handed out."""
    return attrs.evolve(entry, body=b"", event=None)


class SqliteJournal(BaseJournal):
    """A [`Journal`][gewe_async.bot.Journal] in one SQLite file (WAL mode), for one process.

    Survives a crash of the process: an entry is on disk before `append` returns, and entries
    not acknowledged are delivered again (`attempt > 1`) when the file is opened next. With
    `synchronous="FULL"` (the default) it also survives a power loss or an OS crash; `"NORMAL"`
    saves an fsync per commit and may lose the last commits then, which GeWe never resends.

    The file has one owner: it is locked exclusively while open, and a second process
    opening it gets `sqlite3.OperationalError`. Of an unacknowledged entry, memory holds its
    key, chat and id, up to `max_pending` of them; its body stays in the file until it is
    handed out (at most 64 bodies are read ahead at a time).

    Recovery: a failed commit (a full disk, an I/O error) makes `append` raise (the receiver
    answers 503) and sets `unavailable_since`; stored entries keep being handed out; a failed
    hand-out mark puts its deliveries back and is retried with capped exponential backoff; a
    failed ack releases its chat at once and is retried in the background (should the process
    stop first, the entry comes back with `attempt` 2). Once the disk takes writes again, all
    goes on by itself.

    Dead letters are rows of the file's `dead_letters` table; a dead-lettered entry moves
    there in one transaction, so a crash keeps it in one of the two tables, never neither.

    Args:
        path: The database file; created with its tables if missing.
        dedupe_window: Seconds a key is remembered to refuse duplicates (48 h by default).
        synchronous: SQLite's `synchronous` setting for the WAL: `"FULL"` or `"NORMAL"`.
        max_pending: Stored, unacknowledged entries beyond which `append` waits.
        full_timeout: Seconds `append` waits for room before raising `JournalFullError`.
        max_dead_letters: Dead letters kept; past it the oldest are dropped (logged).
        prune_interval: Seconds between removals of keys older than the window.
        clock: The wall clock (`time.time`); tests pass a fake one.
    """

    def __init__(
        self,
        path: str | PathLike[str],
        *,
        dedupe_window: float = DEFAULT_DEDUPE_WINDOW,
        synchronous: Literal["FULL", "NORMAL"] = "FULL",
        max_pending: int = 100_000,
        full_timeout: float = 1.0,
        max_dead_letters: int = DEFAULT_MAX_DEAD_LETTERS,
        prune_interval: float = 600.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Make the journal of `path`, not opened yet; the arguments are described above."""
        if synchronous not in ("FULL", "NORMAL"):
            raise ValueError(f"synchronous must be 'FULL' or 'NORMAL', not {synchronous!r}")
        name = f"SqliteJournal({str(path)!r})"
        super().__init__(name, dedupe_window, max_pending, full_timeout, max_dead_letters, clock)
        self._path = path
        self._synchronous = synchronous
        self._prune_interval = positive_seconds("prune_interval", prune_interval)
        self._conn: sqlite3.Connection | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._ops: asyncio.Queue[_Op | None] = asyncio.Queue()
        self._writer: asyncio.Task[None] | None = None
        self._appending = 0
        self._last_prune = float("-inf")
        self._next_id = 0  # the last entry id given (the journal's thread only)
        self._health = Health(f"SqliteJournal({str(path)!r})")
        self._closing = asyncio.Event()
        self._retries: set[asyncio.Task[None]] = set()

    @property
    def path(self) -> str | PathLike[str]:
        """The database file."""
        return self._path

    @property
    def unavailable_since(self) -> float | None:
        """When a commit started failing (`time.time()`); `None` once one succeeded again."""
        return self._health.since

    def __repr__(self) -> str:
        return f"SqliteJournal({str(self._path)!r})"

    async def open(self) -> None:
        """Open (or create) the file, lock it, and load the entries left unacknowledged."""
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="gewe-sqlite-journal")
        pending = await self._run(self._connect)
        for row_id, key, chat, received_at, attempts in pending:
            entry = Entry(key=key, chat=chat, body=b"", received_at=received_at)
            self._chats.put(Delivery(entry, str(row_id), attempt=attempts + 1))
        self._writer = asyncio.create_task(self._write_loop(), name="gewe-sqlite-journal")

    async def aclose(self) -> None:
        """Finish the writes under way, then close the file; pending entries stay in it."""
        self._chats.close()
        self._closing.set()
        # Acks still failing stay undone: their entries come back (attempt 2) next run.
        for task in list(self._retries):
            task.cancel()
        await asyncio.gather(*self._retries, return_exceptions=True)
        if self._writer is not None:
            self._ops.put_nowait(None)
            await self._writer
            self._writer = None
        if self._executor is not None:
            await self._run(self._disconnect)
            self._executor.shutdown(wait=False)
            self._executor = None

    async def append(self, entry: Entry) -> bool:
        """Store `entry` durably; `False` when its key was seen within the window."""
        if self._writer is None:
            raise RuntimeError("the journal is not open")
        if len(self._chats) + self._appending >= self.max_pending:
            await self._wait_for_room()
        self._appending += 1
        try:
            row_id = await self._submit(_APPEND, entry)
        finally:
            self._appending -= 1
        if row_id is None:
            return False
        # The body stays in the file only until handed out: a waiting entry costs its key,
        # chat and id in memory, not its body (200 pending pushes of 500 KB held 100 MB).
        self._keep_parsed(str(row_id), entry)
        self._chats.put(Delivery(_bodiless(entry), str(row_id)))
        return True

    async def consume(self) -> AsyncIterator[Delivery]:
        """Yield deliveries, those left by an earlier run first, until the journal closes."""
        # An entry's attempt count is raised durably before it is handed out, so that after a
        # crash an entry a handler may have seen comes back as attempt >= 2. Committing that
        # per delivery capped hand-outs at the commit rate (about 600/s with FULL), so the
        # deliveries ready now are marked together in one commit and handed out from `ahead`.
        # An entry marked and not yet handed out when the process dies comes back as attempt
        # 2 too: `attempt > 1` means "may have been handled", and a false "maybe" is safe
        # where a false "first time" is not. At most `_AHEAD` entries are marked in advance.
        ahead: deque[Delivery] = deque()
        bodies: dict[int, bytes] = {}
        try:
            while True:
                if not ahead:
                    first = await self._chats.get()
                    if first is None:
                        return
                    ahead.append(first)
                    ahead.extend(self._chats.take_ready(_AHEAD - 1))
                    try:
                        bodies = await self._submit(_DELIVER, [int(d.id) for d in ahead])
                    except sqlite3.Error:
                        # Not marked, so not handed out: back to their chats' heads, and
                        # marked again once the file takes writes (a mark that raised out
                        # of `consume` ended the consumer, issue 19).
                        for delivery in ahead:
                            self._chats.put_back(delivery)
                        ahead.clear()
                        await self._pause(backoff(self._health.failures))
                        continue
                delivery = self._handing_out(ahead.popleft())
                body = bodies.pop(int(delivery.id), b"")
                delivery = attrs.evolve(delivery, entry=attrs.evolve(delivery.entry, body=body))
                yield self._with_parsed(delivery, delivery.id)
        finally:
            # Closed, cancelled or failed: what was not handed out goes back to its chat's
            # head for the other consumers (in order: one per chat, so chats do not mix).
            for delivery in ahead:
                self._chats.put_back(delivery)

    async def ack(self, delivery: Delivery) -> None:
        """Mark `delivery` handled: its entry is removed, its key kept for the window."""
        try:
            await self._submit(_ACK, int(delivery.id))
        except sqlite3.Error:
            # The entry is handled: its chat goes on now, and the removal is retried in the
            # background (a failed ack once wedged its chat for good, issue 19). Should the
            # process stop first, the entry is delivered again with `attempt` 2.
            task = asyncio.create_task(self._retry_ack(int(delivery.id)))
            self._retries.add(task)
            task.add_done_callback(self._retries.discard)
        self._chats.done(attrs.evolve(delivery, entry=_bodiless(delivery.entry)))
        self._room.freed()

    async def _retry_ack(self, row_id: int) -> None:
        failures = 1
        while not self._closing.is_set():
            await self._pause(backoff(failures))
            try:
                await self._submit(_ACK, row_id)
            except sqlite3.Error:
                failures += 1
            else:
                return

    async def _pause(self, seconds: float) -> None:
        """Sleep `seconds`, or less if the journal closes meanwhile."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), seconds)

    async def stats(self) -> JournalStats:
        """Depth, age of the oldest unacknowledged entry, and redeliveries since `open`."""
        oldest = await self._run(self._oldest_received_at)
        age = None if oldest is None else max(0.0, self._clock() - oldest)
        return JournalStats(
            depth=len(self._chats), oldest_pending_age=age, redeliveries=self._redeliveries
        )

    async def _wait_for_room(self) -> None:
        await self._room.wait(
            lambda: len(self._chats) + self._appending < self.max_pending,
            self.full_timeout,
            lambda: f"{self.max_pending} entries are waiting for handlers",
        )

    async def _submit(self, kind: int, arg: Any) -> Any:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._ops.put_nowait((kind, arg, future))
        return await future

    async def _run(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    async def _write_loop(self) -> None:
        closing = False
        while not closing:
            first = await self._ops.get()
            batch: list[_Op] = []
            if first is None:
                closing = True
            else:
                batch.append(first)
            while len(batch) < _BATCH and not self._ops.empty():
                op = self._ops.get_nowait()
                if op is None:
                    closing = True
                else:
                    batch.append(op)
            if not batch:
                continue
            try:
                results = await self._run(self._apply, [(k, a) for k, a, _ in batch])
            except Exception as exc:  # the disk failed: every caller of this batch hears it
                self._health.failed(exc)
                for _, _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            self._health.ok()
            for (_, _, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)

    async def _dead_io(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run a dead-letter transaction on the journal's thread, recording the disk's health."""
        if self._writer is None:
            raise RuntimeError("the journal is not open")
        try:
            result = await self._run(fn, *args)
        except sqlite3.Error as exc:
            self._health.failed(exc)
            raise
        self._health.ok()
        return result

    async def _bury(self, delivery: Delivery, letter: DeadLetter) -> int:
        try:
            dropped: int = await self._dead_io(self._move_to_dead, int(delivery.id), letter)
        except sqlite3.Error:
            # Its chat goes on all the same; the entry stays and comes back next run.
            dropped = 0
        self._chats.done(attrs.evolve(delivery, entry=_bodiless(delivery.entry)))
        self._room.freed()
        return dropped

    async def _dead_letters(self) -> list[DeadLetter]:
        rows = await self._dead_io(self._read_dead)
        return [
            DeadLetter(
                id=str(row_id),
                entry=Entry(key=key, chat=chat, body=bytes(body), received_at=received_at),
                error=error,
                attempts=attempts,
                first_failed_at=first,
                last_failed_at=last,
            )
            for row_id, key, chat, body, received_at, error, attempts, first, last in rows
        ]

    async def _replay(self, ids: list[str] | None) -> int:
        chosen = None if ids is None else [int(i) for i in ids if i.isdigit()]
        stored = await self._dead_io(self._revive, chosen)
        for row_id, key, chat, received_at in stored:
            entry = Entry(key=key, chat=chat, body=b"", received_at=received_at)
            self._chats.put(Delivery(entry, str(row_id)))
        return len(stored)

    async def _purge(self, ids: list[str] | None) -> int:
        chosen = None if ids is None else [int(i) for i in ids if i.isdigit()]
        count: int = await self._dead_io(self._drop_dead, chosen)
        return count

    # Everything below runs on the journal's thread.

    def _transaction(self, work: Callable[[sqlite3.Connection], Any]) -> Any:
        """`work(conn)` in one transaction: committed, or rolled back (ids given back too)."""
        conn = self._conn
        assert conn is not None
        next_id = self._next_id
        conn.execute("BEGIN IMMEDIATE")
        try:
            result = work(conn)
            conn.execute("COMMIT")
        except BaseException:
            self._next_id = next_id
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return result

    def _move_to_dead(self, row_id: int, letter: DeadLetter) -> int:
        def move(conn: sqlite3.Connection) -> int:
            conn.execute(
                "INSERT INTO dead_letters (key, chat, body, received_at, error, attempts,"
                " first_failed_at, last_failed_at) SELECT key, chat, body, received_at, ?, ?, ?, ?"
                " FROM entries WHERE id = ?",
                (
                    letter.error,
                    letter.attempts,
                    letter.first_failed_at,
                    letter.last_failed_at,
                    row_id,
                ),
            )
            conn.execute("DELETE FROM entries WHERE id = ?", (row_id,))
            (count,) = conn.execute("SELECT COUNT(*) FROM dead_letters").fetchone()
            over = max(0, int(count) - self.max_dead_letters)
            if over:
                conn.execute(
                    "DELETE FROM dead_letters WHERE id IN"
                    " (SELECT id FROM dead_letters ORDER BY id LIMIT ?)",
                    (over,),
                )
            return over

        result: int = self._transaction(move)
        return result

    def _read_dead(self) -> list[tuple[Any, ...]]:
        assert self._conn is not None
        return self._conn.execute(
            f"SELECT {_DEAD_COLUMNS} FROM dead_letters ORDER BY id"  # noqa: S608
        ).fetchall()

    def _selected_dead(self, conn: sqlite3.Connection, ids: list[int] | None) -> list[Any]:
        if ids is None:
            return conn.execute(f"SELECT {_DEAD_COLUMNS} FROM dead_letters ORDER BY id").fetchall()  # noqa: S608
        rows: list[Any] = []
        for chunk in _chunks(ids, 1):
            rows += conn.execute(
                f"SELECT {_DEAD_COLUMNS} FROM dead_letters"  # noqa: S608
                f" WHERE id IN ({_marks(len(chunk), 1)}) ORDER BY id",
                chunk,
            ).fetchall()
        return sorted(rows)

    def _revive(self, ids: list[int] | None) -> list[tuple[int, str, str, float]]:
        def revive(conn: sqlite3.Connection) -> list[tuple[int, str, str, float]]:
            stored: list[tuple[int, str, str, float]] = []
            rows = self._selected_dead(conn, ids)
            for _, key, chat, body, received_at, *_ in rows:
                self._next_id += 1
                conn.execute(
                    "INSERT INTO entries (id, key, chat, body, received_at) VALUES (?, ?, ?, ?, ?)",
                    (self._next_id, key, chat, body, received_at),
                )
                stored.append((self._next_id, key, chat, received_at))
            self._each_id(conn, "DELETE FROM dead_letters", [row[0] for row in rows])
            return stored

        result: list[tuple[int, str, str, float]] = self._transaction(revive)
        return result

    def _drop_dead(self, ids: list[int] | None) -> int:
        def drop(conn: sqlite3.Connection) -> int:
            if ids is None:
                return conn.execute("DELETE FROM dead_letters").rowcount
            count = 0
            for chunk in _chunks(list(dict.fromkeys(ids)), 1):
                count += conn.execute(
                    f"DELETE FROM dead_letters WHERE id IN ({_marks(len(chunk), 1)})",  # noqa: S608
                    chunk,
                ).rowcount
            return count

        result: int = self._transaction(drop)
        return result

    def _connect(self) -> list[tuple[Any, ...]]:
        conn = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        try:
            # Exclusive locking: a second process cannot open the file (its pending entries
            # would be delivered twice), and WAL then needs no shared-memory file.
            conn.execute("PRAGMA locking_mode=EXCLUSIVE")
            conn.execute("PRAGMA busy_timeout=200")
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if mode != "wal":
                raise sqlite3.OperationalError(f"{self._path}: WAL mode unavailable ({mode})")
            conn.execute(f"PRAGMA synchronous={self._synchronous}")
            conn.execute("BEGIN IMMEDIATE")  # takes the exclusive lock, kept until close
            conn.executescript(_SCHEMA)  # commits
            rows = conn.execute(
                "SELECT id, key, chat, received_at, attempts FROM entries ORDER BY id"
            ).fetchall()
        except sqlite3.OperationalError as exc:
            conn.close()
            if "locked" in str(exc):
                raise sqlite3.OperationalError(
                    f"{self._path} is open in another process; a SQLite journal has one owner"
                ) from exc
            raise
        self._conn = conn
        # AUTOINCREMENT's counter: ids of entries deleted since are not given again either.
        (self._next_id,) = conn.execute(
            "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'entries'), 0),"
            " COALESCE((SELECT MAX(id) FROM entries), 0))"
        ).fetchone()
        self._prune(self._clock())
        return rows

    def _disconnect(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _apply(self, ops: Sequence[tuple[int, Any]]) -> list[Any]:
        now = self._clock()
        results: list[Any] = [None] * len(ops)
        # Few statements per batch, whatever its size: each releases the GIL and must win it
        # back from the busy event loop (about 0.2 ms a statement under the bench's load, when
        # the COMMIT itself takes 0.5 ms), so a batch's appends, its hand-outs and its acks
        # are one statement each, not one per operation.
        appends: list[tuple[int, Entry]] = []
        acked: list[int] = []

        def apply(conn: sqlite3.Connection) -> None:
            for n, (kind, arg) in enumerate(ops):
                if kind == _APPEND:
                    appends.append((n, arg))
                elif kind == _DELIVER:
                    self._each_id(conn, "UPDATE entries SET attempts = attempts + 1", arg)
                    results[n] = self._bodies(conn, arg)
                else:
                    acked.append(arg)
            if appends:
                self._insert(conn, appends, results, now)
            self._each_id(conn, "DELETE FROM entries", acked)
            if now - self._last_prune >= self._prune_interval:
                self._prune(now)

        self._transaction(apply)
        return results

    @staticmethod
    def _bodies(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, bytes]:
        """The bodies of the entries `ids`, read when they are handed out."""
        bodies: dict[int, bytes] = {}
        for chunk in _chunks(ids, 1):
            found = conn.execute(
                f"SELECT id, body FROM entries WHERE id IN ({_marks(len(chunk), 1)})",  # noqa: S608
                chunk,
            )
            bodies.update((row_id, bytes(body)) for row_id, body in found)
        return bodies

    @staticmethod
    def _each_id(conn: sqlite3.Connection, statement: str, ids: Sequence[int]) -> None:
        """Run `statement` on the entries `ids`, in as few statements as SQLite's limits allow."""
        for chunk in _chunks(ids, 1):
            conn.execute(f"{statement} WHERE id IN ({_marks(len(chunk), 1)})", chunk)

    def _insert(
        self,
        conn: sqlite3.Connection,
        appends: Sequence[tuple[int, Entry]],
        results: list[Any],
        now: float,
    ) -> None:
        """Store the entries whose keys are new, in order; their row ids go to `results`."""
        keys = list(dict.fromkeys(entry.key for _, entry in appends))
        seen: set[str] = set()
        for chunk in _chunks(keys, 1):
            found = conn.execute(
                f"SELECT key FROM seen WHERE at > ? AND key IN ({_marks(len(chunk), 1)})",  # noqa: S608
                [now - self.dedupe_window, *chunk],
            )
            seen.update(key for (key,) in found)
        # A key seen within the window, or earlier in this batch, is a duplicate (`None`).
        new: list[tuple[int, Entry]] = []
        for n, entry in appends:
            if entry.key not in seen:
                seen.add(entry.key)
                new.append((n, entry))
        if not new:
            return
        # Ids are given, not left to AUTOINCREMENT: one multi-row INSERT then stores the batch
        # and the ids are known without reading them back row by row. The file is locked to
        # this connection, so no one else takes ids; they keep rising and are never reused.
        for chunk in _chunks([value for _, entry in new for value in (entry.key, now)], 2):
            conn.execute(
                f"INSERT INTO seen (key, at) VALUES {_marks(len(chunk) // 2, 2)}"  # noqa: S608
                " ON CONFLICT (key) DO UPDATE SET at = excluded.at",
                chunk,
            )
        rows: list[Any] = []
        for n, entry in new:
            self._next_id += 1
            results[n] = self._next_id
            rows += (self._next_id, entry.key, entry.chat, entry.body, entry.received_at)
        for chunk in _chunks(rows, 5):
            conn.execute(
                "INSERT INTO entries (id, key, chat, body, received_at)"  # noqa: S608
                f" VALUES {_marks(len(chunk) // 5, 5)}",
                chunk,
            )

    def _prune(self, now: float) -> None:
        assert self._conn is not None
        self._conn.execute("DELETE FROM seen WHERE at <= ?", (now - self.dedupe_window,))
        self._last_prune = now

    def _oldest_received_at(self) -> float | None:
        assert self._conn is not None
        row = self._conn.execute("SELECT MIN(received_at) FROM entries").fetchone()
        return None if row[0] is None else float(row[0])
