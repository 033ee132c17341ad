"""Crash tests: receivers and workers killed with SIGKILL part-way lose no push they answered.

Everything is the real thing: FakeGewe pushes text callbacks over HTTP, 16 at once, to
`gewe-async receive` processes (uvicorn) serving `crash_bot.py`; `gewe-async worker` processes
handle them in the Redis mode. The bot writes a line per event handled; the tests compare those
lines with the pushes answered 200. `pytest -s` prints the counts.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import os
import random
import signal
import sys
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gewe_async.bot._redis import GROUP
from gewe_async.testing import FakeGewe, text_payload
from tests.crash_bot import CONCURRENCY as HANDLERS
from tests.journals import free_port, redis_server
from tests.paths import ROOT

TESTS = ROOT / "tests"
PUSHES = 1000
CONCURRENCY = 16
CHATS = 20
APP = "wx_crash"
BOT = "wxid_crash_bot"
FIRST_ID = 7_300_000_000_100_000_001  # above 2**53, as real NewMsgIds are

Payload = dict[str, Any]


def msg_id(payload: Payload) -> int:
    return int(payload["Data"]["NewMsgId"])


def pushes(seed: int = 16) -> list[Payload]:
    """1,000 text pushes over 20 chats, a tenth of them second pushes of earlier ones."""
    rng = random.Random(seed)
    unique = [
        text_payload(APP, BOT, f"wxid_friend_{n % CHATS}", f"message {n}", new_msg_id=FIRST_ID + n)
        for n in range(PUSHES * 9 // 10)
    ]
    sent = list(unique)
    for _ in range(PUSHES - len(unique)):
        original = unique[rng.randrange(len(unique))]
        at = next(i for i, p in enumerate(sent) if p is original)
        sent.insert(rng.randrange(at + 1, len(sent) + 1), original)  # the very same body
    return sent


class Cli:
    """One `gewe-async` process serving `crash_bot:dp`, its output in `<name>.log`."""

    def __init__(self, tmp_path: Path, name: str, handled: Path, *args: str) -> None:
        self.log = tmp_path / f"{name}.log"
        self.args = args
        self.env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(TESTS), os.getenv("PYTHONPATH")])),
            "CRASH_HANDLED": str(handled),
            # The bot has no client of its own and calls no API; the CLI makes one anyway.
            "GEWE_TOKEN": "crash-test-token",
            "GEWE_BASE_URL": "http://127.0.0.1:9/v2/api",
        }
        self.cwd = tmp_path

    async def start(self) -> Cli:
        with self.log.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "gewe_async", *self.args,
                stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=log,
                env=self.env, cwd=self.cwd,
            )  # fmt: skip
        return self

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]

    async def serving(self, url: str) -> None:
        """Wait until the receiver answers (405 to a GET), not a fixed sleep."""
        async with asyncio.timeout(30), httpx.AsyncClient(timeout=1) as http:
            while True:
                assert self.process.returncode is None, f"exited early:\n{self.output()}"
                with contextlib.suppress(httpx.TransportError):
                    if (await http.get(url)).status_code == 405:
                        return
                await asyncio.sleep(0.05)

    async def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> int:
        """SIGTERM, as a deploy would; the exit status."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            async with asyncio.timeout(30):
                await self.process.wait()
        assert self.process.returncode is not None
        return self.process.returncode


@contextlib.asynccontextmanager
async def running(*processes: Cli) -> AsyncIterator[None]:
    """Start the processes; whatever happens, none outlives the test."""
    try:
        for process in processes:
            await process.start()
        yield
    finally:
        for process in processes:
            if hasattr(process, "process") and process.process.returncode is None:
                await process.kill()


class Pusher:
    """GeWe's side: FakeGewe pushing over HTTP, 16 at once, remembering what was answered 200.

    With several callback URLs, one FakeGewe per URL and the pushes dealt round-robin, as a
    load balancer in front of several receivers would.
    """

    def __init__(self, *urls: str) -> None:
        self.fakes = []
        for url in urls:
            fake = FakeGewe()
            fake.callback_url = url
            self.fakes.append(fake)
        self.answered: list[int] = []
        self.unanswered: list[Payload] = []
        self.on_answer: Callable[[int], object] = lambda answered: None
        """Called with the count of answers as each 200 arrives, before anything else runs."""

    async def push(self, payloads: Iterable[Payload]) -> None:
        limit = asyncio.Semaphore(CONCURRENCY)

        async def one(n: int, payload: Payload) -> None:
            async with limit:
                status = await self.fakes[n % len(self.fakes)].deliver(payload)
            if status == 200:
                self.answered.append(msg_id(payload))
                self.on_answer(len(self.answered))
            else:  # not answered, or answered 503: GeWe may push it again
                self.unanswered.append(payload)

        await asyncio.gather(*(one(n, p) for n, p in enumerate(payloads)))

    async def push_again(self) -> int:
        """Push again what went unanswered, as GeWe may, up to three rounds; how many were."""
        again = 0
        for _ in range(3):
            if not self.unanswered:
                break
            retry, self.unanswered = self.unanswered, []
            again += len(retry)
            await self.push(retry)
        return again


