"""Soak run (issue 5): 50,000 calls across 1,000 appIds against a faulty FakeGewe over TCP.

Reports failures by type, the client's memory along the run (to show there is no growth
trend) and its open sockets at the end, before and after closing. Not part of CI.

Usage: python bench/soak.py [CALLS] [FAULT_RATE]
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import time
from collections import Counter

from gewe_async import AsyncGeweClient, run_batch

APP_IDS = [f"wx_{i:05d}" for i in range(1, 1001)]
TOKEN = "soak-token"


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def open_sockets() -> int:
    fds = os.listdir("/proc/self/fd")
    count = 0
    for fd in fds:
        with contextlib.suppress(OSError):  # closed while we looked
            count += os.readlink(f"/proc/self/fd/{fd}").startswith("socket:")
    return count


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int, fault_rate: float) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gewe_async",
            "fake-server",
            "--port",
            str(port),
            "--devices",
            str(len(APP_IDS)),
            "--token",
            TOKEN,
            "--fault-rate",
            str(fault_rate),
            "--seed",
            "3",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return server
        except OSError:
            time.sleep(0.05)
    server.kill()
    raise RuntimeError("the fake server did not start")


async def soak(base_url: str, calls: int) -> None:
    rounds = calls // len(APP_IDS)
    failures: Counter[str] = Counter()
    attempts: Counter[int] = Counter()
    memory: list[tuple[int, float]] = []
    sockets_before = open_sockets()
    started = time.perf_counter()
    client = AsyncGeweClient(
        token=TOKEN, base_url=base_url, event_hooks=[lambda e: attempts.update([e.attempt])]
    )
    async with client:
        for n in range(rounds):
            if n % 2:
                urls = {a: f"https://example.com/{a}/{n}.png" for a in APP_IDS}
                result = await client.personal.update_head_imgs(urls)
            else:
                result = await run_batch(APP_IDS, client.personal.get_profile)
            failures.update(type(o.error).__name__ for o in result.failed)
            if n % max(1, rounds // 10) == 0 or n == rounds - 1:
                memory.append(((n + 1) * len(APP_IDS), rss_mb()))
        sockets_open = open_sockets() - sockets_before
    sockets_closed = open_sockets() - sockets_before
    wall = time.perf_counter() - started

    done = rounds * len(APP_IDS)
    print(f"{done:,} calls across {len(APP_IDS):,} appIds in {wall:.0f} s ({done / wall:,.0f}/s)")
    print(f"failed: {sum(failures.values()):,} ({sum(failures.values()) / done:.2%})")
    for name, count in failures.most_common():
        print(f"  {name}: {count:,}")
    retried = sum(c for a, c in attempts.items() if a > 1)
    print(f"retries taken: {retried:,}")
    print("memory (RSS MB) along the run:")
    for at, mb in memory:
        print(f"  after {at:>6,} calls: {mb:6.1f}")
    half = len(memory) // 2
    first, second = memory[:half] or memory, memory[half:]
    trend = sum(m for _, m in second) / len(second) - sum(m for _, m in first) / len(first)
    print(f"mean RSS, second half minus first half: {trend:+.1f} MB")
    print(f"open sockets: {sockets_open} before closing the client, {sockets_closed} after")


def main() -> None:
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    fault_rate = float(sys.argv[2]) if len(sys.argv) > 2 else 0.1
    port = free_port()
    server = start_server(port, fault_rate)
    try:
        print(
            f"FakeGewe on 127.0.0.1:{port}, fault rate {fault_rate:.0%} (50x pages, drops, truncations)"
        )
        asyncio.run(soak(f"http://127.0.0.1:{port}/v2/api", calls))
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
