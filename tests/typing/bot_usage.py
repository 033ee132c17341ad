"""A bot's code, checked by `mypy --strict` in the typecheck session (never run).

If the dispatcher's or the receivers' signatures lose their types, this file stops
type-checking.
"""

from __future__ import annotations

from typing import Any, assert_type

from aiohttp import web

from gewe_async import AsyncGeweClient
from gewe_async.bot import (
    AiohttpReceiver,
    ASGIReceiver,
    CallNext,
    Context,
    Dispatcher,
    MemoryJournal,
    Router,
)
from gewe_async.bot import filters as f
from gewe_async.callbacks import CallbackEvent, TextMessage
from gewe_async.types.message import SentMessage

router = Router("typed")


@router.on(TextMessage, f.private() | f.mentioned(), f.text_equals("ping"))
async def ping(event: TextMessage, ctx: Context) -> None:
    assert_type(event.text, str)
    assert_type(await ctx.reply("pong"), SentMessage)
    assert_type(ctx.client, AsyncGeweClient)


async def timing(call_next: CallNext, event: CallbackEvent, ctx: Context) -> Any:
    return await call_next(event, ctx)


async def on_error(error: Exception, event: CallbackEvent, ctx: Context) -> None:
    return None


def build(client: AsyncGeweClient) -> tuple[ASGIReceiver, web.Application]:
    dp = Dispatcher(client, concurrency=32)
    dp.include_router(router)
    dp.middleware(timing)
    dp.error_handler(on_error)
    asgi = ASGIReceiver(dp, secret="s", journal=MemoryJournal(max_pending=100))
    app = web.Application()
    AiohttpReceiver(dp, secret="s").setup(app, "/gewe")
    return asgi, app


async def feed(dp: Dispatcher) -> None:
    assert_type(await dp.feed({"TypeName": "AddMsg"}), bool)