class Handling:
    """One line of a handled file: an event handled, on which attempt."""

    def __init__(self, line: str) -> None:
        new_msg_id, self.chat, attempt = line.split()
        self.id = int(new_msg_id)
        self.attempt = int(attempt)


def handled(file: Path) -> list[Handling]:
    return [Handling(line) for line in file.read_text().splitlines()] if file.exists() else []


async def wait_until_handled(ids: set[int], *files: Path) -> None:
    """Wait until every id is handled; fail saying how many never were (30 s at most)."""
    missing = ids
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(30):
            while missing := ids - {h.id for f in files for h in handled(f)}:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
    assert not missing, f"{len(missing)} pushes answered 200 were never handled"


def check_handled_once(first: list[Handling], then: list[Handling]) -> int:
    """Each id handled once, or twice when a kill cut it between handling and ack; how many."""
    for run in (first, then):
        twice = [i for i, n in collections.Counter(h.id for h in run).items() if n > 1]
        assert not twice, f"{len(twice)} ids handled twice by one process (stored twice?)"
    again = {h.id for h in first} & {h.id for h in then}
    # Twice only what the kill left unacknowledged: delivered again, not stored again.
    assert all(h.attempt > 1 for h in then if h.id in again), "stored again after the kill"
    assert len(again) <= HANDLERS, f"{len(again)} handled again, more than were running"
    return len(again)


async def test_sqlite_receiver_killed_part_way_loses_nothing_it_answered(tmp_path: Path):
    """SIGKILL after 400 answers, restart on the file: every answered push handled, once."""
    sent = pushes()
    file = tmp_path / "handled.txt"
    port = free_port()
    url = f"http://127.0.0.1:{port}/gewe"
    args = ("receive", "crash_bot:dp", "--host", "127.0.0.1", "--port", str(port))
    args += ("--path", "/gewe", "--journal", f"sqlite:///{tmp_path / 'journal.db'}")
    first, second = Cli(tmp_path, "first", file, *args), Cli(tmp_path, "second", file, *args)
    pusher = Pusher(url)

    def kill_at_400(answered: int) -> None:
        # At once, not at the next poll: 15 more pushes are in flight, some half-way.
        if answered == 400:
            first.process.send_signal(signal.SIGKILL)

    pusher.on_answer = kill_at_400
    async with running(first):
        await first.serving(url)
        await pusher.push(sent[:600])
        async with asyncio.timeout(10):  # killed at the 400th answer, if there was one
            await first.process.wait()
    pusher.on_answer = lambda answered: None
    assert first.process.returncode == -signal.SIGKILL
    answered_at_kill = set(pusher.answered)
    unanswered_at_kill = len(pusher.unanswered)
    assert pusher.unanswered, "the kill came after every answer: nothing was tested"
    before = handled(file)
    handled_at_kill = {h.id for h in before}
    assert answered_at_kill - handled_at_kill, "nothing answered was waiting: nothing was tested"

    # GeWe pushes again what went unanswered, then the rest.
    async with running(second):
        await second.serving(url)
        retry, pusher.unanswered = pusher.unanswered, []
        await pusher.push(retry + sent[600:])
        pushed_again = len(retry) + await pusher.push_again()
        await wait_until_handled(set(pusher.answered), file)
        status = await second.stop()
    after = handled(file)[len(before) :]

    everything = before + after
    twice = check_handled_once(before, after)
    print(
        f"\nsqlite: {len(sent)} pushes ({len({msg_id(p) for p in sent})} distinct); at the kill "
        f"{len(answered_at_kill)} ids answered 200, {unanswered_at_kill} pushes unanswered (in "
        f"flight or refused while down), {len(before)} handled, "
        f"{len(answered_at_kill - handled_at_kill)} answered and not yet handled, "
        f"{len(handled_at_kill - answered_at_kill)} stored with their answer lost; after the "
        f"restart {pushed_again} pushed again; {len(pusher.answered)} pushes answered 200 in all; "
        f"{len({h.id for h in everything})} ids handled, {len(everything)} handlings, {twice} "
        f"handled twice (redelivered after the kill)"
    )
    assert not pusher.unanswered
    assert set(pusher.answered) <= {h.id for h in everything}  # no answered push lost
    assert {h.id for h in everything} == {msg_id(p) for p in sent}
    assert status == 0, second.output()


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A redis-server of the test's own: the command line names the fixed prefix "crash"."""
    with redis_server(tmp_path) as url:
        yield url


