"""The fake is composed of parts, and has one exception for a ``ret: 500`` (issue 20, 6 and 7)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from typing import Any

import pytest

import gewe_async.testing
from gewe_async import GeweAPIError
from gewe_async.testing import CallbackBuilders, FakeGewe
from gewe_async.testing._delivery import CallbackDelivery
from gewe_async.testing._graph import SocialGraph
from gewe_async.testing._refusal import FakeRefusal


def _testing_modules() -> list[Any]:
    package = gewe_async.testing
    names = [m.name for m in pkgutil.walk_packages(package.__path__, f"{package.__name__}.")]
    return [importlib.import_module(name) for name in names if not name.endswith("pytest_plugin")]


def test_one_exception_for_a_refusal() -> None:
    """FakeRefusal is the only exception the fake defines (GraphRefusal was a second)."""
    defined = {
        obj
        for module in _testing_modules()
        for _, obj in inspect.getmembers(module, inspect.isclass)
        if issubclass(obj, Exception) and obj.__module__.startswith("gewe_async.testing")
    }
    assert defined == {FakeRefusal}


def test_the_graph_refuses_with_the_servers_answer() -> None:
    """A graph refusal is the route's ret 500 as it is, with nothing to translate."""
    with pytest.raises(FakeRefusal) as refused:
        SocialGraph().friend("wxid_nobody")
    assert (refused.value.msg, refused.value.data) == (
        "操作失败",
        {"code": "-1", "msg": "wxid_nobody 不是你的好友"},
    )
    assert FakeRefusal.invalid("x 格式错误").data == {"code": "-1", "msg": "x 格式错误"}


async def test_a_graph_refusal_reaches_the_client_as_before() -> None:
    fake = FakeGewe(token="t")
    fake.add_device("wx_1")
    async with fake.client() as client:
        with pytest.raises(GeweAPIError, match="不存在"):
            await client.contacts.get_brief_info("wx_1", ["wxid_nobody"])


def test_fake_gewe_holds_its_pushing_part() -> None:
    """Composed: one base (the receive_<kind> surface), the delivery a part it holds."""
    assert FakeGewe.__mro__[1:] == (CallbackBuilders, object)
    fake = FakeGewe()
    assert isinstance(fake.delivery, CallbackDelivery)
    fake.callback_url = "http://127.0.0.1:9/cb"
    assert fake.delivery.callback_url == "http://127.0.0.1:9/cb"
    assert fake.pushes is fake.delivery.pushes


async def test_receive_pushes_through_the_delivery_part() -> None:
    class Bot:
        def __init__(self) -> None:
            self.fed: list[Any] = []

        async def feed(self, payload: Any) -> None:
            self.fed.append(payload)

    fake = FakeGewe()
    fake.add_device("wx_1")
    bot = Bot()
    fake.connect(bot)
    ping = await fake.receive_text("wx_1", "wxid_friend", "ping")
    assert bot.fed == [ping]
    assert [p.payload for p in fake.delivery.pushes] == [ping]


def test_a_delivery_part_stands_alone() -> None:
    """The pushing part needs nothing of the fake."""
    delivery = CallbackDelivery()
    assert not delivery.has_target
    assert delivery.in_flight == 0
