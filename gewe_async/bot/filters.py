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
with [`predicate`][gewe_async.bot.filters.predicate]. A check may also return a mapping
(it passes, and the mapping is added to `ctx.data` of the handler that runs: that is how
[`command`][gewe_async.bot.filters.command] hands `ctx.command` and
[`text_regex`][gewe_async.bot.filters.text_regex] hands `ctx.match`), and a filter made with
`with_context=True` gets the [`Context`][gewe_async.bot.Context] too (as
[`state`][gewe_async.bot.filters.state] does, to read the conversation).
"""

from __future__ import annotations

import inspect
import re
import shlex
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from gewe_async.callbacks import CallbackEvent, MessageEvent

if TYPE_CHECKING:
    from gewe_async.bot._context import Context
    from gewe_async.bot.fsm import State, StatesGroup

__all__ = [
    "CommandObject",
    "CommandSpec",
    "Filter",
    "app_id",
    "chat",
    "command",
    "group",
    "mentioned",
    "predicate",
    "private",
    "sender",
    "state",
    "text_contains",
    "text_equals",
    "text_regex",
]

Check = Callable[..., Any]
"""``check(event)`` (or ``check(event, ctx)``): a bool, a mapping, or an awaitable of either."""

_Data = dict[str, Any]


async def _resolve(value: Any) -> _Data | None:
    """A check's result as the data it hands on (``{}`` for a plain pass) or `None` (fail)."""
    if inspect.isawaitable(value):
        value = await value
    if isinstance(value, Mapping):
        return dict(value)
    return {} if value else None


@attrs.frozen
class Filter:
    """A condition on an event; ``a & b``, ``a | b`` and ``~a`` make new ones."""

    check: Check = attrs.field(repr=False)
    """The function deciding: event in, bool (or awaitable bool, or a mapping of data) out."""
    name: str = "predicate"
    """How the filter shows in logs and reprs."""
    with_context: bool = False
    """Whether `check` takes ``(event, ctx)`` rather than ``(event)``; ``ctx`` is `None` when
    the filter is called without one."""
    commands: tuple[CommandSpec, ...] = ()
    """The commands this filter matches (for `Router.commands`); `~` drops them."""

    async def evaluate(self, event: CallbackEvent, ctx: Context | None = None) -> _Data | None:
        """The data the filter hands on if ``event`` passes (``{}`` when none), else `None`.

        Raises:
            TypeError: The filter reads the context and none was given.
        """
        if self.with_context:
            return await _resolve(self.check(event, ctx))
        return await _resolve(self.check(event))

    async def __call__(self, event: CallbackEvent, ctx: Context | None = None) -> bool:
        """Whether ``event`` passes."""
        return await self.evaluate(event, ctx) is not None

    def __and__(self, other: Filter) -> Filter:
        async def both(event: CallbackEvent, ctx: Context | None) -> _Data | None:
            first = await self.evaluate(event, ctx)
            if first is None:
                return None
            second = await other.evaluate(event, ctx)
            return None if second is None else {**first, **second}

        return Filter(both, f"({self.name} & {other.name})", True, self.commands + other.commands)

    def __or__(self, other: Filter) -> Filter:
        async def either(event: CallbackEvent, ctx: Context | None) -> _Data | None:
            first = await self.evaluate(event, ctx)
            return first if first is not None else await other.evaluate(event, ctx)

        return Filter(either, f"({self.name} | {other.name})", True, self.commands + other.commands)

    def __invert__(self) -> Filter:
        async def negated(event: CallbackEvent, ctx: Context | None) -> bool:
            return await self.evaluate(event, ctx) is None

        return Filter(negated, f"~{self.name}", True)


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
    """Messages whose text matches ``pattern`` anywhere (`re.search`).

    The handler finds the `re.Match` in ``ctx.match``.
    """
    compiled = re.compile(pattern, flags)

    def check(e: CallbackEvent) -> _Data | None:
        text = _text_of(e)
        found = None if text is None else compiled.search(text)
        return None if found is None else {"match": found}

    return Filter(check, f"text_regex({compiled.pattern!r})")


@attrs.frozen
class CommandSpec:
    """A command a [`command`][gewe_async.bot.filters.command] filter matches."""

    names: tuple[str, ...]
    """The command's names, the first the main one (``("weather", "w")``)."""
    prefix: str
    """What comes before the name (``"/"``)."""
    description: str = ""
    """One line for a help reply: the handler's docstring's first line."""


