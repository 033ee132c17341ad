"""A keyword/echo bot: what it does, and nothing about how it is served.

It answers private messages, and group messages that @-mention it. `bot_fastapi.py` and
`bot_aiohttp.py` serve this router in a web app; the CLI serves `dispatcher` in one process or
split over many (examples/compose.yaml), with the client from --token/--base-url:

    gewe-async receive bot:dispatcher --journal sqlite:///bot.db             # one process
    gewe-async receive bot:dispatcher --journal redis://... --no-handlers   # receivers
    gewe-async worker bot:dispatcher --journal redis://...                  # workers
"""

from __future__ import annotations

import re

from gewe_async.bot import Context, Dispatcher, Router
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


dispatcher = Dispatcher()
dispatcher.include_router(router)
