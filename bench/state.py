"""The conversation-state benchmark of issue 21: what reading and writing state costs a bot.

In one process, per storage kind, pushes go the receiver's way: `Receiver.accept` stores
each in a journal of the same kind (memory, a `SqliteJournal` file, a `RedisJournal` on a
redis-server started here on loopback), and the receiver's `Runner` hands them to the
handler. Two handlers take turns under the same load:

- ``stateless``: counts the event;
- ``state``: ``await ctx.state.get()`` then ``await ctx.state.set(step, n=..., last=...)``
  on every event (one read, one write of the step and the data: what a form's step does),
  then counts it; with BENCH_STATE_CALLS=3, ``get``, ``update(n=..., last=...)`` and
  ``set(step)`` (one read, two writes);
  the storage is the journal's kind (`MemoryStorage`, `SqliteStorage` in its own file,
  `RedisStorage` on the same server).

BENCH_PUSHES pushes (distinct NewMsgIds over 500 chats) are accepted by 16 concurrent
callers; a round ends when every push was handled. The modes alternate over BENCH_ROUNDS
rounds and each keeps its best. Printed: events/s, the state/stateless ratio, the p99
answer time of the pushes (what GeWe waits for: `accept` storing the push in the journal),
and the CPU time per event (this process's threads plus redis-server's), whose
stateless/state ratio is the cost of state on a machine too loaded for wall-clock rates.

Targets: state keeps >= 90 % of the stateless throughput in memory, >= 70 % on SQLite and
Redis; p99 answer time under 50 ms. It always exits 0: a benchmark reports, it does not
fail CI.

Run: python bench/state.py (BENCH_KINDS=sqlite,redis for some storages only)
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from loopback_redis import redis_server

from gewe_async.bot import Context, Dispatcher, MemoryJournal, Receiver, RedisJournal, SqliteJournal
from gewe_async.bot.fsm import BaseStorage, MemoryStorage, RedisStorage, SqliteStorage
from gewe_async.callbacks import TextMessage

PUSHES = int(os.environ.get("BENCH_PUSHES", "3000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
KINDS = os.environ.get("BENCH_KINDS", "memory,sqlite,redis").split(",")
THREE_CALLS = os.environ.get("BENCH_STATE_CALLS", "2") == "3"
CALLERS = 16
CHATS = 500
TARGETS = {"memory": 0.90, "sqlite": 0.70, "redis": 0.70}
P99_TARGET_MS = 50.0
_round = iter(range(10**6))


def push(i: int, offset: int) -> bytes:
    n = offset + i
    return json.dumps(
        {
            "TypeName": "AddMsg",
            "Appid": "wx_bench",
            "Wxid": "wxid_bench",
            "Data": {
                "MsgId": 1040356095 + n,
                "FromUserName": {"string": f"wxid_friend_{i % CHATS}"},
                "ToUserName": {"string": "wxid_bench"},
                "MsgType": 1,
                "Content": {"string": f"message {i}"},
                "Status": 3,
                "ImgStatus": 1,
                "ImgBuf": {"iLen": 0},
                "CreateTime": 1705043418,
                "MsgSource": "<msgsource>\n\t<signature>v1_volHXhv4</signature>\n</msgsource>\n",
                "PushContent": f"朝夕。 : message {i}",
                "NewMsgId": 7773749793478223190 + n,
                "MsgSeq": 640356095,
            },
        },
        ensure_ascii=False,
    ).encode()


async def server_cpu(redis_url: str | None) -> float:
    """CPU seconds redis-server has used so far (its work is part of what state costs)."""
    if redis_url is None:
        return 0.0
    from redis.asyncio import Redis

    async with Redis.from_url(redis_url) as redis:
        info = await redis.info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


async def one_round(
    kind: str, stateful: bool, where: Path, redis_url: str | None
) -> tuple[float, float, float]:
    """Events/s of one round, the p99 answer time (ms) of its pushes, CPU µs per event."""
    number = next(_round)
    journal: Any
    storage: BaseStorage
    if kind == "memory":
        journal, storage = MemoryJournal(), MemoryStorage()
    elif kind == "sqlite":
        journal = SqliteJournal(where / f"bot{number}.db")
        storage = SqliteStorage(where / f"bot{number}.db-state")
    else:
        assert redis_url is not None
        journal = RedisJournal(redis_url, prefix=f"j{number}")
        storage = RedisStorage(redis_url, prefix=f"j{number}")
    dp = Dispatcher(storage=storage)
    done = 0
    finished = asyncio.Event()

    if stateful:

        @dp.on(TextMessage)
        async def with_state(event: TextMessage, ctx: Context) -> None:
            nonlocal done
            step = await ctx.state.get()
            if THREE_CALLS:
                await ctx.state.update(n=done, last=event.text)
                await ctx.state.set("b" if step == "a" else "a")
            else:
                await ctx.state.set("b" if step == "a" else "a", n=done, last=event.text)
            done += 1
            if done == PUSHES:
                finished.set()

    else:

        @dp.on(TextMessage)
        async def without_state(event: TextMessage, ctx: Context) -> None:
            nonlocal done
            done += 1
            if done == PUSHES:
                finished.set()

    receiver = Receiver(dp, journal=journal)
    await receiver.start()
    await storage.open()
    bodies = [push(i, number * PUSHES) for i in range(PUSHES)]

    answer_times: list[float] = []

    async def caller(start: int) -> None:
        for body in bodies[start::CALLERS]:
            asked = time.perf_counter()
            answer = await receiver.accept(body)
            answer_times.append(time.perf_counter() - asked)
            if answer.status != 200:
                raise RuntimeError(f"push refused: {answer}")

    cpu_before = time.process_time() + await server_cpu(redis_url)
    started = time.perf_counter()
    await asyncio.gather(*(caller(c) for c in range(CALLERS)))
    await asyncio.wait_for(finished.wait(), 300)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() + await server_cpu(redis_url) - cpu_before
    await receiver.stop()
    await storage.aclose()
    answer_times.sort()
    return PUSHES / elapsed, answer_times[int(len(answer_times) * 0.99)] * 1000, cpu / PUSHES * 1e6


async def main() -> None:
    logging.basicConfig(level=logging.ERROR)  # not the receiver's no-secret warning per round
    with tempfile.TemporaryDirectory() as directory, redis_server(directory) as redis_url:
        where = Path(directory)
        best: dict[tuple[str, bool], float] = {}
        p99: dict[tuple[str, bool], float] = {}
        least_cpu: dict[tuple[str, bool], float] = {}
        for _ in range(ROUNDS):
            for kind in KINDS:
                for stateful in (False, True):
                    rate, late, cpu = await one_round(kind, stateful, where, redis_url)
                    key = (kind, stateful)
                    least_cpu[key] = min(least_cpu.get(key, math.inf), cpu)
                    best[key] = max(best.get(key, 0.0), rate)
                    p99[key] = min(p99.get(key, math.inf), late)
        print(f"{PUSHES} pushes, {CHATS} chats, best of {ROUNDS} rounds (events/s; p99 answer ms)")
        print(
            f"{'storage':8} {'stateless':>10} {'state':>10} {'ratio':>7}  target    "
            f"{'p99 -':>6} {'p99 state':>9}  {'cpu us/ev -':>11} {'state':>6} {'ratio':>6}"
        )
        for kind in KINDS:
            plain, stateful_rate = best[(kind, False)], best[(kind, True)]
            ratio = stateful_rate / plain
            verdict = "ok" if ratio >= TARGETS[kind] else "MISSED"
            late = p99[(kind, True)]
            print(
                f"{kind:8} {plain:10.0f} {stateful_rate:10.0f} {ratio:7.2f}  "
                f">= {TARGETS[kind]:.2f} {verdict:6} {p99[(kind, False)]:6.1f} {late:9.1f}"
                f"{'' if late < P99_TARGET_MS else '  MISSED'}"
                f"  {least_cpu[(kind, False)]:11.0f} {least_cpu[(kind, True)]:6.0f} "
                f"{least_cpu[(kind, False)] / least_cpu[(kind, True)]:6.2f}"
            )
    sys.stdout.flush()


if __name__ == "__main__":
    asyncio.run(main())
