"""A real redis-server on a free loopback port: for the benchmarks and the tests alike.

bench/ scripts import it by name (`python bench/x.py` puts bench/ on the path); the tests
import it as `bench.loopback_redis` (tests/journals.py).
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def redis_server(directory: str | Path, *, appendfsync: str = "everysec") -> Iterator[str]:
    """Run redis-server with the AOF on (``appendonly yes``) in `directory`; yield its URL.

    No RDB snapshots (``save ""``): the AOF is what a journal relies on. The server is stopped
    on exit, Ctrl-C included.
    """
    binary = shutil.which("redis-server")
    if binary is None:  # CI installs it (.ci/run, the nox sessions)
        raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    log = Path(directory, "redis.log")
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(directory), "--save", "",
         "--appendonly", "yes", "--appendfsync", appendfsync, "--loglevel", "warning",
         "--logfile", str(log)],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port)) as c:
                c.sendall(b"PING\r\n")
                if c.recv(16).startswith(b"+PONG"):
                    break
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"redis-server did not start: {log.read_text() if log.exists() else ''}"
                )
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
