"""Directory: synced from FakeGewe's graph, updated from pushes, kept in real storages."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

from gewe_async.bot import Context, Dispatcher
from gewe_async.bot.fsm import BaseStorage, storage_from_url
from gewe_async.callbacks import TextMessage
from gewe_async.exceptions import GeweConfigError
from gewe_async.fleet import Directory
from gewe_async.testing import FakeGewe
from gewe_async.testing._refusal import FakeRefusal
from gewe_async.testing._routes import ROUTES
from tests.journals import FakeClock, redis_server

APP = "wx_bot"
ME = f"wxid_{APP}"
GROUP = "111@chatroom"


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


_prefixes = iter(range(10**6))


@pytest.fixture(params=["memory", "sqlite", "redis"])
def storage_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "memory":
        return "memory"
    if request.param == "sqlite":
        # shared: the tests open a second storage on the file, as another worker would.
        return f"sqlite:///{tmp_path / 'bot.db-state'}?shared=1"
    return request.getfixturevalue("redis_url")


def open_storage(url: str, prefix: str) -> BaseStorage:
    return storage_from_url(url, prefix=prefix)


@pytest.fixture
def fake() -> FakeGewe:
    fake = FakeGewe()
    fake.add_device(APP)
    fake.add_friend(APP, "wxid_alice", nick_name="Alice", remark="Ali (work)")
    fake.add_friend(APP, "wxid_bob", nick_name="Bob")
    fake.devices[APP].graph.add_person("wxid_carol", nick_name="Carol")
    group = fake.add_group(APP, ["wxid_alice", "wxid_carol"], chatroom_id=GROUP, name="Team")
    group.members["wxid_carol"].display_name = "CC"
    return fake


async def test_a_sync_fills_contacts_groups_and_members(fake, storage_url):
    clock = FakeClock()
    prefix = f"d{next(_prefixes)}"
    storage = open_storage(storage_url, prefix)
    async with fake.client() as client, storage:
        directory = Directory(storage, client=client, clock=clock)
        book = directory[APP]
        assert book.age is None
        assert book.stale
        report = await directory.sync(APP)
        assert report.ok
        assert report.added == 2 + 1 + 3  # friends, the group, its members (with me)
        assert book.name("wxid_alice") == "Ali (work)"
        assert book.name("wxid_bob") == "Bob"
        assert book.name("wxid_carol") == "Carol"  # not a friend: known from the group
        assert book.name("wxid_carol", group_id=GROUP) == "CC"
        assert book.name("wxid_alice", group_id=GROUP) == "Ali (work)"
        assert book.name(GROUP) == "Team"
        assert book.name("wxid_nobody") is None
        assert [c.wxid for c in book.find("alice")] == ["wxid_alice"]
        assert [c.wxid for c in book.find("ALI (WORK)")] == ["wxid_alice"]
        assert [g.group_id for g in book.find_group("team")] == [GROUP]
        assert [c.wxid for c in book.search("o")] == ["wxid_alice", "wxid_bob"]
        assert book.age == 0
        clock.advance(90_000)
        assert book.age == 90_000
        assert book.stale
        assert "age=90000s" in repr(book)

        # A restart (or another worker) reads the same from the storage.
        if storage_url != "memory":
            again = open_storage(storage_url, prefix)
            async with again:
                other = await Directory(again, clock=clock).load(APP)
                assert other.name("wxid_carol", group_id=GROUP) == "CC"
                assert other.synced_at == book.synced_at
                assert [g.name for g in other.groups()] == ["Team"]


async def test_a_second_sync_reports_only_the_differences_the_graph_churned(fake, storage_url):
    storage = open_storage(storage_url, f"d{next(_prefixes)}")
    async with fake.client() as client, storage:
        directory = Directory(storage, client=client)
        await directory.sync(APP)
        again = await directory.sync(APP)
        assert (again.added, again.changed, again.removed) == (0, 0, 0)
        changes = fake.churn(APP, changes=12, seed=3)
        report = await directory.sync(APP)
        assert report.added + report.changed + report.removed >= 1, changes
        graph = fake.devices[APP].graph
        book = directory[APP]
        assert {c.wxid for c in book.contacts()} == set(graph.friends())
        for wxid in graph.friends():
            assert book.contact(wxid).nick_name == graph.people[wxid].nick_name  # type: ignore[union-attr]
        for group in graph.groups.values():
            assert book.group(group.chatroom_id).name == (group.name or None)  # type: ignore[union-attr]
            assert {m.wxid for m in book.members(group.chatroom_id)} == set(group.members)
        fresh = await Directory(storage).load(APP)
        assert {c.wxid for c in fresh.contacts()} == set(graph.friends())


async def test_pushes_update_the_directory_before_the_handlers_run(fake, storage_url):
    storage = open_storage(storage_url, f"d{next(_prefixes)}")
    async with fake.client() as client, storage:
        directory = Directory()
        dp = Dispatcher(client, storage=storage, directory=directory)
        seen: list[str | None] = []

        @dp.on(TextMessage)
        async def who(event: TextMessage, ctx: Context) -> None:
            seen.append(ctx.directory.name(event.sender_wxid or "", group_id=event.chat_id))

        fake.connect(dp)
        await directory.sync(APP)
        await fake.receive_contact_changed(APP, "wxid_dave", nickname="Dave")
        await fake.receive_text(APP, "wxid_dave", "hi")
        await fake.receive_contact_changed(APP, "wxid_bob", remark="Bobby")
        await fake.receive_contact_deleted(APP, "wxid_alice")
        await fake.receive_group_renamed(APP, GROUP, "Team 2")
        await fake.receive_group_member_joined(APP, GROUP, [("wxid_erin", "Erin")])
        await fake.receive_text(APP, "wxid_erin", "hello", group=GROUP)
        await fake.receive_group_member_removed(APP, GROUP, [("wxid_carol", "CC")])
        book = directory[APP]
        assert seen == ["Dave", "Erin"]
        assert book.name("wxid_bob") == "Bobby"
        assert book.contact("wxid_alice") is None
        assert book.find_group("Team 2")[0].group_id == GROUP
        assert book.member(GROUP, "wxid_carol") is None
        assert book.updated_at is not None
        # Kept in the dispatcher's storage: another process starts from it.
        loaded = await Directory(storage).load(APP)
        assert loaded.name("wxid_bob") == "Bobby"
        assert loaded.name("wxid_erin", group_id=GROUP) == "Erin"
        assert loaded.contact("wxid_alice") is None
        assert loaded.member(GROUP, "wxid_carol") is None
        assert loaded.group(GROUP).name == "Team 2"  # type: ignore[union-attr]
        await fake.receive_group_quit(APP, GROUP)
        assert book.group(GROUP) is None
        assert (await Directory(storage).load(APP)).members(GROUP) == []


async def test_conversations_and_the_directory_share_a_storage_without_meeting(fake):
    async with fake.client() as client:
        dp = Dispatcher(client, directory=Directory())
        replies: list[str] = []

        @dp.on(TextMessage)
        async def count(event: TextMessage, ctx: Context) -> None:
            data = await ctx.state.get_data()
            await ctx.state.update(n=data.get("n", 0) + 1)
            replies.append(f"{ctx.directory.name(event.from_wxid)}:{data.get('n', 0) + 1}")

        fake.connect(dp)
        await dp.directory.sync(APP)  # type: ignore[union-attr]
        await fake.receive_text(APP, "wxid_bob", "one")
        await fake.receive_text(APP, "wxid_bob", "two")
        assert replies == ["Bob:1", "Bob:2"]


async def test_filters_by_name(fake):
    async with fake.client() as client:
        directory = Directory()
        dp = Dispatcher(client, directory=directory)
        got: list[str] = []

        @dp.on(TextMessage, directory.sender_named("cc"), directory.group_named("TEAM"))
        async def cc_in_team(event: TextMessage, ctx: Context) -> None:
            got.append(event.text)

        @dp.on(TextMessage, directory.sender_named("Bob"))
        async def bob(event: TextMessage, ctx: Context) -> None:
            got.append("bob: " + event.text)

        fake.connect(dp)
        await directory.sync(APP)
        await fake.receive_text(APP, "wxid_carol", "from carol", group=GROUP)
        await fake.receive_text(APP, "wxid_alice", "from alice", group=GROUP)
        await fake.receive_text(APP, "wxid_bob", "hey")
        assert got == ["from carol", "bob: hey"]


async def test_a_failed_chunk_keeps_what_was_known_and_is_reported(fake, monkeypatch):
    async with fake.client() as client:
        directory = Directory(storage_from_url("memory"), client=client)
        await directory.sync(APP)
        fake.devices[APP].graph.people["wxid_bob"].nick_name = "Bob 2"

        def refuse(fake: FakeGewe, device: object, body: object) -> None:
            raise FakeRefusal.failed("系统繁忙")

        path = "contacts/getBriefInfo"
        monkeypatch.setitem(ROUTES, path, attrs.evolve(ROUTES[path], handler=refuse))
        report = await directory.sync(APP)
        assert not report.ok
        assert "getBriefInfo of 2 wxids" in report.errors[0]
        assert directory[APP].name("wxid_bob") == "Bob"  # kept as it was, not dropped
        monkeypatch.undo()
        assert (await directory.sync(APP)).changed == 1
        assert directory[APP].name("wxid_bob") == "Bob 2"


async def test_a_group_the_account_left_unnoticed_is_dropped_by_the_sync(fake):
    async with fake.client() as client:
        directory = Directory(storage_from_url("memory"), client=client)
        await directory.sync(APP)
        fake.devices[APP].graph.groups[GROUP].members.pop(ME)
        report = await directory.sync(APP)
        assert report.ok
        assert report.removed == 1 + 3  # the group and its members
        assert directory[APP].group(GROUP) is None


async def test_misuse_is_refused_with_clear_errors(fake):
    with pytest.raises(TypeError, match="BaseStorage"):
        Directory("memory")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_age"):
        Directory(max_age=0)
    with pytest.raises(GeweConfigError, match="storage"):
        await Directory().load(APP)
    async with fake.client() as client:
        dp = Dispatcher(client)
        errors: list[Exception] = []

        @dp.on(TextMessage)
        async def needs(event: TextMessage, ctx: Context) -> None:
            ctx.directory.name("x")

        @dp.error_handler
        async def keep(error: Exception, event: object, ctx: Context) -> None:
            errors.append(error)

        fake.connect(dp)
        await fake.receive_text(APP, "wxid_bob", "hi")
        assert isinstance(errors[0], GeweConfigError)
        assert "directory=Directory()" in str(errors[0])


async def test_a_broken_storage_does_not_stop_the_handlers(fake, tmp_path, caplog):
    """The directory's file cannot be opened: handlers run on what memory holds, logged."""
    from gewe_async.bot.fsm import SqliteStorage

    async with fake.client() as client:
        directory = Directory(SqliteStorage(tmp_path))  # a folder, not a file
        dp = Dispatcher(client, directory=directory)
        names: list[str | None] = []

        @dp.on(TextMessage)
        async def who(event: TextMessage, ctx: Context) -> None:
            names.append(ctx.directory.name(event.from_wxid))

        fake.connect(dp)
        await fake.receive_text(APP, "wxid_bob", "hi")
        assert names == [None]
        assert "the directory could not keep" in caplog.text


