"""A ping/pong bot: GeWe's pushes in, one reply per ping, every failure handled.

In production GeWe pushes to your callback URL and a receiver runs this dispatcher:
`GEWE_CALLBACK_SECRET=... gewe-async receive bot_loop:dp` (or see bot_fastapi.py / bot_aiohttp.py).
Run as a script, an in-process FakeGewe pushes ten pings to it: python examples/bot_loop.py
"""

from __future__ import annotations

import asyncio
import logging

from _setup import demo_fake

from gewe_async import GeweAPIError, GeweError, GeweTransportError
from gewe_async.bot import Context, Dispatcher, Router
from gewe_async.bot import filters as f
from gewe_async.callbacks import TextMessage
from gewe_async.testing import FakeGewe

log = logging.getLogger("bot")

router = Router("ping")


# A private "ping", or a group message that mentions the bot and says "ping".
@router.on(TextMessage, f.private() | f.mentioned(), f.text_equals("ping", ignore_mentions=True))
async def ping(event: TextMessage, ctx: Context) -> None:
    try:
        # Sends are never retried once they may have reached the server: no double replies.
        await ctx.reply("pong")
    except GeweTransportError as exc:
        if exc.request_sent:
            log.warning("reply to %s may or may not have been sent: %s", event.chat_id, exc)
        else:
            log.warning("reply to %s was not sent: %s", event.chat_id, exc)
    except GeweAPIError as exc:  # offline device, ...
        log.warning("reply refused: %s", exc)
    except GeweError as exc:  # a proxy's 502 page, an answer we cannot read, ...
        # One event's failure must never stop the bot: log it and go on with the others.
        log.warning("reply to %s failed, it may or may not have been sent: %s", event.chat_id, exc)


dp = Dispatcher()
dp.include_router(router)


async def main(fake: FakeGewe | None = None, pings: int = 10) -> int:
    """Push ``pings`` pings to the bot through ``fake``; return how many pongs were sent."""
    fake = fake or demo_fake()
    async with fake.client() as client:
        dp.client = client
        fake.connect(dp)  # pushes go straight to the dispatcher: no port, no thread
        for i in range(pings):
            await fake.receive_text(f"wx_{i % 3 + 1:03d}", f"wxid_friend{i}", "ping")
        await fake.settle()
    return sum(len(device.outbox.texts()) for device in fake.devices.values())


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    print(f"sent {asyncio.run(main())} pongs")
