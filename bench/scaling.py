"""Cost as the work grows (issue 23 item 4): three tables in one run, about 3 minutes.

1. Request path: `AsyncGeweClient` against bench/server.py (the canned loopback server) with
   BENCH_SCALE_CALLS getProfile calls gathered at once over N distinct appIds (N = 1 ... 10,000),
   each N in a fresh process: CPU ms per call, peak RSS growth, RSS kept after the calls.
2. Receiver: pushes over N chats (N = 10 ... 100,000; at least BENCH_SCALE_PUSHES pushes, and
   one per chat) into the memory receiver served as ``gewe-async receive`` serves it
   (gewe_async.cli._serve, ``--http auto``), handlers sleeping 1 s: pushes/s, p99, the
   server's peak RSS.
3. De-duplication window: N remembered ids (1,000 ... 1,000,000). MemoryJournal: filled by
   real appends (each acked, so only the remembered key stays), then the append rate at that
   size and the memory per id. SqliteJournal: its ``seen`` table filled in one transaction
   (appending a million pushes one by one would take minutes), then the append rate and the
   file bytes per id. What bounds each is printed beside it.

Run: python bench/scaling.py (or nox -s bench). It always exits 0: a benchmark reports.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
TOKEN = "bench-token"
CALLS = int(os.environ.get("BENCH_SCALE_CALLS", "10000"))
APP_IDS = [1, 10, 100, 1_000, 10_000]
PUSHES = int(os.environ.get("BENCH_SCALE_PUSHES", "10000"))
#: (chats, pushes): pushes = max(PUSHES, chats); the last row's pushes with few chats, to tell
#: what the chats cost from what the pending pushes cost.
CHATS = [10, 100, 1_000, 10_000, 100_000, (1_000, 100_000)]
POSTERS = 16
IDS = [1_000, 10_000, 100_000, 1_000_000]
PROBE = 5_000  # appends timed at each window size


def rss_kib(field: str = "VmRSS:", pid: str = "self") -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field):
                return int(line.split()[1])
    return 0


# --- 1. the request path ----------------------------------------------------------------------


async def gather_calls(url: str, app_ids: int) -> dict[str, float]:
    from gewe_async import AsyncGeweClient

    async with AsyncGeweClient(token=TOKEN, base_url=url) as client:
        await client.personal.get_profile("wx_warm")  # imports and connection warmed up
        before = rss_kib()
        cpu0, wall0 = time.process_time(), time.perf_counter()
        await asyncio.gather(
            *(client.personal.get_profile(f"wx_{i % app_ids}") for i in range(CALLS))
        )
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        after = rss_kib()
    return {
        "calls_s": CALLS / wall,
        "cpu_ms": 1000 * cpu / CALLS,
        "peak_mib": (rss_kib("VmHWM:") - before) / 1024,
        "kept_mib": (after - before) / 1024,
    }


def request_path() -> list[dict[str, Any]]:
    server = subprocess.Popen(
        [sys.executable, str(HERE / "server.py")], stdout=subprocess.PIPE, text=True
    )
    assert server.stdout is not None
    url = f"http://127.0.0.1:{int(server.stdout.readline())}/v2/api"
    rows = []
    try:
        for n in APP_IDS:
            out = subprocess.run(
                [sys.executable, __file__, "calls", url, str(n)],
                capture_output=True, text=True, check=True, timeout=300,
            ).stdout  # fmt: skip
            rows.append({"app_ids": n, **json.loads(out)})
    finally:
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=30)
    return rows


# --- 2. the receiver over N chats -------------------------------------------------------------


def push(i: int, chats: int) -> bytes:
    return json.dumps(
        {
            "TypeName": "AddMsg",
            "Appid": "wx_bench",
            "Wxid": "wxid_bench",
            "Data": {
                "MsgId": 1040356095 + i,
                "FromUserName": {"string": f"wxid_friend_{i % chats}"},
                "ToUserName": {"string": "wxid_bench"},
                "MsgType": 1,
                "Content": {"string": f"message {i}"},
                "CreateTime": 1705043418,
                "PushContent": f"朝夕。 : message {i}",
                "NewMsgId": 7773749793478223190 + i,
            },
        },
        ensure_ascii=False,
    ).encode()


def serve_receiver(pushes: int) -> None:
    """The memory receiver as `receive` serves it; its port printed first."""
    import logging

    import uvicorn

    from gewe_async.bot import ASGIReceiver, Dispatcher, MemoryJournal
    from gewe_async.callbacks import TextMessage
    from gewe_async.cli import _serve

    logging.getLogger("gewe_async.bot").setLevel(logging.ERROR)  # sleepers cancelled at exit
    dp = Dispatcher(concurrency=256)

    @dp.on(TextMessage)
    async def slow(event: Any, ctx: Any) -> None:
        await asyncio.sleep(1.0)

    # Room for every push: the bench measures answering, not the 503 of a full journal.
    journal = MemoryJournal(max_pending=pushes + 1000, max_pending_bytes=1 << 30)
    app = ASGIReceiver(dp, journal=journal, drain_timeout=0.1)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    print(sock.getsockname()[1], flush=True)
    config = _serve.server_config(app, read_timeout=10, max_connections=512, access_log=False)
    config.lifespan = "on"
    logging.getLogger("uvicorn.error").setLevel(logging.WARNING)
    for stop in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop, lambda *_: None)
    uvicorn.Server(config).run(sockets=[sock])


async def post_pushes(url: str, pushes: int, chats: int) -> dict[str, float]:
    import aiohttp

    bodies = [push(i, chats) for i in range(pushes)]
    times: list[float] = []
    statuses: dict[int, int] = {}
    next_push = iter(range(pushes))

    async def poster(session: aiohttp.ClientSession) -> None:
        for i in next_push:
            started = time.perf_counter()
            async with session.post(url, data=bodies[i]) as answer:
                await answer.read()
            times.append(time.perf_counter() - started)
            statuses[answer.status] = statuses.get(answer.status, 0) + 1

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=POSTERS)) as session:
        await session.post(url, data=push(pushes + 1, chats))
        started = time.perf_counter()
        await asyncio.gather(*(poster(session) for _ in range(POSTERS)))
        wall = time.perf_counter() - started
    times.sort()
    return {
        "per_s": statuses.get(200, 0) / wall,
        "other": sum(n for s, n in statuses.items() if s != 200),
        "p99_ms": 1000 * times[int(len(times) * 0.99) - 1],
    }


def receiver() -> list[dict[str, Any]]:
    rows = []
    for row in CHATS:
        chats, pushes = row if isinstance(row, tuple) else (row, max(PUSHES, row))
        server = subprocess.Popen(
            [sys.executable, __file__, "serve", str(pushes)], stdout=subprocess.PIPE, text=True
        )
        try:
            assert server.stdout is not None
            port = int(server.stdout.readline())
            url = f"http://127.0.0.1:{port}/gewe"
            idle = rss_kib(pid=str(server.pid))
            out = subprocess.run(
                [sys.executable, __file__, "post", url, str(pushes), str(chats)],
                capture_output=True, text=True, check=True, timeout=600,
            ).stdout  # fmt: skip
            peak = rss_kib("VmHWM:", str(server.pid))
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()
                server.communicate()
        result = json.loads(out)
        rows.append(
            {"chats": chats, "pushes": pushes, **result,
             "idle_mib": idle / 1024, "peak_mib": peak / 1024}
        )  # fmt: skip
    return rows


# --- 3. the de-duplication window -------------------------------------------------------------


async def memory_window(ids: int) -> dict[str, float]:
    from gewe_async.bot import Entry, MemoryJournal

    # The default bound is 100,000 keys: raised here to see what a million would cost.
    journal = MemoryJournal(dedupe_max_keys=ids, dedupe_window=3600)
    await journal.open()
    deliveries = journal.consume().__aiter__()
    now = time.time()

    async def append(key: int) -> None:
        await journal.append(Entry(f"{key:020d}", f"c{key % 100}", b"{}", now))
        await journal.ack(await deliveries.__anext__())

    before = rss_kib()
    for key in range(ids):
        await append(key)
    grown = rss_kib() - before
    started = time.perf_counter()
    for key in range(ids, ids + PROBE):  # at the bound: each append forgets the oldest key
        await append(key)
    rate = PROBE / (time.perf_counter() - started)
    await journal.aclose()
    return {"append_s": rate, "bytes_per_id": 1024 * grown / ids}


async def sqlite_window(ids: int, folder: str) -> dict[str, float]:
    from gewe_async.bot import Entry, SqliteJournal

    path = os.path.join(folder, f"window-{ids}.db")
    journal = SqliteJournal(path)
    await journal.open()  # the schema
    await journal.aclose()
    empty = Path(path).stat().st_size  # noqa: ASYNC240 - a bench, nothing else runs
    now = time.time()
    conn = sqlite3.connect(path)
    try:
        with conn:  # one transaction
            conn.executemany(
                "INSERT INTO seen (key, at) VALUES (?, ?)",
                ((f"{k:020d}", now) for k in range(ids)),
            )
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    size = Path(path).stat().st_size - empty  # noqa: ASYNC240
    journal = SqliteJournal(path)
    await journal.open()
    started = time.perf_counter()
    # As the receiver appends: concurrently, so that the journal batches them.
    accepted = await asyncio.gather(
        *(journal.append(Entry(f"{k:020d}", f"c{k % 100}", b"{}", now))
          for k in range(ids, ids + PROBE))
    )  # fmt: skip
    rate = PROBE / (time.perf_counter() - started)
    duplicate = await journal.append(Entry(f"{0:020d}", "c0", b"{}", now))
    await journal.aclose()
    assert all(accepted), "a new id was taken for a duplicate"
    assert not duplicate, "the window did not hold the ids"
    return {"append_s": rate, "bytes_per_id": size / ids}


def window(kind: str, ids: int, folder: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "window", kind, str(ids), folder],
        capture_output=True, text=True, check=True, timeout=600,
    ).stdout  # fmt: skip
    return dict(json.loads(out))


def windows() -> list[dict[str, Any]]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="gewe-scaling-") as folder:
        for ids in IDS:
            rows.append(
                {"ids": ids, "memory": window("memory", ids, folder),
                 "sqlite": window("sqlite", ids, folder)}
            )  # fmt: skip
    return rows


# --- the report -------------------------------------------------------------------------------


def main() -> int:
    from gewe_async.bot import MemoryJournal, SqliteJournal

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.monotonic()
    load = os.getloadavg()
    calls = request_path()
    pushes = receiver()
    remembered = windows()
    print(
        f"scaling benchmark: {os.cpu_count()} cores, load average {load[0]:.2f} at start, "
        f"{time.monotonic() - started:.0f} s"
    )
    print()
    print(f"request path: {CALLS} getProfile calls gathered over N appIds (canned loopback server)")
    print(
        f"{'appIds':>7} {'calls/s':>8} {'CPU ms/call':>11} {'peak RSS +MiB':>13} {'kept +MiB':>9}"
    )
    for r in calls:
        print(
            f"{r['app_ids']:>7,} {r['calls_s']:>8,.0f} {r['cpu_ms']:>11.3f} "
            f"{r['peak_mib']:>13.1f} {r['kept_mib']:>9.1f}"
        )
    print()
    print(
        "receiver: memory journal, receive's server (--http auto), handlers sleep 1 s "
        f"(concurrency 256), {POSTERS} posters"
    )
    print(
        f"{'chats':>7} {'pushes':>7} {'pushes/s':>8} {'p99 ms':>7} {'idle MiB':>8} {'peak MiB':>8}"
    )
    print(
        "  (handlers sleep, so pushes wait in the journal: the peak grows with pushes, ~1 KiB each)"
    )
    for r in pushes:
        flag = f"  ({r['other']:.0f} not 200)" if r["other"] else ""
        print(
            f"{r['chats']:>7,} {r['pushes']:>7,} {r['per_s']:>8,.0f} {r['p99_ms']:>7.1f} "
            f"{r['idle_mib']:>8.0f} {r['peak_mib']:>8.0f}{flag}"
        )
    memory = MemoryJournal()
    print()
    print("de-duplication window: N remembered ids; appends/s at that size, cost per id")
    print(f"{'ids':>9} {'memory app/s':>12} {'B/id RAM':>8} {'sqlite app/s':>12} {'B/id disk':>9}")
    for r in remembered:
        m, s = r["memory"], r["sqlite"]
        print(
            f"{r['ids']:>9,} {m['append_s']:>12,.0f} {m['bytes_per_id']:>8.0f} "
            f"{s['append_s']:>12,.0f} {s['bytes_per_id']:>9.0f}"
        )
    window_h = SqliteJournal.__init__.__kwdefaults__.get("dedupe_window", 0) / 3600
    print(
        f"bounds: MemoryJournal keeps at most dedupe_max_keys={memory.dedupe_max_keys:,} ids "
        f"(raised here to N) for dedupe_window={memory.dedupe_window:.0f} s; SqliteJournal "
        f"keeps every id for dedupe_window={window_h:.0f} h (pruned every prune_interval), "
        "so its size is the push rate x the window; RedisJournal's keys expire with the window."
    )
    return 0


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "calls":
        print(json.dumps(asyncio.run(gather_calls(sys.argv[2], int(sys.argv[3])))))
    elif command == "serve":
        serve_receiver(int(sys.argv[2]))
    elif command == "post":
        result = asyncio.run(post_pushes(sys.argv[2], int(sys.argv[3]), int(sys.argv[4])))
        print(json.dumps(result))
    elif command == "window":
        kind, ids, folder = sys.argv[2], int(sys.argv[3]), sys.argv[4]
        coro = memory_window(ids) if kind == "memory" else sqlite_window(ids, folder)
        print(json.dumps(asyncio.run(coro)))
    else:
        sys.exit(main())
