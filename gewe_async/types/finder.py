"""Models of the Channels module (``/finder/*``, 视频号): accounts, videos, comments, letters.

Official documentation (doc.geweapi.com): the 视频号模块 section.

Channels answers are large and change often; the models keep the fields a program uses and
accept (and ignore) the rest. Everything but the ids has a default, so a missing field does
not fail a call.
"""

from __future__ import annotations

from datetime import datetime
from enum import IntEnum
from typing import Any

import attrs

from gewe_async._converter import WIRE_NAME

__all__ = [
    "ChannelsAccount",
    "ChannelsLogin",
    "CommentPage",
    "DelayedOperation",
    "FinderAlias",
    "FinderComment",
    "FinderCommentOperation",
    "FinderContact",
    "FinderExtInfo",
    "FinderMedia",
    "FinderMention",
    "FinderObject",
    "FinderObjectDesc",
    "FinderProfile",
    "FinderRole",
    "FollowOperation",
    "FollowPage",
    "Heart",
    "LetterContact",
    "LetterContent",
    "LetterMsgInfo",
    "LikeFavFlag",
    "MentionPage",
    "MentionScene",
    "ObjectDetails",
    "ObjectPage",
    "PrivateLetter",
    "PrivateLetterSync",
    "Role",
    "SearchCategory",
    "SearchFilter",
    "SearchInfo",
    "SearchResult",
    "ThumbsUp",
    "UploadedFinderVideo",
    "UserPage",
]


# -- values -------------------------------------------------------------------------------


class FinderRole(IntEnum):
    """``myRoleType``: which identity of the account acts (see ``FinderProfile.alias_info``)."""

    WECHAT = 1
    """微信身份: the WeChat account itself."""
    FINDER = 3
    """视频号身份: the account's Channels identity."""


Role = FinderRole | int
"""A ``my_role_type`` argument: a `FinderRole`, or its number."""


class FollowOperation(IntEnum):
    """``opType`` of ``finder/follow``."""

    FOLLOW = 1
    UNFOLLOW = 2


class ThumbsUp(IntEnum):
    """``opType`` of ``finder/idFav`` (点赞, the thumbs-up)."""

    ON = 1
    OFF = 2


class Heart(IntEnum):
    """``opType`` of ``finder/idLike`` (小红心, the heart)."""

    ON = 3
    OFF = 4


class DelayedOperation(IntEnum):
    """``opType`` of ``finder/finderOpt``."""

    THUMBS_UP = 1
    """点赞."""
    HEART = 3
    """小红心."""


class FinderCommentOperation(IntEnum):
    """``opType`` of ``finder/comment``."""

    COMMENT = 0
    DELETE = 1


class LikeFavFlag(IntEnum):
    """``flag`` of ``finder/likeFavList``: which videos to list."""

    HEART = 1
    """红心."""
    THUMBS_UP = 2
    """大拇指."""
    SAVED = 4
    """收藏."""
    ALL = 7
    """全部."""


class MentionScene(IntEnum):
    """``reqScene`` of ``finder/mentionList``: which notifications to list."""

    LIKE = 3
    COMMENT = 4
    FOLLOW = 5


class SearchCategory(IntEnum):
    """``category`` of ``finder/search``."""

    ALL = 1
    ACCOUNT = 2
    """视频号ID: accounts only."""


class SearchFilter(IntEnum):
    """``filter`` of ``finder/search``."""

    ANY = 0
    NEWEST = 1
    FRIENDS_LIKED = 2


# -- accounts -----------------------------------------------------------------------------


@attrs.frozen
class FinderExtInfo:
    """Where a Channels account is, as it says."""

    country: str = ""
    province: str = ""
    city: str = ""
    sex: int = 0


@attrs.frozen
class FinderContact:
    """A Channels account.

    The answer of ``follow``, ``scanFollow`` and ``createFinder``, and the entries of the
    follow list.
    """

    username: str
    """The account's username (``v2_...@finder``): what ``to_user_name`` takes."""
    nickname: str = ""
    head_url: str = ""
    signature: str = ""
    follow_flag: int = 0
    """1: followed."""
    follow_time: datetime | None = None
    cover_img_url: str = ""
    ext_info: FinderExtInfo | None = None
    ext_flag: int = 0
    live_status: int = 0
    spam_status: int = 0
    status: int = 0


