"""The dispatcher: handlers per event class, filters, middleware, the error handler, replies."""

from __future__ import annotations

import logging

import pytest

from gewe_async.bot import Context, Dispatcher, Router
from gewe_async.bot import filters as f
from gewe_async.callbacks import (
    CallbackEvent,
    GeweCallbackError,
    MessageEvent,
    TestCallback,
    TextMessage,
)
from gewe_async.testing import BotHarness
from tests.bot_helpers import BOT_WXID, FRIEND, GROUP, text_push


async def test_a_reply_goes_to_the_private_chat_the_message_came_from(gewe_bot):
    """`ctx.reply` posts the text to the sender of a private message."""

    @gewe_bot.dispatcher.on(TextMessage, f.text_equals("ping"))
    async def ping(event: TextMessage, ctx: Context) -> None:
        await ctx.reply("pong")

    await gewe_bot.deliver(text_push("ping"))
    assert gewe_bot.sent() == [(FRIEND, "pong")]


async def test_a_reply_in_a_group_goes_to_the_group(gewe_bot):
    """In a group the chat is the group, not the member who wrote."""
    seen: list[TextMessage] = []

    @gewe_bot.dispatcher.on(TextMessage)
    async def echo(event: TextMessage, ctx: Context) -> None:
        seen.append(event)
        await ctx.reply(event.text)

    await gewe_bot.deliver(text_push("hello", group=GROUP))
    assert gewe_bot.sent() == [(GROUP, "hello")]
    assert seen[0].sender_wxid == FRIEND


def _dispatcher(*filters: f.Filter, **options: bool) -> tuple[Dispatcher, list[str]]:
    dp = Dispatcher()
    got: list[str] = []

    @dp.on(TextMessage, *filters, **options)
    async def record(event: TextMessage, ctx: Context) -> None:
        got.append(event.text)

    return dp, got


@pytest.mark.parametrize(
    ("flt", "push", "expected"),
    [
        (f.group(), text_push("a", group=GROUP), True),
        (f.group(), text_push("a"), False),
        (f.private(), text_push("a"), True),
        (f.private(), text_push("a", group=GROUP), False),
        (f.mentioned(), text_push("@Bot\u2005hi", group=GROUP, mentions=(BOT_WXID,)), True),
        (f.mentioned(), text_push("@Al hi", group=GROUP, mentions=("wxid_al",)), False),
        (f.mentioned(), text_push("hi", group=GROUP, mentions=("notify@all",)), False),
        (f.mentioned(everyone=True), text_push("hi", group=GROUP, mentions=("notify@all",)), True),
        (f.app_id("wx_bot"), text_push("a"), True),
        (f.app_id("wx_other"), text_push("a"), False),
        (f.chat(GROUP), text_push("a", group=GROUP), True),
        (f.chat(GROUP), text_push("a"), False),
        (f.sender(FRIEND), text_push("a", group=GROUP), True),
        (f.sender("wxid_x"), text_push("a", group=GROUP), False),
        (f.text_equals("ping"), text_push(" ping "), True),
        (f.text_equals("ping"), text_push("@Bot\u2005ping", group=GROUP), True),
        (f.text_equals("ping"), text_push("ping pong"), False),
        (f.text_equals("ping"), text_push("@Bot Name\u2005ping", group=GROUP), True),
        (f.text_equals("ping"), text_push("@Bot ping", group=GROUP), True),
        (f.text_equals("mail a@b.com now"), text_push("mail a@b.com now"), True),
        (f.text_equals("PING", ignore_case=True), text_push("ping"), True),
        (f.text_equals("PING"), text_push("ping"), False),
        (f.text_contains("weather"), text_push("the weather today"), True),
        (f.text_contains("weather"), text_push("rain"), False),
        (f.text_regex(r"^\d{6}$"), text_push("320000"), True),
        (f.text_regex(r"^\d{6}$"), text_push("3200"), False),
        (f.predicate(lambda e: e.app_id.endswith("bot")), text_push("a"), True),
    ],
)
async def test_filters_pick_the_events_a_handler_takes(flt, push, expected):
    """Each filter passes exactly the events it names."""
    dp, got = _dispatcher(flt)
    assert await dp.feed(push) is expected
    assert bool(got) is expected


