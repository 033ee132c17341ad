"""The bot examples, end to end over real HTTP: FakeGewe pushes, the bot replies through it."""

from __future__ import annotations

import importlib
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from gewe_async.testing import FakeGewe
from tests.bot_helpers import BOT_WXID, FRIEND, GROUP, served, text_push, until
from tests.paths import EXAMPLES

SECRET = "example-secret"


@pytest.fixture(autouse=True)
def _examples_importable(monkeypatch: pytest.MonkeyPatch) -> None:
    """The examples import `_setup` as scripts do, and read BOT_SECRET."""
    monkeypatch.syspath_prepend(str(EXAMPLES))
    monkeypatch.setenv("BOT_SECRET", SECRET)
    for name in ("_setup", "bot", "bot_fastapi", "bot_aiohttp"):
        sys.modules.pop(name, None)


@asynccontextmanager
async def fastapi_bot(fake: FakeGewe) -> AsyncIterator[str]:
    module = importlib.import_module("bot_fastapi")
    async with served(module.create_app(fake.client())) as root:
        yield root


@asynccontextmanager
async def aiohttp_bot(fake: FakeGewe) -> AsyncIterator[str]:
    module = importlib.import_module("bot_aiohttp")
    async with TestServer(module.create_app(fake.client()), host="127.0.0.1") as server:
        yield str(server.make_url("")).rstrip("/")


Serve = Callable[[FakeGewe], AbstractAsyncContextManager[str]]


@pytest.mark.parametrize("serve", [fastapi_bot, aiohttp_bot], ids=["fastapi", "aiohttp"])
async def test_the_echo_bot_answers_private_messages_and_group_mentions(serve: Serve):
    """setCallback's test push, then: ping -> pong, a mention echoed, other group talk ignored."""
    fake = FakeGewe()
    fake.add_device("wx_bot")
    outbox = fake.devices["wx_bot"].outbox
    async with serve(fake) as root, fake.client() as admin:
        await admin.login.set_callback(f"{root}/gewe/{SECRET}")
        await fake.settle()
        pushes: list[dict[str, Any]] = [
            text_push("ping"),
            text_push("hello all", group=GROUP),
            text_push("@Bot\u2005how are you", group=GROUP, mentions=(BOT_WXID,)),
            text_push("HELP", sender="wxid_other"),
        ]
        for push in pushes:
            assert await fake.deliver(push) == 200
        await until(lambda: len(outbox.text_pairs()) >= 3)
    assert [p.status for p in fake.pushes] == [200] * 5  # the test push, then the four
    assert sorted(outbox.text_pairs()) == sorted(
        [
            (FRIEND, "pong"),
            (GROUP, "echo: how are you"),
            ("wxid_other", "I answer 'ping', and echo anything else."),
        ]
    )


@pytest.mark.parametrize("serve", [fastapi_bot, aiohttp_bot], ids=["fastapi", "aiohttp"])
async def test_the_examples_refuse_a_push_without_the_secret(serve: Serve):
    """A push to the bare path, without the secret, is refused."""
    fake = FakeGewe()
    fake.add_device("wx_bot")
    async with serve(fake) as root:
        fake.callback_url = f"{root}/gewe/not-the-secret"
        assert await fake.deliver(text_push("ping")) == 403
    assert fake.devices["wx_bot"].outbox.text_pairs() == []


def test_the_bot_module_of_the_compose_recipe_is_what_the_cli_serves():
    """`bot:dispatcher` (examples/compose.yaml's BOT) loads as a Dispatcher with the echo router."""
    from gewe_async.bot import Dispatcher
    from gewe_async.cli._receive import load_target

    target = load_target("bot:dispatcher")
    assert isinstance(target, Dispatcher)
    assert importlib.import_module("bot").router in target._routers
