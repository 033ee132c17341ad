"""Storage outages: a journal rides out a Redis restart and a full SQLite disk by itself.

Real parts only: a redis-server stopped and started again on the same port with its AOF, and a
SQLite file whose connection hits a real SQLITE_FULL (`PRAGMA max_page_count`) or a real
`sqlite3.OperationalError` on one statement.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import shutil
import socket
import sqlite3
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from gewe_async.bot import Delivery, Journal, SqliteJournal
from tests.journals import entry, free_port

WAIT = 30.0  # generous: a loaded machine passes


class RedisProcess:
    """redis-server on a fixed port and directory, so that it can be stopped and started again."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._server: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server is not installed")
        self._server = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory),
             "--save", "", "--appendonly", "yes", "--appendfsync", "always",
             "--loglevel", "warning", "--logfile", str(self.directory / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while True:
            address = ("127.0.0.1", self.port)
            with contextlib.suppress(OSError), socket.create_connection(address) as c:
                c.sendall(b"PING\r\n")
                if c.recv(16).startswith(b"+PONG"):
                    return
            if self._server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        if self._server is not None:
            self._server.terminate()  # SIGTERM: Redis writes its AOF out and exits
            self._server.wait(20)
            self._server = None


@pytest.fixture
def redis_process(tmp_path: Path) -> Iterator[RedisProcess]:
    server = RedisProcess(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


class Handler:
    """A consumer that records every key it handles and acks it."""

    def __init__(self, journal: Journal, delay: float = 0.0) -> None:
        self.journal = journal
        self.delay = delay
        self.gate = asyncio.Event()
        self.gate.set()
        self.handled: collections.Counter[str] = collections.Counter()
        self._handlers: set[asyncio.Task[None]] = set()
        self.task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        async for delivery in self.journal.consume():
            task = asyncio.create_task(self._handle(delivery))
            self._handlers.add(task)
            task.add_done_callback(self._handlers.discard)

    async def _handle(self, delivery: Delivery) -> None:
        await self.gate.wait()
        self.handled[delivery.entry.key] += 1
        await asyncio.sleep(self.delay)
        await self.journal.ack(delivery)

    async def wait_for(self, keys: set[str]) -> None:
        deadline = time.monotonic() + WAIT
        while not keys <= set(self.handled) and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.05)

    async def stop(self) -> None:
        await self.journal.aclose()
        await asyncio.wait_for(self.task, WAIT)


async def append_all(journal: Journal, keys: list[str]) -> None:
    """Append each key as GeWe pushes: a refused push (503) is pushed again a little later."""
    for n, key in enumerate(keys):
        failed = False
        deadline = time.monotonic() + WAIT
        while True:
            try:
                stored = await journal.append(entry(key, chat=f"chat-{n % 5}"))
            except Exception:
                if time.monotonic() > deadline:
                    raise
                failed = True
                await asyncio.sleep(0.05)
                continue
            # After a failed try the entry may have been stored all the same: a duplicate.
            assert stored or failed
            break


@contextlib.asynccontextmanager
async def redis_journal(url: str) -> AsyncIterator[Journal]:
    from gewe_async.bot import RedisJournal

    journal = RedisJournal(url, prefix="outage", partitions=4, lease=30.0)
    await journal.open()
    yield journal


async def test_redis_restart_mid_stream_delivers_everything_once(redis_process: RedisProcess):
    async with redis_journal(redis_process.url) as journal:
        handler = Handler(journal)
        before = [f"before-{n}" for n in range(100)]
        await append_all(journal, before)
        await handler.wait_for(set(before[:10]))

        redis_process.stop()
        await asyncio.sleep(1.0)  # the worker's reads, leases and acks fail meanwhile
        deadline = time.monotonic() + WAIT
        while journal.unavailable_since is None and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        assert journal.unavailable_since is not None
        redis_process.start()  # the same port, the same AOF

        after = [f"after-{n}" for n in range(100)]
        await append_all(journal, after)
        await handler.wait_for(set(before + after))
        await asyncio.sleep(0.5)  # a second delivery, if any, has time to show
        try:
            assert set(handler.handled) == set(before + after)
            assert [k for k, n in handler.handled.items() if n > 1] == []
            assert journal.unavailable_since is None
        finally:
            await handler.stop()


class FailOnce:
    """The journal's real sqlite3 connection, raising once for the first statement of a kind."""

    def __init__(self, conn: sqlite3.Connection, statement: str) -> None:
        self._conn = conn
        self._statement = statement
        self.failed = False

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
        if not self.failed and sql.startswith(self._statement):
            self.failed = True
            raise sqlite3.OperationalError("disk I/O error (injected)")
        return self._conn.execute(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


@pytest.mark.parametrize(
    "statement", ["DELETE FROM entries", "UPDATE entries"], ids=["ack", "mark"]
)
async def test_sqlite_one_failed_ack_or_mark_wedges_nothing(tmp_path: Path, statement: str):
    journal = SqliteJournal(tmp_path / "journal.db")
    await journal.open()
    failing = FailOnce(journal._conn, statement)  # type: ignore[arg-type]
    journal._conn = failing  # type: ignore[assignment]
    handler = Handler(journal)
    keys = [f"push-{n}" for n in range(32)]
    try:
        await append_all(journal, keys)
        await handler.wait_for(set(keys))
        await asyncio.sleep(0.3)
        assert failing.failed
        assert set(handler.handled) == set(keys)
        assert [k for k, n in handler.handled.items() if n > 1] == []
        deadline = time.monotonic() + WAIT
        while (await journal.stats()).depth and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        assert (await journal.stats()).depth == 0
    finally:
        await handler.stop()
    # The retried ack reached the file: nothing comes back on the next run.
    again = SqliteJournal(tmp_path / "journal.db")
    await again.open()
    try:
        assert (await again.stats()).depth == 0
    finally:
        await again.aclose()


async def test_sqlite_disk_full_then_space_back(tmp_path: Path):
    journal = SqliteJournal(tmp_path / "journal.db")
    await journal.open()
    handler = Handler(journal, delay=0.02)
    conn = journal._conn
    assert conn is not None
    stored = [f"stored-{n}" for n in range(20)]
    try:
        handler.gate.clear()
        await append_all(journal, stored)
        # No page more: a real SQLITE_FULL on every write that needs one.
        await journal._run(
            lambda: conn.execute("PRAGMA max_page_count = 1")  # clamped to the current size
        )
        handler.gate.set()
        refused = 0
        seen_unavailable = False
        deadline = time.monotonic() + WAIT
        while not set(stored) <= set(handler.handled) and time.monotonic() < deadline:
            with pytest.raises(sqlite3.OperationalError, match="full"):
                await journal.append(entry(f"refused-{refused}", body=b"x" * 20_000))
            seen_unavailable |= journal.unavailable_since is not None
            refused += 1
            await asyncio.sleep(0.005)
        assert set(stored) <= set(handler.handled)  # stored ones went on while full
        assert seen_unavailable

        await journal._run(lambda: conn.execute("PRAGMA max_page_count = 1000000"))
        later = [f"later-{n}" for n in range(20)]
        await append_all(journal, later)
        await handler.wait_for(set(stored + later))
        assert set(handler.handled) == set(stored + later)
        assert [k for k, n in handler.handled.items() if n > 1] == []
        assert journal.unavailable_since is None
    finally:
        await handler.stop()


async def test_redis_connections_killed_mid_stream_deliver_everything_once(
    redis_process: RedisProcess,
):
    import redis.asyncio as aioredis

    admin = aioredis.Redis.from_url(redis_process.url)
    async with redis_journal(redis_process.url) as journal:
        handler = Handler(journal)
        keys = [f"push-{n}" for n in range(200)]
        try:
            for round_ in range(4):  # every connection of the journal dropped, four times
                await append_all(journal, keys[round_ * 50 : (round_ + 1) * 50])
                await admin.execute_command("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes")
            await handler.wait_for(set(keys))
            await asyncio.sleep(0.5)  # a second delivery, if any, has time to show
            assert set(handler.handled) == set(keys)
            assert [k for k, n in handler.handled.items() if n > 1] == []
        finally:
            await handler.stop()
            await admin.aclose()
