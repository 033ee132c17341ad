"""Risk budgets: the client refuses or waits before a send that would pass an account's budget."""

from __future__ import annotations

import doctest

import pytest

import gewe_async.fleet._budget
from gewe_async.exceptions import BudgetExceededError, GeweDeviceOfflineError, GeweError
from gewe_async.fleet._budget import Budget, Budgets
from gewe_async.testing import FakeGewe


class Clock:
    """A clock and a sleep that only move each other: waits are recorded, never slept."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def fake_with(*app_ids: str) -> FakeGewe:
    fake = FakeGewe()
    for app_id in app_ids:
        fake.add_device(app_id)
    return fake


def texts(fake: FakeGewe, app_id: str) -> list[str]:
    return [m.to_wxid for m in fake.devices[app_id].outbox]


async def test_the_eleventh_chat_in_a_minute_is_refused_before_sending():
    clock = Clock()
    fake = fake_with("wx_1")
    async with fake.client(budgets=Budgets.recommended(clock=clock)) as client:
        for n in range(10):
            await client.message.post_text("wx_1", f"wxid_{n}", "hi")
        assert client.budgets is not None
        assert client.budgets.remaining("wx_1")["chats_per_minute"] == 0
        with pytest.raises(BudgetExceededError) as caught:
            await client.message.post_text("wx_1", "wxid_10", "hi")
        assert isinstance(caught.value, GeweError)
        assert caught.value.budget == "chats_per_minute"
        assert caught.value.app_id == "wx_1"
        assert caught.value.endpoint == "message/postText"
        assert caught.value.retry_after == pytest.approx(60)
        assert "wxid_10" not in texts(fake, "wx_1")
        # A chat already written to this minute costs nothing more.
        await client.message.post_text("wx_1", "wxid_3", "again")
        clock.now += 60
        await client.message.post_text("wx_1", "wxid_10", "hi")
    assert texts(fake, "wx_1")[-2:] == ["wxid_3", "wxid_10"]


async def test_accounts_have_their_own_budgets():
    fake = fake_with("wx_1", "wx_2")
    async with fake.client(budgets=Budgets.recommended(clock=Clock())) as client:
        for n in range(10):
            await client.message.post_text("wx_1", f"wxid_{n}", "hi")
        await client.message.post_text("wx_2", "wxid_0", "hi")
        assert client.budgets is not None
        assert client.budgets.remaining("wx_2")["chats_per_minute"] == 9


async def test_wait_holds_a_friend_request_until_30_minutes_after_the_last():
    clock = Clock()
    fake = fake_with("wx_1")
    people = [fake.devices["wx_1"].graph.add_person(f"wxid_p{n}") for n in range(3)]
    budgets = Budgets.recommended(on_exceeded="wait", clock=clock, sleep=clock.sleep)
    async with fake.client(budgets=budgets) as client:
        for person in people:
            await client.contacts.add_contacts(
                "wx_1", scene=3, option=2, v3=person.v3, v4=person.v4, content="hi"
            )
    assert clock.slept == [1800.0, 1800.0]
    assert len(fake.devices["wx_1"].graph.sent_requests) == 3
    assert budgets.remaining("wx_1")["friend_requests"] == 12
    assert budgets.remaining("wx_1")["new_friends"] == 12


async def test_a_refused_call_gives_its_budget_back():
    fake = fake_with("wx_1")
    fake.set_offline("wx_1")
    async with fake.client(budgets=Budgets.recommended(clock=Clock())) as client:
        with pytest.raises(GeweDeviceOfflineError):
            await client.message.post_text("wx_1", "wxid_0", "hi")
        assert client.budgets is not None
        assert client.budgets.remaining("wx_1")["chats_per_minute"] == 10


async def test_without_budgets_nothing_is_counted_or_refused():
    fake = fake_with("wx_1")
    async with fake.client() as client:
        assert client.budgets is None
        for n in range(20):
            await client.message.post_text("wx_1", f"wxid_{n}", "hi")
    assert len(texts(fake, "wx_1")) == 20


async def test_one_account_may_have_a_smaller_budget_and_spend_one_by_hand():
    clock = Clock()
    budgets = Budgets.recommended(clock=clock)
    budgets.set_account("wx_new", red_packets=Budget(1, per=86400), chats_per_minute=None)
    await budgets.spend("wx_new", "red_packets")
    with pytest.raises(BudgetExceededError, match="red_packets"):
        await budgets.spend("wx_new", "red_packets")
    left = budgets.remaining("wx_new")
    assert left == {"friend_requests": 15, "new_friends": 15, "red_packets": 0}
    assert budgets.wait_time("wx_new", "red_packets") == pytest.approx(86400)
    with pytest.raises(ValueError, match="unknown budget"):
        budgets.set_account("wx_new", hugs=Budget(1, per=1))
    with pytest.raises(ValueError, match="not a budget"):
        await budgets.spend("wx_new", "chats_per_minute")


def test_bad_budgets_are_refused_before_any_call():
    with pytest.raises(ValueError, match="on_exceeded"):
        Budgets(on_exceeded="sometimes")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Budget or None"):
        Budgets(chats_per_minute=10)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="budgets must be"):
        FakeGewe().client(budgets={"chats_per_minute": 10})


def test_docstring_examples_run():
    assert doctest.testmod(gewe_async.fleet._budget).failed == 0
