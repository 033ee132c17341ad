"""The typed events a callback becomes: one frozen class per documented kind.

The base classes here are the contract the dispatcher and the receiver rely on: every event
has ``app_id``, ``wxid``, ``raw``, ``kind``, ``idempotency_key`` and ``chat_key``; every
message (``AddMsg``) event adds the message fields of
[`MessageEvent`][gewe_async.callbacks.MessageEvent].
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

import attrs

from gewe_async.callbacks._kinds import CallbackKind

__all__ = ["CallbackEvent", "MessageEvent", "TestCallback", "TextMessage", "UnknownEvent"]


@attrs.frozen(kw_only=True)
class CallbackEvent:
    """Base of every event: what every push carries, whatever its kind."""

    kind: ClassVar[CallbackKind]
    """What the event is about (a class attribute: one class per kind)."""

    app_id: str
    """The device the push is for (``Appid``): route on it, one URL serves every account."""
    wxid: str | None
    """The account logged in on that device (``Wxid``), or ``None`` when the push omits it."""
    type_name: str
    """The envelope's ``TypeName`` (``AddMsg``, ``ModContacts``, ``DelContacts``, ``Offline``)."""
    raw: Mapping[str, Any] = attrs.field(repr=False, eq=False)
    """The push as received (decoded JSON), for anything the typed fields leave out."""

    @property
    def idempotency_key(self) -> str:
        """A key that is the same for every push of the same event, and differs otherwise.

        Messages are keyed on ``Appid`` + ``NewMsgId``, as the docs advise; other pushes on a
        digest of their canonical JSON. Handlers run at least once: use this key to make
        their side effects idempotent.
        """
        canonical = json.dumps(self.raw, sort_keys=True, ensure_ascii=False, default=str)
        digest = hashlib.blake2b(canonical.encode(), digest_size=16).hexdigest()
        return f"{self.app_id}:{self.type_name}:{digest}"

    @property
    def chat_key(self) -> str:
        """Events with the same key are handled in order; others may run concurrently."""
        return self.app_id


@attrs.frozen(kw_only=True)
class MessageEvent(CallbackEvent):
    """Base of every message event (``TypeName`` ``AddMsg``)."""

    msg_id: int
    """The message's ``MsgId`` (a small per-account counter; not the id to keep)."""
    new_msg_id: int
    """The message's ``NewMsgId``: the id to de-duplicate, quote, revoke and download by."""
    msg_type: int
    """The WeChat ``MsgType`` (1 text, 3 image, 49 app messages, 10002 system, ...)."""
    from_wxid: str
    """``FromUserName``: the sender, or the group for group messages."""
    to_wxid: str
    """``ToUserName``: the receiver, or the group for messages the account sent."""
    create_time: datetime
    """When the message was sent (aware, UTC)."""
    chat_id: str
    """The conversation: the group (``...@chatroom``) for group messages, else the other party."""
    sender_wxid: str | None
    """Who wrote it: the group member in a group, else the sender; ``None`` if unknown."""
    is_group: bool
    """Whether the message was posted in a group."""
    is_self: bool
    """Whether the account itself sent it (from the phone: API sends produce no push)."""
    mentions: tuple[str, ...] = ()
    """The wxids mentioned (``MsgSource``'s ``atuserlist``); ``notify@all`` for everyone."""
    push_content: str | None = None
    """The notification text (``PushContent``), when the push has one."""
    content: str = ""
    """The message content, without the ``"<wxid>:\\n"`` prefix of group messages."""

    @property
    def idempotency_key(self) -> str:
        """``"<Appid>:<NewMsgId>"``: the same for every push of the same message."""
        return f"{self.app_id}:{self.new_msg_id}"

    @property
    def chat_key(self) -> str:
        """``"<Appid>:<chat_id>"``: one chat's messages are handled in order."""
        return f"{self.app_id}:{self.chat_id}"


@attrs.frozen(kw_only=True)
class TextMessage(MessageEvent):
    """A text message (``MsgType`` 1)."""

    kind: ClassVar[CallbackKind] = CallbackKind.TEXT
    text: str
    """The text, as typed (``@name`` mentions included)."""


@attrs.frozen(kw_only=True)
class TestCallback(CallbackEvent):
    """The test push GeWe sends when the callback URL is set ("验证回调地址是否可用")."""

    __test__: ClassVar[bool] = False  # not a pytest test class, despite the name
    kind: ClassVar[CallbackKind] = CallbackKind.TEST


@attrs.frozen(kw_only=True)
class UnknownEvent(CallbackEvent):
    """A push of a kind this version does not know; ``raw`` holds all of it."""

    kind: ClassVar[CallbackKind] = CallbackKind.UNKNOWN
