"""Models of the group module (``/group/*``): group chats, members, admins and announcements.

Official documentation (doc.geweapi.com): the 群模块 section.
"""

from __future__ import annotations

from datetime import datetime
from enum import IntEnum

import attrs

from gewe_async import _validators as v
from gewe_async.types.contacts import ContactInfo

__all__ = [
    "AdminOperation",
    "ChatroomAnnouncement",
    "ChatroomInfo",
    "ChatroomMember",
    "ChatroomMemberDetail",
    "ChatroomMemberList",
    "ChatroomQrCode",
    "ContactListOperation",
    "CreatedChatroom",
    "JoinedChatroom",
]


# -- values -------------------------------------------------------------------------------


class AdminOperation(IntEnum):
    """What ``admin_operate`` does (``operType``)."""

    ADD_ADMINS = 1
    """1 添加群管理: make the members admins (several at once)."""
    REMOVE_ADMINS = 2
    """2 删除群管理: take admin rights back (several at once)."""
    TRANSFER_OWNER = 3
    """3 转让: hand the group over to one member."""


class ContactListOperation(IntEnum):
    """What ``save_contract_list`` does (``operType``)."""

    REMOVE = 2
    """2 从通讯录移除: remove the group from the address book."""
    SAVE = 3
    """3 保存到通讯录: save the group to the address book."""


# -- answers ------------------------------------------------------------------------------


@attrs.frozen
class CreatedChatroom:
    """The answer of ``group/createChatroom``: the new group's id and avatar."""

    chatroom_id: str
    """The new group's id (``...@chatroom``)."""
    head_img_base64: str | None = attrs.field(default=None, repr=False)
    """Its generated avatar, base64."""

    @property
    def head_img(self) -> bytes:
        """The decoded avatar (empty when the server sent none)."""
        return v.decode_image(self.head_img_base64) if self.head_img_base64 else b""


@attrs.frozen
class ChatroomAnnouncement:
    """A group's announcement (``group/getChatroomAnnouncement``)."""

    announcement: str
    """The text."""
    announcement_editor: str | None = None
    """The wxid of who published it."""
    publish_time: datetime | None = None
    """When it was published (UTC; the server sends Unix seconds)."""


@attrs.frozen
class ChatroomMember:
    """One member of a group, as the member list and the group's info give it."""

    wxid: str
    """The member's wxid."""
    nick_name: str | None = None
    """Their WeChat nickname."""
    display_name: str | None = None
    """Their nickname in this group, if they set one."""
    inviter_user_name: str | None = None
    """Who invited them (``None`` for the owner, and whoever joined otherwise)."""
    member_flag: int | None = None
    """The page's ``memberFlag``."""
    big_head_img_url: str | None = None
    """URL of the large avatar."""
    small_head_img_url: str | None = None
    """URL of the small avatar."""


@attrs.frozen
class ChatroomInfo:
    """A group's settings and members (``group/getChatroomInfo``)."""

    chatroom_id: str
    """The group's id."""
    nick_name: str | None = None
    """The group's name."""
    chat_room_owner: str | None = None
    """The owner's wxid."""
    member_list: list[ChatroomMember] = attrs.field(factory=list)
    """The members."""
    remark: str | None = None
    """This account's remark for the group (only it sees it)."""
    chat_room_notify: int | None = None
    """1 when messages notify, 0 when muted."""
    small_head_img_url: str | None = None
    """URL of the group's avatar."""
    py_initial: str | None = None
    """Initials of the name in pinyin."""
    quan_pin: str | None = None
    """The name in full pinyin."""
    remark_py_initial: str | None = None
    """Initials of the remark in pinyin."""
    remark_quan_pin: str | None = None
    """The remark in full pinyin."""
    sex: int | None = None
    """Sent by the page, meaningless for a group."""


@attrs.frozen
class ChatroomMemberList:
    """A group's members, owner and admins (``group/getChatroomMemberList``)."""

    member_list: list[ChatroomMember]
    """The members."""
    chatroom_owner: str | None = None
    """The owner's wxid."""
    admin_wxid: list[str] | None = None
    """The admins' wxids (the schema says null, its example sends a list)."""


@attrs.frozen
class ChatroomMemberDetail(ContactInfo):
    """A member's full profile (``group/getChatroomMemberDetail``)."""

    chat_room_notify: int | None = None
    """Whether the group notifies."""
    friend_user_name: str | None = None
    """Their wxid, when they are a friend of the account."""
    inviter_user_name: str | None = None
    """Who invited them."""
    member_flag: int | None = None
    """The page's ``memberFlag``."""


@attrs.frozen
class ChatroomQrCode:
    """A group's QR code (``group/getChatroomQrCode``), valid for 7 days."""

    qr_base64: str = attrs.field(validator=v.base64_image, repr=lambda s: f"<{len(s)} chars>")
    """The image as base64."""
    qr_tips: str | None = None
    """The tip shown under it."""

    @property
    def image(self) -> bytes:
        """The decoded image."""
        return v.decode_image(self.qr_base64)


@attrs.frozen
class JoinedChatroom:
    """The group joined by ``group/joinRoomUsingQRCode``."""

    chatroom_id: str
    """Its id."""
    chatroom_name: str | None = None
    """Its name."""
    html: str | None = None
    """A page the server sends instead when joining needs more steps."""


@attrs.frozen
class _ChatroomRef:
    chatroom_id: str


@attrs.frozen
class _V3:
    v3: str