async def test_filters_compose_with_and_or_not():
    """`&`, `|` and `~` combine filters; several filters given must all pass."""
    private_or_mention = f.private() | f.mentioned()
    dp, got = _dispatcher(private_or_mention & ~f.text_contains("spam"), f.text_regex("."))
    await dp.feed(text_push("hi"))
    await dp.feed(text_push("hi there", group=GROUP))
    await dp.feed(text_push("hey", group=GROUP, mentions=(BOT_WXID,)))
    await dp.feed(text_push("spam!"))
    assert got == ["hi", "hey"]


async def test_async_predicates_are_awaited():
    """A predicate may look something up: its awaitable result decides."""

    async def allowed(event: CallbackEvent) -> bool:
        return event.app_id == "wx_bot"

    dp, got = _dispatcher(f.predicate(allowed))
    await dp.feed(text_push("a"))
    await dp.feed(text_push("b", app_id="wx_other"))
    assert got == ["a"]


async def test_own_messages_are_skipped_unless_a_handler_asks_for_them():
    """What the account sent from the phone reaches only `include_self` handlers."""
    dp, got = _dispatcher()
    assert not await dp.feed(text_push("mine", from_self=True))
    assert got == []
    dp_self, got_self = _dispatcher(include_self=True)
    assert await dp_self.feed(text_push("mine", from_self=True))
    assert got_self == ["mine"]


async def test_the_test_push_reaches_only_handlers_registered_for_it(caplog):
    """The setCallback test push is logged; catch-all handlers do not get it."""
    dp = Dispatcher()
    caught: list[CallbackEvent] = []

    @dp.on(CallbackEvent)
    async def everything(event: CallbackEvent, ctx: Context) -> None:
        caught.append(event)

    with caplog.at_level(logging.INFO, "gewe_async.bot"):
        assert not await dp.feed({"testMsg": "验证回调地址是否可用"})
    assert caught == []
    assert "test push" in caplog.text

    @dp.on(TestCallback)
    async def test_push(event: TestCallback, ctx: Context) -> None:
        caught.append(event)

    assert await dp.feed({"testMsg": "验证回调地址是否可用"})
    assert isinstance(caught[0], TestCallback)


async def test_the_first_matching_handler_wins_own_before_included_routers():
    """Handlers are tried in registration order, a router's own before included ones."""
    dp = Dispatcher()
    inner = Router("inner")
    order: list[str] = []

    @inner.on(TextMessage)
    async def inner_text(event: TextMessage, ctx: Context) -> None:
        order.append("inner")

    dp.include_router(inner)

    @dp.on(MessageEvent, f.text_equals("x"))
    async def outer(event: MessageEvent, ctx: Context) -> None:
        order.append("outer")

    await dp.feed(text_push("x"))
    await dp.feed(text_push("y"))
    assert order == ["outer", "inner"]


def test_a_router_cannot_include_itself_or_its_parent():
    """Cycles are refused when routers are included."""
    parent, child = Router(), Router()
    parent.include_router(child)
    with pytest.raises(ValueError, match="cycle"):
        child.include_router(parent)
    with pytest.raises(ValueError, match="cycle"):
        parent.include_router(parent)


async def test_middleware_wraps_handling_outermost_first_and_can_drop_events():
    """Middleware runs in the order added, around the handler; not calling on drops the event."""
    dp, got = _dispatcher()
    trace: list[str] = []

    @dp.middleware
    async def outer(call_next, event, ctx):
        trace.append("outer>")
        try:
            return await call_next(event, ctx)
        finally:
            trace.append("<outer")

    @dp.middleware
    async def auth(call_next, event, ctx):
        trace.append("auth")
        if event.app_id != "wx_bot":
            return None
        ctx.data["user"] = "alice"
        return await call_next(event, ctx)

    await dp.feed(text_push("ok"))
    await dp.feed(text_push("dropped", app_id="wx_stranger"))
    assert got == ["ok"]
    assert trace == ["outer>", "auth", "<outer", "outer>", "auth", "<outer"]


