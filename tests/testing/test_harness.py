"""BotHarness (the ``gewe_bot`` fixture): pushes go through a real receiver and journal."""

from __future__ import annotations

import asyncio

import pytest

from gewe_async.bot import Context, SqliteJournal
from gewe_async.bot import filters as f
from gewe_async.callbacks import CallbackEvent, TextMessage
from gewe_async.testing import BotHarness, CallbackFaults
from tests.bot_helpers import FRIEND, GROUP, text_push


def counting_echo(bot: BotHarness) -> list[str]:
    seen: list[str] = []

    @bot.dispatcher.on(TextMessage)
    async def echo(event: TextMessage, ctx: Context) -> None:
        seen.append(event.text)
        await ctx.reply(event.text.upper())

    return seen


async def test_the_same_push_twice_is_handled_once(gewe_bot):
    """As a real receiver does: the second push is answered 200 and not handled again."""
    seen = counting_echo(gewe_bot)
    push = text_push("hello")
    assert await gewe_bot.deliver(push) == 200
    assert await gewe_bot.deliver(push) == 200
    assert seen == ["hello"]
    assert gewe_bot.sent() == [(FRIEND, "HELLO")]
    assert [p.target for p in gewe_bot.fake.pushes] == ["app", "app"]


async def test_a_duplicate_the_fake_pushes_later_is_waited_for_and_not_handled(gewe_bot):
    """GeWe's late duplicates (CallbackFaults) reach the receiver, which drops them."""
    seen = counting_echo(gewe_bot)
    gewe_bot.fake.set_callback_faults(CallbackFaults(duplicate_rate=1.0, duplicate_delay=0.05))
    assert await gewe_bot.say("hi") == ["HI"]
    assert [p.duplicate for p in gewe_bot.fake.pushes] == [False, True]
    assert seen == ["hi"]


async def test_the_answer_does_not_wait_for_the_handler_and_wait_until_handled_does(gewe_bot):
    """The fake's push returns once stored (the 3 s rule); the wait returns after the handler."""
    release = asyncio.Event()
    done: list[str] = []

    @gewe_bot.dispatcher.on(TextMessage)
    async def slow(event: TextMessage, ctx: Context) -> None:
        await release.wait()
        await ctx.reply("done")
        done.append(event.text)

    await gewe_bot.fake.receive_text(gewe_bot.app_id, FRIEND, "work")
    assert gewe_bot.fake.pushes[-1].status == 200
    assert done == []
    waiting = asyncio.create_task(gewe_bot.wait_until_handled())
    await asyncio.sleep(0)
    assert not waiting.done()
    release.set()
    await waiting
    assert done == ["work"]
    assert gewe_bot.sent() == [(FRIEND, "done")]


async def test_say_returns_the_replies_of_that_step_only(gewe_bot):
    """One line per step of a conversation; replies of earlier steps are not repeated."""

    @gewe_bot.dispatcher.on(TextMessage, f.text_equals("ping"))
    async def ping(event: TextMessage, ctx: Context) -> None:
        await ctx.reply("pong")
        await ctx.reply("again")

    assert await gewe_bot.say("ping") == ["pong", "again"]
    assert await gewe_bot.say("nothing matches") == []
    assert await gewe_bot.say("ping") == ["pong", "again"]
    assert len(gewe_bot.outbox) == 4


async def test_say_in_a_group_with_a_mention(gewe_bot):
    """``group`` and ``mentions`` make the push a member's message in the group."""
    seen: list[TextMessage] = []

    @gewe_bot.dispatcher.on(TextMessage, f.mentioned())
    async def hello(event: TextMessage, ctx: Context) -> None:
        seen.append(event)
        await ctx.reply("hi")

    assert await gewe_bot.say("hello", sender="wxid_m", group=GROUP) == []
    assert await gewe_bot.say(
        "@Bot hello", sender="wxid_m", group=GROUP, mentions=[gewe_bot.wxid]
    ) == ["hi"]
    assert gewe_bot.sent() == [(GROUP, "hi")]
    assert seen[0].sender_wxid == "wxid_m"


async def test_a_handler_that_raises_fails_the_step_that_fed_it(gewe_bot):
    """The handler's own exception comes out of ``say``; the next step is clean."""

    @gewe_bot.dispatcher.on(TextMessage, f.text_equals("boom"))
    async def boom(event: TextMessage, ctx: Context) -> None:
        raise ValueError("the handler broke")

    @gewe_bot.dispatcher.on(TextMessage)
    async def echo(event: TextMessage, ctx: Context) -> None:
        await ctx.reply(event.text)

    with pytest.raises(ValueError, match="the handler broke"):
        await gewe_bot.say("boom")
    assert gewe_bot.errors == []
    assert await gewe_bot.say("fine") == ["fine"]


async def test_errors_of_several_handlers_come_out_together(gewe_bot):
    @gewe_bot.dispatcher.on(TextMessage)
    async def boom(event: TextMessage, ctx: Context) -> None:
        raise KeyError(event.text)

    await gewe_bot.fake.receive_text(gewe_bot.app_id, FRIEND, "one")
    await gewe_bot.fake.receive_text(gewe_bot.app_id, "wxid_other", "two")
    with pytest.raises(ExceptionGroup) as raised:
        await gewe_bot.wait_until_handled()
    assert sorted(e.args[0] for e in raised.value.exceptions) == ["one", "two"]


async def test_an_error_your_error_handler_takes_is_not_raised(gewe_bot):
    """Testing the bot's own error handler: what it took is not raised again."""
    taken: list[Exception] = []

    @gewe_bot.dispatcher.on(TextMessage)
    async def boom(event: TextMessage, ctx: Context) -> None:
        raise ValueError("expected")

    @gewe_bot.dispatcher.error_handler
    async def sorry(error: Exception, event: CallbackEvent, ctx: Context) -> None:
        taken.append(error)
        await ctx.reply("sorry")

    assert await gewe_bot.say("x") == ["sorry"]
    assert [str(e) for e in taken] == ["expected"]


async def test_a_handler_that_hangs_is_a_timeout_naming_what_waits(gewe_bot):
    release = asyncio.Event()

    @gewe_bot.dispatcher.on(TextMessage)
    async def hang(event: TextMessage, ctx: Context) -> None:
        await release.wait()

    await gewe_bot.fake.receive_text(gewe_bot.app_id, FRIEND, "x")
    with pytest.raises(TimeoutError, match=r"1 push\(es\) still not handled after 0.05 s"):
        await gewe_bot.wait_until_handled(timeout=0.05)
    release.set()
    await gewe_bot.wait_until_handled()


@pytest.mark.parametrize("timeout", [-1, float("nan"), float("inf")])
async def test_a_bad_timeout_is_a_value_error(gewe_bot, timeout):
    with pytest.raises(ValueError, match="timeout"):
        await gewe_bot.wait_until_handled(timeout=timeout)


async def test_a_durable_journal_keeps_the_pushes_across_harnesses(tmp_path):
    """``journal=``: the harness runs on any journal, here a SQLite file, de-duplicating."""
    push = text_push("once")
    async with BotHarness.create(journal=SqliteJournal(tmp_path / "j.db")) as bot:
        seen = counting_echo(bot)
        await bot.deliver(push)
    async with BotHarness.create(journal=SqliteJournal(tmp_path / "j.db")) as bot:
        seen += counting_echo(bot)
        assert await bot.deliver(push) == 200
    assert seen == ["once"]
