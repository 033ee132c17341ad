"""Where the fleet's records live: the bot's storage (memory, an SQLite file, Redis).

The scheduler and the outbox keep small records of their own beside the conversations: in
the same SQLite file (tables of their own; the file is in WAL mode, so connections share it)
or the same Redis server and prefix (keys of their own). ``memory`` is an SQLite database in
memory, run on the event loop's thread: the same SQL, nothing kept across a restart.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from os import PathLike
from typing import TYPE_CHECKING, Any, Final, TypeVar
from urllib.parse import urlunsplit

import attrs

from gewe_async.bot._redis import import_redis
from gewe_async.bot._urls import REDIS_SCHEMES, names_memory, split_store_url, sqlite_path
from gewe_async.bot._urls import unknown_scheme as _unknown_scheme
from gewe_async.bot.fsm._base import BaseStorage

if TYPE_CHECKING:
    from redis.asyncio import Redis

T = TypeVar("T")

#: What a fleet part takes as its store: a URL (``memory``, ``sqlite:///bot.db-state``,
#: ``redis://...``), a conversation storage to sit beside, or a path to an SQLite file.
StoreSpec = str | BaseStorage | PathLike[str]

_OPEN_TRIES: Final = 20


@attrs.frozen
class Where:
    """A store resolved: ``"sqlite"`` (``path`` ``":memory:"`` for memory) or ``"redis"``."""

    kind: str
    path: str = ":memory:"
    url: str = ""
    prefix: str = "gewe"
    client: Any = None


def resolve(store: StoreSpec, what: str) -> Where:
    """Where ``store`` puts the records (see `StoreSpec`).

    Raises:
        ValueError: An unknown URL scheme.
        TypeError: Not a URL, a path or a storage.
    """
    from gewe_async.bot.fsm._memory import MemoryStorage
    from gewe_async.bot.fsm._redis import RedisStorage
    from gewe_async.bot.fsm._sqlite import SqliteStorage

    if isinstance(store, MemoryStorage):
        return Where("sqlite")
    if isinstance(store, SqliteStorage):
        # A storage that is not shared keeps its file locked for as long as it is open: the
        # records of a second connection go to a file beside it.
        path = str(store._path)
        return Where("sqlite", path=path if store.shared else f"{path}-{what}")
    if isinstance(store, RedisStorage):
        return Where("redis", url=store._url, prefix=store._prefix, client=store._given)
    if isinstance(store, PathLike):
        return Where("sqlite", path=str(store))
    if not isinstance(store, str):
        raise TypeError(
            f"the {what} store is a URL, a path or a conversation storage, not {store!r}"
        )
    parts = split_store_url(store, what)
    scheme = parts.scheme.lower()
    if names_memory(parts):
        return Where("sqlite")
    if scheme == "sqlite":
        if parts.query:
            raise ValueError(f"the {what} store takes no options: {store!r}")
        return Where("sqlite", path=sqlite_path(parts, store, what))
    if scheme in REDIS_SCHEMES:
        return Where("redis", url=urlunsplit(parts))
    raise _unknown_scheme(parts, store, what)


class Sqlite:
    """One SQLite connection: on a thread of its own for a file, inline for memory.

    Each `run` is one ``BEGIN IMMEDIATE`` transaction, so processes sharing a file take
    turns, and what a function reads it may change before anyone else looks.
    """

    def __init__(self, path: str, schema: str) -> None:
        self.path = path
        self._schema = schema
        self._conn: sqlite3.Connection | None = None
        self._executor: ThreadPoolExecutor | None = None

    @property
    def inline(self) -> bool:
        return self.path == ":memory:"

    async def open(self) -> None:
        if self._conn is not None:
            return
        if self.inline:
            self._connect()
            return
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="gewe-fleet-sqlite")
        try:
            await asyncio.get_running_loop().run_in_executor(self._executor, self._connect)
        except BaseException:
            self._executor.shutdown(wait=False)
            self._executor = None
            raise

    def _connect(self) -> None:
        for attempt in range(_OPEN_TRIES):
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            try:
                conn.execute("PRAGMA busy_timeout=5000")
                if not self.inline:
                    conn.execute("PRAGMA journal_mode=WAL")
                    conn.execute("PRAGMA synchronous=NORMAL")
                conn.executescript(self._schema)
            except sqlite3.OperationalError as exc:
                conn.close()
                # Another connection switching the file to WAL answers "locked" at once.
                if "locked" not in str(exc) or attempt == _OPEN_TRIES - 1:
                    raise
                time.sleep(0.05)
                continue
            except BaseException:
                conn.close()
                raise
            self._conn = conn
            return

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        if self._executor is None:
            conn.close()
            return
        executor, self._executor = self._executor, None
        await asyncio.get_running_loop().run_in_executor(executor, conn.close)
        executor.shutdown(wait=True)

    def _transaction(self, work: Callable[..., T], args: tuple[Any, ...]) -> T:
        conn = self._conn
        assert conn is not None
        conn.execute("BEGIN IMMEDIATE")
        try:
            result = work(conn, *args)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return result

    async def run(self, work: Callable[..., T], *args: Any) -> T:
        """``work(conn, *args)`` in one transaction."""
        if self._conn is None:
            await self.open()
        if self._executor is None:
            return self._transaction(work, args)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._transaction, work, args)


class SqliteStore:
    """A fleet store in SQLite: one `Sqlite` connection made with the subclass's `SCHEMA`."""

    SCHEMA: str = ""

    def __init__(self, path: str) -> None:
        self.db = Sqlite(path, self.SCHEMA)

    async def open(self) -> None:
        await self.db.open()

    async def close(self) -> None:
        await self.db.close()


class RedisConn:
    """A redis-py asyncio client, made from a URL (and closed) unless one was given."""

    def __init__(self, where: Where) -> None:
        self.where = where
        self.client: Redis | None = where.client
        self._owned = False

    async def open(self) -> Redis:
        if self.client is None:
            aioredis = import_redis("a Redis store needs redis-py: pip install 'gewe-async[redis]'")
            self.client = aioredis.Redis.from_url(self.where.url)
            self._owned = True
        return self.client

    async def close(self) -> None:
        if self._owned and self.client is not None:
            await self.client.aclose()
            self.client = None
            self._owned = False


class RedisScripts:
    """A fleet store in Redis: a connection, a key prefix and Lua scripts called by name.

    A subclass lists its scripts in `SCRIPTS` (name, body); each script takes the prefix as
    ``ARGV[1]``, then the arguments of `_call`.
    """

    SCRIPTS: tuple[tuple[str, str], ...] = ()

    def __init__(self, where: Where) -> None:
        self.conn = RedisConn(where)
        self.prefix = where.prefix
        self._scripts: dict[str, Any] = {}

    async def open(self) -> None:
        client = await self.conn.open()
        if not self._scripts:
            for name, body in self.SCRIPTS:
                self._scripts[name] = client.register_script(body)

    async def close(self) -> None:
        await self.conn.close()
        self._scripts = {}

    async def _call(self, name: str, *args: Any) -> Any:
        if not self._scripts:
            await self.open()
        return await self._scripts[name](keys=[], args=[self.prefix, *args])


def text(value: Any) -> str:
    """A Redis reply as str."""
    return value.decode() if isinstance(value, bytes) else str(value)
