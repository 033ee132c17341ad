"""Receiving: the dispatcher that runs a bot's handlers, and the receivers that take pushes.

The receivers (ASGI, aiohttp) store each push in a journal before answering it.
"""

from gewe_async.bot._journal import Delivery, Entry, Journal, JournalFullError, JournalStats

__all__ = ["Delivery", "Entry", "Journal", "JournalFullError", "JournalStats"]
