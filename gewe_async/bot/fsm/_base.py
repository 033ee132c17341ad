"""What every storage shares: keys, JSON checks, state names, time-to-live, the handler's view.

A backend does only storage I/O on records of one conversation: its state name (or none)
and its data, one JSON text per top-level name. Keeping each name apart is what makes
`update` atomic without reading first: writing ``city`` cannot undo a concurrent write of
``name``.
"""

from __future__ import annotations

import abc
import asyncio
import functools
import json
import math
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final, Literal, TypedDict, cast

import attrs

from gewe_async.bot.fsm._state import State

if TYPE_CHECKING:
    from gewe_async.callbacks import CallbackEvent, MessageEvent

__all__ = ["BaseStorage", "Conversation", "Scope", "StorageKey"]

Scope = Literal["chat_sender", "chat", "sender"]
"""Whose conversation a message belongs to.

- ``"chat_sender"`` (the default): one per person per chat (in a group, each member has their own);
- ``"chat"``: one per chat (a group shares one);
- ``"sender"``: one per person across all chats of the device.
"""
_SCOPES: Final = ("chat_sender", "chat", "sender")


class _Keep:
    def __repr__(self) -> str:
        return "KEEP"


KEEP: Final = _Keep()
"""Leave the state name as it is (a `_write` that changes only data)."""

StateName = str | State | None


@attrs.frozen
class StorageKey:
    """Which conversation: the device, and the chat and sender as the scope keeps them."""

    app_id: str
    """The device (``Appid``)."""
    chat_id: str | None
    """The chat, or `None` when the scope is per sender across chats."""
    sender_wxid: str | None
    """The person, or `None` when the scope is per chat."""

    text: str = attrs.field(init=False, eq=False, repr=False)
    """The key as the storages keep it: ``app:chat:sender``, ``*`` for a part left out."""

    def __attrs_post_init__(self) -> None:
        # Made once: every storage call reads it.
        text = f"{self.app_id}:{self.chat_id or '*'}:{self.sender_wxid or '*'}"
        object.__setattr__(self, "text", text)

    def __str__(self) -> str:
        return self.text

    @classmethod
    def of(cls, event: CallbackEvent, scope: Scope = "chat_sender") -> StorageKey:
        """The key of the conversation ``event`` belongs to.

        Raises:
            TypeError: ``event`` is not a message, so it has no conversation.
        """
        if not isinstance(event, _message_event()):
            raise TypeError(f"a {type(event).__name__} has no conversation")
        event = cast("MessageEvent", event)
        if scope == "chat":
            return cls(event.app_id, event.chat_id, None)
        if scope == "sender":
            return cls(event.app_id, None, event.sender_wxid)
        return cls(event.app_id, event.chat_id, event.sender_wxid)


@functools.cache
def _message_event() -> type[CallbackEvent]:
    # Imported on first use, once (fsm loads without the callbacks package).
    from gewe_async.callbacks import MessageEvent

    return MessageEvent


def _check_json(value: Any, where: str) -> None:
    """Refuse what JSON would not give back as it was (tuples, sets, NaN, int keys...)."""
    if value is None or isinstance(value, bool | int | str):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise TypeError(f"{where} is {value}, which JSON cannot hold")
        return
    if isinstance(value, list):
        for i, item in enumerate(value):
            _check_json(item, f"{where}[{i}]")
        return
    if isinstance(value, dict):
        for name, item in value.items():
            if not isinstance(name, str):
                raise TypeError(f"{where} has the key {name!r}: JSON keys are str")
            _check_json(item, f"{where}[{name!r}]")
        return
    raise TypeError(
        f"{where} is a {type(value).__name__}: conversation data is JSON "
        "(None, bool, int, float, str, list, dict)"
    )


# One encoder for all: json.dumps with options builds a new one per call (most of its cost).
_ENCODER: Final = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _encode(name: str, value: Any) -> str:
    kind = type(value)
    # The common values straight away (the encoder's general path costs microseconds each);
    # exact types only: a bool or an int subclass takes the checked path.
    if kind is str:
        return _ENCODER.encode(value)
    if kind is int:
        return int.__repr__(value)
    _check_json(value, name)
    return _ENCODER.encode(value)


#: The data field that names the last event whose handling wrote the conversation: a push
#: handed out again after a crash between its handler and its acknowledgement is then known as
#: applied (`Conversation.applied`) instead of taken as the next answer. Not a keyword a user
#: can pass, and never shown by ``get_data``.
APPLIED: Final = "\x00applied"


