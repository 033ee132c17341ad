"""Filters: which events a handler takes. Combine them with ``&``, ``|`` and ``~``.

```python
from gewe_async.bot import Router, filters as f
from gewe_async.callbacks import TextMessage

router = Router()

@router.on(TextMessage, f.private() | f.mentioned(), f.text_equals("ping"))
async def ping(event, ctx):
    await ctx.reply("pong")
```

Several filters given to [`Router.on`][gewe_async.bot.Router.on] must all pass. A filter is
a [`Filter`][gewe_async.bot.filters.Filter] around a function of the event returning a bool
(or an awaitable bool, for checks that look something up); any such function can be wrapped
with [`predicate`][gewe_async.bot.filters.predicate].
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable
from typing import Any

import attrs

from gewe_async.callbacks import CallbackEvent, MessageEvent

__all__ = [
    "Filter",
    "app_id",
    "chat",
    "group",
    "mentioned",
    "predicate",
    "private",
    "sender",
    "text_contains",
    "text_equals",
    "text_regex",
]

Check = Callable[[CallbackEvent], bool | Awaitable[bool]]


async def _resolve(value: bool | Awaitable[bool]) -> bool:
    if inspect.isawaitable(value):
        return bool(await value)
    return bool(value)


@attrs.frozen
class Filter:
    """A condition on an event; ``a & b``, ``a | b`` and ``~a`` make new ones."""

    check: Check = attrs.field(repr=False)
    """The function deciding: event in, bool (or awaitable bool) out."""
    name: str = "predicate"
    """How the filter shows in logs and reprs."""

    async def __call__(self, event: CallbackEvent) -> bool:
        """Whether ``event`` passes."""
        return await _resolve(self.check(event))

    def __and__(self, other: Filter) -> Filter:
        async def both(event: CallbackEvent) -> bool:
            return await self(event) and await other(event)

        return Filter(both, f"({self.name} & {other.name})")

    def __or__(self, other: Filter) -> Filter:
        async def either(event: CallbackEvent) -> bool:
            return await self(event) or await other(event)

        return Filter(either, f"({self.name} | {other.name})")

    def __invert__(self) -> Filter:
        async def negated(event: CallbackEvent) -> bool:
            return not await self(event)

        return Filter(negated, f"~{self.name}")


def predicate(check: Check, name: str | None = None) -> Filter:
    """Any function of the event (sync or async) as a filter."""
    return Filter(check, name or str(getattr(check, "__name__", "predicate")))


def app_id(*app_ids: str) -> Filter:
    """Events of these devices (``Appid``)."""
    wanted = frozenset(app_ids)
    return Filter(lambda e: e.app_id in wanted, f"app_id{tuple(app_ids)}")


def chat(*chat_ids: str) -> Filter:
    """Messages in these conversations (a group's ``...@chatroom`` or a contact's wxid)."""
    wanted = frozenset(chat_ids)
    return Filter(
        lambda e: isinstance(e, MessageEvent) and e.chat_id in wanted, f"chat{tuple(chat_ids)}"
    )


def sender(*wxids: str) -> Filter:
    """Messages written by these people (in a group: the member, not the group)."""
    wanted = frozenset(wxids)
    return Filter(
        lambda e: isinstance(e, MessageEvent) and e.sender_wxid in wanted, f"sender{tuple(wxids)}"
    )


def group() -> Filter:
    """Messages posted in a group."""
    return Filter(lambda e: isinstance(e, MessageEvent) and e.is_group, "group")


def private() -> Filter:
    """Messages of a one-to-one chat."""
    return Filter(lambda e: isinstance(e, MessageEvent) and not e.is_group, "private")


def mentioned(*, everyone: bool = False) -> Filter:
    """Messages that @-mention the receiving account; with ``everyone``, ``@所有人`` too."""

    def check(e: CallbackEvent) -> bool:
        if not isinstance(e, MessageEvent):
            return False
        return (e.wxid is not None and e.wxid in e.mentions) or (
            everyone and "notify@all" in e.mentions
        )

    return Filter(check, "mentioned")


def _text_of(event: CallbackEvent) -> str | None:
    text: Any = getattr(event, "text", None)
    return text if isinstance(text, str) else None


# WeChat ends a mention with U+2005 ("@Bot Name\u2005ping"); typed by hand, a leading
# "@Bot ping" ends with a plain space. An address such as "a@b.com" is no mention.
_MENTION = re.compile(r"@[^@\u2005]+\u2005|^@\S+\s+")


def _without_mentions(text: str) -> str:
    return _MENTION.sub("", text.strip()).strip()


def text_equals(*texts: str, ignore_case: bool = False, ignore_mentions: bool = True) -> Filter:
    """Messages whose text is one of ``texts`` (surrounding blanks ignored).

    With ``ignore_mentions`` (the default), ``"@Bot ping"`` in a group counts as ``"ping"``.
    """
    fold: Callable[[str], str] = str.casefold if ignore_case else str
    wanted = frozenset(fold(t.strip()) for t in texts)

    def check(e: CallbackEvent) -> bool:
        text = _text_of(e)
        if text is None:
            return False
        text = _without_mentions(text) if ignore_mentions else text.strip()
        return fold(text) in wanted

    return Filter(check, f"text_equals{tuple(texts)}")


def text_contains(*parts: str, ignore_case: bool = False) -> Filter:
    """Messages whose text contains any of ``parts``."""
    fold: Callable[[str], str] = str.casefold if ignore_case else str
    wanted = tuple(fold(p) for p in parts)

    def check(e: CallbackEvent) -> bool:
        text = _text_of(e)
        return text is not None and any(p in fold(text) for p in wanted)

    return Filter(check, f"text_contains{tuple(parts)}")


def text_regex(pattern: str | re.Pattern[str], flags: int = 0) -> Filter:
    """Messages whose text matches ``pattern`` anywhere (`re.search`)."""
    compiled = re.compile(pattern, flags)

    def check(e: CallbackEvent) -> bool:
        text = _text_of(e)
        return text is not None and compiled.search(text) is not None

    return Filter(check, f"text_regex({compiled.pattern!r})")