async def test_a_push_handled_during_a_sync_is_not_undone_by_it(fake):
    """The sync read the server before the push: the push, newer, wins."""
    import asyncio

    from gewe_async.callbacks import parse_callback
    from gewe_async.testing import Faults, contact_changed_payload

    async with fake.client() as client:
        directory = Directory(storage_from_url("memory"), client=client)
        await directory.sync(APP)
        fake.set_faults(Faults(latency=0.02))
        before = len(fake.requests)
        syncing = asyncio.create_task(directory.sync(APP))
        for _ in range(3000):  # until the sync has read the friends' profiles
            if any(r.endpoint == "contacts/getBriefInfo" for r in fake.requests[before:]):
                break
            await asyncio.sleep(0.005)
        assert not syncing.done()
        push = contact_changed_payload(APP, ME, "wxid_bob", nickname="Bob", remark="Bobby")
        assert await directory.apply(parse_callback(push))
        await syncing
        assert directory[APP].name("wxid_bob") == "Bobby"
        stored = await Directory(directory.storage).load(APP)
        assert stored.name("wxid_bob") == "Bobby"


async def test_a_sync_that_fails_with_any_error_is_tried_again_at_the_next_round(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    directory = Directory(storage_from_url("memory"))
    calls: list[str] = []

    async def sync(app_id: str) -> None:
        calls.append(app_id)
        if len(calls) == 1:
            raise RuntimeError("the storage broke")

    monkeypatch.setattr(directory, "sync", sync)
    task = asyncio.create_task(directory.run(["wx_1"], interval=0.01))
    try:
        for _ in range(3000):  # up to 30 s on a loaded machine
            if len(calls) >= 2:
                break
            await asyncio.sleep(0.01)
    finally:
        task.cancel()
    assert len(calls) >= 2
    assert not task.done() or task.cancelled()
