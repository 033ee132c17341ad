"""The Redis journal: receivers and workers in separate processes, sharing one queue.

Layout (all keys under `prefix`, `{prefix:i}` being partition `i`'s Redis Cluster hash tag):

- `{prefix:i}:s`: partition `i`'s stream; a chat always lands in partition `crc32(chat) % N`.
  Acknowledged entries are deleted from it, so its length is its depth.
- `{prefix:i}:seen:<key>`: a key seen within the window (value: when), expiring with it.
  A Lua script checks it, sets it and adds to the stream in one step, so two receivers given
  the same push store it once.
- `{prefix:i}:lease`: the worker consuming partition `i` now. One worker per partition is
  what keeps a chat in order across processes; the lease expires when its worker dies, and
  the next owner claims the entries left pending (`XPENDING` + `XCLAIM`) before new ones.
- `prefix:workers`: a heartbeat per worker, so each takes about `N / workers` partitions.
- `{prefix:i}:dead`: partition `i`'s dead letters, a stream trimmed to its share of the
  bound; an entry moves there from `{prefix:i}:s` in one transaction (one hash slot).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import socket
import time
import uuid
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, Final, TypeVar

from gewe_async.bot._base import BaseJournal, positive_int, positive_seconds
from gewe_async.bot._burst import Burst
from gewe_async.bot._journal import (
    DEFAULT_DEDUPE_WINDOW,
    DEFAULT_MAX_DEAD_LETTERS,
    DeadLetter,
    Delivery,
    Entry,
    Health,
    JournalFullError,
    JournalStats,
    backoff,
)

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = ["RedisJournal"]

T = TypeVar("T")

GROUP: Final = "gewe-workers"
# How long a read waits for new entries: also how long closing a worker may take.
_BLOCK_MS: Final = 300

# KEYS: seen key, stream. ARGV: now, window (s), window (ms), max length, key, chat, body, at.
_APPEND: Final = """
local seen = redis.call('GET', KEYS[1])
if seen and tonumber(seen) > tonumber(ARGV[1]) - tonumber(ARGV[2]) then return 0 end
if redis.call('XLEN', KEYS[2]) >= tonumber(ARGV[4]) then return -1 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
redis.call('XADD', KEYS[2], '*', 'k', ARGV[5], 'c', ARGV[6], 'b', ARGV[7], 't', ARGV[8])
return 1
"""
# KEYS: lease. ARGV: me, lease (ms). Take the lease if free or ours; 1 when we hold it.
_LEASE: Final = """
local owner = redis.call('GET', KEYS[1])
if owner == false or owner == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
"""
# KEYS: lease. ARGV: me. Give the lease up if it is still ours.
_RELEASE: Final = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
# KEYS: workers. ARGV: me, lease (ms). Heartbeat on the server's clock; the live worker count.
_HEARTBEAT: Final = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return redis.call('ZCARD', KEYS[1])
"""


def import_redis(
    missing: str = 'RedisJournal needs redis-py: pip install "gewe-async[redis]"',
) -> Any:
    """``redis.asyncio``; without the extra, an `ImportError` saying ``missing``."""
    try:
        import redis.asyncio
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError(missing) from None
    return redis.asyncio


