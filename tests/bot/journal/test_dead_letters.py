"""Failed handlers are not lost: retries with backoff, dead letters, replay, on all three journals.

Real SQLite files and a real redis-server; a handler's failures are real exceptions.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from gewe_async.bot import (
    Context,
    DeadLetter,
    Dispatcher,
    Entry,
    Journal,
    MemoryJournal,
    RedisJournal,
    Retry,
    RetryPolicy,
    Runner,
    SqliteJournal,
)
from gewe_async.callbacks import CallbackEvent, TextMessage
from gewe_async.exceptions import GeweHTTPStatusError, GeweTimeoutError, GeweTransportError
from tests.bot_helpers import text_push
from tests.journals import entry, redis_server

MakeJournal = Callable[..., Journal]
FAST = RetryPolicy(wait_initial=0.01, wait_max=0.05)


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server on loopback for this module."""
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture(params=["memory", "sqlite", "redis"])
def make_journal(request: pytest.FixtureRequest, tmp_path: Path) -> MakeJournal:
    """A factory of journals over one storage (memory: the same object each time)."""
    if request.param == "memory":
        made: list[MemoryJournal] = []

        def memory(**options: Any) -> Journal:
            if not made:
                made.append(MemoryJournal(**options))
            return made[0]

        return memory
    if request.param == "sqlite":
        path = tmp_path / "journal.db"
        return lambda **options: SqliteJournal(path, **options)
    url = request.getfixturevalue("redis_url")
    prefix = f"t-{uuid.uuid4().hex[:8]}"
    return lambda **options: RedisJournal(url, prefix=prefix, partitions=4, **options)


async def until(condition: Callable[[], object], timeout: float = 30.0) -> None:
    """Wait until `condition()` (or its awaited result) is true, 30 s at most."""
    async with asyncio.timeout(timeout):
        while True:
            value = condition()
            if inspect.isawaitable(value):
                value = await value
            if value:
                return
            await asyncio.sleep(0.01)


async def first(journal: Journal) -> Any:
    async with asyncio.timeout(30):
        return await anext(aiter(journal.consume()))


def push(text: str, sender: str = "wxid_friend") -> Entry:
    body = json.dumps(text_push(text, sender=sender)).encode()
    event = Dispatcher().parse(body)
    return Entry(event.idempotency_key, event.chat_key, body, 1.0)


class Bot:
    """A dispatcher whose handler raises what `failures[text]` holds, run after run."""

    def __init__(self, **options: Any) -> None:
        self.dp = Dispatcher(**options)
        self.runs: dict[str, int] = {}
        self.handled: list[str] = []
        self.failures: dict[str, list[BaseException]] = {}
        self.errors: list[tuple[str, Exception]] = []

        @self.dp.on(TextMessage)
        async def act(event: TextMessage, ctx: Context) -> None:
            self.runs[event.text] = self.runs.get(event.text, 0) + 1
            planned = self.failures.get(event.text)
            if planned:
                raise planned.pop(0)
            self.handled.append(event.text)

        @self.dp.error_handler
        async def on_error(error: Exception, event: CallbackEvent, ctx: Context) -> None:
            assert isinstance(event, TextMessage)
            self.errors.append((event.text, error))


async def bury(journal: Journal, failed_at: float) -> None:
    """Dead-letter the next delivery."""
    await journal.dead_letter(
        await first(journal), error="E", attempts=1, first_failed_at=failed_at
    )


async def depth(journal: Journal) -> int:
    return (await journal.stats()).depth


# The journal's own methods.


async def test_a_dead_letter_keeps_the_entry_and_the_failure_and_frees_its_chat(
    make_journal: MakeJournal,
):
    journal = make_journal()
    await journal.open()
    try:
        await journal.append(entry("k1", body=b"the body"))
        await journal.append(entry("k2"))
        delivery = await first(journal)
        await journal.dead_letter(
            delivery,
            error="ValueError: boom",
            attempts=3,
            first_failed_at=10.0,
            last_failed_at=20.0,
        )
        nxt = await first(journal)  # the chat goes on as after an ack
        assert nxt.entry.key == "k2"
        await journal.ack(nxt)
        assert await depth(journal) == 0
        [letter] = await journal.dead_letters()
    finally:
        await journal.aclose()
    assert isinstance(letter, DeadLetter)
    assert (letter.entry.key, letter.entry.chat, letter.entry.body) == ("k1", "chat-a", b"the body")
    assert (letter.error, letter.attempts) == ("ValueError: boom", 3)
    assert (letter.first_failed_at, letter.last_failed_at) == (10.0, 20.0)