@attrs.frozen
class CommandObject:
    """A command a message holds: ``/weather Paris 3`` is ``/``, ``weather``, ``"Paris 3"``."""

    prefix: str
    """The prefix the message used (``"/"``)."""
    name: str
    """The name as written (one of the filter's names)."""
    text: str
    """What follows the name, stripped (``""`` when nothing does)."""
    args: tuple[str, ...]
    """`text` split like a shell does (``'add "New York"'`` is two arguments); on unbalanced
    quotes, split at blanks."""


# A leading mention of the bot in a group: "@Bot\u2005/cmd" as WeChat sends it, "@Bot /cmd"
# as typed by hand.
_LEADING_MENTION = re.compile(r"^@[^@\u2005]+\u2005\s*|^@\S+\s+")


# The name ends at any blank (a space, a newline, U+2005); the rest is the argument text.
_NAME_AND_REST = re.compile(r"(\S+)\s*(.*)", re.DOTALL)


def _split(text: str) -> tuple[str, ...]:
    try:
        return tuple(shlex.split(text))
    except ValueError:  # unbalanced quotes: a user's typo, not an error
        return tuple(text.split())


def command(*names: str, prefix: str = "/", ignore_case: bool = False) -> Filter:
    """Messages that start with a command: ``/weather Paris`` for ``command("weather")``.

    A leading ``@Bot`` mention (groups) is skipped. The handler finds a
    [`CommandObject`][gewe_async.bot.filters.CommandObject] in ``ctx.command``.

    ```python
    @router.on(TextMessage, f.command("weather", "w"))
    async def weather(event, ctx):
        \"\"\"The weather of a city: /weather CITY\"\"\"
        await ctx.reply(f"sunny in {ctx.command.text or 'Beijing'}")
    ```

    Args:
        *names: The command's names, without the prefix; the first is the main one.
        prefix: What must come before the name (``""`` for none).
        ignore_case: Match ``/Weather`` too.

    Raises:
        ValueError: No name, or a name that is empty or holds blanks.
    """
    if not names:
        raise ValueError('give at least one command name: command("start")')
    for name in names:
        if not isinstance(name, str) or not name or any(c.isspace() for c in name):
            raise ValueError(f"a command name is one word, not {name!r}")
    if not isinstance(prefix, str) or any(c.isspace() for c in prefix):
        raise ValueError(f"a command prefix is a string without blanks, not {prefix!r}")
    fold: Callable[[str], str] = str.casefold if ignore_case else str
    wanted = {fold(n): n for n in names}

    def check(e: CallbackEvent) -> _Data | None:
        text = _text_of(e)
        if text is None:
            return None
        text = _LEADING_MENTION.sub("", text.strip(), count=1).strip()
        if not text.startswith(prefix):
            return None
        found = _NAME_AND_REST.match(text, len(prefix))
        if found is None:
            return None
        name, rest = found.group(1), found.group(2).strip()
        if fold(name) not in wanted:
            return None
        return {"command": CommandObject(prefix, name, rest, _split(rest))}

    return Filter(check, f"command{tuple(names)}", commands=(CommandSpec(tuple(names), prefix),))


def state(*states: str | State | type[StatesGroup] | None) -> Filter:
    """Messages whose conversation (``ctx.state``) is in one of ``states``.

    ``state(None)`` takes messages of no conversation; ``state(Form)`` (a
    [`StatesGroup`][gewe_async.bot.fsm.StatesGroup]) any state of the group, ``state("*")``
    any state at all. Events that are not messages have no conversation and never pass.

    Raises:
        ValueError: No state given.
    """
    from gewe_async.bot.fsm import State, StatesGroup

    if not states:
        raise ValueError("give the states to match: state('ask_city'), state(None), ...")
    names: set[str | None] = set()
    anything = False
    for given in states:
        if given == "*":
            anything = True
        elif given is None or isinstance(given, str):
            names.add(given)
        elif isinstance(given, State):
            names.add(given.state)
        elif isinstance(given, type) and issubclass(given, StatesGroup):
            names.update(s.state for s in given.__all_states__)
        else:
            raise TypeError(f"a state is a str, a State, a StatesGroup or None, not {given!r}")

    async def check(e: CallbackEvent, ctx: Context | None) -> bool:
        if ctx is None:
            raise TypeError("the state filter reads ctx.state: call it with the context")
        if not isinstance(e, MessageEvent):
            return False
        current = await ctx.state.get()
        return (anything and current is not None) or current in names

    shown = ", ".join(repr(s if isinstance(s, str | None) else str(s)) for s in states)
    return Filter(check, f"state({shown})", with_context=True)