class RedisJournal(BaseJournal):
    """A [`Journal`][gewe_async.bot.Journal] on Redis Streams, for many processes.

    Receivers only call `append`; workers call `consume` and `ack`; one process may do both.
    De-duplication is shared by all of them. A chat's entries are handled in order by one
    worker at a time; when a worker dies, its partitions and the entries it had not
    acknowledged pass to another worker once its lease (`lease` seconds) runs out.

    What "stored" means is Redis's persistence: with `appendonly yes` and
    `appendfsync always` an answered push survives a crash of Redis itself; with
    `everysec` up to a second of pushes may be lost then (never on a crash of a receiver
    or a worker).

    Args:
        url: Where Redis is (`redis://host:6379/0`); ignored when `client` is given.
        client: A `redis.asyncio.Redis` to use (not closed by the journal); its
            `decode_responses` must be off. Appends and acks are sent in one pipeline per
            burst, so a few connections serve any number of handlers; a
            `BlockingConnectionPool` (as the journal makes from `url`) waits for one rather
            than raising when they are all busy.
        prefix: Namespace of the journal's keys; one bot, one prefix.
        partitions: Streams the chats are spread over: the most workers that can be busy
            at once. Every process of a bot must use the same number.
        dedupe_window: Seconds a key is remembered to refuse duplicates (48 h by default).
        lease: Seconds after which a dead worker's partitions are taken over.
        max_pending: Unacknowledged entries beyond which `append` waits (each partition
            holds its share, `ceil(max_pending / partitions)`).
        full_timeout: Seconds `append` waits for room before raising `JournalFullError`.
        max_dead_letters: Dead letters kept, each partition its share
            (`ceil(max_dead_letters / partitions)`); past it the oldest are dropped (logged).
        prefetch: Entries a worker reads ahead of its handlers.
        clock: The wall clock (`time.time`), used for the window and ages; tests pass a
            fake one. Receivers' clocks only need to agree to within seconds.
    """

    def __init__(
        self,
        url: str = "redis://127.0.0.1:6379/0",
        *,
        client: Redis | None = None,
        prefix: str = "gewe",
        partitions: int = 16,
        dedupe_window: float = DEFAULT_DEDUPE_WINDOW,
        lease: float = 30.0,
        max_pending: int = 1_000_000,
        full_timeout: float = 1.0,
        max_dead_letters: int = DEFAULT_MAX_DEAD_LETTERS,
        prefetch: int = 256,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Make the journal, not connected yet; the arguments are described above."""
        name = f"RedisJournal(prefix={prefix!r})"
        super().__init__(name, dedupe_window, max_pending, full_timeout, max_dead_letters, clock)
        self._url = url
        self._client: Redis | None = client
        self._own_client = client is None
        self._prefix = prefix
        self._partitions = positive_int("partitions", partitions)
        self._lease_ms = max(1, round(positive_seconds("lease", lease) * 1000))
        self._partition_max = max(1, math.ceil(max_pending / partitions))
        self._dead_max = max(1, math.ceil(max_dead_letters / partitions))
        self._prefetch = positive_int("prefetch", prefetch)
        self.consumer = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        """This journal's name as a consumer of the streams (host, pid, random)."""
        self._owned: set[int] = set()
        self._draining: set[int] = set()
        self._in_flight: set[str] = set()
        # Wakes the reader: a partition taken, a handler done (prefetch room), closing.
        self._wake = asyncio.Event()
        self._stop = asyncio.Event()
        self._reading = asyncio.Lock()
        self._tasks: list[asyncio.Task[None]] = []
        self._scripts: dict[str, Any] = {}
        self._no_script: type[Exception] = Exception  # redis-py's NoScriptError, once open
        # Appends and acks that arrive together go to Redis in one pipeline.
        self._appends = Burst(self._run_appends, "gewe-redis-journal-append")
        self._acks = Burst(self._run_acks, "gewe-redis-journal-ack")
        self._health = Health(f"RedisJournal(prefix={prefix!r})")
        # Set when a read or a claim failed part-way: entries may then be pending for this
        # consumer in Redis without being loaded here; the reader reads them again.
        self._reread = False

    @property
    def unavailable_since(self) -> float | None:
        """When Redis started failing (`time.time()`); `None` while it answers."""
        return self._health.since

    async def _pause(self, seconds: float) -> None:
        """Sleep `seconds`, or less if the journal closes meanwhile."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), seconds)

    def __repr__(self) -> str:
        return f"RedisJournal(prefix={self._prefix!r}, consumer={self.consumer!r})"

    def _stream(self, partition: int) -> str:
        return f"{{{self._prefix}:{partition}}}:s"

    def _partition(self, chat: str) -> int:
        return zlib.crc32(chat.encode()) % self._partitions

    @property
    def _redis(self) -> Any:
        # redis-py types every reply as the union of all reply shapes; the shapes of the
        # commands used here are known (RESP2, bytes), and read where they are used.
        if self._client is None:
            raise RuntimeError("the journal is not open")
        return self._client

    async def open(self) -> None:
        """Connect, and create the streams and their consumer group if missing."""
        if self._client is None:
            aioredis = import_redis()
            # Blocking: beyond its connections, redis-py's default pool raises instead of
            # waiting (acks, one connection each, once ran into it; now batched, but `stats`
            # callers and the worker's loops still share the pool).
            pool = aioredis.BlockingConnectionPool.from_url(self._url, max_connections=100)
            self._client = aioredis.Redis.from_pool(pool)
        else:
            import_redis()
        redis = self._redis
        for name, source in (
            ("append", _APPEND),
            ("lease", _LEASE),
            ("release", _RELEASE),
            ("heartbeat", _HEARTBEAT),
        ):
            self._scripts[name] = redis.register_script(source)
        response_error = import_redis().ResponseError
        from redis.exceptions import NoScriptError

        self._no_script = NoScriptError
        for partition in range(self._partitions):
            try:
                await redis.xgroup_create(self._stream(partition), GROUP, id="0", mkstream=True)
            except response_error as exc:
                if "BUSYGROUP" not in str(exc):
                    raise

    async def aclose(self) -> None:
        """Stop consuming and give the partitions up; unacknowledged entries stay pending."""
        self._chats.close()
        # Stopped, not cancelled: cancelling redis-py in the middle of a blocking read can
        # leave it reading forever, so the loops check `_stop` between short commands.
        self._stop.set()
        self._wake.set()
        worker = bool(self._tasks)
        await asyncio.gather(*self._tasks)
        self._tasks.clear()
        await self._appends.wait()
        await self._acks.wait()
        if self._client is None:
            return
        if worker:
            try:
                for partition in list(self._owned):
                    await self._release(partition)
                await self._redis.zrem(f"{self._prefix}:workers", self.consumer)
            except Exception as exc:  # unreachable: the leases expire by themselves
                if not self._is_transient(exc):
                    raise
                self._health.failed(exc)
        if self._own_client:
            await self._client.aclose()
            self._client = None

    async def append(self, entry: Entry) -> bool:
        """Store `entry` in its chat's stream; `False` when its key was seen within the window."""
        partition = self._partition(entry.chat)
        keys = [f"{{{self._prefix}:{partition}}}:seen:{entry.key}", self._stream(partition)]
        args = [
            repr(self._clock()),
            repr(self.dedupe_window),
            max(1, round(self.dedupe_window * 1000)),
            self._partition_max,
            entry.key,
            entry.chat,
            entry.body,
            repr(entry.received_at),
        ]
        # This process consumes too: keep the parsed event for the hand-out, before the entry
        # is in Redis (the reader may bring it back before the append's reply comes).
        kept = bool(self._tasks) and entry.event is not None and entry.key not in self._parsed
        if kept:
            self._keep_parsed(entry.key, entry)
        stored = 0
        try:
            stored = await self._append_until_room(partition, keys, args)
        finally:
            if kept and stored != 1:
                self._parsed.pop(entry.key, None)
        if stored == 1 and not kept and self._tasks:  # consuming started meanwhile
            self._keep_parsed(entry.key, entry)
        return bool(stored)

    async def _append_until_room(self, partition: int, keys: list[str], args: list[Any]) -> int:
        """Run the append script until it finds room (1 stored, 0 a duplicate) or time is up."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.full_timeout
        while True:
            stored = int(await self._appends((keys, args)))
            if stored != -1:
                return stored
            if loop.time() >= deadline:
                raise JournalFullError(f"partition {partition} holds {self._partition_max} entries")
            # The room may be freed by any worker: an ack here wakes it, else a short poll.
            await self._room.pause(min(0.05, deadline - loop.time()))

    async def _run_appends(self, batch: Sequence[tuple[list[str], list[Any]]]) -> list[Any]:
        """EVALSHA the append script for each of `batch` in one pipeline; the replies in order.

        One round trip for a burst of pushes.

        Raw EVALSHA rather than redis-py's Script objects: a pipeline holding those asks
        Redis whether the script exists (SCRIPT EXISTS) before every execute, a second round
        trip per burst. Should Redis have lost its scripts (restarted, SCRIPT FLUSH), the
        appends it refused with NOSCRIPT did not run: the script is loaded and they run again.
        """
        sha = self._scripts["append"].sha
        try:
            results = await self._evalsha_pipeline(sha, batch)
            missing = [n for n, r in enumerate(results) if isinstance(r, self._no_script)]
            if missing:
                await self._redis.script_load(_APPEND)
                again = await self._evalsha_pipeline(sha, [batch[n] for n in missing])
                for n, result in zip(missing, again, strict=True):
                    results[n] = result
        except Exception as exc:  # the receiver answers 503; GeWe retries the push later
            self._health.failed(exc)
            raise
        self._health.ok()
        return results

    async def _evalsha_pipeline(
        self, sha: str, batch: Sequence[tuple[list[str], list[Any]]]
    ) -> list[Any]:
        async with self._redis.pipeline(transaction=False) as pipe:
            for keys, args in batch:
                pipe.execute_command("EVALSHA", sha, len(keys), *keys, *args)
            return list(await pipe.execute(raise_on_error=False))

    async def consume(self) -> AsyncIterator[Delivery]:
        """Yield deliveries from the partitions this worker holds, until the journal closes."""
        if not self._tasks:  # the first consumer starts the worker side, once
            self._tasks = [
                asyncio.create_task(self._coordinate(), name="gewe-redis-journal-leases"),
                asyncio.create_task(self._read(), name="gewe-redis-journal-reader"),
            ]
        while (delivery := await self._chats.get()) is not None:
            self._in_flight.add(delivery.id)
            yield self._handing_out(self._with_parsed(delivery, delivery.entry.key))

    async def ack(self, delivery: Delivery) -> None:
        """Mark `delivery` handled: acknowledged in the group and deleted from the stream."""
        partition, _, stream_id = delivery.id.partition("/")
        # Retried until Redis takes it: an ack given up would leave the entry pending for
        # this consumer and its chat stuck behind it. Closing stops the retries; the entry
        # then stays pending and is delivered again (`attempt > 1`) by the next owner.
        await self._until_taken(
            lambda: self._acks((self._stream(int(partition)), stream_id.encode()))
        )
        self._release_chat(delivery)

    def _release_chat(self, delivery: Delivery) -> None:
        self._in_flight.discard(delivery.id)
        self._chats.done(delivery)
        self._wake.set()
        self._room.freed()

    async def _until_taken(self, command: Callable[[], Awaitable[T]]) -> T:
        """`command()`, retried while Redis is unreachable and the journal open."""
        failures = 0
        while True:
            try:
                return await command()
            except Exception as exc:
                if not self._is_transient(exc) or self._stop.is_set():
                    raise
                failures += 1
                await self._pause(backoff(failures))

    async def _run_acks(self, batch: Sequence[tuple[str, bytes]]) -> list[BaseException | None]:
        """Acknowledge and delete a burst of entries in one transaction: XACK and XDEL per stream.

        Handlers often finish together (a dispatcher's worth at once); one pipeline per ack
        then cost the event loop about 0.2 ms each, and answers to new pushes queued behind
        the burst. Each `ack` still returns only once its own entry's commands ran.
        """
        ids: dict[str, list[bytes]] = {}
        for stream, stream_id in batch:
            ids.setdefault(stream, []).append(stream_id)
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                for stream, stream_ids in ids.items():
                    pipe.xack(stream, GROUP, *stream_ids)
                    pipe.xdel(stream, *stream_ids)
                replies = await pipe.execute(raise_on_error=False)
        except Exception as exc:
            self._health.failed(exc)
            raise
        self._health.ok()
        # MULTI/EXEC runs every command even when one fails: a stream's error (XACK, else
        # XDEL) goes to the callers of that stream only, the others' entries are acked.
        errors: dict[str, BaseException | None] = {}
        for n, stream in enumerate(ids):
            pair = replies[2 * n : 2 * n + 2]
            errors[stream] = next((r for r in pair if isinstance(r, BaseException)), None)
        return [errors[stream] for stream, _ in batch]

    async def stats(self) -> JournalStats:
        """Depth and oldest entry over all partitions; redeliveries made by this worker."""
        async with self._redis.pipeline(transaction=False) as pipe:
            for partition in range(self._partitions):
                pipe.xlen(self._stream(partition))
                pipe.xrange(self._stream(partition), count=1)
            replies = await pipe.execute()
        depth = sum(replies[0::2])
        oldest = [float(first[0][1][b"t"]) for first in replies[1::2] if first]
        age = max(0.0, self._clock() - min(oldest)) if oldest else None
        return JournalStats(depth=depth, oldest_pending_age=age, redeliveries=self._redeliveries)

    # Dead letters.

    def _dead(self, partition: int) -> str:
        return f"{{{self._prefix}:{partition}}}:dead"

    async def _bury(self, delivery: Delivery, letter: DeadLetter) -> int:
        partition, _, stream_id = delivery.id.partition("/")
        entry = letter.entry
        fields = {
            "k": entry.key,
            "c": entry.chat,
            "b": entry.body,
            "t": repr(entry.received_at),
            "e": letter.error,
            "n": letter.attempts,
            "f": repr(letter.first_failed_at),
            "l": repr(letter.last_failed_at),
        }

        async def move() -> list[Any]:
            dead = self._dead(int(partition))
            stream = self._stream(int(partition))
            try:
                async with self._redis.pipeline(transaction=True) as pipe:
                    pipe.xlen(dead)
                    pipe.xadd(dead, fields, maxlen=self._dead_max, approximate=False)
                    pipe.xack(stream, GROUP, stream_id)
                    pipe.xdel(stream, stream_id)
                    replies: list[Any] = await pipe.execute()
            except Exception as exc:
                self._health.failed(exc)
                raise
            self._health.ok()
            return replies

        replies = await self._until_taken(move)
        self._release_chat(delivery)
        return max(0, int(replies[0]) + 1 - self._dead_max)

    def _letters(self, partition: int, found: Sequence[Any]) -> list[DeadLetter]:
        return [
            DeadLetter(
                id=f"{partition}/{stream_id.decode()}",
                entry=self._entry(fields),
                error=fields[b"e"].decode(),
                attempts=int(fields[b"n"]),
                first_failed_at=float(fields[b"f"]),
                last_failed_at=float(fields[b"l"]),
            )
            for stream_id, fields in found
            if fields
        ]

    async def _dead_letters(self) -> list[DeadLetter]:
        async with self._redis.pipeline(transaction=False) as pipe:
            for partition in range(self._partitions):
                pipe.xrange(self._dead(partition))
            replies = await pipe.execute()
        return [d for p, found in enumerate(replies) for d in self._letters(p, found)]

    async def _chosen(self, ids: list[str] | None) -> list[DeadLetter]:
        """The dead letters `ids` that exist (all when `None`)."""
        if ids is None:
            return await self._dead_letters()
        wanted: list[tuple[int, str]] = []
        for one in dict.fromkeys(ids):
            number, _, stream_id = one.partition("/")
            if number.isdigit() and int(number) < self._partitions and stream_id:
                wanted.append((int(number), stream_id))
        async with self._redis.pipeline(transaction=False) as pipe:
            for partition, stream_id in wanted:
                pipe.xrange(self._dead(partition), stream_id, stream_id)
            replies = await pipe.execute(raise_on_error=False)
        return [
            d
            for (partition, _), found in zip(wanted, replies, strict=True)
            if not isinstance(found, BaseException)
            for d in self._letters(partition, found)
        ]

    async def _replay(self, ids: list[str] | None) -> int:
        letters = await self._chosen(ids)
        if not letters:
            return 0
        # One transaction per partition (its keys share a hash slot): XADD to its stream
        # and XDEL from its dead letters, so a letter is never in both nor lost.
        by_partition: dict[int, list[DeadLetter]] = {}
        for letter in letters:
            by_partition.setdefault(int(letter.id.partition("/")[0]), []).append(letter)
        for partition, group in by_partition.items():
            async with self._redis.pipeline(transaction=True) as pipe:
                for letter in group:
                    entry = letter.entry
                    fields = {"k": entry.key, "c": entry.chat, "b": entry.body}
                    pipe.xadd(self._stream(partition), {**fields, "t": repr(entry.received_at)})
                    pipe.xdel(self._dead(partition), letter.id.partition("/")[2])
                await pipe.execute()
        return len(letters)

    async def _purge(self, ids: list[str] | None) -> int:
        letters = await self._chosen(ids)
        if not letters:
            return 0
        async with self._redis.pipeline(transaction=False) as pipe:
            for letter in letters:
                partition, _, stream_id = letter.id.partition("/")
                pipe.xdel(self._dead(int(partition)), stream_id)
            replies = await pipe.execute()
        return sum(int(r) for r in replies)

    # Worker side: leases, claiming, reading.

    def _is_transient(self, exc: BaseException) -> bool:
        """Whether `exc` is Redis being unreachable or busy (retried), not a bug (raised)."""
        from redis.exceptions import BusyLoadingError, ConnectionError, TimeoutError

        return isinstance(exc, ConnectionError | TimeoutError | BusyLoadingError | OSError)

    async def _coordinate(self) -> None:
        # Never ends on a Redis error: a worker whose lease loop died kept its process alive
        # and handled nothing more (issue 19). It retries with backoff instead.
        while not self._stop.is_set():
            try:
                await self._rebalance()
            except Exception as exc:
                self._health.failed(exc)
                self._reread = True  # a claim may have stopped between XCLAIM and loading
                await self._pause(backoff(self._health.failures))
                continue
            self._health.ok()
            await self._pause(self._lease_ms / 3000)

    async def _rebalance(self) -> None:
        """Heartbeat, keep our leases, take free partitions up to our share, drain extras."""
        workers = await self._scripts["heartbeat"](
            keys=[f"{self._prefix}:workers"], args=[self.consumer, self._lease_ms]
        )
        for partition in list(self._owned):
            if not await self._scripts["lease"](
                keys=[self._lease_key(partition)], args=[self.consumer, self._lease_ms]
            ):
                self._lose(partition)
            elif partition not in self._draining:
                await self._claim(partition, stale_only=True)
        share = math.ceil(self._partitions / max(1, int(workers)))
        start = zlib.crc32(self.consumer.encode())
        for step in range(self._partitions):
            if len(self._owned) - len(self._draining) >= share:
                break
            partition = (start + step) % self._partitions
            if partition in self._owned:
                continue
            if await self._scripts["lease"](
                keys=[self._lease_key(partition)], args=[self.consumer, self._lease_ms]
            ):
                await self._claim(partition)
                self._owned.add(partition)
                self._wake.set()  # the reader reads it from now on
        extra = len(self._owned) - len(self._draining) - share
        for partition in sorted(self._owned - self._draining, reverse=True)[: max(0, extra)]:
            self._draining.add(partition)
        # Not while a read is under way: it may still bring entries of a drained partition.
        async with self._reading:
            for partition in list(self._draining):
                if not self._holds(partition):
                    await self._release(partition)

    def _lease_key(self, partition: int) -> str:
        return f"{{{self._prefix}:{partition}}}:lease"

    def _holds(self, partition: int) -> bool:
        prefix = f"{partition}/"
        if any(d.startswith(prefix) for d in self._in_flight):
            return True
        return any(self._partition(d.entry.chat) == partition for d in self._chats.waiting())

    def _lose(self, partition: int) -> None:
        """Another worker holds the partition now: hand out nothing more of it."""
        self._owned.discard(partition)
        self._draining.discard(partition)
        self._chats.drop(lambda d: self._partition(d.entry.chat) == partition)

    async def _release(self, partition: int) -> None:
        await self._scripts["release"](keys=[self._lease_key(partition)], args=[self.consumer])
        self._owned.discard(partition)
        self._draining.discard(partition)

    async def _claim(self, partition: int, *, stale_only: bool = False) -> None:
        """Take over the entries other consumers read and did not acknowledge, in order.

        On taking a partition, all of them (its previous owner is gone); afterwards, those
        another consumer has held for longer than a lease (read by a worker that lost the
        partition while its read was under way).
        """
        stream = self._stream(partition)
        start = "-"
        idle = self._lease_ms if stale_only else None
        while True:
            pending = await self._redis.xpending_range(stream, GROUP, start, "+", 100, idle=idle)
            if not pending:
                return
            start = "(" + pending[-1]["message_id"].decode()
            counts = {
                p["message_id"]: p["times_delivered"]
                for p in pending
                if f"{partition}/{p['message_id'].decode()}" not in self._in_flight
                and not (stale_only and p["consumer"].decode() == self.consumer)
            }
            if counts:
                claimed = await self._redis.xclaim(
                    stream, GROUP, self.consumer, idle or 0, list(counts)
                )
                for stream_id, fields in claimed:
                    if fields:
                        self._put(partition, stream_id, fields, counts[stream_id] + 1)

    async def _read(self) -> None:
        while not self._stop.is_set():
            reading = {self._stream(p).encode(): p for p in self._owned - self._draining}
            if not reading or self._chats.waiting_count() >= self._prefetch:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._lease_ms / 3000)
                continue
            try:
                async with self._reading:
                    if self._reread:
                        await self._read_own_pending(reading)
                        self._reread = False
                    await self._read_new(reading)
            except Exception as exc:
                # A read whose reply was lost left its entries pending for this consumer:
                # `>` never returns them again, so they are read from the pending list.
                self._reread = True
                self._health.failed(exc)
                await self._pause(backoff(self._health.failures))
                continue
            self._health.ok()

    async def _read_own_pending(self, reading: dict[bytes, int]) -> None:
        """Load the entries pending for this consumer that are neither waiting nor in flight."""
        for stream, partition in reading.items():
            start = b"0"
            while True:
                replies = await self._redis.xreadgroup(
                    GROUP, self.consumer, {stream: start}, count=self._prefetch
                )
                entries = [e for _, es in replies or () for e in es]
                if not entries:
                    break
                start = entries[-1][0]
                if partition not in self._owned:
                    break
                # Checked after the await, with nothing awaited until the entries are put:
                # a claim running meanwhile cannot load the same entry twice.
                known = self._in_flight | {d.id for d in self._chats.waiting()}
                for stream_id, fields in entries:
                    if fields and f"{partition}/{stream_id.decode()}" not in known:
                        self._put(partition, stream_id, fields, 2)

    async def _read_new(self, reading: dict[bytes, int]) -> None:
        replies = await self._redis.xreadgroup(
            GROUP,
            self.consumer,
            dict.fromkeys(reading, ">"),
            count=self._prefetch,
            block=_BLOCK_MS,
        )
        for stream, entries in replies or ():
            partition = reading[stream]
            if partition not in self._owned:
                continue  # lost meanwhile: its new owner claims them once stale
            for stream_id, fields in entries:
                self._put(partition, stream_id, fields, 1)

    @staticmethod
    def _entry(fields: dict[bytes, bytes]) -> Entry:
        return Entry(
            key=fields[b"k"].decode(),
            chat=fields[b"c"].decode(),
            body=fields[b"b"],
            received_at=float(fields[b"t"]),
        )

    def _put(
        self, partition: int, stream_id: bytes, fields: dict[bytes, bytes], attempt: int
    ) -> None:
        delivery = Delivery(self._entry(fields), f"{partition}/{stream_id.decode()}", attempt)
        self._chats.put(delivery)
