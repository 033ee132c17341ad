"""Receiving: the dispatcher that runs a bot's handlers, and the receivers that take pushes.

The receivers (ASGI, aiohttp) store each push in a journal before answering it.
"""

from gewe_async.bot._journal import Delivery, Entry, Journal, JournalFullError, JournalStats
from gewe_async.bot._metrics import JournalMetrics
from gewe_async.bot._redis import RedisJournal
from gewe_async.bot._sqlite import SqliteJournal

__all__ = [
    "Delivery",
    "Entry",
    "Journal",
    "JournalFullError",
    "JournalMetrics",
    "JournalStats",
    "RedisJournal",
    "SqliteJournal",
]
