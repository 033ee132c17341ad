"""The receiver benchmarks of issues 12 and 16: how fast pushes are answered while handlers are slow.

One run serves, each under uvicorn on loopback in its own process, in turn under the same load:

- ``bare``: an ASGI app that reads the body and answers 200 (the ceiling);
- ``memory``: `ASGIReceiver` on a `MemoryJournal`, with a handler that sleeps 1 s on every
  text message;
- ``sqlite``: the same receiver and handler on a `SqliteJournal` in a temporary file
  (``synchronous=FULL``, the default);
- ``redis``: the same on a `RedisJournal` (16 partitions) on a redis-server started here on
  loopback with ``appendonly yes`` and ``appendfsync everysec``;
- ``redis-always``: the same redis-server switched to ``appendfsync always`` (every answered
  push fsynced by Redis before the answer); BENCH_REDIS_ALWAYS=0 leaves it out.

The load generator (its own process) posts BENCH_PUSHES text pushes (distinct NewMsgIds over
500 chats) from 16 concurrent aiohttp posters, and reports answered pushes/s and answer-time
percentiles. The modes take turns over BENCH_ROUNDS rounds (bare, memory, sqlite, redis, ...,
bare, ...) so that the noise of a shared machine hits all alike; each keeps its best round.

After each round the bench checks the journal was really used: the server names its journal
class, and the keys stored are counted in the SQLite file or in Redis (answered + the warm-up
push), next to how many handlers finished meanwhile.

Targets: memory keeps >= 50 % of the bare app's throughput with p99 < 50 ms (issue 12); the
SQLite and Redis journals keep >= 50 % of the memory throughput with p99 < 100 ms (issue 16).
It always exits 0: a benchmark reports, it does not fail CI.

Run: python bench/receiver.py (or nox -s bench).

Profiling: BENCH_PROFILE=<dir> samples each server process with py-spy (which must be on the
PATH or next to the interpreter) while the load runs, and writes its collapsed stacks to
``<dir>/<mode>-<round>.txt`` (BENCH_PROFILE_NATIVE=1 adds native frames; BENCH_PROFILE_GIL=1
samples only the thread holding the GIL, i.e. Python's CPU, not threads waiting for it). The sampler costs
the server some CPU: figures from a profiled run are not comparable with unprofiled ones.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

from loopback_redis import redis_server

PUSHES = int(os.environ.get("BENCH_PUSHES", "5000"))
POSTERS = 16
CHATS = 500
TIME_CAP = 60.0
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
REDIS_ALWAYS = os.environ.get("BENCH_REDIS_ALWAYS", "1") != "0"
#: Modes to run, comma-separated (default: all); the ratios need bare and memory.
ONLY = [m for m in os.environ.get("BENCH_MODES", "").split(",") if m]
#: Where py-spy's profiles of the server processes go (unset: no profiling).
PROFILE = os.environ.get("BENCH_PROFILE")
PROFILE_NATIVE = os.environ.get("BENCH_PROFILE_NATIVE", "0") != "0"
PROFILE_GIL = os.environ.get("BENCH_PROFILE_GIL", "0") != "0"

#: mode -> the journal class its server must report (None: no receiver at all).
JOURNALS = {
    "bare": None,
    "memory": "MemoryJournal",
    "sqlite": "SqliteJournal",
    "redis": "RedisJournal",
    "redis-always": "RedisJournal",
}


def push(i: int) -> bytes:
    chat = f"wxid_friend_{i % CHATS}"
    return json.dumps(
        {
            "TypeName": "AddMsg",
            "Appid": "wx_bench",
            "Wxid": "wxid_bench",
            "Data": {
                "MsgId": 1040356095 + i,
                "FromUserName": {"string": chat},
                "ToUserName": {"string": "wxid_bench"},
                "MsgType": 1,
                "Content": {"string": f"message {i}"},
                "Status": 3,
                "ImgStatus": 1,
                "ImgBuf": {"iLen": 0},
                "CreateTime": 1705043418,
                "MsgSource": "<msgsource>\n\t<signature>v1_volHXhv4</signature>\n</msgsource>\n",
                "PushContent": f"朝夕。 : message {i}",
                "NewMsgId": 7773749793478223190 + i,
                "MsgSeq": 640356095,
            },
        },
        ensure_ascii=False,
    ).encode()


async def bare_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"0")]}
    )
    await send({"type": "http.response.body", "body": b""})


def receiver_app(mode: str, where: list[str], handled: list[int]) -> Any:
    """The same dispatcher and handler in every mode; only the journal differs."""
    from gewe_async.bot import ASGIReceiver, Dispatcher, MemoryJournal, RedisJournal, SqliteJournal
    from gewe_async.callbacks import TextMessage

    dp = Dispatcher(concurrency=256)

    @dp.on(TextMessage)
    async def slow(event: Any, ctx: Any) -> None:
        await asyncio.sleep(1.0)
        handled[0] += 1

    journal: Any
    if mode == "memory":
        journal = MemoryJournal(max_pending=PUSHES + 1000)
    elif mode == "sqlite":
        journal = SqliteJournal(where[0])  # synchronous="FULL", the default
    elif mode.startswith("redis"):
        journal = RedisJournal(where[0], prefix=where[1], partitions=16)
    else:
        raise ValueError(mode)
    return ASGIReceiver(dp, journal=journal, drain_timeout=0.1)


def serve(mode: str, where: list[str]) -> None:
    """Serve `mode` on a free port (printed first); at exit print what the journal did."""
    import logging

    import uvicorn

    # Handlers still asleep when the server is stopped are cancelled on purpose: not news.
    logging.getLogger("gewe_async.bot").setLevel(logging.ERROR)
    handled = [0]
    app = bare_app if mode == "bare" else receiver_app(mode, where, handled)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)  # the load may connect before uvicorn (and the journal) is up: it waits
    print(sock.getsockname()[1], flush=True)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
    # uvicorn shuts down gracefully on SIGTERM/SIGINT, then raises the signal again for the
    # handler it found: make that one a no-op, so that the report below is printed.
    for stop in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop, lambda *_: None)
    uvicorn.Server(config).run(sockets=[sock])
    journal = getattr(app, "journal", None)
    report: dict[str, Any] = {"journal": type(journal).__name__ if journal else None}
    report["handled"] = handled[0]
    if type(journal).__name__ == "MemoryJournal":
        report["stored"] = len(journal._seen)
    print(json.dumps(report), flush=True)


async def load(url: str) -> dict[str, float]:
    import aiohttp

    bodies = [push(i) for i in range(PUSHES)]
    times: list[float] = []
    statuses: dict[int, int] = {}
    next_push = iter(range(PUSHES))
    deadline = time.monotonic() + TIME_CAP

    async def poster(session: aiohttp.ClientSession) -> None:
        for i in next_push:
            if time.monotonic() > deadline:
                return
            started = time.perf_counter()
            async with session.post(
                url, data=bodies[i], headers={"content-type": "application/json"}
            ) as answer:
                await answer.read()
            times.append(time.perf_counter() - started)
            statuses[answer.status] = statuses.get(answer.status, 0) + 1

    connector = aiohttp.TCPConnector(limit=POSTERS)
    async with aiohttp.ClientSession(connector=connector) as session:
        await session.post(url, data=push(PUSHES + 1))  # warm up the connection path
        started = time.perf_counter()
        await asyncio.gather(*(poster(session) for _ in range(POSTERS)))
        wall = time.perf_counter() - started
    times.sort()
    return {
        "answered": statuses.get(200, 0),
        "other": sum(n for s, n in statuses.items() if s != 200),
        "per_s": statuses.get(200, 0) / wall,
        "p50_ms": 1000 * times[len(times) // 2],
        "p99_ms": 1000 * times[int(len(times) * 0.99) - 1],
    }


def py_spy() -> str:
    beside = os.path.join(os.path.dirname(sys.executable), "py-spy")
    return beside if os.path.exists(beside) else "py-spy"


def measure(mode: str, where: list[str], label: str = "") -> dict[str, Any]:
    server = subprocess.Popen(
        [sys.executable, __file__, "serve", mode, *where], stdout=subprocess.PIPE, text=True
    )
    sampler = None
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        if PROFILE:
            os.makedirs(PROFILE, exist_ok=True)
            command = [py_spy(), "record", "--pid", str(server.pid), "--format", "raw",
                       "--rate", "250", "--nonblocking",
                       "--output", os.path.join(PROFILE, f"{label or mode}.txt")]  # fmt: skip
            if PROFILE_NATIVE:
                command.append("--native")
            if PROFILE_GIL:
                command.append("--gil")
            sampler = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            time.sleep(0.5)  # let it attach before the load starts
        loaded = subprocess.run(
            [sys.executable, __file__, "load", f"http://127.0.0.1:{port}/gewe"],
            capture_output=True,
            text=True,
            timeout=TIME_CAP + 60,
        )
        if loaded.returncode:
            raise RuntimeError(f"the load generator failed on {mode}:\n{loaded.stderr}")
        out = loaded.stdout
    finally:
        if sampler is not None:
            sampler.send_signal(signal.SIGINT)  # py-spy writes its profile on SIGINT
            try:
                sampler.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                sampler.kill()
                sampler.communicate()
        server.send_signal(signal.SIGTERM)
        try:
            report, _ = server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            report, _ = server.communicate()
    result: dict[str, Any] = json.loads(out)
    result.update(json.loads(report.strip().splitlines()[-1]))
    return result


def stored_in_sqlite(path: str) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM seen").fetchone()[0])


def stored_in_redis(client: Any, prefix: str) -> int:
    return sum(1 for _ in client.scan_iter(match=f"{{{prefix}:*}}:seen:*", count=1000))


def main() -> int:
    import redis

    # Ctrl-C (KeyboardInterrupt) and SIGTERM (a CI timeout) both unwind through the `finally`s
    # below: the servers, the redis-server and the temporary files go with the bench.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    modes = [m for m in JOURNALS if (REDIS_ALWAYS or m != "redis-always") and m in (ONLY or [m])]
    runs: dict[str, list[dict[str, Any]]] = {mode: [] for mode in modes}
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="gewe-bench-") as tmp, redis_server(tmp) as url:
        client = redis.Redis.from_url(url)
        redis_version = client.info("server")["redis_version"]
        try:
            for n in range(ROUNDS):
                for mode in modes:
                    where: list[str] = []
                    if mode == "sqlite":
                        # A fresh file each round: the same pushes again would be duplicates.
                        where = [os.path.join(tmp, f"journal-{n}.db")]
                    elif mode.startswith("redis"):
                        fsync = "always" if mode == "redis-always" else "everysec"
                        client.config_set("appendfsync", fsync)
                        where = [url, f"bench-{mode}-{n}"]
                    result = measure(mode, where, f"{mode}-{n}")
                    if mode == "sqlite":
                        result["stored"] = stored_in_sqlite(where[0])
                    elif mode.startswith("redis"):
                        result["stored"] = stored_in_redis(client, where[1])
                        result["fsync"] = client.config_get("appendfsync")["appendfsync"]
                        result["aof"] = client.config_get("appendonly")["appendonly"]
                        client.flushall()
                    runs[mode].append(result)
        finally:
            client.close()
    load_after = os.getloadavg()
    report(runs, redis_version, load_before, load_after)
    return 0


def report(
    runs: dict[str, list[dict[str, Any]]],
    redis_version: str,
    load_before: tuple[float, float, float],
    load_after: tuple[float, float, float],
) -> None:
    best = {mode: max(kept, key=lambda r: r["per_s"]) for mode, kept in runs.items()}
    print(
        f"receiver benchmark: {PUSHES} pushes over {CHATS} chats, {POSTERS} concurrent posters, "
        f"handlers sleep 1 s (concurrency 256), {os.cpu_count()} cores, best of {ROUNDS} "
        f"interleaved rounds"
    )
    print(
        f"load average before {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}, "
        f"after {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}"
    )
    print(
        f"sqlite: a temporary file, WAL, synchronous=FULL; redis: redis-server {redis_version} on "
        f"loopback, appendonly yes, appendfsync everysec (redis) / always (redis-always)"
    )
    print()
    print(
        f"{'mode':<13} {'answered':>8} {'best/s':>7} {'median/s':>8} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'worst p99':>9} {'stored':>7} {'handled':>7}  journal"
    )
    problems: list[str] = []
    for mode, kept in runs.items():
        r = best[mode]
        median = statistics.median(k["per_s"] for k in kept)
        worst = max(k["p99_ms"] for k in kept)
        stored = "-" if mode == "bare" else f"{r['stored']:.0f}"
        handled = "-" if mode == "bare" else f"{r['handled']:.0f}"
        journal = r["journal"] or "none"
        if mode.startswith("redis"):
            journal += f" (appendonly {r['aof']}, appendfsync {r['fsync']})"
        print(
            f"{mode:<13} {r['answered']:>8.0f} {r['per_s']:>7.0f} {median:>8.0f} {r['p50_ms']:>7.1f} "
            f"{r['p99_ms']:>7.1f} {worst:>9.1f} {stored:>7} {handled:>7}  {journal}"
        )
        for k in kept:
            if k["other"]:
                problems.append(f"{mode}: {k['other']:.0f} pushes not answered 200")
            if k["journal"] != JOURNALS[mode]:
                problems.append(
                    f"{mode}: the server ran journal {k['journal']}, not {JOURNALS[mode]}"
                )
            if mode != "bare" and k["stored"] != k["answered"] + 1:  # + the warm-up push
                problems.append(
                    f"{mode}: {k['stored']} keys stored for {k['answered']:.0f} answered (+1 warm-up)"
                )
            if mode != "bare" and not k["handled"]:
                problems.append(f"{mode}: no handler finished")
    print()
    print("each round, pushes/s (p99 ms):")
    for mode, kept in runs.items():
        rounds = "  ".join(f"{k['per_s']:>5.0f} ({k['p99_ms']:>5.1f})" for k in kept)
        print(f"  {mode:<13} {rounds}")
    print()

    def rate(mode: str) -> float:
        return float(best[mode]["per_s"])

    def worst_p99(mode: str) -> float:
        return max(float(k["p99_ms"]) for k in runs[mode])

    if not {"bare", "memory"} <= runs.keys():
        print("ratios need the bare and memory modes")
        return
    checks = [(f"memory / bare throughput {rate('memory') / rate('bare'):.0%}", "target >= 50 %",
               rate("memory") / rate("bare") >= 0.5),
              (f"memory worst p99 {worst_p99('memory'):.1f} ms", "target < 50 ms",
               worst_p99("memory") < 50)]  # fmt: skip
    for mode in runs:
        if mode in ("bare", "memory"):
            continue
        share = rate(mode) / rate("memory")
        checks.append((f"{mode} / memory throughput {share:.0%}", "target >= 50 %", share >= 0.5))
        checks.append(
            (f"{mode} worst p99 {worst_p99(mode):.1f} ms", "target < 100 ms", worst_p99(mode) < 100)
        )
    for text, target, met in checks:
        print(f"{text:<42} {target:<15} {'met' if met else 'MISSED'}")
    for problem in problems:
        print(f"CHECK FAILED: {problem}")
    ok = all(met for _, _, met in checks) and not problems
    print("targets met" if ok else "TARGETS MISSED (a benchmark reports; exit status 0)")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        serve(sys.argv[2], sys.argv[3:])
    elif len(sys.argv) > 1 and sys.argv[1] == "load":
        print(json.dumps(asyncio.run(load(sys.argv[2]))))
    else:
        try:
            sys.exit(main())
        except KeyboardInterrupt:
            sys.exit("interrupted: servers stopped, temporary files removed")
