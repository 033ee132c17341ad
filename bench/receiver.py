"""The receiver benchmarks of issues 12 and 16: how fast pushes are answered while handlers are slow.

One run serves, on each server of BENCH_SERVERS (comma-separated; default
``h11,httptools,granian,receive``, those installed) and in its own process on loopback, in turn under
the same load:

- ``bare``: an ASGI app that reads the body and answers 200 (the ceiling);
- ``memory``: `ASGIReceiver` on a `MemoryJournal`, with a handler that sleeps 1 s on every
  text message;
- ``sqlite``: the same receiver and handler on a `SqliteJournal` in a temporary file
  (``synchronous=FULL``, the default);
- ``sqlite-normal`` (only when BENCH_MODES names it): the same with ``synchronous=NORMAL``
  (no fsync per commit), to tell the disk's share of the SQLite cost from the CPU's;
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

Servers: ``h11`` is uvicorn with its h11 protocol on asyncio's loop (uvicorn alone);
``httptools`` is uvicorn with httptools on uvloop (``uvicorn[standard]``); ``granian`` is
Granian's Rust server (one worker, its ASGI interface); ``receive`` is what
``gewe-async receive`` runs (gewe_async.cli._serve: uvicorn, its guarded protocol chosen by
``--http auto``, uvicorn's loop ``auto``). Every ratio compares modes on the same server.

Columns: best and median pushes/s of the rounds, p50/p99 of the best round, the worst p99 of
all, and ``CPU us``: the server process's CPU (every thread, handlers included) per answered
push from start-up to shutdown, median of the rounds. On a shared machine pushes/s swings with
the neighbours' load; CPU per push much less, and it says what each layer costs.

Targets (issue 23): memory keeps >= 90 % of the bare app's throughput, SQLite and Redis
>= 70 % of memory, every p99 < 50 ms.
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
import pathlib
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
#: Servers to run the modes on, comma-separated (see the docstring).
SERVERS = [s for s in os.environ.get("BENCH_SERVERS", "h11,httptools,granian,receive").split(",") if s]
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
    "sqlite-normal": "SqliteJournal",  # only when BENCH_MODES names it
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
    elif mode == "sqlite-normal":  # no fsync per commit: survives a crash, not a power cut
        journal = SqliteJournal(where[0], synchronous="NORMAL")
    elif mode.startswith("redis"):
        journal = RedisJournal(where[0], prefix=where[1], partitions=16)
    else:
        raise ValueError(mode)
    return ASGIReceiver(dp, journal=journal, drain_timeout=0.1)


def reporting(app: Any, handled: list[int], path: str) -> Any:
    """`app`, writing what its journal did to `path` when the server shuts it down.

    At lifespan shutdown, so that it works in Granian's worker process as in uvicorn's.
    """
    journal = getattr(app, "journal", None)
    started = [0.0]

    def cpu() -> float:
        import resource

        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    def report() -> None:
        out: dict[str, Any] = {"journal": type(journal).__name__ if journal else None}
        out["handled"] = handled[0]
        # The server process's CPU (every thread) from start-up complete to shutdown: what
        # serving the load cost, without the imports.
        out["cpu_s"] = cpu() - started[0]
        if type(journal).__name__ == "MemoryJournal":
            out["stored"] = len(getattr(journal, "_seen", ()))
        out["rss_mib"] = peak_rss_mib()
        with open(path, "w") as f:
            json.dump(out, f)

    async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "lifespan":
            return await app(scope, receive, send)

        async def sending(message: dict[str, Any]) -> None:
            if message["type"] == "lifespan.startup.complete":
                started[0] = cpu()
            if message["type"] == "lifespan.shutdown.complete":
                report()
            await send(message)

        return await app(scope, receive, sending)

    return wrapped


def peak_rss_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_app(mode: str, where: list[str], path: str) -> Any:
    import logging

    # Handlers still asleep when the server is stopped are cancelled on purpose: not news.
    logging.getLogger("gewe_async.bot").setLevel(logging.ERROR)
    handled = [0]
    app = bare_app if mode == "bare" else receiver_app(mode, where, handled)
    return reporting(app, handled, path)


def granian_app() -> Any:
    """Granian's factory target: the mode and journal come through the environment."""
    where = json.loads(os.environ["BENCH_SERVE_WHERE"])
    return make_app(os.environ["BENCH_SERVE_MODE"], where, os.environ["BENCH_SERVE_REPORT"])


