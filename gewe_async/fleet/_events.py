"""The events of an account's health: what the monitor dispatches to a bot's handlers.

They are not GeWe callbacks (nothing pushes them, they have no `CallbackKind`): the monitor
builds them and hands them to [`Dispatcher.dispatch`][gewe_async.bot.Dispatcher.dispatch],
so the usual ``@router.on(AccountSilent)`` handlers, filters, middleware and error handler
apply.
"""

from __future__ import annotations

import itertools
from enum import StrEnum
from typing import Final

import attrs

from gewe_async.callbacks import CallbackEvent

__all__ = [
    "AccountEvent",
    "AccountHealth",
    "AccountOffline",
    "AccountOnline",
    "AccountSilent",
    "HealthCause",
]

# Each event is a new fact: its key must never repeat (the journal would drop a repeat).
_SEQUENCE: Final = itertools.count(1)


class AccountHealth(StrEnum):
    """What the monitor believes of an account."""

    UNKNOWN = "unknown"
    """Not checked yet."""
    ONLINE = "online"
    """``checkOnline`` says online, and nothing says otherwise."""
    OFFLINE = "offline"
    """Logged out (an ``Offline`` push, or ``checkOnline`` false): a person must log it in."""
    SILENT = "silent"
    """Online by ``checkOnline``, but no push for too long, or sends refused as offline."""


class HealthCause(StrEnum):
    """Why the health changed (the machine-readable part of an event's reason)."""

    CHECK_ONLINE = "check_online"
    """``login/checkOnline`` answered (true or false)."""
    OFFLINE_PUSH = "offline_push"
    """GeWe pushed ``Offline`` for the account."""
    DEVICE_GONE = "device_gone"
    """The server no longer knows the appId (``设备不存在``)."""
    RECONNECTED = "reconnected"
    """``login/reconnection`` brought the account back."""
    NO_PUSH = "no_push"
    """No push for ``silent_after`` seconds while pushes used to arrive."""
    ZOMBIE = "zombie"
    """``checkOnline`` says online, but sends are refused with ``微信已离线``."""
    PUSH_RESUMED = "push_resumed"
    """A push arrived from an account flagged silent."""
    SEND_OK = "send_ok"
    """A call succeeded on an account flagged as a zombie."""


@attrs.frozen(kw_only=True)
class AccountEvent(CallbackEvent):
    """Base of the health events: a change of one account's `AccountHealth`.

    ``type_name`` is the class name, ``raw`` a small dict of the fields (for logs); ``wxid``
    is the account's, when a push named it.
    """

    health: AccountHealth
    """The health now."""
    previous: AccountHealth
    """The health before."""
    cause: HealthCause
    """Why, for code."""
    reason: str
    """Why, for people (one sentence)."""
    sequence: int = attrs.field(factory=lambda: next(_SEQUENCE))
    """A number that no other health event of this process has."""

    @property
    def idempotency_key(self) -> str:
        """``"<app_id>:<TypeName>:<sequence>"``: every change is a new event."""
        return f"{self.app_id}:{self.type_name}:{self.sequence}"


@attrs.frozen(kw_only=True)
class AccountOffline(AccountEvent):
    """The account is offline: it needs a new login, which needs a person to scan a QR code."""


@attrs.frozen(kw_only=True)
class AccountOnline(AccountEvent):
    """The account is online (first check, back from offline or silent, or reconnected)."""


@attrs.frozen(kw_only=True)
class AccountSilent(AccountEvent):
    """The account says it is online but does not work: no pushes, or sends refused."""


EVENT_OF: Final[dict[AccountHealth, type[AccountEvent]]] = {
    AccountHealth.OFFLINE: AccountOffline,
    AccountHealth.ONLINE: AccountOnline,
    AccountHealth.SILENT: AccountSilent,
}
