"""docs/conversations.md: the sign-up form of examples/signup_bot.py runs as the page shows."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from gewe_async.bot.fsm import SqliteStorage
from gewe_async.testing import BotHarness, FakeGewe
from tests.bot_helpers import FRIEND, GROUP, text_push
from tests.paths import EXAMPLES

HELP = "/cancel: Stop filling the form\n/signup: Sign up: name, then city\n/help: List the commands"


@pytest.fixture
def signup_bot(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    monkeypatch.syspath_prepend(str(EXAMPLES))
    sys.modules.pop("signup_bot", None)
    yield importlib.import_module("signup_bot")
    sys.modules.pop("signup_bot", None)


# --8<-- [start:test]
async def test_the_signup_form(gewe_bot, signup_bot):
    gewe_bot.include(signup_bot.router)
    for text in ("/signup", "Ada", "Paris", "yes"):
        await gewe_bot.deliver(text_push(text))
    assert [text for _, text in gewe_bot.sent()] == [
        "What is your name?",
        "Which city do you live in?",
        "Ada from Paris: right? (yes/no)",
        "Welcome, Ada!",
    ]


# --8<-- [end:test]


async def test_cancel_no_and_help(gewe_bot: BotHarness, signup_bot: ModuleType):
    gewe_bot.include(signup_bot.router)
    for text in ("/cancel", "/signup", "Bob", "/cancel", "/signup", "Eve", "Rome", "no", "/help"):
        await gewe_bot.deliver(text_push(text))
    assert [text for _, text in gewe_bot.sent()] == [
        "What is your name?",  # the first /cancel: no form, no answer
        "Which city do you live in?",
        "Cancelled.",
        "What is your name?",
        "Which city do you live in?",
        "Eve from Rome: right? (yes/no)",
        "Let's start again. What is your name?",
        HELP,  # /help answers during the form too: its handler comes first
    ]


async def test_help_lists_the_commands_outside_the_form(gewe_bot, signup_bot):
    gewe_bot.include(signup_bot.router)
    await gewe_bot.deliver(text_push("/help"))
    assert gewe_bot.sent() == [(FRIEND, HELP)]


async def test_each_member_of_a_group_fills_their_own_form(gewe_bot, signup_bot):
    gewe_bot.include(signup_bot.router)
    await gewe_bot.deliver(text_push("/signup", group=GROUP, sender="wxid_a"))
    await gewe_bot.deliver(text_push("/signup", group=GROUP, sender="wxid_b"))
    await gewe_bot.deliver(text_push("Ann", group=GROUP, sender="wxid_a"))
    assert [text for _, text in gewe_bot.sent()] == [
        "What is your name?",
        "What is your name?",
        "Which city do you live in?",
    ]


async def test_the_form_goes_on_after_a_restart_with_sqlite(signup_bot, tmp_path: Path):
    fake = FakeGewe()
    for texts in (["/signup", "Ada"], ["Paris", "yes"]):  # two runs of the bot, one file
        async with BotHarness.create(fake) as bot:
            bot.dispatcher.storage = SqliteStorage(tmp_path / "bot.db-state")
            bot.include(signup_bot.router)
            for text in texts:
                await bot.deliver(text_push(text))
            await bot.dispatcher.storage.aclose()
    assert fake.devices["wx_bot"].outbox.text_pairs()[-1] == (FRIEND, "Welcome, Ada!")
