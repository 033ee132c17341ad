"""The message module (``/message/*``): sending messages. Sends are never repeated by retries.

Official pages: ``geweapi/消息模块/``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Unpack

import attrs

from gewe_async import _validators as v
from gewe_async._config import RequestOptions
from gewe_async._endpoint import APIGroup, Endpoint

__all__ = ["MessageAPI", "SentMessage"]


@attrs.frozen
class SentMessage:
    """What ``message/post*`` return about the message they sent."""

    to_wxid: str
    """The receiving contact or group (``...@chatroom``)."""
    create_time: datetime
    """When the server sent it (UTC)."""
    msg_id: int
    """The message id (often 0; ``new_msg_id`` is the one to keep)."""
    new_msg_id: int
    """The message id used to revoke or quote it; above 2**53, so kept as an int."""
    type: int
    """The message type (1 for text)."""


@attrs.frozen
class PostTextRequest:
    """Body of ``message/postText``."""

    app_id: str = attrs.field(validator=v.app_id)
    to_wxid: str = attrs.field(validator=v.non_empty_text)
    content: str = attrs.field(validator=v.non_empty_text)
    ats: str | None = attrs.field(default=None, validator=attrs.validators.optional(v.text))


# Not retry-safe: a repeated send is a second message in the chat.
POST_TEXT: Endpoint[SentMessage] = Endpoint("message/postText", PostTextRequest, SentMessage)


class MessageAPI(APIGroup):
    """``client.message``: sending messages to contacts and groups.

    Sends are not retried after the request may have reached the server (a timeout or a dropped
    connection could hide a message that was sent); they are retried only when the connection
    failed before anything was sent.
    """

    __slots__ = ()

    async def post_text(
        self,
        app_id: str,
        to_wxid: str,
        content: str,
        *,
        ats: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> SentMessage:
        """Send a text message (``message/postText``).

        To mention people in a group, put ``@name`` in ``content`` and their wxids in ``ats``
        (comma-separated; ``"notify@all"`` mentions everyone, for owners and admins)::

            await client.message.post_text("wx_1", "123@chatroom", "@Alice hi", ats="wxid_a")

        Raises:
            ValueError: ``to_wxid`` or ``content`` is empty.
        """
        request = PostTextRequest(app_id, to_wxid, content, ats)
        return await self._call(POST_TEXT, request, options)