async def test_middleware_hands_values_to_the_handler():
    """What middleware puts in `ctx.data` the handler reads."""
    dp = Dispatcher()
    users: list[str] = []

    @dp.middleware
    async def who(call_next, event, ctx):
        ctx.data["user"] = event.sender_wxid
        return await call_next(event, ctx)

    @dp.on(TextMessage)
    async def handler(event: TextMessage, ctx: Context) -> None:
        users.append(ctx.data["user"])

    await dp.feed(text_push("a"))
    assert users == [FRIEND]


async def test_a_failing_handler_goes_to_the_error_handler_through_middleware():
    """The handler's exception passes through middleware to the error handler, not the caller."""
    dp = Dispatcher()
    seen_by_middleware: list[BaseException] = []
    errors: list[tuple[Exception, str]] = []

    @dp.middleware
    async def metrics(call_next, event, ctx):
        try:
            return await call_next(event, ctx)
        except Exception as exc:
            seen_by_middleware.append(exc)
            raise

    @dp.on(TextMessage)
    async def boom(event: TextMessage, ctx: Context) -> None:
        raise KeyError("boom")

    @dp.error_handler
    async def on_error(error: Exception, event: CallbackEvent, ctx: Context) -> None:
        errors.append((error, event.idempotency_key))

    assert await dp.feed(text_push("x", new_msg_id=42))
    assert isinstance(seen_by_middleware[0], KeyError)
    assert [(type(e), k) for e, k in errors] == [(KeyError, "wx_bot:42")]


async def test_by_default_handler_errors_are_logged_with_the_event_key(caplog):
    """Without an error handler, the error is logged, with its traceback."""
    dp = Dispatcher()

    @dp.on(TextMessage)
    async def boom(event: TextMessage, ctx: Context) -> None:
        raise ValueError("bad")

    with caplog.at_level(logging.ERROR, "gewe_async.bot"):
        await dp.feed(text_push("x", new_msg_id=43))
    assert "wx_bot:43" in caplog.text
    assert caplog.records[0].exc_info is not None


async def test_a_failing_error_handler_is_logged_not_raised(caplog):
    """Even a broken error handler does not take the bot down."""
    dp = Dispatcher()

    @dp.on(TextMessage)
    async def boom(event: TextMessage, ctx: Context) -> None:
        raise ValueError("bad")

    @dp.error_handler
    async def broken(error: Exception, event: CallbackEvent, ctx: Context) -> None:
        raise RuntimeError("worse")

    with caplog.at_level(logging.ERROR, "gewe_async.bot"):
        await dp.feed(text_push("x"))
    assert "error handler failed" in caplog.text


async def test_feeding_a_body_that_is_no_callback_raises():
    """`feed` refuses what is not a GeWe callback with `GeweCallbackError`."""
    with pytest.raises(GeweCallbackError):
        await Dispatcher().feed(b"<html>")
    with pytest.raises(GeweCallbackError):
        await Dispatcher().feed({"hello": "world"})
    with pytest.raises(GeweCallbackError):
        await Dispatcher().feed(b"[" * 100_000 + b"]" * 100_000)


async def test_replying_to_an_event_without_a_chat_is_a_type_error():
    """Only messages have a chat to reply to."""
    async with BotHarness.create() as harness:
        errors = await _reply_to_the_test_push(harness)
    assert isinstance(errors[0], TypeError)


async def _reply_to_the_test_push(harness: BotHarness) -> list[Exception]:
    errors: list[Exception] = []

    @harness.dispatcher.on(TestCallback)
    async def reply_to_test(event: TestCallback, ctx: Context) -> None:
        await ctx.reply("hi")

    @harness.dispatcher.error_handler
    async def keep(error: Exception, event: CallbackEvent, ctx: Context) -> None:
        errors.append(error)

    await harness.deliver({"testMsg": "验证回调地址是否可用"})
    return errors