async def test_replay_stores_dead_letters_again_and_purge_forgets_them(make_journal: MakeJournal):
    journal = make_journal()
    await journal.open()
    try:
        for key in ("a", "b", "c"):
            await journal.append(entry(key, chat=f"chat-{key}"))
        for _ in range(3):
            await journal.dead_letter(
                await first(journal), error="E", attempts=1, first_failed_at=1
            )
        letters = await journal.dead_letters()
        assert sorted(d.entry.key for d in letters) == ["a", "b", "c"]
        by_key = {d.entry.key: d.id for d in letters}
        assert await journal.replay([by_key["a"], "no-such-id"]) == 1
        again = await first(journal)
        assert (again.entry.key, again.entry.body) == ("a", b"a")
        await journal.ack(again)
        assert await journal.purge([by_key["b"]]) == 1
        assert [d.entry.key for d in await journal.dead_letters()] == ["c"]
        assert await journal.purge("all") == 1
        assert await journal.dead_letters() == []
        assert await journal.replay("all") == 0
    finally:
        await journal.aclose()


async def test_replay_and_purge_refuse_a_bare_id(make_journal: MakeJournal):
    journal = make_journal()
    await journal.open()
    try:
        with pytest.raises(TypeError, match="'all'"):
            await journal.replay("3")
        with pytest.raises(TypeError, match="str"):
            await journal.purge([3])  # type: ignore[list-item]
    finally:
        await journal.aclose()


async def test_dead_letters_are_bounded_the_oldest_dropped_with_a_log_line(
    make_journal: MakeJournal, caplog: pytest.LogCaptureFixture, request: pytest.FixtureRequest
):
    # Redis keeps each partition's share: one chat, one partition, a bound of 2 there.
    redis = request.node.callspec.params["make_journal"] == "redis"
    journal = make_journal(max_dead_letters=2 * 4 if redis else 2)
    await journal.open()
    try:
        for n in range(3):
            await journal.append(entry(f"k{n}"))
            await journal.dead_letter(
                await first(journal), error="E", attempts=1, first_failed_at=n
            )
        letters = await journal.dead_letters()
    finally:
        await journal.aclose()
    assert [d.entry.key for d in letters] == ["k1", "k2"]
    assert any("1 oldest dead letters dropped" in r.message for r in caplog.records)


async def test_sqlite_dead_letters_survive_a_restart_and_replay_is_handled_at_the_next_open(
    tmp_path: Path,
):
    path = tmp_path / "j.db"
    journal = SqliteJournal(path)
    await journal.open()
    await journal.append(entry("k1"))
    await journal.dead_letter(await first(journal), error="E", attempts=2, first_failed_at=1)
    await journal.aclose()
    journal = SqliteJournal(path)
    await journal.open()
    [letter] = await journal.dead_letters()
    assert await journal.replay([letter.id]) == 1
    await journal.aclose()
    journal = SqliteJournal(path)
    await journal.open()
    try:
        delivery = await first(journal)
        assert delivery.entry.key == "k1"
        await journal.ack(delivery)
        assert await journal.dead_letters() == []
    finally:
        await journal.aclose()


def test_settings_are_checked_with_one_wording_on_every_journal(tmp_path: Path):
    makers: list[Callable[..., object]] = [
        MemoryJournal,
        lambda **o: SqliteJournal(tmp_path / "x.db", **o),
        lambda **o: RedisJournal(**o),
    ]
    for make in makers:
        for name, bad in (
            ("max_pending", 0),
            ("max_dead_letters", 0),
            ("dedupe_window", 0),
            ("full_timeout", -1),
        ):
            with pytest.raises(ValueError, match=f"^{name} must be"):
                make(**{name: bad})
        journal: Any = make(max_pending=7, dedupe_window=9, full_timeout=0.5, max_dead_letters=3)
        assert (journal.max_pending, journal.dedupe_window, journal.full_timeout) == (7, 9.0, 0.5)
        assert journal.max_dead_letters == 3


# The runner and the dispatcher, end to end.


