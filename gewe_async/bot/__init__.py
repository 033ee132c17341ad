"""Receiving: the dispatcher that runs a bot's handlers, and the receivers that take pushes.

```python
from gewe_async import AsyncGeweClient
from gewe_async.bot import ASGIReceiver, Context, Dispatcher, filters as f
from gewe_async.callbacks import TextMessage

dp = Dispatcher(AsyncGeweClient())

@dp.on(TextMessage, f.private() | f.mentioned(), f.text_equals("ping"))
async def ping(event: TextMessage, ctx: Context) -> None:
    await ctx.reply("pong")

app = ASGIReceiver(dp, secret="s3cret")     # uvicorn bot:app --no-access-log
```

The receivers (ASGI, aiohttp) store each push in a journal before answering it; handlers
run in the background, take events from the journal, and acknowledge each once handled
(or retry it, then keep it as a dead letter, when its handler failed), in the receiver's
process or in [`Worker`][gewe_async.bot.Worker]s elsewhere.
"""

from typing import TYPE_CHECKING, Any

from gewe_async.bot import filters, fsm
from gewe_async.bot._access_log import SecretRedactor, redact_secret_in_logs
from gewe_async.bot._asgi import ASGIReceiver
from gewe_async.bot._base import BaseJournal
from gewe_async.bot._context import Context
from gewe_async.bot._dispatcher import (
    CallNext,
    Dispatcher,
    ErrorHandler,
    Handler,
    HandlerFailedError,
    HandlerTimeoutError,
    Middleware,
    Router,
)
from gewe_async.bot._journal import (
    DeadLetter,
    Delivery,
    Entry,
    Journal,
    JournalFullError,
    JournalStats,
)
from gewe_async.bot._memory import MemoryJournal
from gewe_async.bot._metrics import JournalMetrics
from gewe_async.bot._receiver import Answer, Receiver
from gewe_async.bot._redis import RedisJournal
from gewe_async.bot._retry import Outcome, Retry, RetryPolicy, is_transient
from gewe_async.bot._runner import Health, Runner
from gewe_async.bot._sqlite import SqliteJournal
from gewe_async.bot._throttle import Throttle
from gewe_async.bot._urls import journal_from_url
from gewe_async.bot._worker import Worker
from gewe_async.bot.fsm import (
    MemoryStorage,
    RedisStorage,
    SqliteStorage,
    State,
    StatesGroup,
    storage_from_url,
)

if TYPE_CHECKING:
    from gewe_async.bot._aiohttp import AiohttpReceiver

__all__ = [
    "ASGIReceiver",
    "AiohttpReceiver",
    "Answer",
    "BaseJournal",
    "CallNext",
    "Context",
    "DeadLetter",
    "Delivery",
    "Dispatcher",
    "Entry",
    "ErrorHandler",
    "Handler",
    "HandlerFailedError",
    "HandlerTimeoutError",
    "Health",
    "Journal",
    "JournalFullError",
    "JournalMetrics",
    "JournalStats",
    "MemoryJournal",
    "MemoryStorage",
    "Middleware",
    "Outcome",
    "Receiver",
    "RedisJournal",
    "RedisStorage",
    "Retry",
    "RetryPolicy",
    "Router",
    "Runner",
    "SecretRedactor",
    "SqliteJournal",
    "SqliteStorage",
    "State",
    "StatesGroup",
    "Throttle",
    "Worker",
    "filters",
    "fsm",
    "is_transient",
    "journal_from_url",
    "redact_secret_in_logs",
    "storage_from_url",
]


def __getattr__(name: str) -> Any:
    # aiohttp costs about half a second of every start: load it only for its receiver.
    if name == "AiohttpReceiver":
        from gewe_async.bot._aiohttp import AiohttpReceiver

        return AiohttpReceiver
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
