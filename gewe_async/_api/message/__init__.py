"""The message module (``/message/*``): sending, forwarding, revoking and downloading messages.

Official documentation (doc.geweapi.com): the 消息模块 section, and 发送视频号消息 in 视频号模块.
The methods are written in three modules by what they do: `_sending` (new messages, paced per
account), `_forwarding` (received media sent on, and revoking) and `_downloading` (received
media fetched).
"""

from __future__ import annotations

from typing import Final

# The group's endpoints, gathered here: ENDPOINTS is read from this module's names.
from gewe_async._api.message._downloading import (  # noqa: F401
    DOWNLOAD_CDN,
    DOWNLOAD_EMOJI_MD5,
    DOWNLOAD_FILE,
    DOWNLOAD_IMAGE,
    DOWNLOAD_VIDEO,
    DOWNLOAD_VOICE,
    DownloadingCalls,
)
from gewe_async._api.message._forwarding import (  # noqa: F401
    FORWARD_FILE,
    FORWARD_IMAGE,
    FORWARD_MINI_APP,
    FORWARD_URL,
    FORWARD_VIDEO,
    REVOKE_MSG,
    ForwardingCalls,
)
from gewe_async._api.message._sending import (  # noqa: F401
    POST_APP_MSG,
    POST_EMOJI,
    POST_FILE,
    POST_IMAGE,
    POST_LINK,
    POST_MINI_APP,
    POST_NAME_CARD,
    POST_TEXT,
    POST_VIDEO,
    POST_VOICE,
    SEND_FINDER_MSG,
    SendingCalls,
)
from gewe_async._endpoint import declared
from gewe_async._lazy import lazy_attributes

__all__ = ["MessageAPI"]

ENDPOINTS: Final = declared(globals())


# The API reference lists inherited methods from the last base to the first: sending first.
class MessageAPI(DownloadingCalls, ForwardingCalls, SendingCalls):
    """``client.message``: sending, forwarding, revoking and downloading messages.

    Sends are not retried after the request may have reached the server (a timeout or a dropped
    connection could hide a message that was sent); they are retried only when the connection
    failed before anything was sent. The sends of one appId are paced (``send_interval`` of
    [`AsyncGeweClient`][gewe_async.AsyncGeweClient], 1.5 s by default); every send method
    accepts ``send_interval=`` for that call, and ``timeout=``.
    """

    __slots__ = ()


# The name's old home: it moved to `gewe_async.types`.
__getattr__, __dir__ = lazy_attributes(
    __name__, {"Message": "gewe_async.types.message:Message"}, moved=True
)
