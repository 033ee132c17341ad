"""Models of the message module (``/message/*``): what sending returns, and what a quote names.

Official documentation (doc.geweapi.com): the 消息模块 section.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final, Protocol

import attrs

__all__ = [
    "MENTION_ALL",
    "EmojiUrl",
    "FileUrl",
    "HasContent",
    "Message",
    "Quoted",
    "SentImage",
    "SentMessage",
    "SentVideo",
]

MENTION_ALL: Final = "notify@all"
"""The wxid that mentions everyone in a group (for its owner and admins):
``post_text(..., mentions={MENTION_ALL: "所有人"})``."""


class HasContent(Protocol):
    """A received message event: anything with the message's XML as ``content``."""

    @property
    def content(self) -> str:
        """The message's content (XML for media)."""
        ...


Message = str | HasContent
"""A received message, as the forward and download methods take it: its XML, or an event whose
``content`` is the XML."""


@attrs.frozen
class SentMessage:
    """What ``message/post*`` and ``message/forward*`` return about the message they sent.

    Keep it to revoke the message later
    ([`revoke()`][gewe_async.resources.MessageAPI.revoke]).
    """

    to_wxid: str
    """The receiving contact or group (``...@chatroom``)."""
    create_time: datetime | None
    """When the server sent it (UTC). The video and emoji pages show ``null`` here, and
    postImage ``0`` (1970-01-01)."""
    msg_id: int
    """The message id (small, sometimes 0; ``new_msg_id`` is the one to keep)."""
    new_msg_id: int
    """The message id used to revoke or quote it; above 2**53, so kept as an int."""
    type: int | None
    """The message type the server reports (1 text, 5 link, 6 file, 33 mini-program, 42 name
    card, ...); ``null`` for images, voice, video and emoji."""


@attrs.frozen
class SentImage(SentMessage):
    """What ``postImage`` and ``forwardImage`` return: the message and the image's CDN fields.

    Send the same image again quickly with
    [`resend()`][gewe_async.resources.MessageAPI.resend], which forwards these fields instead of
    uploading the image again, as the postImage page suggests.
    """

    aes_key: str
    """The CDN key of the uploaded image."""
    file_id: str
    """The CDN file id of the uploaded image."""
    length: int | None = None
    """The image's size in bytes (``null`` in forwardImage's example)."""
    width: int | None = None
    """The image's width in pixels."""
    height: int | None = None
    """The image's height in pixels."""
    md5: str | None = None
    """The MD5 of the image."""


@attrs.frozen
class SentVideo(SentMessage):
    """What ``postVideo`` and ``forwardVideo`` return: the message and the video's CDN fields."""

    aes_key: str
    """The CDN key of the uploaded video."""
    file_id: str | None
    """The CDN file id of the uploaded video (``null`` in forwardVideo's example)."""
    length: int | None = None
    """The video's size in bytes."""


@attrs.frozen
class FileUrl:
    """What the ``download*`` endpoints (but emoji) return: where the file can be fetched."""

    file_url: str
    """The download URL; valid for 7 days."""


@attrs.frozen
class EmojiUrl:
    """What ``downloadEmojiMd5`` returns."""

    url: str
    """The emoji's URL; valid for 7 days."""


def _first(source: Any, *names: str) -> Any:
    for name in names:
        value = getattr(source, name, None)
        if value is not None:
            return value
    return None


@attrs.frozen
class Quoted:
    """The message a quote reply quotes (for `post_quote()`).

    [`post_quote()`][gewe_async.resources.MessageAPI.post_quote] sends the reply.

    Build it from the fields of a received message, or with
    [`Quoted.of()`][gewe_async.types.message.Quoted.of] from a received event.
    """

    new_msg_id: int
    """The quoted message's ``NewMsgId``."""
    sender_wxid: str
    """Who wrote the quoted message."""
    content: str
    """The quoted message's content: its text, or its XML for media."""
    display_name: str = ""
    """The name shown above the quote (the sender's nickname or group alias)."""
    chat_id: str | None = None
    """The chat the quoted message was in (a group's ``...@chatroom``); the sender's own
    wxid when ``None`` (a private chat)."""
    msg_type: int = 1
    """The quoted message's type (1 text, 3 image, 49 app message, ...)."""

    @classmethod
    def of(cls, message: Any, *, display_name: str = "") -> Quoted:
        """Take the quoted fields from a received message event.

        Reads ``new_msg_id``, ``sender_wxid`` (else ``from_wxid``), ``chat_id``, ``content``
        and ``msg_type`` (default 1) from ``message``.

        Raises:
            ValueError: ``message`` lacks a message id, sender or content.
        """
        new_msg_id = _first(message, "new_msg_id")
        sender = _first(message, "sender_wxid", "from_wxid")
        content = _first(message, "content")
        if new_msg_id is None or sender is None or content is None:
            raise ValueError(
                "a quoted message needs new_msg_id, sender_wxid (or from_wxid) and content; "
                f"{type(message).__name__} lacks some"
            )
        msg_type = _first(message, "msg_type")
        return cls(
            new_msg_id=new_msg_id,
            sender_wxid=sender,
            content=content,
            display_name=display_name,
            chat_id=_first(message, "chat_id"),
            msg_type=1 if msg_type is None else int(msg_type),
        )