def _fields(data: Mapping[str, Any], applied: str | None = None) -> dict[str, str]:
    """Each name's JSON text, as a backend stores it.

    Raises:
        TypeError: A name is not a str, or a value is not JSON.
    """
    fields: dict[str, str] = {}
    for name, value in data.items():
        if type(name) is not str:  # keyword arguments always are: only mappings are checked
            BaseStorage._field_name(name)
        fields[name] = _encode(name, value)
    if applied is not None:
        fields[APPLIED] = _ENCODER.encode(applied)
    return fields


def merge(
    old: tuple[str | None, dict[str, str], Any] | tuple[str | None, dict[str, str]] | None,
    state: str | _Keep | None,
    fields: Mapping[str, str],
    replace: bool,
) -> tuple[str | None, dict[str, str]]:
    """The state and fields of a conversation after a `_write` of these onto ``old``."""
    old_state, old_fields = (None, {}) if old is None else (old[0], old[1])
    new_fields = dict(fields) if replace else {**old_fields, **fields}
    return (old_state if isinstance(state, _Keep) else state), new_fields


class StorageOptions(TypedDict, total=False):
    """The options every storage takes (see `BaseStorage`)."""

    ttl: float | None
    scope: Scope
    clock: Callable[[], float]


def _state_name(state: StateName) -> str | None:
    if state is None or isinstance(state, str):
        return state
    if isinstance(state, State):
        return state.state
    raise TypeError(f"a state is a str, a State or None, not {type(state).__name__}")


class BaseStorage(abc.ABC):
    """Where conversations live; subclasses do the I/O, this class everything else.

    Storages open on first use; close them with `aclose` (or ``async with``).

    Args:
        ttl: Seconds after its last change a conversation is forgotten (`None`: never).
        scope: Whose conversation a message belongs to (see [`Scope`][gewe_async.bot.fsm.Scope]).
        clock: The wall clock for the time-to-live (tests pass a fake one); Redis uses its own.
    """

    def __init__(
        self,
        *,
        ttl: float | None = None,
        scope: Scope = "chat_sender",
        clock: Callable[[], float] = time.time,
    ) -> None:
        if ttl is not None and (
            isinstance(ttl, bool) or not isinstance(ttl, int | float) or not 0 < ttl < math.inf
        ):
            raise ValueError(f"ttl must be a positive number of seconds or None, not {ttl!r}")
        if scope not in _SCOPES:
            raise ValueError(f"scope must be one of {', '.join(_SCOPES)}, not {scope!r}")
        self.ttl = None if ttl is None else float(ttl)
        self.scope: Scope = scope
        self._clock = clock
        self._opened = False
        self._opening = asyncio.Lock()

    # -- what a backend implements -------------------------------------------------------

    async def _open(self) -> None:  # noqa: B027 - most backends have something to open
        """Connect (called once, before the first I/O)."""

    async def _close(self) -> None:  # noqa: B027
        """Disconnect."""

    @abc.abstractmethod
    async def _read(self, key: str) -> tuple[str | None, dict[str, str]] | None:
        """The state name and the data (name -> JSON text) under ``key``; `None` if none."""

    async def _read_state(self, key: str) -> str | None:
        """The state name under ``key`` (backends that can read it alone override this)."""
        record = await self._read(key)
        return None if record is None else record[0]

    @abc.abstractmethod
    async def _write(
        self, key: str, state: str | _Keep | None, fields: Mapping[str, str], *, replace: bool
    ) -> None:
        """Change the conversation under ``key`` in one atomic step.

        Set the state (unless `KEEP`), drop all data first if ``replace``, set ``fields``,
        and restart the time-to-live.
        """

    @abc.abstractmethod
    async def _delete(self, key: str) -> None:
        """Forget the conversation under ``key``."""

    # -- shared ----------------------------------------------------------------------------

    def _deadline(self) -> float | None:
        """When a conversation written now expires (for backends that keep it themselves)."""
        return None if self.ttl is None else self._clock() + self.ttl

    async def _ready(self) -> None:
        if self._opened:
            return
        async with self._opening:
            if not self._opened:
                await self._open()
                self._opened = True

    async def open(self) -> None:
        """Connect now rather than on first use."""
        if not self._opened:  # a coroutine per call saved on the hot path
            await self._ready()

    async def aclose(self) -> None:
        """Close the connection; the storage opens again if used after."""
        async with self._opening:
            if self._opened:
                self._opened = False
                await self._close()

    async def __aenter__(self) -> BaseStorage:
        await self.open()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def get_state(self, key: StorageKey) -> str | None:
        """The state of the conversation, or `None`."""
        if not self._opened:  # a coroutine per call saved on the hot path
            await self._ready()
        return await self._read_state(key.text)

    async def set_state(
        self,
        key: StorageKey,
        state: StateName,
        values: Mapping[str, Any] | None = None,
        *,
        applied: str | None = None,
    ) -> None:
        """Set the state (`None`: no step, data kept), and these ``values`` in the data.

        One atomic write, one round trip, whatever ``values`` holds.

        ``applied`` is the key of the event being handled (see `Conversation.applied`).

        Raises:
            TypeError: A value is not JSON.
        """
        name = _state_name(state)
        fields = {} if not values and applied is None else _fields(values or {}, applied)
        if not self._opened:  # a coroutine per call saved on the hot path
            await self._ready()
        await self._write(key.text, name, fields, replace=False)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        """The data of the conversation (``{}`` when none)."""
        if not self._opened:  # a coroutine per call saved on the hot path
            await self._ready()
        record = await self._read(key.text)
        if record is None:
            return {}
        return {name: json.loads(text) for name, text in record[1].items() if name != APPLIED}

    async def applied(self, key: StorageKey) -> str | None:
        """The key of the last event whose handling wrote the conversation, or `None`."""
        if not self._opened:
            await self._ready()
        record = await self._read(key.text)
        text = None if record is None else record[1].get(APPLIED)
        return None if text is None else str(json.loads(text))

    async def set_data(
        self, key: StorageKey, data: Mapping[str, Any], *, applied: str | None = None
    ) -> None:
        """Replace the data of the conversation.

        Raises:
            TypeError: A value is not JSON.
        """
        await self._put(key, data, replace=True, applied=applied)

    async def update_data(self, key: StorageKey, **values: Any) -> None:
        """Set these names in the data, atomically, leaving the others.

        Raises:
            TypeError: A value is not JSON.
        """
        await self._put(key, values, replace=False, applied=None)

    async def _put(
        self, key: StorageKey, data: Mapping[str, Any], *, replace: bool, applied: str | None
    ) -> None:
        fields = _fields(data, applied)
        if not self._opened:  # a coroutine per call saved on the hot path
            await self._ready()
        await self._write(key.text, KEEP, fields, replace=replace)

    async def clear(self, key: StorageKey) -> None:
        """Forget the conversation: no state, no data."""
        if not self._opened:  # a coroutine per call saved on the hot path
            await self._ready()
        await self._delete(key.text)

    @staticmethod
    def _field_name(name: Any) -> str:
        if not isinstance(name, str):
            raise TypeError(f"a data name is a str, not {name!r}")
        return name

    def conversation(self, event: CallbackEvent) -> Conversation:
        """The conversation ``event`` belongs to, in this storage's scope.

        Raises:
            TypeError: ``event`` is not a message.
        """
        return Conversation(self, StorageKey.of(event, self.scope), event.idempotency_key)


