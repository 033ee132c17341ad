"""A keyword/echo bot in FastAPI: answers private messages, and group messages that mention it.

Run (from examples/): BOT_SECRET=... GEWE_TOKEN=... uvicorn bot_fastapi:app --port 8000
behind HTTPS, then set the callback URL once: https://bot.example.com/gewe/<BOT_SECRET>
(client.login.set_callback). Without GEWE_TOKEN it replies through an in-process FakeGewe.
"""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from _setup import make_client
from fastapi import FastAPI

from gewe_async import AsyncGeweClient
from gewe_async.bot import ASGIReceiver, Context, Dispatcher, Router
from gewe_async.bot import filters as f
from gewe_async.callbacks import TextMessage

router = Router("echo")
# Talked to: a private message, or a group message that @-mentions the bot.
addressed = f.private() | f.mentioned()
KEYWORDS = {"ping": "pong", "help": "I answer 'ping', and echo anything else."}


@router.on(TextMessage, addressed, f.text_equals(*KEYWORDS, ignore_case=True))
async def keyword(event: TextMessage, ctx: Context) -> None:
    await ctx.reply(KEYWORDS[without_mentions(event.text).casefold()])


@router.on(TextMessage, addressed)
async def echo(event: TextMessage, ctx: Context) -> None:
    await ctx.reply(f"echo: {without_mentions(event.text)}")


def without_mentions(text: str) -> str:
    # "@Bot\u2005hello": WeChat ends a mention with U+2005 (names may contain spaces).
    return re.sub(r"@[^@\u2005]+\u2005", "", text).strip()


def create_app(client: AsyncGeweClient | None = None) -> FastAPI:
    """The bot's app; ``client`` defaults to the real API (GEWE_TOKEN) or a demo fake."""
    dp = Dispatcher()
    dp.include_router(router)
    receiver = ASGIReceiver(dp, secret=os.environ.get("BOT_SECRET", "change-me"))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with client or make_client() as gewe:
            dp.client = gewe
            # Starlette does not run a mounted app's lifespan: run the receiver's here, so
            # shutdown drains running handlers before the client closes.
            async with receiver.lifespan(app):
                yield

    app = FastAPI(lifespan=lifespan)
    app.mount("/gewe", receiver)  # the callback URL: https://<host>/gewe/<BOT_SECRET>

    @app.get("/health")
    async def health() -> dict[str, int]:
        stats = await receiver.journal.stats()
        return {"pending": stats.depth}

    return app


app = create_app()
