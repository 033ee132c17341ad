"""Models of the message module (``/message/*``): what sending returns.

Official pages: ``geweapi/消息模块/``.
"""

from __future__ import annotations

from datetime import datetime

import attrs

__all__ = ["SentMessage"]


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
