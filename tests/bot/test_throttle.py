"""Handler flags read by middleware, and the Throttle middleware (a fake clock, no sleeps)."""

from __future__ import annotations

from typing import Any

import pytest

from gewe_async.bot import Context, Dispatcher, Router, Throttle
from gewe_async.bot import filters as f
from gewe_async.callbacks import CallbackEvent, TextMessage
from tests.bot_helpers import FRIEND, GROUP, text_push


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# -- flags -----------------------------------------------------------------------------------


async def test_middleware_reads_the_flags_and_handler_of_the_event():
    dp = Dispatcher()
    seen: list[tuple[Any, Any]] = []

    @dp.middleware
    async def look(call_next: Any, event: CallbackEvent, ctx: Context) -> Any:
        seen.append((dict(ctx.flags), ctx.handler))
        return await call_next(event, ctx)

    @dp.on(TextMessage, f.command("slow"), flags={"throttle": False, "cost": 3})
    async def slow(event: TextMessage, ctx: Context) -> None:
        seen.append(("handler", dict(ctx.flags)))

    @dp.on(TextMessage, f.command("plain"))
    async def plain(event: TextMessage, ctx: Context) -> None:
        pass

    await dp.feed(text_push("/slow"))
    await dp.feed(text_push("/plain"))
    await dp.feed(text_push("nothing takes this"))
    assert seen == [
        ({"throttle": False, "cost": 3}, slow),
        ("handler", {"throttle": False, "cost": 3}),
        ({}, plain),
        ({}, None),
    ]


async def test_filters_run_once_even_when_middleware_reads_the_flags():
    dp = Dispatcher()
    calls: list[str] = []

    def counted(event: CallbackEvent) -> bool:
        calls.append("filter")
        return True

    @dp.middleware
    async def outer(call_next: Any, event: CallbackEvent, ctx: Context) -> Any:
        return await call_next(event, ctx)

    @dp.middleware
    async def inner(call_next: Any, event: CallbackEvent, ctx: Context) -> Any:
        return await call_next(event, ctx)

    @dp.on(TextMessage, f.predicate(counted))
    async def handle(event: TextMessage, ctx: Context) -> None:
        calls.append("handler")

    assert await dp.feed(text_push("hi"))
    assert calls == ["filter", "handler"]


def test_flags_must_be_a_mapping_with_str_keys():
    router = Router()
    with pytest.raises(TypeError, match="flags must be a mapping"):
        router.on(TextMessage, flags=[("throttle", False)])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="flags must be a mapping"):
        router.on(TextMessage, flags={1: True})  # type: ignore[dict-item]


# -- Throttle --------------------------------------------------------------------------------


def bot_with(throttle: Throttle, bot: Any) -> list[str]:
    """Add ``throttle`` and an echo handler (plus an unthrottled /ping) to the harness."""
    handled: list[str] = []
    router = Router()

    @router.on(TextMessage, f.command("ping"), flags={"throttle": False})
    async def ping(event: TextMessage, ctx: Context) -> None:
        handled.append(event.text)

    @router.on(TextMessage, ~f.text_contains("ignored"))
    async def echo(event: TextMessage, ctx: Context) -> None:
        handled.append(event.text)

    bot.dispatcher.middleware(throttle)
    bot.include(router)
    return handled


async def test_a_sender_past_the_rate_is_dropped_then_let_through_as_the_bucket_refills(gewe_bot):
    clock = Clock()
    handled = bot_with(Throttle(rate=2, period=10, clock=clock), gewe_bot)
    for n in range(4):
        await gewe_bot.deliver(text_push(f"m{n}"))
    assert handled == ["m0", "m1"]
    clock.now += 5  # one token back (2 per 10 s)
    await gewe_bot.deliver(text_push("m4"))
    await gewe_bot.deliver(text_push("m5"))
    assert handled == ["m0", "m1", "m4"]
    assert gewe_bot.sent() == []  # excess="drop": no answer