@attrs.frozen
class FinderAlias:
    """One identity of the account (``getProfile``'s ``aliasInfo``)."""

    nickname: str = ""
    head_img_url: str = ""
    role_type: int = 0
    """1 WeChat, 3 Channels (a [`FinderRole`][gewe_async.types.finder.FinderRole])."""


@attrs.frozen
class FinderProfile:
    """The account's own Channels profile (``finder/getProfile``)."""

    main_finder_username: str = ""
    """The account's Channels username: what ``my_user_name`` takes."""
    current_alias_role_type: int = 0
    alias_info: list[FinderAlias] | None = None
    nickname_max_length: int = 0
    nickname_min_length: int = 0
    signature_max_length: int = 0
    user_flag: int = 0
    user_no_finder: int = 0
    """1: the account has no Channels identity yet (``create_finder`` makes one)."""


@attrs.frozen
class ChannelsAccount:
    """A Channels account that the scanned assistant login may act as."""

    finder_username: str = ""
    nickname: str = ""
    head_img_url: str = ""
    is_master_finder: bool = False
    acct_type: int = 0


@attrs.frozen
class ChannelsLogin:
    """The answer of ``finder/scanLoginChannels`` (视频号助手)."""

    session_id: str = ""
    acct_status: int = 0
    finder_list: list[ChannelsAccount] | None = None


# -- videos -------------------------------------------------------------------------------


@attrs.frozen
class FinderMedia:
    """One media file of a video (wire names are capitalised: ``Url``, ``ThumbUrl``, ...)."""

    url: str = attrs.field(default="", metadata={WIRE_NAME: "Url"})
    thumb_url: str = attrs.field(default="", metadata={WIRE_NAME: "ThumbUrl"})
    md5_sum: str = attrs.field(default="", metadata={WIRE_NAME: "Md5Sum"})
    width: int = attrs.field(default=0, metadata={WIRE_NAME: "Width"})
    height: int = attrs.field(default=0, metadata={WIRE_NAME: "Height"})
    file_size: int = attrs.field(default=0, metadata={WIRE_NAME: "FileSize"})
    video_play_len: int = attrs.field(default=0, metadata={WIRE_NAME: "VideoPlayLen"})
    media_type: int = attrs.field(default=0, metadata={WIRE_NAME: "MediaType"})
    url_token: str = ""
    thumb_url_token: str = ""
    decode_key: str = ""


@attrs.frozen
class FinderObjectDesc:
    """What a video shows: its text and media."""

    description: str = ""
    media_type: int = 0
    media: list[FinderMedia] | None = None


@attrs.frozen
class FinderObject:
    """A Channels video (作品), as lists and scans return it.

    ``id``, ``object_nonce_id`` and ``session_buffer`` are what the actions on it take.
    """

    id: int
    """The video's id (objectId), an exact int."""
    object_nonce_id: str = ""
    session_buffer: str = ""
    username: str = ""
    """The author's username."""
    nickname: str = ""
    create_time: datetime | None = attrs.field(default=None, metadata={WIRE_NAME: "createtime"})
    like_count: int = 0
    comment_count: int = 0
    fav_count: int = 0
    forward_count: int = 0
    like_flag: int = 0
    fav_flag: int = 0
    object_desc: FinderObjectDesc | None = None
    contact: FinderContact | None = None


@attrs.frozen
class ObjectDetails:
    """The answer of ``finder/scanQrCode``: the scanned video."""

    item: FinderObject = attrs.field(metadata={WIRE_NAME: "object"})
    """The video (``data.object`` on the wire)."""
    comment_count: int = 0


@attrs.frozen
class UploadedFinderVideo:
    """A video uploaded to the Channels CDN (``finder/uploadFinderVideo``).

    ``publish_finder_cdn`` takes it as ``video_cdn``, from any account: upload once, publish
    from many.
    """

    file_key: str
    file_url: str
    thumb_url: str
    mp4_identify: str
    thumb_md5: str = attrs.field(metadata={WIRE_NAME: "thumbMD5"})
    file_size: int


# -- lists --------------------------------------------------------------------------------


@attrs.frozen
class FollowPage:
    """One page of ``finder/followList``."""

    contact_list: list[FinderContact] | None = None
    last_buffer: str = ""
    continue_flag: int = 0
    """1: there is a next page."""
    follow_count: int = 0


@attrs.frozen
class ObjectPage:
    """One page of ``finder/likeFavList``: videos."""

    objects: list[FinderObject] | None = attrs.field(default=None, metadata={WIRE_NAME: "object"})
    last_buffer: str = ""
    continue_flag: int = 0