@attrs.frozen
class Conversation:
    """``ctx.state``: the conversation of the message being handled.

    ```python
    await ctx.state.set(Signup.city)
    await ctx.state.update(name=event.text)
    data = await ctx.state.get_data()
    await ctx.state.clear()
    ```
    """

    storage: BaseStorage = attrs.field(repr=False)
    """Where it is kept."""
    key: StorageKey
    """Whose it is."""
    event_key: str | None = None
    """The key of the event being handled: every write records it (see `applied`)."""

    async def get(self) -> str | None:
        """The state name (``"Signup:city"``), or `None` outside any conversation."""
        return await self.storage.get_state(self.key)

    async def set(self, state: StateName, /, **values: Any) -> None:
        """Move to ``state`` (`None`: leave the steps, keep the data).

        ``values`` are set in the data in the same atomic write, as `update` sets them:
        ``await ctx.state.set(Signup.city, name=event.text)`` is one write (one round trip
        to Redis, one row in SQLite's next commit) where `update` then `set` are two.

        Raises:
            TypeError: A value is not JSON.
        """
        await self.storage.set_state(self.key, state, values, applied=self.event_key)

    async def get_data(self) -> dict[str, Any]:
        """The data gathered so far (``{}`` when none)."""
        return await self.storage.get_data(self.key)

    async def set_data(self, data: Mapping[str, Any]) -> None:
        """Replace the data.

        Raises:
            TypeError: A value is not JSON.
        """
        await self.storage.set_data(self.key, data, applied=self.event_key)

    async def update(self, **values: Any) -> None:
        """Set these names in the data, atomically, keeping the others.

        Raises:
            TypeError: A value is not JSON.
        """
        # values as a mapping: a data name such as "applied" must not meet a keyword
        await self.storage._put(self.key, values, replace=False, applied=self.event_key)

    async def clear(self) -> None:
        """End the conversation: no state, no data."""
        await self.storage.clear(self.key)

    async def applied(self) -> bool:
        """Whether the event being handled already wrote this conversation.

        True only for an event handed out again after a crash between its handler's write and
        its acknowledgement: the dispatcher then does not run the handler a second time, so a
        form step is never taken twice (a reply the crash cut off is not sent again either).
        """
        return self.event_key is not None and await self.storage.applied(self.key) == (
            self.event_key
        )