def serve(server: str, mode: str, path: str, where: list[str]) -> None:
    """Serve `mode` on `server` on a free port (printed first); `path` gets the report."""
    if server == "granian":
        from granian.constants import Interfaces
        from granian.log import LogLevels
        from granian.server import Server as Granian

        with socket.socket() as free:
            free.bind(("127.0.0.1", 0))
            port = free.getsockname()[1]
        print(port, flush=True)
        os.environ.update(
            BENCH_SERVE_MODE=mode, BENCH_SERVE_WHERE=json.dumps(where), BENCH_SERVE_REPORT=path
        )
        Granian(
            "receiver:granian_app", address="127.0.0.1", port=port, interface=Interfaces.ASGI,
            workers=1, factory=True, log_level=LogLevels.warning, backlog=1024,
            working_dir=pathlib.Path(__file__).resolve().parent,
        ).serve()  # fmt: skip
        return
    import uvicorn

    app = make_app(mode, where, path)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)  # the load may connect before uvicorn (and the journal) is up: it waits
    print(sock.getsockname()[1], flush=True)
    if server == "receive":
        from gewe_async.cli import _serve

        config = _serve.server_config(
            app, read_timeout=_serve.READ_TIMEOUT, max_connections=_serve.MAX_CONNECTIONS,
            access_log=False,
        )  # fmt: skip
        config.lifespan = "on"  # the CLI runs the lifespan itself; here uvicorn does
        import logging

        logging.getLogger("uvicorn.error").setLevel(logging.WARNING)
    else:
        http, loop = {"h11": ("h11", "asyncio"), "httptools": ("httptools", "uvloop")}[server]
        config = uvicorn.Config(
            app, log_level="warning", access_log=False, lifespan="on", http=http, loop=loop
        )
    # uvicorn shuts down gracefully on SIGTERM/SIGINT, then raises the signal again for the
    # handler it found: make that one a no-op.
    for stop in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop, lambda *_: None)
    uvicorn.Server(config).run(sockets=[sock])


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
    # The handlers of the last pushes sleep 1 s: let them finish before the server is stopped
    # (outside the measured time), so that the check below sees handlers ran.
    await asyncio.sleep(1.5)
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


def wait_for_port(port: int, server: subprocess.Popen[str]) -> None:
    """Granian binds its port once its worker started: wait for it (30 s at most)."""
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server on port {port} did not start") from None
            time.sleep(0.05)


def measure(server_name: str, mode: str, where: list[str], label: str = "") -> dict[str, Any]:
    fd, path = tempfile.mkstemp(prefix="gewe-bench-report-", suffix=".json")
    os.close(fd)
    server = subprocess.Popen(
        [sys.executable, __file__, "serve", server_name, mode, path, *where],
        stdout=subprocess.PIPE,
        text=True,
    )
    sampler = None
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        wait_for_port(port, server)
        if PROFILE:
            os.makedirs(PROFILE, exist_ok=True)
            command = [py_spy(), "record", "--pid", str(server.pid), "--format", "raw",
                       "--rate", "250", "--nonblocking", "--subprocesses",
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
            raise RuntimeError(
                f"the load generator failed on {server_name}/{mode}:\n{loaded.stderr}"
            )
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
            server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.communicate()
    result: dict[str, Any] = json.loads(out)
    try:
        with open(path) as f:
            result.update(json.load(f))
    except (OSError, ValueError):  # the server wrote no report: the checks below say so
        result.update(journal="(no report)", handled=0, stored=0, rss_mib=0.0, cpu_s=0.0)
    finally:
        os.unlink(path)
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
    default = [m for m in JOURNALS if m != "sqlite-normal" and (REDIS_ALWAYS or m != "redis-always")]
    modes = [m for m in JOURNALS if m in (ONLY or default)]
    servers = [name for name in SERVERS if installed(name)]
    runs: dict[str, dict[str, list[dict[str, Any]]]] = {
        name: {mode: [] for mode in modes} for name in servers
    }
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="gewe-bench-") as tmp, redis_server(tmp) as url:
        client = redis.Redis.from_url(url)
        redis_version = client.info("server")["redis_version"]
        try:
            for n in range(ROUNDS):
                for name in servers:
                    for mode in modes:
                        where: list[str] = []
                        if mode.startswith("sqlite"):
                            # A fresh file each round: the same pushes again would be duplicates.
                            where = [os.path.join(tmp, f"journal-{name}-{mode}-{n}.db")]
                        elif mode.startswith("redis"):
                            fsync = "always" if mode == "redis-always" else "everysec"
                            client.config_set("appendfsync", fsync)
                            where = [url, f"bench-{name}-{mode}-{n}"]
                        result = measure(name, mode, where, f"{name}-{mode}-{n}")
                        if mode.startswith("sqlite"):
                            result["stored"] = stored_in_sqlite(where[0])
                        elif mode.startswith("redis"):
                            result["stored"] = stored_in_redis(client, where[1])
                            result["fsync"] = client.config_get("appendfsync")["appendfsync"]
                            result["aof"] = client.config_get("appendonly")["appendonly"]
                            client.flushall()
                        runs[name][mode].append(result)
        finally:
            client.close()
    load_after = os.getloadavg()
    print(
        f"receiver benchmark: {PUSHES} pushes over {CHATS} chats, {POSTERS} concurrent posters, "
        f"handlers sleep 1 s (concurrency 256), {os.cpu_count()} cores, best of {ROUNDS} "
        f"interleaved rounds (servers and modes alternate)"
    )
    print(
        f"load average before {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}, "
        f"after {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}"
    )
    print(
        f"sqlite: a temporary file, WAL, synchronous=FULL; redis: redis-server {redis_version} on "
        f"loopback, appendonly yes, appendfsync everysec (redis) / always (redis-always)"
    )
    for name, kept in runs.items():
        print()
        print(f"== server {name}: {SERVER_NAMES[name]}")
        report(kept)
    return 0


