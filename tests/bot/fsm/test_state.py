"""Conversation state: the storages (memory, real SQLite files, a real redis-server), ctx.state,
f.state and StatesGroup, surviving restarts, other workers, and concurrent updates."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from gewe_async.bot import Context, Dispatcher, SqliteJournal
from gewe_async.bot import filters as f
from gewe_async.bot.fsm import (
    BaseStorage,
    Conversation,
    MemoryStorage,
    RedisStorage,
    SqliteStorage,
    State,
    StatesGroup,
    StorageKey,
    storage_from_url,
)
from gewe_async.callbacks import TextMessage, parse_callback
from gewe_async.testing import BotHarness, FakeGewe
from tests.bot_helpers import BOT_APP, FRIEND, GROUP, text_push, until
from tests.journals import FakeClock

KEY = StorageKey(BOT_APP, FRIEND, FRIEND)
OTHER = StorageKey(BOT_APP, GROUP, FRIEND)


_prefixes = iter(range(10**6))


def _prefix() -> str:
    return f"t{next(_prefixes)}"


Make = Callable[..., BaseStorage]


@pytest.fixture(params=["memory", "sqlite", "redis"])
def make(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Make]:
    """A factory of storages of one kind; all made in a test share one place (file, prefix)."""
    kind = request.param
    made: list[BaseStorage] = []
    shared = MemoryStorage()
    prefix = _prefix()

    def factory(**options: object) -> BaseStorage:
        storage: BaseStorage
        if kind == "memory":
            storage = MemoryStorage(**options) if options else shared  # type: ignore[arg-type]
        elif kind == "sqlite":
            storage = SqliteStorage(tmp_path / "state.db", **options)  # type: ignore[arg-type]
        else:
            url = request.getfixturevalue("redis_url")
            storage = RedisStorage(url, prefix=prefix, **options)  # type: ignore[arg-type]
        made.append(storage)
        return storage

    factory.kind = kind  # type: ignore[attr-defined]
    yield factory
    request.node.stash[_to_close] = made


_to_close = pytest.StashKey[list[BaseStorage]]()


@pytest.fixture(autouse=True)
async def _close_storages(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    yield
    for storage in request.node.stash.get(_to_close, []):
        await storage.aclose()


async def test_a_conversation_starts_empty_then_keeps_state_and_data(make: Make):
    """get/set/update/get_data/set_data/clear, in every storage."""
    storage = make()
    assert await storage.get_state(KEY) is None
    assert await storage.get_data(KEY) == {}
    await storage.set_state(KEY, "ask_city")
    await storage.update_data(KEY, name="Ada", tags=["a", 1, None, {"x": 1.5}])
    assert await storage.get_state(KEY) == "ask_city"
    assert await storage.get_data(KEY) == {"name": "Ada", "tags": ["a", 1, None, {"x": 1.5}]}
    await storage.update_data(KEY, city="北京")
    assert await storage.get_data(KEY) == {
        "name": "Ada",
        "tags": ["a", 1, None, {"x": 1.5}],
        "city": "北京",
    }
    await storage.set_state(KEY, None)  # leaves the steps, keeps the data
    assert await storage.get_state(KEY) is None
    assert (await storage.get_data(KEY))["city"] == "北京"
    await storage.set_state(KEY, "confirm")
    await storage.set_data(KEY, {"only": True})  # replaces the data, keeps the state
    assert await storage.get_data(KEY) == {"only": True}
    assert await storage.get_state(KEY) == "confirm"
    assert await storage.get_state(OTHER) is None  # another conversation
    await storage.clear(KEY)
    assert await storage.get_state(KEY) is None
    assert await storage.get_data(KEY) == {}


@pytest.mark.parametrize(
    "value", [(1, 2), {1, 2}, object(), float("nan"), float("inf"), {1: "x"}, [b"x"]]
)
async def test_data_that_is_not_json_is_refused_before_any_write(make: Make, value: object):
    """Tuples, sets, objects, NaN, int keys, bytes: TypeError at `update`, nothing stored."""
    storage = make()
    with pytest.raises(TypeError):
        await storage.update_data(KEY, bad=value)
    with pytest.raises(TypeError):
        await storage.set_data(KEY, {"bad": value})
    assert await storage.get_data(KEY) == {}


async def test_a_state_is_a_str_a_state_or_none(make: Make):
    storage = make()
    with pytest.raises(TypeError):
        await storage.set_state(KEY, 3)  # type: ignore[arg-type]


async def test_concurrent_updates_of_one_conversation_lose_no_write(make: Make):
    """Fifty updates at once, through two storage objects (two connections, two workers)."""
    if make.kind == "sqlite":  # type: ignore[attr-defined]
        first, second = make(shared=True), make(shared=True)  # two owners: shared
    else:
        first, second = make(), make()
    await asyncio.gather(
        *((first if i % 2 else second).update_data(KEY, **{f"k{i}": i}) for i in range(50)),
        first.set_state(KEY, "busy"),
    )
    assert await first.get_data(KEY) == {f"k{i}": i for i in range(50)}
    assert await second.get_state(KEY) == "busy"


async def test_a_conversation_survives_closing_and_reopening_the_storage(make: Make):
    """SQLite and Redis keep conversations across a restart; memory (same object) too."""
    storage = make()
    await storage.set_state(KEY, "ask_city")
    await storage.update_data(KEY, name="Ada")
    await storage.aclose()
    again = make()
    assert await again.get_state(KEY) == "ask_city"
    assert await again.get_data(KEY) == {"name": "Ada"}


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
async def test_a_conversation_is_forgotten_ttl_seconds_after_its_last_change(
    kind: str, tmp_path: Path
):
    clock = FakeClock()
    storage: BaseStorage = (
        MemoryStorage(ttl=60, clock=clock)
        if kind == "memory"
        else SqliteStorage(tmp_path / "s.db", ttl=60, clock=clock)
    )
    async with storage:
        await storage.set_state(KEY, "ask_city")
        clock.advance(50)
        await storage.update_data(KEY, name="Ada")  # a change restarts the clock
        clock.advance(50)
        assert await storage.get_state(KEY) == "ask_city"
        clock.advance(11)
        assert await storage.get_state(KEY) is None
        assert await storage.get_data(KEY) == {}
        await storage.update_data(KEY, city="Paris")  # a new conversation, not the old data
        assert await storage.get_data(KEY) == {"city": "Paris"}


async def test_redis_forgets_a_conversation_after_its_ttl(redis_url: str):
    async with RedisStorage(redis_url, prefix=_prefix(), ttl=0.2) as storage:
        await storage.set_state(KEY, "ask_city")
        assert await storage.get_state(KEY) == "ask_city"

        async def gone() -> bool:
            return await storage.get_state(KEY) is None

        await until(gone)


async def test_redis_without_ttl_keeps_no_expiry(redis_url: str):
    from redis.asyncio import Redis

    prefix = _prefix()
    async with RedisStorage(redis_url, prefix=prefix) as storage:
        await storage.set_state(KEY, "a")
        client = Redis.from_url(redis_url)
        try:
            assert await client.ttl(f"{prefix}:state:{KEY}") == -1
        finally:
            await client.aclose()


@pytest.mark.parametrize("ttl", [0, -1, float("inf"), float("nan"), True, "5"])
def test_a_bad_ttl_or_scope_is_refused(ttl: object):
    with pytest.raises(ValueError, match="ttl"):
        MemoryStorage(ttl=ttl)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="scope"):
        MemoryStorage(scope="group")  # type: ignore[arg-type]


async def test_the_sqlite_storage_works_beside_a_journal_and_names_its_own_file(tmp_path: Path):
    """The journal locks its file: the storage next to it works, on it fails clearly."""
    path = tmp_path / "bot.db"
    journal = SqliteJournal(path)
    await journal.open()
    try:
        async with SqliteStorage(f"{path}-state") as storage:
            await storage.set_state(KEY, "x")
            assert await storage.get_state(KEY) == "x"
        with pytest.raises(sqlite3.OperationalError, match=r"bot\.db-state"):
            await SqliteStorage(path).open()
    finally:
        await journal.aclose()


def test_storage_from_url_takes_the_journal_url_forms(tmp_path: Path):
    assert isinstance(storage_from_url("memory"), MemoryStorage)
    memory = storage_from_url("memory?ttl=60&scope=chat")
    assert memory.ttl == 60.0
    assert memory.scope == "chat"
    sqlite = storage_from_url("sqlite:///bot.db-state?synchronous=full&scope=sender")
    assert isinstance(sqlite, SqliteStorage)
    assert sqlite.scope == "sender"
    assert repr(sqlite) == "SqliteStorage('bot.db-state')"
    assert repr(storage_from_url("sqlite:////var/x.db")) == "SqliteStorage('/var/x.db')"
    redis = storage_from_url("redis://:pw@127.0.0.1:1/0?ttl=5&socket_timeout=1", prefix="b")
    assert isinstance(redis, RedisStorage)
    assert redis.ttl == 5.0
    assert "pw" not in repr(redis)
    for bad in (
        "mysql://x",
        "sqlite://bot.db",
        "sqlite:///",
        "memory?ttl=0",
        "memory?ttl=x",
        "memory?scope=room",
        "memory?max=1",
        "sqlite:///a.db?synchronous=OFF",
        "memory\n",
    ):
        with pytest.raises(ValueError, match=r"storage|SQLite"):
            storage_from_url(bad)
    with pytest.raises(TypeError):
        storage_from_url(b"memory")  # type: ignore[arg-type]


def _event(text: str = "hi", **options: object) -> TextMessage:
    event = parse_callback(text_push(text, **options))  # type: ignore[arg-type]
    assert isinstance(event, TextMessage)
    return event


def test_the_scope_picks_whose_conversation_a_message_is():
    in_group = _event(group=GROUP)
    private = _event()
    assert StorageKey.of(in_group) == StorageKey(BOT_APP, GROUP, FRIEND)
    assert StorageKey.of(in_group, "chat") == StorageKey(BOT_APP, GROUP, None)
    assert StorageKey.of(in_group, "sender") == StorageKey.of(private, "sender")
    assert StorageKey.of(in_group) != StorageKey.of(private)


async def test_per_sender_scope_follows_a_person_across_chats():
    dp = Dispatcher(storage=MemoryStorage(scope="sender"))
    ctx = Context(_event(group=GROUP), storage=dp.storage)
    await ctx.state.set("ask_city")
    assert await Context(_event(), storage=dp.storage).state.get() == "ask_city"
    per_chat = Dispatcher(storage=MemoryStorage())
    await Context(_event(group=GROUP), storage=per_chat.storage).state.set("ask_city")
    assert await Context(_event(), storage=per_chat.storage).state.get() is None


class Form(StatesGroup):
    name = State()
    city = State()


def test_a_states_group_names_its_states_and_catches_typos_at_import():
    assert Form.name.state == "Form:name"
    assert str(Form.city) == "Form:city"
    assert Form.__all_states__ == (Form.name, Form.city)
    with pytest.raises(AttributeError):
        Form.cty  # type: ignore[attr-defined]  # noqa: B018
    with pytest.raises(TypeError):
        Form()
    with pytest.raises(TypeError):
        State().state  # noqa: B018


async def test_the_state_filter_routes_by_the_conversation(gewe_bot: BotHarness):
    """f.state(None), f.state(State), f.state(Group), f.state("*"); other chats unaffected."""
    dp = gewe_bot.dispatcher

    @dp.on(TextMessage, f.text_equals("stop"), f.state("*"))
    async def stop(event: TextMessage, ctx: Context) -> None:
        await ctx.state.clear()
        await ctx.reply("stopped")

    @dp.on(TextMessage, f.state(None))
    async def start(event: TextMessage, ctx: Context) -> None:
        await ctx.state.set(Form.name)
        await ctx.reply("name?")

    @dp.on(TextMessage, f.state(Form.name))
    async def name(event: TextMessage, ctx: Context) -> None:
        await ctx.state.update(name=event.text)
        await ctx.state.set(Form.city)
        await ctx.reply("city?")

    @dp.on(TextMessage, f.state(Form))
    async def rest(event: TextMessage, ctx: Context) -> None:
        await ctx.reply(f"{(await ctx.state.get_data())['name']} in {event.text}")

    for text in ("hi", "Ada", "Paris", "stop", "again"):
        await gewe_bot.deliver(text_push(text))
    await gewe_bot.deliver(text_push("hello", sender="wxid_other"))
    assert gewe_bot.sent() == [
        (FRIEND, "name?"),
        (FRIEND, "city?"),
        (FRIEND, "Ada in Paris"),
        (FRIEND, "stopped"),
        (FRIEND, "name?"),
        ("wxid_other", "name?"),
    ]


async def test_the_state_filter_needs_a_context_and_skips_non_messages():
    check = f.state(None)
    with pytest.raises(TypeError, match="context"):
        await check(_event())
    dp = Dispatcher(storage=MemoryStorage())
    test_push = parse_callback({"testMsg": "验证回调地址是否可用"})
    assert not await check(test_push, Context(test_push, storage=dp.storage))
    with pytest.raises(TypeError):
        Context(test_push, storage=dp.storage).state  # noqa: B018
    with pytest.raises(ValueError, match="give the states"):
        f.state()
    with pytest.raises(TypeError):
        f.state(3)  # type: ignore[arg-type]


def _harness(fake: FakeGewe, storage: BaseStorage) -> BotHarness:
    harness = BotHarness.create(fake)
    harness.dispatcher.storage = storage
    dp = harness.dispatcher

    @dp.on(TextMessage, f.state(None))
    async def start(event: TextMessage, ctx: Context) -> None:
        await ctx.state.set(Form.name)
        await ctx.reply("name?")

    @dp.on(TextMessage, f.state(Form.name))
    async def name(event: TextMessage, ctx: Context) -> None:
        await ctx.state.clear()
        await ctx.reply(f"hello {event.text}")

    return harness


@pytest.mark.parametrize("kind", ["sqlite", "redis"])
async def test_a_conversation_goes_on_after_a_restart_or_on_another_worker(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
):
    """Two bots (two processes' worth: own dispatcher, own storage object) take turns."""
    prefix = _prefix()

    def storage() -> BaseStorage:
        if kind == "sqlite":
            return SqliteStorage(tmp_path / "state.db")
        return RedisStorage(request.getfixturevalue("redis_url"), prefix=prefix)

    fake = FakeGewe()
    first = _harness(fake, storage())
    await first.dispatcher.feed(text_push("hi"))
    await first.dispatcher.storage.aclose()  # the first one stops
    second = _harness(fake, storage())
    await second.dispatcher.feed(text_push("Ada"))
    await second.dispatcher.storage.aclose()
    assert second.sent() == [(FRIEND, "name?"), (FRIEND, "hello Ada")]
    for harness in (first, second):
        await harness.dispatcher.client.aclose()


class _SlowReader(SqliteStorage):
    """Reads, then dawdles before writing: what a loaded machine does between the two."""

    def _select(self, key: str, now: float) -> tuple[str | None, dict[str, str]] | None:
        found = super()._select(key, now)
        time.sleep(0.02)
        return found


async def test_sqlite_updates_from_two_connections_do_not_interleave(tmp_path: Path):
    """Each update is one transaction: a second writer waits, it does not read stale data."""
    first = _SlowReader(tmp_path / "s.db", shared=True)
    second = _SlowReader(tmp_path / "s.db", shared=True)
    try:
        await asyncio.gather(
            *((first if i % 2 else second).update_data(KEY, **{f"k{i}": i}) for i in range(10))
        )
        assert await first.get_data(KEY) == {f"k{i}": i for i in range(10)}
    finally:
        await first.aclose()
        await second.aclose()


async def test_stopping_a_receiver_closes_the_conversation_storage_and_a_restart_reopens_it(
    tmp_path,
):
    from gewe_async.bot import Receiver
    from gewe_async.bot.fsm import SqliteStorage

    storage = SqliteStorage(tmp_path / "state.db")
    dp = Dispatcher(storage=storage)
    receiver = Receiver(dp, secret="a-long-secret")
    await receiver.start()
    await storage.open()
    assert storage._executor is not None
    await receiver.stop()
    assert storage._executor is None  # its thread does not outlive the receiver
    await receiver.start()
    try:
        await storage.open()  # opens again on use
        assert storage._executor is not None
    finally:
        await receiver.stop()


async def test_set_with_values_moves_and_updates_the_data_in_one_call(make: Make):

    storage = make()
    conversation = Conversation(storage, KEY)
    await conversation.update(name="Ada")
    await conversation.set("ask_city", city="Paris", state="a data name too")
    assert await conversation.get() == "ask_city"
    assert await conversation.get_data() == {
        "name": "Ada",
        "city": "Paris",
        "state": "a data name too",
    }
    with pytest.raises(TypeError, match="JSON"):
        await conversation.set("confirm", tags={1, 2})
    assert await conversation.get() == "ask_city"  # nothing written


class _CountingRedis(RedisStorage):
    """Counts the round trips (one per pipeline or lone command) and the commands."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.round_trips: list[int] = []

    async def _pipeline(self, ops: Any) -> Any:
        self.round_trips.append(len(ops))
        return await super()._pipeline(ops)


async def test_redis_sends_the_commands_of_many_chats_in_few_round_trips(redis_url: str):
    keys = [StorageKey(BOT_APP, f"wxid_{i}", f"wxid_{i}") for i in range(50)]
    async with _CountingRedis(redis_url, prefix=_prefix()) as storage:
        await asyncio.gather(*(storage.update_data(k, n=i) for i, k in enumerate(keys)))
        assert sum(storage.round_trips) == 50
        assert len(storage.round_trips) < 10  # 50 before pipelining
        assert [await storage.get_data(k) for k in keys] == [{"n": i} for i in range(50)]
        storage.round_trips.clear()
        await Conversation(storage, keys[0]).set("ask_city", city="Paris")
        assert storage.round_trips == [1]  # the step and the data: one command
        assert await storage.get_state(keys[0]) == "ask_city"
