"""The message module (``/message/*``): sending messages. Sends are never repeated by retries.

Official pages: ``geweapi/消息模块/``.
"""

from __future__ import annotations

from typing import Unpack

import attrs

from gewe_async import _validators as v
from gewe_async._config import RequestOptions
from gewe_async._endpoint import APIGroup, Endpoint
from gewe_async.types.message import SentMessage

__all__ = ["MessageAPI"]


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
        (comma-separated; ``"notify@all"`` mentions everyone, for owners and admins):

        ```python
        await client.message.post_text("wx_1", "123@chatroom", "@Alice hi", ats="wxid_a")
        ```

        Raises:
            ValueError: ``to_wxid`` or ``content`` is empty.
        """
        request = PostTextRequest(app_id, to_wxid, content, ats)
        return await self._call(POST_TEXT, request, options)