SERVER_NAMES = {
    "h11": "uvicorn, h11, asyncio loop",
    "httptools": "uvicorn, httptools, uvloop",
    "granian": "Granian, 1 worker, ASGI",
    "receive": "gewe-async receive's server (guarded protocol, --http auto, loop auto)",
}


def installed(server: str) -> bool:
    import importlib.util

    if server not in SERVER_NAMES:
        print(f"unknown server {server!r}: skipped", file=sys.stderr)
        return False
    need = {"httptools": ["httptools", "uvloop"], "granian": ["granian"]}.get(server, [])
    missing = [m for m in need if importlib.util.find_spec(m) is None]
    if missing:
        print(f"{server}: {', '.join(missing)} not installed: skipped", file=sys.stderr)
    return not missing


def cpu_us(kept: list[dict[str, Any]]) -> float:
    """The server's median CPU microseconds per answered push (every thread, handlers too)."""
    return statistics.median(1e6 * k["cpu_s"] / max(1, k["answered"]) for k in kept)


def report(runs: dict[str, list[dict[str, Any]]]) -> None:
    """One server's table: each mode's best and median round, then the ratios on this server."""
    best = {mode: max(kept, key=lambda r: r["per_s"]) for mode, kept in runs.items()}
    print(
        f"{'mode':<13} {'answered':>8} {'best/s':>7} {'median/s':>8} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'worst p99':>9} {'CPU us':>6} {'RSS MiB':>7} {'stored':>7} {'handled':>7}  journal"
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
            f"{r['p99_ms']:>7.1f} {worst:>9.1f} {cpu_us(kept):>6.0f} {r['rss_mib']:>7.0f} "
            f"{stored:>7} {handled:>7}  "
            f"{journal}"
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
    print("each round, pushes/s (p99 ms):")
    for mode, kept in runs.items():
        rounds = "  ".join(f"{k['per_s']:>5.0f} ({k['p99_ms']:>5.1f})" for k in kept)
        print(f"  {mode:<13} {rounds}")

    def rate(mode: str, pick: str = "best") -> float:
        if pick == "best":
            return float(best[mode]["per_s"])
        return float(statistics.median(k["per_s"] for k in runs[mode]))

    def ratio(mode: str, of: str) -> str:
        return f"{rate(mode) / rate(of):.0%} best, {rate(mode, 'median') / rate(of, 'median'):.0%} median"

    def worst_p99(mode: str) -> float:
        return max(float(k["p99_ms"]) for k in runs[mode])

    checks = [
        (f"{mode} worst p99 {worst_p99(mode):.1f} ms", "target < 50 ms", worst_p99(mode) < 50)
        for mode in runs
    ]
    if {"bare", "memory"} <= runs.keys():
        checks.insert(0, (f"memory / bare {ratio('memory', 'bare')}", "target >= 90 %",
                          rate("memory") / rate("bare") >= 0.9))  # fmt: skip
    for mode in runs:
        if mode not in ("bare", "memory") and "memory" in runs:
            checks.append((f"{mode} / memory {ratio(mode, 'memory')}", "target >= 70 %",
                           rate(mode) / rate("memory") >= 0.7))  # fmt: skip
    for text, target, met in checks:
        print(f"{text:<48} {target:<15} {'met' if met else 'MISSED'}")
    for problem in problems:
        print(f"CHECK FAILED: {problem}")
    ok = all(met for _, _, met in checks) and not problems
    print("targets met" if ok else "TARGETS MISSED (a benchmark reports; exit status 0)")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        serve(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:])
    elif len(sys.argv) > 1 and sys.argv[1] == "load":
        print(json.dumps(asyncio.run(load(sys.argv[2]))))
    else:
        try:
            sys.exit(main())
        except KeyboardInterrupt:
            sys.exit("interrupted: servers stopped, temporary files removed")