@attrs.frozen
class UserPage:
    """One page of ``finder/userPage``: the account and its videos."""

    contact: FinderContact | None = None
    objects: list[FinderObject] | None = attrs.field(default=None, metadata={WIRE_NAME: "object"})
    last_buffer: str = ""
    continue_flag: int = 0
    feeds_count: int = 0
    friend_follow_count: int = 0


@attrs.frozen
class FinderComment:
    """A comment on a Channels video."""

    comment_id: int
    username: str = ""
    nickname: str = ""
    content: str = ""
    head_url: str = ""
    create_time: datetime | None = attrs.field(default=None, metadata={WIRE_NAME: "createtime"})
    reply_comment_id: int = 0
    like_count: int = 0
    expand_comment_count: int = 0


@attrs.frozen
class CommentPage:
    """One page of ``finder/commentList``."""

    comment_info: list[FinderComment] | None = None
    last_buffer: str = ""
    down_continue_flag: int = 0
    """1: there are more comments after these."""


@attrs.frozen
class FinderMention:
    """A notification: someone liked, commented on or followed."""

    mention_id: int = 0
    mention_type: int = 0
    mention_content: str = ""
    username: str = ""
    nickname: str = ""
    head_url: str = ""
    description: str = ""
    thumb_url: str = ""
    create_time: datetime | None = attrs.field(default=None, metadata={WIRE_NAME: "createtime"})
    ref_object_id: int = 0
    ref_object_nonce_id: str = ""
    ref_comment_id: int = 0


@attrs.frozen
class _Mentions:
    mentions: list[FinderMention] | None = None


@attrs.frozen
class MentionPage:
    """One page of ``finder/mentionList``."""

    last_buff: str = ""
    mention_list: _Mentions | None = attrs.field(default=None, metadata={WIRE_NAME: "list"})

    @property
    def mentions(self) -> list[FinderMention]:
        """The notifications of this page (``data.list.mentions`` on the wire)."""
        return (self.mention_list.mentions if self.mention_list else None) or []


@attrs.frozen
class SearchResult:
    """One page of ``finder/search``; ``boxes`` are the result groups as the server sends them."""

    query: str = ""
    search_id: str = attrs.field(default="", metadata={WIRE_NAME: "searchID"})
    cookies: str = ""
    offset: int = 0
    page_number: int = 0
    continue_flag: int = 0
    """1: there is a next page (send ``cookies``, ``offset``, ``search_id`` and ``page + 1``)."""
    boxes: list[dict[str, Any]] | None = attrs.field(default=None, metadata={WIRE_NAME: "data"})


@attrs.frozen
class SearchInfo:
    """Where a search led: pass it to ``follow`` or ``user_page`` after ``search``.

    ``cookies`` and ``search_id`` are the search result's; ``doc_id`` the ``docID`` of the
    result followed.
    """

    cookies: str = ""
    search_id: str = ""
    doc_id: str | None = None


# -- private letters ----------------------------------------------------------------------


@attrs.frozen
class LetterMsgInfo:
    """Where private letters to a contact go."""

    msg_username: str = ""
    session_id: str = ""
    """What ``msg_session_id`` takes when writing to this contact."""


@attrs.frozen
class LetterContact:
    """A private-letter contact (``finder/contactList``)."""

    username: str = ""
    nickname: str = ""
    head_url: str = ""
    signature: str = ""
    msg_info: LetterMsgInfo | None = None
    ext_info: FinderExtInfo | None = None


@attrs.frozen
class LetterContent:
    """A private letter's content: the raw message (``msg``) and its session."""

    msg_session_id: str = ""
    is_sender: int = 0
    """1: the account sent it."""
    seq: int = 0
    msg: dict[str, Any] | None = None
    """The message as the server sends it (``Content``, ``FromUserName`` ... wrapped as
    ``{"string": ...}``)."""


@attrs.frozen
class PrivateLetter:
    """One entry of ``finder/syncPrivateLetterMsg``."""

    item_type: int = 0
    sub_type: int = 0
    content: LetterContent | None = None


@attrs.frozen
class PrivateLetterSync:
    """One page of ``finder/syncPrivateLetterMsg``."""

    key_buff: str = ""
    letters: list[PrivateLetter] | None = attrs.field(default=None, metadata={WIRE_NAME: "list"})