async def leases_shared(redis: Any, prefix: str, partitions: int) -> None:
    """Wait until two workers hold half the partitions each: both are up and consuming."""
    keys = [f"{{{prefix}:{p}}}:lease" for p in range(partitions)]
    async with asyncio.timeout(30):
        while True:
            owners = collections.Counter(await redis.mget(keys))
            if None not in owners and sorted(owners.values()) == [partitions // 2] * 2:
                return
            await asyncio.sleep(0.05)


async def test_redis_worker_killed_part_way_loses_nothing(tmp_path: Path, redis_url: str):
    """Two receivers, two workers, one worker SIGKILLed: the other takes over its pushes."""
    import redis.asyncio

    sent = pushes()
    files = [tmp_path / "handled-1.txt", tmp_path / "handled-2.txt"]
    ports = [free_port(), free_port()]
    urls = [f"http://127.0.0.1:{port}/gewe" for port in ports]
    journal = ("--journal", f"{redis_url}?partitions=8&lease=1", "--journal-prefix", "crash")
    receivers = [
        Cli(tmp_path, f"receiver-{n}", tmp_path / "receivers-handled.txt",
            "receive", "crash_bot:dp", "--host", "127.0.0.1", "--port", str(port),
            "--path", "/gewe", "--no-handlers", *journal)
        for n, port in enumerate(ports, 1)
    ]  # fmt: skip
    workers = [
        Cli(tmp_path, f"worker-{n}", file, "worker", "crash_bot:dp", *journal)
        for n, file in enumerate(files, 1)
    ]
    pusher = Pusher(*urls)
    client = redis.asyncio.Redis.from_url(redis_url)

    async def read_not_acknowledged(worker: Cli) -> int:
        """Entries the worker read and did not acknowledge (being handled, or read ahead)."""
        me = f"-{worker.process.pid}-".encode()  # its consumer name: host-pid-random
        async with client.pipeline(transaction=False) as pipe:
            for partition in range(8):
                pipe.xpending(f"{{crash:{partition}}}:s", GROUP)
            summaries = await pipe.execute()
        return sum(c["pending"] for s in summaries for c in s["consumers"] if me in c["name"])

    async def kill_worker_at_200() -> int:
        """Kill the first worker once it handled 200, while busy; how many it left read."""
        process = workers[0].process
        async with asyncio.timeout(30):
            while True:
                if len(handled(files[0])) >= 200:
                    # Frozen, it can neither handle nor acknowledge: look, then kill or thaw.
                    process.send_signal(signal.SIGSTOP)
                    await asyncio.sleep(0.05)  # what it had sent reaches Redis
                    if await read_not_acknowledged(workers[0]):
                        break
                    process.send_signal(signal.SIGCONT)
                await asyncio.sleep(0.005)
        await workers[0].kill()
        return await read_not_acknowledged(workers[0])

    async with running(*receivers, *workers):
        for receiver, url in zip(receivers, urls, strict=True):
            await receiver.serving(url)
        await leases_shared(client, "crash", 8)
        killer = asyncio.create_task(kill_worker_at_200())
        await pusher.push(sent[:700])
        orphaned = await killer  # before the last 300 pushes: the survivor must take over
        handled_by_dead = handled(files[0])
        await pusher.push(sent[700:])
        pushed_again = await pusher.push_again()
        await wait_until_handled(set(pusher.answered), *files)
        statuses = [await p.stop() for p in (*receivers, workers[1])]
    info = await client.info("commandstats")
    depth = sum([await client.xlen(f"{{crash:{p}}}:s") for p in range(8)])
    await client.aclose()

    survivor = handled(files[1])
    everything = handled_by_dead + survivor
    twice = check_handled_once(handled_by_dead, survivor)
    stored = info["cmdstat_xadd"]["calls"]  # counted inside the append script too
    taken_over = sum(h.attempt > 1 for h in survivor)
    print(
        f"\nredis: {len(sent)} pushes ({len({msg_id(p) for p in sent})} distinct) over 2 "
        f"receivers, {len(pusher.answered)} answered 200, {pushed_again} pushed again; "
        f"{stored} stored; the killed worker handled {len(handled_by_dead)} and left {orphaned} "
        f"read and not acknowledged, the other handled {len(survivor)} ({taken_over} taken "
        f"over); {len({h.id for h in everything})} ids handled, {len(everything)} "
        f"handlings, {twice} handled twice (redelivered after the kill)"
    )
    assert not pusher.unanswered
    assert set(pusher.answered) == {h.id for h in everything} == {msg_id(p) for p in sent}
    assert stored == len(set(pusher.answered))  # each stored once, whichever receiver got it
    assert depth == 0  # and acknowledged
    assert not (tmp_path / "receivers-handled.txt").exists()  # receivers only store
    # Before the kill each worker had its own partitions: the survivor took the dead one's,
    # and the entries it had read and not acknowledged.
    assert {h.chat for h in handled_by_dead} <= {h.chat for h in survivor}
    assert taken_over == orphaned > 0
    assert statuses == [0, 0, 0], [p.output() for p in (*receivers, workers[1])]
