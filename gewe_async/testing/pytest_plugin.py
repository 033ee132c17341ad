"""The pytest plugin of gewe-async (entry point ``pytest11``): ``gewe_fake`` and ``gewe_bot``.

An ``async def`` test that takes one of these fixtures runs as it is, with no
``asyncio_mode = "auto"`` and no ``@pytest.mark.asyncio``: when pytest-asyncio is installed
(``pip install "gewe-async[testing]"``), the plugin marks such tests for it. Without it, they
fail with one message saying what to install.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import AsyncIterator, Callable, Generator
from typing import Any, Final, TypeVar, cast

import pytest

from gewe_async.testing._bot import BotHarness
from gewe_async.testing._fake import FakeGewe

#: The fixtures of this plugin: async tests that take one are run for the user.
FIXTURES: Final = frozenset({"gewe_fake", "gewe_bot"})

#: Said when an async test takes a fixture of ours and nothing can run it.
NEEDS_PYTEST_ASYNCIO: Final = (
    "gewe-async: {test} is an async test using {fixtures}, and async tests need pytest-asyncio: "
    'pip install "gewe-async[testing]" (or pip install pytest-asyncio)'
)


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
    # pytest-asyncio's decorator: in its default strict mode a plain @pytest.fixture async
    # fixture is not run. Without pytest-asyncio, the tests that would use it are failed
    # with NEEDS_PYTEST_ASYNCIO before the fixture is set up.
    try:
        decorator = importlib.import_module("pytest_asyncio").fixture
    except ImportError:  # pragma: no cover - depends on the install
        decorator = pytest.fixture
    return cast("Callable[[_F], _F]", decorator)


_async_fixture = _async_fixture_decorator()


@_async_fixture
async def gewe_bot(gewe_fake: FakeGewe) -> AsyncIterator[BotHarness]:
    """A started [`BotHarness`][gewe_async.testing.BotHarness] with ``wx_bot`` logged in.

    Pushes go through a real receiver and journal (de-duplication included); include your
    router, talk to the bot, assert its replies:

    ```python
    async def test_ping(gewe_bot):
        gewe_bot.include(my_bot.router)
        assert await gewe_bot.say("ping") == ["pong"]
    ```
    """
    async with BotHarness.create(gewe_fake) as harness:
        yield harness


def _ours(item: pytest.Item) -> list[str]:
    """The fixtures of this plugin that ``item``, an async test, uses (else nothing)."""
    if not isinstance(item, pytest.Function):
        return []
    test = getattr(item.obj, "hypothesis", None)
    function = getattr(test, "inner_test", item.obj)
    if not inspect.iscoroutinefunction(function):
        return []
    return sorted(FIXTURES.intersection(item.fixturenames))


def _run_elsewhere(item: pytest.Item) -> bool:
    # The user chose another runner (anyio's plugin) or marked it already.
    return any(item.get_closest_marker(name) for name in ("asyncio", "anyio", "trio"))


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_pycollect_makeitem(
    collector: pytest.Module | pytest.Class, name: str, obj: object
) -> Generator[None, Any, Any]:
    """Mark async tests using our fixtures for pytest-asyncio, when it is there.

    Inner to pytest-asyncio's own wrapper of this hook (``trylast``), so the mark is on the
    items when it decides which of them it runs: marking later, in
    ``pytest_collection_modifyitems``, is too late for it.
    """
    result = yield
    if not collector.config.pluginmanager.hasplugin("asyncio"):
        return result
    items = result if isinstance(result, list) else [result]
    for item in items:
        if isinstance(item, pytest.Function) and _ours(item) and not _run_elsewhere(item):
            item.add_marker(pytest.mark.asyncio)
    return result


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Fail an async test using our fixtures, that nothing will run, with what to install."""
    if item.config.pluginmanager.hasplugin("asyncio"):
        return
    fixtures = _ours(item)
    if fixtures and not _run_elsewhere(item):
        pytest.fail(
            NEEDS_PYTEST_ASYNCIO.format(test=item.name, fixtures=", ".join(fixtures)),
            pytrace=False,
        )
