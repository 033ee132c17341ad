"""Models of the Moments module (``/sns/*``): Moments, their likes and comments, uploads.

Official documentation (doc.geweapi.com): the 朋友圈模块 section, and 发送视频号朋友圈 in
视频号模块.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import IntEnum
from typing import Any

import attrs

from gewe_async import exceptions as _exceptions
from gewe_async._config import RequestOptions
from gewe_async.types.message import FileUrl

__all__ = [
    "CommentOperation",
    "DownloadedVideo",
    "LikeOperation",
    "Moment",
    "MomentComment",
    "MomentLike",
    "MomentOptions",
    "MomentPage",
    "MomentPostError",
    "PostedMoment",
    "UploadedImage",
    "UploadedVideo",
    "VisibleScope",
]


# -- values -------------------------------------------------------------------------------


class VisibleScope(IntEnum):
    """How far back friends may see the account's Moments (``sns/snsVisibleScope``'s option)."""

    ALL = 1
    """全部: everything."""
    HALF_YEAR = 2
    """最近半年: the last six months."""
    MONTH = 3
    """最近一个月: the last month."""
    THREE_DAYS = 4
    """最近三天: the last three days."""


class LikeOperation(IntEnum):
    """``operType`` of ``sns/likeSns``."""

    LIKE = 1
    """点赞."""
    UNLIKE = 2
    """取消点赞."""


class CommentOperation(IntEnum):
    """``operType`` of ``sns/commentSns``."""

    COMMENT = 1
    """评论: add a comment (or a reply, with ``comment_id``)."""
    DELETE = 2
    """删除评论: delete the comment ``comment_id``."""


class MomentOptions(RequestOptions, total=False):
    """Who sees a new Moment, as keyword arguments of the posting methods.

    All are optional; lists are sent empty when not given, as the official examples do.
    """

    allow_wx_ids: Sequence[str]
    """允许谁看: only these friends (wxids) see it."""
    at_wx_ids: Sequence[str]
    """提醒谁看: remind these friends."""
    disable_wx_ids: Sequence[str]
    """不给谁看: hide it from these friends."""
    allow_tag_ids: Sequence[str]
    """允许谁看: only friends with these label ids see it."""
    disable_tag_ids: Sequence[str]
    """不给谁看: hide it from friends with these label ids."""
    privacy: bool
    """是否私密: only the account itself sees it."""


# -- answers ------------------------------------------------------------------------------


@attrs.frozen
class MomentLike:
    """A like on a Moment."""

    user_name: str
    """The wxid of who liked it."""
    nick_name: str
    """Their nickname."""
    create_time: datetime
    """When (UTC)."""
    source: int = 0
    type: int = 1


@attrs.frozen
class MomentComment:
    """A comment on a Moment, or a reply to one (``reply_comment_id`` not 0)."""

    comment_id: int
    """The comment's id, to reply to it or delete it."""
    user_name: str
    """The wxid of who wrote it."""
    nick_name: str
    """Their nickname."""
    content: str
    """The text."""
    create_time: datetime
    """When (UTC)."""
    reply_comment_id: int = 0
    """The comment it answers (0: none)."""
    source: int = 0
    type: int = 2
    is_not_rich_text: int = 1


@attrs.frozen
class Moment:
    """A Moment, as the lists (``snsList``, ``contactsSnsList``) and ``snsDetails`` return it.

    Pass it to [`like()`][gewe_async.resources.SnsAPI.like],
    [`comment()`][gewe_async.resources.SnsAPI.comment] or
    [`delete()`][gewe_async.resources.SnsAPI.delete]. The lists send ``null`` instead of empty like
    and comment lists; `likes` and `comments` give lists either way.
    """

    id: int
    """The Moment's id (snsId), an exact int above 2**63 as often as not."""
    user_name: str
    """The author's wxid."""
    nick_name: str
    """The author's nickname."""
    create_time: datetime
    """When it was posted (UTC)."""
    sns_xml: str
    """The ``TimelineObject`` XML: its media, and what ``forward_sns`` and
    ``download_sns_video`` take."""
    like_count: int = 0
    comment_count: int = 0
    with_user_count: int = 0
    """How many friends were reminded (提醒谁看)."""
    like_list: list[MomentLike] | None = None
    comment_list: list[MomentComment] | None = None
    with_user_list: list[Any] | None = None
    """The reminded friends, as the server sends them (``null`` in every documented answer)."""

    @property
    def likes(self) -> list[MomentLike]:
        """The likes (empty when the server sent ``null``)."""
        return self.like_list or []

    @property
    def comments(self) -> list[MomentComment]:
        """The comments and replies (empty when the server sent ``null``)."""
        return self.comment_list or []


@attrs.frozen
class MomentPage:
    """One page of ``snsList`` or ``contactsSnsList``.

    To get the next page, send ``max_id`` and ``first_page_md5`` back;
    [`iter_sns_list()`][gewe_async.resources.SnsAPI.iter_sns_list] does it for you.
    """

    max_id: int
    """The id of the page's last Moment (0 when there is none)."""
    first_page_md5: str
    """The paging key."""
    sns_list: list[Moment] | None = None
    """The Moments, newest first (``None`` or empty at the end)."""
    sns_count: int = 0
    request_time: datetime | None = None


@attrs.frozen
class PostedMoment:
    """The Moment a ``send*Sns`` or ``forwardSns`` call posted."""

    id: int
    """Its id (snsId): pass it to ``sns_details``, ``del_sns``, ``sns_set_privacy``."""
    user_name: str
    """The account's wxid."""
    nick_name: str
    """The account's nickname."""
    create_time: datetime
    """When it was posted (UTC)."""


@attrs.frozen
class UploadedImage:
    """An image uploaded for a Moment (``sns/uploadSnsImage``); ``send_img_sns`` takes it."""

    file_url: str
    thumb_url: str
    file_md5: str
    width: int
    height: int
    length: int | None = None
    """The file's size in bytes."""


@attrs.frozen
class UploadedVideo:
    """A video uploaded for a Moment (``sns/uploadSnsVideo``); ``send_video_sns`` takes it."""

    file_url: str
    thumb_url: str
    file_md5: str
    length: int | None = None
    """The file's size in bytes."""


# -- errors -------------------------------------------------------------------------------


# Moved to gewe_async.exceptions with the other errors; this name stays importable.
MomentPostError = _exceptions.MomentPostError
"""The error of the Moment helpers, kept here where it was first defined: it lives in
[`gewe_async.exceptions`][gewe_async.exceptions.MomentPostError] with every other error."""


DownloadedVideo = FileUrl
"""What ``sns/downloadSnsVideo`` answers: the video's URL, as ``message/downloadVideo`` does."""
