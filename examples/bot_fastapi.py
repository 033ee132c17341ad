"""The keyword/echo bot of `bot.py` in FastAPI: private messages, and group mentions.

Run (from examples/): BOT_SECRET=... GEWE_TOKEN=... uvicorn bot_fastapi:app --port 8000
behind HTTPS, then set the callback URL once: https://bot.example.com/gewe/<BOT_SECRET>
(client.login.set_callback). Without GEWE_TOKEN it replies through an in-process FakeGewe.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from _setup import make_client
from bot import router
from fastapi import FastAPI

from gewe_async import AsyncGeweClient
from gewe_async.bot import ASGIReceiver, Dispatcher


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
