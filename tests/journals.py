"""Helpers of the journal tests: a real redis-server on loopback, a fake clock, entries."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

from gewe_async.bot import Entry

#: CI installs it (.ci/run); locally: apt-get install redis-server.
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


class FakeClock:
    """A wall clock that moves only when told to."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def entry(key: str, chat: str = "chat-a", body: bytes | None = None, at: float = 0.0) -> Entry:
    """An entry with `key` in `chat`."""
    return Entry(key=key, chat=chat, body=body or key.encode(), received_at=at)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def redis_server(directory: Path, *, appendonly: bool = False) -> Iterator[str]:
    """Run a real redis-server on a free loopback port in `directory`; yield its URL."""
    port = free_port()
    args = [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(directory)]
    args += ["--save", "", "--appendonly", "yes" if appendonly else "no", "--loglevel", "warning"]
    log = directory / "redis.log"
    args += ["--logfile", str(log)]
    server = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port)) as c:
                c.sendall(b"PING\r\n")
                if c.recv(16).startswith(b"+PONG"):
                    break
            if server.poll() is not None or time.monotonic() > deadline:
                log_text = log.read_text() if log.exists() else ""
                raise RuntimeError(f"redis-server did not start: {log_text}")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(10)
