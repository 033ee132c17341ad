"""The keyword/echo bot of `bot.py` in aiohttp: private messages, and group mentions.

Run (from examples/): BOT_SECRET=... GEWE_TOKEN=... python bot_aiohttp.py (port 8000),
behind HTTPS, then set the callback URL once: https://bot.example.com/gewe/<BOT_SECRET>
(client.login.set_callback). Without GEWE_TOKEN it replies through an in-process FakeGewe.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

from _setup import make_client
from aiohttp import web
from bot import router

from gewe_async import AsyncGeweClient
from gewe_async.bot import AiohttpReceiver, Dispatcher


def create_app(client: AsyncGeweClient | None = None) -> web.Application:
    """The bot's app; ``client`` defaults to the real API (GEWE_TOKEN) or a demo fake."""
    dp = Dispatcher()
    dp.include_router(router)
    receiver = AiohttpReceiver(dp, secret=os.environ.get("BOT_SECRET", "change-me"))
    app = web.Application()

    async def gewe_client(app: web.Application) -> AsyncIterator[None]:
        async with client or make_client() as gewe:
            dp.client = gewe
            yield

    # Added first, so the client outlives the receiver's drain at shutdown.
    app.cleanup_ctx.append(gewe_client)
    receiver.setup(app, "/gewe")  # the callback URL: https://<host>/gewe/<BOT_SECRET>
    return app


if __name__ == "__main__":
    web.run_app(create_app(), host="127.0.0.1", port=8000)
