"""FakeGewe pushes callbacks: over HTTP to the setCallback URL, in-process, with faults."""

from __future__ import annotations

import pytest

from gewe_async.bot import ASGIReceiver, Context, Dispatcher
from gewe_async.callbacks import TestCallback, TextMessage
from gewe_async.testing import CallbackFaults, FakeGewe
from tests.bot_helpers import FRIEND, drained, served, text_push, until


def recording_dispatcher(fake: FakeGewe) -> tuple[Dispatcher, list[object]]:
    dp = Dispatcher(fake.client())
    seen: list[object] = []

    @dp.on(TestCallback)
    async def test_push(event: TestCallback, ctx: Context) -> None:
        seen.append("test push")

    @dp.on(TextMessage)
    async def echo(event: TextMessage, ctx: Context) -> None:
        seen.append(event.text)
        await ctx.reply(f"echo: {event.text}")

    return dp, seen


async def test_set_callback_sends_the_test_push_and_messages_follow_over_http():
    """setCallback makes the fake push the test callback there; then texts reach the bot."""
    fake = FakeGewe()
    fake.add_device("wx_bot")
    dp, seen = recording_dispatcher(fake)
    async with served(ASGIReceiver(dp, secret="s3")) as root, dp.client as client:
        url = f"{root}/gewe/s3"
        await client.login.set_callback(url)
        await fake.settle()
        assert [(p.target, p.status) for p in fake.pushes] == [(url, 200)]
        assert "验证回调地址是否可用" in str(fake.pushes[0].payload)
        assert await fake.deliver(text_push("hi")) == 200
        await until(lambda: fake.devices["wx_bot"].outbox.text_pairs())
    assert seen == ["test push", "hi"]
    assert fake.devices["wx_bot"].outbox.text_pairs() == [(FRIEND, "echo: hi")]


async def test_a_push_to_a_url_nobody_serves_is_given_up():
    """A receiver that cannot be reached: the push is recorded with no status."""
    fake = FakeGewe()
    async with served(ASGIReceiver(Dispatcher())) as root:
        dead = root  # the server stops when the block ends
    fake.callback_url = f"{dead}/gewe"
    assert await fake.deliver(text_push("lost")) is None
    assert fake.pushes[-1].status is None


async def test_deliver_needs_a_url_or_a_connection():
    """Without setCallback or connect there is nowhere to push."""
    with pytest.raises(ValueError, match="setCallback"):
        await FakeGewe().deliver(text_push("x"))


async def test_seeded_duplicates_are_pushed_again_and_handled_once():
    """With duplicate_rate 1, every push is repeated later; the receiver handles each once."""
    fake = FakeGewe()
    fake.add_device("wx_bot")
    fake.set_callback_faults(CallbackFaults(duplicate_rate=1.0, duplicate_delay=0.01, seed=3))
    dp, seen = recording_dispatcher(fake)
    receiver = ASGIReceiver(dp)
    async with served(receiver) as root, dp.client:
        fake.callback_url = f"{root}/gewe"
        for text in ("one", "two"):
            await fake.deliver(text_push(text))
        await fake.settle()
        await drained(receiver.journal)
    assert [p.duplicate for p in fake.pushes] == [False, False, True, True]
    assert all(p.status == 200 for p in fake.pushes)
    assert sorted(seen) == ["one", "two"]


async def test_duplicates_are_drawn_from_the_seed():
    """The same seed gives the same duplicates, run after run."""

    async def duplicated(seed: int) -> list[bool]:
        fake = FakeGewe()
        fake.set_callback_faults(CallbackFaults(duplicate_rate=0.5, seed=seed))
        fake.connect(Dispatcher())
        for i in range(20):
            await fake.deliver(text_push(f"m{i}"))
        await fake.settle()
        return [p.duplicate for p in fake.pushes]

    first = await duplicated(7)
    assert first == await duplicated(7)
    assert 0 < sum(first) < 20


async def test_connect_pushes_to_an_asgi_app_in_process():
    """`connect(app)` pushes through the app itself, no socket."""
    fake = FakeGewe()
    fake.add_device("wx_bot")
    dp, seen = recording_dispatcher(fake)
    receiver = ASGIReceiver(dp, secret="s3")
    fake.connect(receiver, path="/gewe/s3")
    async with receiver.lifespan(), dp.client:
        assert await fake.deliver(text_push("in process")) == 200
        await until(lambda: seen)
    assert fake.pushes[0].target == "app"
    assert seen == ["in process"]


async def test_the_gewe_bot_fixture_is_deliver_a_text_assert_the_reply(gewe_bot):
    """The fixture wires fake, client and dispatcher: handlers ran when deliver returns."""

    @gewe_bot.dispatcher.on(TextMessage)
    async def echo(event: TextMessage, ctx: Context) -> None:
        await ctx.reply(event.text.upper())

    assert await gewe_bot.deliver(text_push("hello")) == 200
    assert gewe_bot.sent() == [(FRIEND, "HELLO")]
    assert gewe_bot.wxid == "wxid_wx_bot"
