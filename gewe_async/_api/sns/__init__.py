"""The Moments module (``/sns/*``): posting, listing, liking and commenting on Moments.

Official documentation (doc.geweapi.com): the 朋友圈模块 section; ``sns/sendFinderSns`` is
documented under 视频号模块. The endpoints and their methods are in three modules:
``_reading`` (lists, one Moment, the settings), ``_reacting`` (likes, comments) and
``_posting`` (uploads, posts, deleting).

Two pages contradict themselves; we follow their examples, as the Moments guide
(``docs/moments.md``) says:

- ``sns/uploadSnsImage``: the schema puts ``minLength: 1, maxLength: 9`` on each URL (no URL
  is 9 characters long; it meant the list) while the example sends ten URLs. We send any
  number of URLs from one up (the documented failure is ``imgUrls不可为空``), each an http(s)
  URL, and leave the count to the server.
- ``sns/commentSns``: the schema types ``commentId`` as a string; the example sends the
  integer ``0``, and every comment id the API returns (``commentList[].commentId``) is an
  integer. We send an integer, ``0`` for a new comment, and always send ``commentId`` and
  ``content`` (``""`` when deleting), as the example does.
"""

from __future__ import annotations

from typing import Final

# The group's endpoints, gathered here: ENDPOINTS is read from this module's names.
from gewe_async._api.sns._posting import (  # noqa: F401
    DEL_SNS,
    FORWARD_SNS,
    SEND_FINDER_SNS,
    SEND_IMG_SNS,
    SEND_TEXT_SNS,
    SEND_URL_SNS,
    SEND_VIDEO_SNS,
    UPLOAD_SNS_IMAGE,
    UPLOAD_SNS_VIDEO,
    PostingCalls,
    _digits,
)
from gewe_async._api.sns._reacting import COMMENT_SNS, LIKE_SNS, ReactingCalls  # noqa: F401
from gewe_async._api.sns._reading import (  # noqa: F401
    CONTACTS_SNS_LIST,
    DOWNLOAD_SNS_VIDEO,
    SNS_DETAILS,
    SNS_LIST,
    SNS_SET_PRIVACY,
    SNS_VISIBLE_SCOPE,
    STRANGER_VISIBILITY_ENABLED,
    ReadingCalls,
)
from gewe_async._endpoint import declared
from gewe_async._lazy import lazy_attributes

__all__ = ["SnsAPI"]

ENDPOINTS: Final = declared(globals())


# The API reference lists inherited methods from the last base to the first.
class SnsAPI(PostingCalls, ReactingCalls, ReadingCalls):
    """``client.sns``: posting, listing, liking and commenting on Moments.

    Every method takes the device's ``app_id`` first, and accepts ``timeout=`` to override the
    client's timeout for that call. WeChat refuses posting, liking and commenting for the
    first one to three days after a new device logs in.
    """

    __slots__ = ()


# The name's old home: it moved to `gewe_async.types`.
__getattr__, __dir__ = lazy_attributes(
    __name__, {"DownloadedVideo": "gewe_async.types.sns:DownloadedVideo"}, moved=True
)
