"""Journal benchmark (issue 16): appends/s and p99 append latency, in memory, SQLite and Redis.

One run, side by side, each as a ratio to the in-memory baseline. 64 concurrent appenders stand
in for a receiver answering 64 pushes at once; every append returns only once stored (SQLite:
committed, group commit; Redis: the Lua script ran on a redis-server started here on loopback).

The receiver's answer also parses the push and speaks HTTP, so what matters there is the CPU an
append adds to each answer: the last column gives the share of the receiver's throughput kept
for a receiver spending RECEIVER_US microseconds of CPU per push without a journal (default
250 us, about 4,000 answers/s on one core; set BENCH_RECEIVER_US to the receiving benchmark's
figure).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from loopback_redis import redis_server

from gewe_async.bot import Entry, RedisJournal, SqliteJournal

APPENDS = int(os.environ.get("BENCH_APPENDS", "20000"))
CONCURRENCY = 64
RECEIVER_US = float(os.environ.get("BENCH_RECEIVER_US", "250"))
BODY = (
    b'{"TypeName":"AddMsg","Appid":"wx_app","Wxid":"wxid_bot","Data":{"MsgId":1,'
    + b"x" * 900
    + b"}}"
)


class MemoryBaseline:
    """What an in-memory journal does per append: a dedupe dict and a queue."""

    def __init__(self) -> None:
        self.seen: dict[str, float] = {}
        self.queue: deque[Entry] = deque()

    async def open(self) -> None:
        pass

    async def aclose(self) -> None:
        pass

    async def append(self, entry: Entry) -> bool:
        if entry.key in self.seen:
            return False
        self.seen[entry.key] = time.time()
        self.queue.append(entry)
        return True


async def measure(journal: Any) -> dict[str, float]:
    await journal.open()
    entries = [Entry(f"wx_app:{n}", f"chat-{n % 500}", BODY, time.time()) for n in range(APPENDS)]
    latencies: list[float] = []
    todo = iter(entries)

    async def appender() -> None:
        for entry in todo:
            start = time.perf_counter()
            await journal.append(entry)
            latencies.append(time.perf_counter() - start)

    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.gather(*(appender() for _ in range(CONCURRENCY)))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    await journal.aclose()
    latencies.sort()
    return {
        "rate": APPENDS / wall,
        "p50": latencies[len(latencies) // 2] * 1000,
        "p99": latencies[int(len(latencies) * 0.99)] * 1000,
        "cpu_us": cpu / APPENDS * 1e6,
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, redis_server(tmp) as url:
        modes: dict[str, Callable[[], Any]] = {
            "memory (dict + deque)": MemoryBaseline,
            "SQLite, synchronous=FULL": lambda: SqliteJournal(Path(tmp, "full.db")),
            "SQLite, synchronous=NORMAL": lambda: SqliteJournal(
                Path(tmp, "normal.db"), synchronous="NORMAL"
            ),
            "Redis (loopback, AOF everysec)": lambda: RedisJournal(url, prefix="bench"),
        }
        results = {name: asyncio.run(measure(make())) for name, make in modes.items()}
    base = results["memory (dict + deque)"]
    print(
        f"{APPENDS} appends of {len(BODY)}-byte bodies, {CONCURRENCY} concurrent, {os.cpu_count()} cores"
    )
    print(
        f"{'mode':32} {'appends/s':>10} {'ratio':>6} {'p50 ms':>7} {'p99 ms':>7} {'CPU us':>7} {'receiver kept':>13}"
    )
    for name, r in results.items():
        kept = RECEIVER_US / (RECEIVER_US + max(0.0, r["cpu_us"] - base["cpu_us"]))
        print(
            f"{name:32} {r['rate']:>10,.0f} {r['rate'] / base['rate']:>6.1%} {r['p50']:>7.2f}"
            f" {r['p99']:>7.2f} {r['cpu_us']:>7.0f} {kept:>13.0%}"
        )
    print(
        f"receiver kept: share of a {RECEIVER_US:.0f} us/push receiver's answers/s left once the append's CPU is added"
    )


if __name__ == "__main__":
    main()
