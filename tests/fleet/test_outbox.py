"""The outbox and broadcast: stored or reported before sending, unknown (not resent) if cut."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from gewe_async.bot.fsm import MemoryStorage, RedisStorage, SqliteStorage
from gewe_async.fleet import Outbox, broadcast
from gewe_async.testing import FakeGewe, Faults
from tests.journals import FakeClock, redis_server


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server on loopback for this module."""
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture(params=["memory", "sqlite", "redis"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """One store URL per backend; the same URL is the same data (a restart reopens it)."""
    if request.param == "memory":
        return "memory"
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'bot.db-state'}"
    return request.getfixturevalue("redis_url")


def prefixed(store: str) -> Any:
    """A Redis URL gets a storage of its own prefix, so tests on one server do not mix."""
    if store.startswith("redis"):
        return RedisStorage(store, prefix=f"t-{uuid.uuid4().hex[:8]}")
    return store


def fake_with(*app_ids: str, faults: Faults | None = None) -> FakeGewe:
    fake = FakeGewe(faults=faults or Faults())
    for app_id in app_ids:
        fake.add_device(app_id)
    return fake


def sent(fake: FakeGewe, app_id: str) -> list[tuple[str, str]]:
    return [(m.to_wxid, m.content) for m in fake.devices[app_id].outbox]


class Sleeper:
    """A sleep that moves a fake clock: retries are waited for without waiting."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock

    async def __call__(self, seconds: float) -> None:
        self.clock.advance(seconds)
        await asyncio.sleep(0)


async def wait_for(condition: Callable[[], Any], timeout: float = 30.0) -> None:
    async with asyncio.timeout(timeout):
        while not await condition():  # noqa: ASYNC110 - polling another connection's view
            await asyncio.sleep(0.01)


async def test_each_account_gets_its_sends_in_order_and_each_is_recorded_sent(store):
    fake = fake_with("wx_1", "wx_2")
    where = prefixed(store)
    async with fake.client() as client, Outbox(client, where) as outbox:
        ids = [await outbox.post_text("wx_1", "wxid_a", f"m{n}") for n in range(3)]
        ids.append(await outbox.post_text("wx_2", "wxid_b", "other"))
        assert (await outbox.counts())["pending"] == 4
        await outbox.drain(timeout=30)
        assert await outbox.counts() == {
            "pending": 0,
            "sending": 0,
            "sent": 4,
            "failed": 0,
            "unknown": 0,
        }
        item = await outbox.get(ids[0])
    assert sent(fake, "wx_1") == [("wxid_a", "m0"), ("wxid_a", "m1"), ("wxid_a", "m2")]
    assert sent(fake, "wx_2") == [("wxid_b", "other")]
    assert item is not None
    assert item.state == "sent"
    assert item.attempts == 1
    assert item.result is not None
    assert item.result["new_msg_id"] > 2**53
    assert item.to_wxid == "wxid_a"


async def test_a_crash_between_stored_and_sent_is_reported_unknown_and_not_resent(store):
    """The send is in flight (GeWe got it, no answer yet) when the process dies."""
    if store == "memory":
        pytest.skip("memory does not outlive its process: there is nothing to reopen")
    fake = fake_with("wx_1", faults=Faults(latency=3600))  # GeWe never answers
    where = prefixed(store)
    client = fake.client()
    crashed = Outbox(client, where)
    item_id = await crashed.post_text("wx_1", "wxid_a", "once")
    stuck = asyncio.create_task(crashed.deliver())
    await wait_for(lambda: _state_is(crashed, item_id, "sending"))  # the request is out

    # The process "dies": its outbox is abandoned as it is, mid-send. A new one opens (its
    # client reaches the same accounts through a GeWe that answers).
    answering = fake_with("wx_1")
    async with answering.client() as client2:
        restarted = Outbox(client2, where)
        assert await restarted.open() == 1
        await restarted.drain(timeout=30)
        [item] = await restarted.unknown()
        assert item.id == item_id
        assert item.state == "unknown"
        assert "may have been sent" in (item.error or "")
        assert answering.requests == []  # not sent a second time
        # A person checked the chat: it never arrived. Resending is their decision.
        assert await restarted.resend(item_id)
        await restarted.drain(timeout=30)
        assert (await restarted.get(item_id)).state == "sent"  # type: ignore[union-attr]
        await restarted.aclose()
    stuck.cancel()
    await asyncio.gather(stuck, return_exceptions=True)
    await crashed.aclose()
    await client.aclose()
    assert sent(answering, "wx_1") == [("wxid_a", "once")]


async def _state_is(outbox: Outbox, item_id: int, state: str) -> bool:
    item = await outbox.get(item_id)
    return item is not None and item.state == state


async def test_an_offline_account_is_retried_later_then_sent():
    clock = FakeClock()
    fake = fake_with("wx_1")
    fake.set_offline("wx_1")
    async with fake.client() as client:
        outbox = Outbox(client, clock=clock, sleep=Sleeper(clock), retry_delay=10)
        item_id = await outbox.post_text("wx_1", "wxid_a", "hi")
        await outbox.deliver()
        item = await outbox.get(item_id)
        assert item is not None
        assert item.state == "pending"
        assert "GeweDeviceOfflineError" in (item.error or "")
        assert await outbox.deliver() == 0  # its retry is 10 s away
        fake.set_online("wx_1")
        await outbox.drain(timeout=30)
        assert (await outbox.get(item_id)).attempts == 2  # type: ignore[union-attr]
    assert sent(fake, "wx_1") == [("wxid_a", "hi")]


async def test_sends_that_never_go_are_dead_letters_after_max_attempts():
    clock = FakeClock()
    fake = fake_with("wx_1")
    fake.set_offline("wx_1")
    async with fake.client() as client:
        outbox = Outbox(client, clock=clock, sleep=Sleeper(clock), max_attempts=3)
        item_id = await outbox.post_text("wx_1", "wxid_a", "hi")
        await outbox.drain(timeout=30)
        [dead] = await outbox.failed()
    assert dead.id == item_id
    assert dead.attempts == 3


async def test_a_refusal_is_a_dead_letter_at_once_and_the_lane_goes_on():
    fake = fake_with("wx_1")
    async with fake.client() as client:
        outbox = Outbox(client)
        bad = await outbox.post_text("wx_gone", "wxid_a", "hi")  # no such device
        good = await outbox.post_text("wx_1", "wxid_a", "hi")
        await outbox.drain(timeout=30)
        assert [i.id for i in await outbox.failed()] == [bad]
        assert "GeweDeviceNotFoundError" in ((await outbox.get(bad)).error or "")  # type: ignore[union-attr]
        assert (await outbox.get(good)).state == "sent"  # type: ignore[union-attr]


async def test_a_timeout_after_the_request_left_is_unknown_not_retried():
    fake = fake_with("wx_1", faults=Faults(latency=5))
    async with fake.client(timeout=0.2) as client:
        outbox = Outbox(client)
        item_id = await outbox.post_text("wx_1", "wxid_a", "hi")
        await outbox.drain(timeout=30)
        [item] = await outbox.unknown()
    assert item.id == item_id
    assert item.attempts == 1
    assert "GeweTimeoutError" in (item.error or "")


async def test_two_processes_on_one_store_send_each_item_once(tmp_path):
    fake = fake_with(*(f"wx_{n}" for n in range(4)))
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    async with fake.client() as client:
        first, second = Outbox(client, url, name="w1"), Outbox(client, url, name="w2")
        for n in range(4):
            for m in range(5):
                await first.post_text(f"wx_{n}", "wxid_a", f"{n}-{m}")
        await asyncio.gather(first.drain(timeout=30), second.drain(timeout=30))
        assert (await first.counts())["sent"] == 20
        await first.aclose()
        await second.aclose()
    for n in range(4):
        assert [c for _, c in sent(fake, f"wx_{n}")] == [f"{n}-{m}" for m in range(5)]


async def test_the_outbox_sits_beside_a_bots_storage(tmp_path):
    fake = fake_with("wx_1")
    async with fake.client() as client:
        for storage in (MemoryStorage(), SqliteStorage(tmp_path / "bot.db-state")):
            async with Outbox(client, storage) as outbox:
                await outbox.post_text("wx_1", "wxid_a", "hi")
                await outbox.drain(timeout=30)
    assert len(sent(fake, "wx_1")) == 2


async def test_bad_sends_are_refused_before_storing():
    fake = fake_with("wx_1")
    async with fake.client() as client:
        outbox = Outbox(client)
        with pytest.raises(ValueError, match="unknown send method"):
            await outbox.send("wx_1", "delete_friend", wxid="x")
        with pytest.raises(TypeError, match="JSON"):
            await outbox.send("wx_1", "post_text", to_wxid="a", content={1, 2})
        with pytest.raises(ValueError, match="content"):
            await outbox.post_text("wx_1", "wxid_a", "")
        assert sum((await outbox.counts()).values()) == 0
    with pytest.raises(ValueError, match="unknown outbox scheme"):
        Outbox(client, "mongodb://x")


# -- broadcast -------------------------------------------------------------------------------


def report_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


async def test_a_broadcast_sends_each_chat_once_and_reports_each(tmp_path):
    fake = fake_with("wx_1", "wx_2")
    report = tmp_path / "launch.jsonl"
    plan = {"wx_1": ["wxid_a", "wxid_b", "123@chatroom"], "wx_2": ["wxid_c"]}
    async with fake.client() as client:
        result = await broadcast(client, plan, "新品上架", report=report)
    assert result.ok
    assert sorted(result.sent) == sorted((a, c) for a, chats in plan.items() for c in chats)
    assert [c for c, _ in sent(fake, "wx_1")] == plan["wx_1"]
    lines = report_lines(report)
    assert {(r["appId"], r["chat"], r["status"]) for r in lines} == {
        (a, c, "ok") for a, chats in plan.items() for c in chats
    }
    assert all(r["newMsgId"] > 2**53 for r in lines)


async def test_resuming_a_broadcast_sends_only_what_failed(tmp_path):
    fake = fake_with("wx_1", "wx_2")
    fake.set_offline("wx_2")
    report = tmp_path / "r.jsonl"
    plan = {"wx_1": ["wxid_a", "wxid_b"], "wx_2": ["wxid_c", "wxid_d"]}
    async with fake.client() as client:
        first = await broadcast(client, plan, "hi", report=report)
        assert [(a, c) for a, c, _ in first.failed] == [("wx_2", "wxid_c"), ("wx_2", "wxid_d")]
        fake.set_online("wx_2")
        with report.open("a", encoding="utf-8") as f:
            f.write('{"appId": "wx_1", "ch')  # a line cut short by a kill
        second = await broadcast(client, plan, "hi", report=report, resume=True)
    assert second.ok
    assert second.skipped == 2
    assert sorted(second.sent) == [("wx_2", "wxid_c"), ("wx_2", "wxid_d")]
    assert len(sent(fake, "wx_1")) == 2


async def test_a_lost_answer_is_unknown_and_not_resent_on_resume_unless_asked(tmp_path):
    fake = fake_with("wx_1", faults=Faults(latency=5))
    report = tmp_path / "r.jsonl"
    plan = {"wx_1": ["wxid_a"]}
    async with fake.client(timeout=0.2) as client:
        first = await broadcast(client, plan, "hi", report=report)
    assert first.unknown == [("wx_1", "wxid_a")]
    fake.set_faults(Faults())
    async with fake.client() as client:
        second = await broadcast(client, plan, "hi", report=report, resume=True)
        assert second.skipped == 1
        assert second.sent == []
        assert sent(fake, "wx_1") == []
        third = await broadcast(client, plan, "hi", report=report, resume=True, resend_unknown=True)
    assert third.sent == [("wx_1", "wxid_a")]
    assert [r["status"] for r in report_lines(report)] == ["unknown", "ok"]


async def test_a_bad_broadcast_is_refused_before_any_send(tmp_path):
    fake = fake_with("wx_1")
    async with fake.client() as client:
        with pytest.raises(ValueError, match="twice"):
            await broadcast(client, {"wx_1": ["a", "a"]}, "hi")
        with pytest.raises(ValueError, match="content"):
            await broadcast(client, {"wx_1": ["a"]}, "")
        with pytest.raises(ValueError, match="report"):
            await broadcast(client, {"wx_1": ["a"]}, "hi", resume=True)
    assert fake.requests == []


async def test_another_process_reports_a_dead_workers_send_unknown_once_its_lease_passed(tmp_path):
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    clock = FakeClock()
    hung = fake_with("wx_1", faults=Faults(latency=3600))
    answering = fake_with("wx_1")
    async with hung.client() as client1, answering.client() as client2:
        dead = Outbox(client1, url, name="w1", lease=300, clock=clock)
        item_id = await dead.post_text("wx_1", "wxid_a", "once")
        await dead.post_text("wx_1", "wxid_a", "next")
        stuck = asyncio.create_task(dead.deliver())
        await wait_for(lambda: _state_is(dead, item_id, "sending"))
        other = Outbox(client2, url, name="w2", lease=300, clock=clock)
        assert await other.open() == 0  # not its own: w1 may still be sending it
        assert await other.deliver() == 0  # and the account's next item waits its turn
        clock.advance(301)
        await other.drain(timeout=30)
        assert [i.id for i in await other.unknown()] == [item_id]
        assert sent(answering, "wx_1") == [("wxid_a", "next")]
        stuck.cancel()
        await asyncio.gather(stuck, return_exceptions=True)
        await dead.aclose()
        await other.aclose()


async def test_a_send_held_back_by_a_budget_waits_for_it_without_spending_an_attempt():
    from gewe_async.fleet import Budget, Budgets

    clock = FakeClock()
    fake = fake_with("wx_1")
    budgets = Budgets(chats_per_minute=Budget(1, per=60), clock=clock)
    async with fake.client(budgets=budgets) as client:
        outbox = Outbox(client, clock=clock, sleep=Sleeper(clock), max_attempts=1)
        await outbox.post_text("wx_1", "wxid_a", "one")
        second = await outbox.post_text("wx_1", "wxid_b", "two")
        start = clock()
        await outbox.drain(timeout=30)
        item = await outbox.get(second)
    assert item is not None
    assert item.state == "sent"
    assert item.attempts == 1
    assert clock() - start >= 60
    assert [c for c, _ in sent(fake, "wx_1")] == ["wxid_a", "wxid_b"]


async def test_run_delivers_what_is_stored_while_it_runs():
    fake = fake_with("wx_1")
    async with fake.client() as client:
        outbox = Outbox(client)
        running = asyncio.create_task(outbox.run(poll=60))  # a new send wakes it at once
        try:
            item_id = await outbox.post_text("wx_1", "wxid_a", "hi")
            await wait_for(lambda: _state_is(outbox, item_id, "sent"))
        finally:
            running.cancel()
            await asyncio.gather(running, return_exceptions=True)
            await outbox.aclose()


class OneSlowAccount:
    """A client whose sends for ``wx_slow`` hang until ``gate`` is set."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.message = self
        self.gate = asyncio.Event()

    async def post_text(self, app_id: str, to_wxid: str, content: str) -> Any:
        if app_id == "wx_slow":
            await self.gate.wait()
        return await self.client.message.post_text(app_id, to_wxid, content)


async def test_a_slow_account_holds_up_only_itself():
    """One account's send hangs: the others' sends all go meanwhile."""
    fake = fake_with("wx_slow", "wx_1", "wx_2")
    async with fake.client() as client:
        slow_client = OneSlowAccount(client)
        outbox = Outbox(slow_client, concurrency=8)  # type: ignore[arg-type]
        slow = await outbox.post_text("wx_slow", "wxid_a", "slow")
        others = [
            await outbox.post_text(a, "wxid_a", str(n)) for a in ("wx_1", "wx_2") for n in range(5)
        ]
        draining = asyncio.create_task(outbox.drain(timeout=30))
        await wait_for(lambda: _all_sent(outbox, others))
        assert (await outbox.get(slow)).state == "sending"  # type: ignore[union-attr]
        slow_client.gate.set()
        await draining
        assert (await outbox.get(slow)).state == "sent"  # type: ignore[union-attr]


async def _all_sent(outbox: Outbox, ids: list[int]) -> bool:
    items = [await outbox.get(i) for i in ids]
    return all(i is not None and i.state == "sent" for i in items)
