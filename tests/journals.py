"""Helpers of the journal tests: a real redis-server on loopback, a fake clock, entries."""

from __future__ import annotations

from bench.loopback_redis import free_port, redis_server
from gewe_async.bot import Entry

__all__ = ["FakeClock", "entry", "free_port", "redis_server"]


class FakeClock:
    """A wall clock that moves only when told to."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def entry(key: str, chat: str = "chat-a", body: bytes | None = None, at: float = 0.0) -> Entry:
    """An entry with `key` in `chat`."""
    return Entry(key=key, chat=chat, body=body or key.encode(), received_at=at)