async def test_excess_reply_answers_once_per_run_of_dropped_messages(gewe_bot):
    clock = Clock()
    throttle = Throttle(rate=1, period=60, excess="reply", reply_text="slow down", clock=clock)
    handled = bot_with(throttle, gewe_bot)
    for n in range(4):
        await gewe_bot.deliver(text_push(f"m{n}"))
    assert handled == ["m0"]
    assert gewe_bot.sent() == [(FRIEND, "slow down")]
    clock.now += 60
    for n in range(4, 7):
        await gewe_bot.deliver(text_push(f"m{n}"))
    assert handled == ["m0", "m4"]
    assert gewe_bot.sent() == [(FRIEND, "slow down")] * 2  # a new run, a new answer


async def test_in_a_group_the_slow_down_reply_mentions_the_sender(gewe_bot):
    throttle = Throttle(rate=1, excess="reply", reply_text="slow down", clock=Clock())
    bot_with(throttle, gewe_bot)
    for text in ("a", "b"):
        push = text_push(text, group=GROUP, sender="wxid_m")
        push["Data"]["PushContent"] = f"Mia : {text}"
        await gewe_bot.deliver(push)
    (reply,) = [r.body for r in gewe_bot.fake.requests if r.endpoint == "message/postText"]
    assert (reply["toWxid"], reply["content"], reply["ats"]) == (
        GROUP,
        "@Mia\u2005slow down",
        "wxid_m",
    )


async def test_flags_exempt_a_handler_and_unhandled_messages_do_not_count(gewe_bot):
    handled = bot_with(Throttle(rate=1, clock=Clock()), gewe_bot)
    for text in ("ignored 1", "ignored 2", "/ping", "/ping", "first", "second"):
        await gewe_bot.deliver(text_push(text))
    assert handled == ["/ping", "/ping", "first"]


async def test_default_false_throttles_only_flagged_handlers():
    dp = Dispatcher()
    dp.middleware(Throttle(rate=1, default=False, clock=Clock()))
    handled: list[str] = []

    @dp.on(TextMessage, f.command("search"), flags={"throttle": True})
    async def search(event: TextMessage, ctx: Context) -> None:
        handled.append(event.text)

    @dp.on(TextMessage)
    async def other(event: TextMessage, ctx: Context) -> None:
        handled.append(event.text)

    for text in ("/search a", "/search b", "x", "y"):
        await dp.feed(text_push(text))
    assert handled == ["/search a", "x", "y"]


@pytest.mark.parametrize(
    ("per", "passed"),
    [
        ("sender", ["a in g1", "b in g1"]),  # one bucket per person, across their chats
        ("chat", ["a in g1", "a in g2"]),
        ("account", ["a in g1"]),
    ],
)
async def test_per_sender_chat_or_account(per, passed):
    dp = Dispatcher()
    dp.middleware(Throttle(rate=1, per=per, clock=Clock()))
    handled: list[str] = []

    @dp.on(TextMessage)
    async def handle(event: TextMessage, ctx: Context) -> None:
        handled.append(event.text)

    for sender, group in (("a", "g1"), ("b", "g1"), ("a", "g2"), ("b", "g2")):
        await dp.feed(text_push(f"{sender} in {group}", sender=sender, group=f"{group}@chatroom"))
    assert handled == passed


def test_memory_is_bounded_by_max_keys_forgetting_the_least_recently_seen():
    clock = Clock()
    throttle = Throttle(rate=1, period=3600, max_keys=100, clock=clock)
    assert throttle.allow("first")
    for n in range(10_000):
        throttle.allow(f"sender{n}")
    assert len(throttle._buckets) == 100
    assert throttle.allow("first")  # forgotten: a full bucket again
    assert not throttle.allow("sender9999")  # still known, still empty


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rate": 0}, "rate must be a positive number"),
        ({"period": float("inf")}, "period must be a positive number"),
        ({"rate": True}, "rate must be a positive number"),
        ({"per": "group"}, "per must be one of sender, chat, account"),
        ({"excess": "queue"}, "excess must be one of drop, reply"),
        ({"max_keys": 0}, "max_keys must be an int of at least 1"),
        ({"excess": "reply", "reply_text": " "}, "needs a non-empty reply_text"),
    ],
)
def test_bad_arguments_are_value_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Throttle(**kwargs)
