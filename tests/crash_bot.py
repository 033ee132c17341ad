"""The bot the crash tests serve with `gewe-async receive` and `gewe-async worker`.

Its one handler records each text it handles as a line `NEW_MSG_ID CHAT_ID ATTEMPT` in the file
named by `$CRASH_HANDLED`, with one `os.write` to a file opened with `O_APPEND`: a line is
written whole or not at all, whenever the process is killed.

The handlers are slower than the pushes (4 at once, 20 ms each: 200 events/s), so that a
kill finds pushes answered and not yet handled, which only the journal still holds.
"""

from __future__ import annotations

import asyncio
import functools
import os

from gewe_async.bot import Context, Dispatcher
from gewe_async.callbacks import TextMessage

#: Events handled at once: the most a kill can leave handled and not acknowledged.
CONCURRENCY = 4

dp = Dispatcher(concurrency=CONCURRENCY)


@functools.cache
def _handled() -> int:
    # Opened on first use, so that the tests can import CONCURRENCY without the variable.
    return os.open(os.environ["CRASH_HANDLED"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)


@dp.on(TextMessage)
async def record(event: TextMessage, ctx: Context) -> None:
    await asyncio.sleep(0.02)  # the handler's work
    os.write(_handled(), f"{event.new_msg_id} {event.chat_id} {ctx.attempt}\n".encode())
