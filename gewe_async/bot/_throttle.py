"""A middleware that lets each sender (chat, account) through at a bounded rate."""

from __future__ import annotations

import logging
import math
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final, Literal

from gewe_async.callbacks import MessageEvent

if TYPE_CHECKING:
    from gewe_async.bot._context import Context
    from gewe_async.bot._dispatcher import CallNext
    from gewe_async.callbacks import CallbackEvent

__all__ = ["Throttle"]

log = logging.getLogger("gewe_async.bot")

Per = Literal["sender", "chat", "account"]
Excess = Literal["drop", "reply"]
_PER: Final = ("sender", "chat", "account")
_EXCESS: Final = ("drop", "reply")


class _Bucket:
    __slots__ = ("since", "tokens", "warned")

    def __init__(self, tokens: float, since: float) -> None:
        self.tokens = tokens
        self.since = since
        self.warned = False


class Throttle:
    """Middleware: at most ``rate`` messages per ``period`` seconds per sender (chat, account).

    ```python
    dp.middleware(Throttle(rate=5, period=60, per="sender", excess="reply"))
    ```

    Each key (the sender in a chat... see ``per``) has a token bucket: ``rate`` messages at
    once, then one more every ``period / rate`` seconds. A message past that is dropped
    (its handler does not run; the push is still acknowledged); with ``excess="reply"`` the
    first one dropped in a row gets one ``reply_text`` answer, the next ones nothing, until
    a message passes again.

    Only messages a handler takes count: other events, messages no handler takes and
    handlers whose ``flags`` say ``{"throttle": False}`` pass untouched. With
    ``default=False`` it is the other way round: only handlers flagged
    ``{"throttle": True}`` are throttled.

    Memory is bounded: at most ``max_keys`` buckets (about 200 bytes each, 2 MB for the
    default 10,000); past it the bucket seen least recently is forgotten, so that key starts
    afresh with a full bucket. Counts are per process: each worker throttles on its own.

    Args:
        rate: Messages let through per ``period`` (and at once, after a quiet time).
        period: Seconds.
        per: ``"sender"`` (a person, across the chats of a device), ``"chat"`` (a chat: a
            group as a whole) or ``"account"`` (every message of a device).
        excess: ``"drop"`` silently, or ``"reply"`` once with ``reply_text`` (in a group, the
            reply @-mentions the sender).
        reply_text: The answer of ``excess="reply"``.
        flag: The handler flag that switches throttling for a handler.
        default: Whether handlers without the flag are throttled.
        max_keys: The most buckets kept.
        clock: Monotonic seconds (tests pass a fake one).

    Raises:
        ValueError: An argument out of range or not one of the choices.
    """

    def __init__(
        self,
        rate: float = 5,
        period: float = 60.0,
        *,
        per: Per = "sender",
        excess: Excess = "drop",
        reply_text: str = "Too many messages: please slow down.",
        flag: str = "throttle",
        default: bool = True,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        for name, value in (("rate", rate), ("period", period)):
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not 0 < value < math.inf
            ):
                raise ValueError(f"{name} must be a positive number, not {value!r}")
        if per not in _PER:
            raise ValueError(f"per must be one of {', '.join(_PER)}, not {per!r}")
        if excess not in _EXCESS:
            raise ValueError(f"excess must be one of {', '.join(_EXCESS)}, not {excess!r}")
        if isinstance(max_keys, bool) or not isinstance(max_keys, int) or max_keys < 1:
            raise ValueError(f"max_keys must be an int of at least 1, not {max_keys!r}")
        if excess == "reply" and not (isinstance(reply_text, str) and reply_text.strip()):
            raise ValueError("excess='reply' needs a non-empty reply_text")
        self.rate = float(rate)
        self.period = float(period)
        self.per: Per = per
        self.excess: Excess = excess
        self.reply_text = reply_text
        self.flag = flag
        self.default = default
        self.max_keys = max_keys
        self._clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def __repr__(self) -> str:
        return (
            f"Throttle(rate={self.rate:g}, period={self.period:g}, per={self.per!r}, "
            f"excess={self.excess!r}, keys={len(self._buckets)})"
        )

    def _key(self, event: MessageEvent) -> str:
        if self.per == "account":
            return event.app_id
        if self.per == "chat":
            return f"{event.app_id}:{event.chat_id}"
        return f"{event.app_id}:{event.sender_wxid or event.chat_id}"

    def allow(self, key: str) -> bool:
        """Take a token of ``key``'s bucket; whether there was one (the message may pass)."""
        now = self._clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(self.rate, now)
            if len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(key)
            refill = (now - bucket.since) * self.rate / self.period
            bucket.tokens = min(self.rate, bucket.tokens + max(0.0, refill))
            bucket.since = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            bucket.warned = False
            return True
        return False

    def _warn_once(self, key: str) -> bool:
        bucket = self._buckets.get(key)
        if bucket is None or bucket.warned:
            return False
        bucket.warned = True
        return True

    async def __call__(self, call_next: CallNext, event: CallbackEvent, ctx: Context) -> Any:
        """Let ``event`` on to its handler, or drop it (and maybe answer once)."""
        if (
            not isinstance(event, MessageEvent)
            or ctx.handler is None
            or not ctx.flags.get(self.flag, self.default)
        ):
            return await call_next(event, ctx)
        key = self._key(event)
        if self.allow(key):
            return await call_next(event, ctx)
        log.debug("throttled %s (%s %s)", event.idempotency_key, self.per, key)
        if self.excess == "reply" and self._warn_once(key):
            await ctx.reply(self.reply_text, mention_sender=True)
        return None
