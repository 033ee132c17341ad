"""Models of the contacts module (``/contacts/*``): friends, look-ups and the phone address book.

Official documentation (doc.geweapi.com): the 联系人模块 section.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Protocol

import attrs

from gewe_async._chunks import Chunk, ChunkedResult

__all__ = [
    "AddContactOption",
    "AddContactScene",
    "Chunk",
    "ChunkedResult",
    "ContactInfo",
    "ContactSearchResult",
    "ContactsList",
    "FriendRelation",
    "FriendRequestTickets",
    "PhoneBookOperation",
    "PhoneContact",
    "Relation",
]


# -- values -------------------------------------------------------------------------------


class AddContactOption(IntEnum):
    """What ``add_contacts`` does (the ``option`` field)."""

    ADD = 2
    """2 添加好友: send a friend request."""
    ACCEPT = 3
    """3 同意好友: accept a friend request received."""
    REJECT = 4
    """4 拒绝好友: decline a friend request received."""


class AddContactScene(IntEnum):
    """Where a friend request comes from (``scene``), as documented for sending one.

    To accept a request, pass back the ``scene`` its callback carried, whatever its value.
    """

    WECHAT_ID = 3
    """3 微信号搜索: found by WeChat ID."""
    QQ = 4
    """4 QQ好友: a QQ friend."""
    GROUP_CHAT = 8
    """8 来自群聊: from a group chat."""
    PHONE = 15
    """15 手机号: found by phone number."""


class FriendRelation(IntEnum):
    """The values of [`Relation.relation`][gewe_async.types.contacts.Relation]."""

    NORMAL = 0
    """0 正常: still friends."""
    DELETED = 1
    """1 删除: they deleted the account."""
    BLOCKED_BY_THEM = 2
    """2 被拉黑: they blocked the account."""
    BLOCKED_BY_ME = 3
    """3 已拉黑对方: the account blocked them."""
    FEATURE_ERROR = 4
    """4 功能异常: the check is not available for this account."""
    TOO_FREQUENT = 5
    """5 检测频繁: checked too often; try later."""
    UNKNOWN_STATE = 6
    """6 未知状态."""
    UNKNOWN_ERROR = 7
    """7 未知错误."""
    OTHER = 99
    """99 其他."""


class PhoneBookOperation(IntEnum):
    """What ``upload_phone_address_list`` does with the numbers (``opType``)."""

    UPLOAD = 1
    """1 上传: add the numbers to the account's phone book."""
    DELETE = 2
    """2 删除: remove them."""


# -- answers ------------------------------------------------------------------------------


@attrs.frozen
class ContactInfo:
    """A contact's profile, as ``getBriefInfo`` and ``getDetailInfo`` return it.

    The pages send many fields as ``null`` (a stranger has no remark; ``getDetailInfo`` sends
    ``pyInitial`` as null where ``getBriefInfo`` sends a string): all but ``user_name`` may be
    ``None``.
    """

    user_name: str
    """The contact's wxid."""
    nick_name: str | None = None
    """Their display name."""
    alias: str | None = None
    """Their WeChat ID (微信号), if they chose one."""
    sex: int | None = None
    """0 unknown, 1 male, 2 female."""
    remark: str | None = None
    """The remark (备注) this account gave them."""
    py_initial: str | None = None
    """Initials of the nickname in pinyin."""
    quan_pin: str | None = None
    """The nickname in full pinyin."""
    remark_py_initial: str | None = None
    """Initials of the remark in pinyin."""
    remark_quan_pin: str | None = None
    """The remark in full pinyin."""
    signature: str | None = None
    """Their status line."""
    country: str | None = None
    """Country code, such as ``CN``."""
    province: str | None = None
    """Province."""
    city: str | None = None
    """City."""
    big_head_img_url: str | None = None
    """URL of the large avatar."""
    small_head_img_url: str | None = None
    """URL of the small avatar."""
    sns_bg_img: str | None = None
    """URL of their Moments cover."""
    description: str | None = None
    """The description this account wrote about them."""
    card_img_url: str | None = None
    """The picture attached to that description."""
    label_list: str | None = None
    """The ids of their labels, comma-separated as sent (``"1,2"``); see ``label_ids``."""
    phone_num_list: list[str] | None = None
    """The phone numbers noted for them."""

    @property
    def label_ids(self) -> list[int]:
        """The ids of the labels they carry, parsed from ``label_list``."""
        return [int(part) for part in (self.label_list or "").split(",") if part.strip()]


@attrs.frozen
class Relation:
    """Whether a contact is still a friend, as ``checkRelation`` reports it."""

    wxid: str
    """The contact's wxid."""
    relation: int
    """A [`FriendRelation`][gewe_async.types.contacts.FriendRelation] value (kept as an int, so
    that a value the pages do not list does not fail the whole answer)."""


@attrs.frozen
class ContactsList:
    """The account's address book, as ``fetchContactsList`` returns it (wxids only)."""

    friends: list[str]
    """The friends' wxids (WeChat's own service accounts such as ``weixin`` included)."""
    chatrooms: list[str]
    """The groups saved to the address book (not every group the account is in)."""
    ghs: list[str]
    """The official accounts followed (``gh_...``)."""


@attrs.frozen
class ContactSearchResult:
    """Someone found by ``contacts/search`` or ``im/search``: pass ``v3`` and ``v4`` on to add them.

    When the person found is a friend already, ``v3`` is their wxid.
    """

    v3: str
    """The encrypted username (or the wxid of a friend)."""
    v4: str
    """The ticket that goes with it."""
    nick_name: str | None = None
    """Their display name."""
    sex: int | None = None
    """0 unknown, 1 male, 2 female."""
    signature: str | None = None
    """Their status line."""
    big_head_img_url: str | None = None
    """URL of the large avatar."""
    small_head_img_url: str | None = None
    """URL of the small avatar."""


@attrs.frozen
class PhoneContact:
    """A WeChat user found from a phone number of the address book (``getPhoneAddressList``)."""

    user_name: str
    """Their wxid."""
    phone_md5: str | None = None
    """The MD5 of the phone number that found them."""
    nick_name: str | None = None
    """Their display name."""
    alias: str | None = None
    """Their WeChat ID."""
    sex: int | None = None
    """0 unknown, 1 male, 2 female."""
    signature: str | None = None
    """Their status line."""
    country: str | None = None
    """Country code."""
    province: str | None = None
    """Province."""
    city: str | None = None
    """City."""
    big_head_img_url: str | None = None
    """URL of the large avatar."""
    small_head_img_url: str | None = None
    """URL of the small avatar."""
    personal_card: int | None = None
    """The page's ``personalCard`` flag."""
    v4: str | None = None
    """A ticket for adding them, when the server gives one."""


class FriendRequestTickets(Protocol):
    """Anything carrying a friend request's tickets: the ``friend_request`` callback event."""

    @property
    def v3(self) -> str:
        """The requester's encrypted username."""
        ...

    @property
    def v4(self) -> str:
        """The request's ticket."""
        ...

    @property
    def scene(self) -> int:
        """Where the request came from."""
        ...