async def test_a_transient_failure_twice_then_success_runs_three_times(make_journal: MakeJournal):
    bot = Bot(retry=FAST)
    bot.failures["hello"] = [
        GeweTransportError("reset", endpoint="message/postText"),
        GeweHTTPStatusError(status_code=502, body="bad gateway"),
    ]
    journal = make_journal()
    await journal.open()
    runner = Runner(bot.dp, journal)
    runner.start()
    try:
        await journal.append(push("hello"))
        await until(lambda: bot.handled == ["hello"])
        await until(lambda: _empty(journal))
    finally:
        await runner.stop(5)
        letters = await journal.dead_letters()
        await journal.aclose()
    assert bot.runs == {"hello": 3}
    assert bot.errors == []  # the error handler hears only of a final failure
    assert letters == []


async def test_a_value_error_leaves_one_dead_letter_and_replay_handles_it(
    make_journal: MakeJournal,
):
    bot = Bot(retry=FAST)
    bot.failures["boom"] = [ValueError("boom: no such order")]
    journal = make_journal()
    await journal.open()
    runner = Runner(bot.dp, journal)
    runner.start()
    try:
        await journal.append(push("boom"))
        await journal.append(push("after"))
        await until(lambda: bot.handled == ["after"])  # the chat went on
        await until(lambda: _empty(journal))
        [letter] = await journal.dead_letters()
        assert letter.error == "ValueError: boom: no such order"
        assert letter.attempts == 1
        assert bot.runs["boom"] == 1  # not transient: not retried
        assert [(t, type(e)) for t, e in bot.errors] == [("boom", ValueError)]
        assert json.loads(letter.entry.body)["Data"]["Content"]["string"] == "boom"
        assert await journal.replay([letter.id]) == 1
        await until(lambda: bot.handled == ["after", "boom"])
        await until(lambda: _empty(journal))
        assert await journal.dead_letters() == []
    finally:
        await runner.stop(5)
        await journal.aclose()


async def test_transient_failures_past_max_attempts_become_a_dead_letter(tmp_path: Path):
    bot = Bot(retry=RetryPolicy(max_attempts=2, wait_initial=0.01))
    bot.failures["slow"] = [GeweTimeoutError("timed out"), GeweTimeoutError("timed out again")]
    journal = SqliteJournal(tmp_path / "j.db")
    await journal.open()
    runner = Runner(bot.dp, journal)
    runner.start()
    try:
        await journal.append(push("slow"))
        await until(lambda: _dead(journal))
    finally:
        await runner.stop(5)
        [letter] = await journal.dead_letters()
        await journal.aclose()
    assert bot.runs == {"slow": 2}
    assert letter.attempts == 2
    assert letter.error.startswith("GeweTimeoutError: timed out again")
    assert letter.first_failed_at <= letter.last_failed_at
    assert [t for t, _ in bot.errors] == ["slow"]


async def test_a_handler_asks_for_a_retry_itself(tmp_path: Path):
    bot = Bot()
    bot.failures["later"] = [Retry(after=0.01, reason="the order is not paid yet")]
    journal = SqliteJournal(tmp_path / "j.db")
    await journal.open()
    runner = Runner(bot.dp, journal)
    runner.start()
    try:
        await journal.append(push("later"))
        await until(lambda: bot.handled == ["later"])
    finally:
        await runner.stop(5)
        await journal.aclose()
    assert bot.runs == {"later": 2}
    assert bot.errors == []


async def test_a_retry_waits_without_its_slot_and_its_chat_waits_behind_it(tmp_path: Path):
    """concurrency=1: another chat is handled meanwhile; its own chat's next entry waits."""
    bot = Bot(concurrency=1, retry=RetryPolicy(wait_initial=600, jitter=False))
    bot.failures["first"] = [GeweTransportError("reset")]
    journal = SqliteJournal(tmp_path / "j.db")
    await journal.open()
    runner = Runner(bot.dp, journal)
    runner.start()
    try:
        await journal.append(push("first", sender="wxid_a"))
        await until(lambda: bot.runs.get("first") == 1)
        await journal.append(push("second", sender="wxid_a"))
        await journal.append(push("other chat", sender="wxid_b"))
        await until(lambda: bot.handled == ["other chat"])
        await asyncio.sleep(0.2)
        assert "second" not in bot.runs  # behind the retrying entry of its chat
    finally:
        assert await runner.stop(30) == 0  # the waiting retry gives up at once, uncancelled
    assert await depth(journal) == 2  # both of wxid_a's entries wait for the next run
    await journal.aclose()
    again = SqliteJournal(tmp_path / "j.db")
    await again.open()
    try:
        delivery = await first(again)
        assert delivery.attempt == 2  # may have been handled: run again after a restart
    finally:
        await again.aclose()


