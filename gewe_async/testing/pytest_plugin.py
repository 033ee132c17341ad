"""The pytest plugin of gewe-async (entry point ``pytest11``): ``gewe_fake`` and ``gewe_bot``."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar, cast

import pytest

from gewe_async.testing._bot import BotHarness
from gewe_async.testing._fake import FakeGewe


@pytest.fixture
def gewe_fake() -> FakeGewe:
    """A fresh [`FakeGewe`][gewe_async.testing.FakeGewe] with no devices, for one test.

    ```python
    async def test_profile(gewe_fake):
        gewe_fake.add_device("wx_1", nick_name="Alice")
        async with gewe_fake.client() as client:
            assert (await client.personal.get_profile("wx_1")).nick_name == "Alice"
    ```
    """
    return FakeGewe()


_F = TypeVar("_F", bound=Callable[..., Any])


def _async_fixture_decorator() -> Callable[[_F], _F]:
    # Async fixtures need pytest-asyncio's decorator in its strict mode.
    try:
        decorator = importlib.import_module("pytest_asyncio").fixture
    except ImportError:  # pragma: no cover - depends on the install
        decorator = pytest.fixture
    return cast("Callable[[_F], _F]", decorator)


_async_fixture = _async_fixture_decorator()


@_async_fixture
async def gewe_bot(gewe_fake: FakeGewe) -> AsyncIterator[BotHarness]:
    """A [`BotHarness`][gewe_async.testing.BotHarness]: the fake pushes to a dispatcher.

    The device ``wx_bot`` is logged in; include your router, push, assert the replies:

    ```python
    async def test_ping(gewe_bot):
        gewe_bot.include(my_bot.router)
        await gewe_bot.deliver(text_push("ping"))
        assert gewe_bot.sent() == [("wxid_friend", "pong")]
    ```
    """
    async with BotHarness.create(gewe_fake) as harness:
        yield harness