async def test_a_poison_push_becomes_a_dead_letter(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    path = tmp_path / "j.db"
    bot = Bot(max_delivery_attempts=2)
    journal = SqliteJournal(path)
    await journal.open()
    await journal.append(push("poison"))
    await journal.aclose()
    for _ in range(2):  # handed out, then the process dies before the ack
        dying = SqliteJournal(path)
        await dying.open()
        await first(dying)
        await dying.aclose()
    journal = SqliteJournal(path)
    await journal.open()
    runner = Runner(bot.dp, journal)
    runner.start()
    try:
        await until(lambda: _dead(journal))
    finally:
        await runner.stop(5)
        [letter] = await journal.dead_letters()
        await journal.aclose()
    assert bot.runs == {}
    assert letter.error == "poison push: the process died handling it 2 times"
    assert letter.attempts == 2
    assert any("POISON PUSH" in r.message and r.levelno == logging.ERROR for r in caplog.records)


async def test_an_entry_that_is_not_a_callback_becomes_a_dead_letter(tmp_path: Path):
    bot = Bot()
    journal = SqliteJournal(tmp_path / "j.db")
    await journal.open()
    runner = Runner(bot.dp, journal)
    runner.start()
    try:
        await journal.append(Entry("k", "c", b"not json", 1.0))
        await until(lambda: _dead(journal))
    finally:
        await runner.stop(5)
        [letter] = await journal.dead_letters()
        await journal.aclose()
    assert letter.error.startswith("GeweCallbackError")
    assert letter.entry.body == b"not json"


def test_retry_policy_and_retry_check_their_values():
    for name, bad in (("max_attempts", 0), ("wait_initial", -1.0), ("wait_max", float("nan"))):
        with pytest.raises(ValueError, match=name):
            RetryPolicy(**{name: bad})
    with pytest.raises(ValueError, match="after"):
        Retry(after=-1)
    with pytest.raises(TypeError, match="RetryPolicy"):
        Dispatcher(retry=3)  # type: ignore[arg-type]
    policy = RetryPolicy(jitter=False, wait_initial=1, wait_max=3)
    assert [policy.delay(GeweTransportError("x"), run) for run in (1, 2)] == [1.0, 2.0]
    assert policy.delay(GeweTransportError("x"), 3) is None  # the third run was the last
    assert policy.delay(ValueError("x"), 1) is None
    assert policy.delay(GeweHTTPStatusError(status_code=404, body=""), 1) is None
    assert policy.delay(GeweHTTPStatusError(status_code=503, body="", retry_after=2.5), 1) == 2.5
    assert policy.delay(Retry(after=30), 1) == 30.0
    assert RetryPolicy(on=(KeyError,)).transient(KeyError("k"))


async def _empty(journal: Journal) -> bool:
    return await depth(journal) == 0


async def _dead(journal: Journal) -> bool:
    return bool(await journal.dead_letters())


class OldJournal:
    """A journal written before dead letters: the protocol of append, consume, ack, stats."""

    def __init__(self) -> None:
        self.inner = MemoryJournal()
        self.unavailable_since = None

    async def open(self) -> None:
        await self.inner.open()

    async def aclose(self) -> None:
        await self.inner.aclose()

    async def append(self, entry: Entry) -> bool:
        return await self.inner.append(entry)

    def consume(self) -> Any:
        return self.inner.consume()

    async def ack(self, delivery: Any) -> None:
        await self.inner.ack(delivery)

    async def stats(self) -> Any:
        return await self.inner.stats()


async def test_a_journal_without_dead_letters_acks_a_failed_entry_and_its_chat_goes_on(
    caplog: pytest.LogCaptureFixture,
):
    bot = Bot()
    bot.failures["boom"] = [ValueError("boom")]
    journal = OldJournal()
    await journal.open()
    runner = Runner(bot.dp, journal)  # type: ignore[arg-type]
    runner.start()
    try:
        await journal.append(push("boom"))
        await journal.append(push("after"))
        await until(lambda: bot.handled == ["after"])
    finally:
        await runner.stop(5)
        await journal.aclose()
    assert any("keeps no dead letters" in r.message for r in caplog.records)
