"""The group module (``/group/*``): group chats, members, admins and announcements.

Official documentation (doc.geweapi.com): the 群模块 section.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final, Unpack

import attrs

from gewe_async import _validators as v
from gewe_async._api._common import AppIdRequest
from gewe_async._api._social import (
    ChatroomRequest,
    clean_text,
    to_comma_wxids,
    to_wxids,
    wxid,
    wxid_list,
)
from gewe_async._config import RequestOptions
from gewe_async._endpoint import APIGroup, Endpoint, declared
from gewe_async.types.group import (
    _V3,
    AdminOperation,
    ChatroomAnnouncement,
    ChatroomInfo,
    ChatroomMemberDetail,
    ChatroomMemberList,
    ChatroomQrCode,
    ContactListOperation,
    CreatedChatroom,
    JoinedChatroom,
    _ChatroomRef,
)

__all__ = ["GroupAPI"]


# -- requests -----------------------------------------------------------------------------


def _at_least_two(value: Any) -> list[str]:
    # The page: a group is created with at least two friends besides the account.
    return list(wxid_list(value, minimum=2))


def _admin_operation(value: object) -> AdminOperation:
    return v.to_int_enum(AdminOperation, value)


def _contact_list_operation(value: object) -> ContactListOperation:
    return v.to_int_enum(ContactListOperation, value)


def _msg_id(value: Any) -> str:
    # newMsgId is a string on the wire; ids exceed 2**53, so an int is accepted and sent exact.
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"new_msg_id must be an int or str, got {type(value).__name__}")
    text = str(value)
    if not text.isdigit():
        raise ValueError(f"new_msg_id must be digits, got {value!r:.40}")
    return text


@attrs.frozen(kw_only=True)
class AddGroupMemberAsFriendRequest(ChatroomRequest):
    """Body of ``group/addGroupMemberAsFriend``."""

    member_wxid: str = attrs.field(validator=wxid)
    content: str = attrs.field(validator=clean_text)  # required: sent even when ""


@attrs.frozen(kw_only=True)
class AdminOperateRequest(ChatroomRequest):
    """Body of ``group/adminOperate``."""

    oper_type: AdminOperation = attrs.field(converter=_admin_operation)
    wxids: list[str] = attrs.field(converter=to_wxids)

    def __attrs_post_init__(self) -> None:
        if self.oper_type is AdminOperation.TRANSFER_OWNER and len(self.wxids) != 1:
            raise ValueError(f"ownership goes to exactly one member, got {len(self.wxids)} wxids")


@attrs.frozen(kw_only=True)
class AgreeJoinRoomRequest(AppIdRequest):
    """Body of ``group/agreeJoinRoom``."""

    url: str = attrs.field(validator=v.http_url)


@attrs.frozen(kw_only=True)
class CreateChatroomRequest(AppIdRequest):
    """Body of ``group/createChatroom``."""

    wxids: list[str] = attrs.field(converter=_at_least_two)


@attrs.frozen(kw_only=True)
class GetChatroomMemberDetailRequest(ChatroomRequest):
    """Body of ``group/getChatroomMemberDetail``."""

    member_wxids: list[str] = attrs.field(converter=to_wxids)


@attrs.frozen(kw_only=True)
class InviteMemberRequest(ChatroomRequest):
    """Body of ``group/inviteMember`` (``wxids`` comma-joined, as the page says)."""

    wxids: str = attrs.field(converter=to_comma_wxids)
    reason: str = attrs.field(validator=clean_text)  # required: sent even when ""


@attrs.frozen(kw_only=True)
class JoinRoomUsingQRCodeRequest(AppIdRequest):
    """Body of ``group/joinRoomUsingQRCode``."""

    qr_url: str = attrs.field(validator=v.http_url)


@attrs.frozen(kw_only=True)
class ModifyChatroomNameRequest(ChatroomRequest):
    """Body of ``group/modifyChatroomName``."""

    chatroom_name: str = attrs.field(validator=[v.non_empty_text, clean_text])


@attrs.frozen(kw_only=True)
class ModifyChatroomNickNameForSelfRequest(ChatroomRequest):
    """Body of ``group/modifyChatroomNickNameForSelf``."""

    nick_name: str = attrs.field(validator=clean_text)


@attrs.frozen(kw_only=True)
class ModifyChatroomRemarkRequest(ChatroomRequest):
    """Body of ``group/modifyChatroomRemark``."""

    chatroom_remark: str = attrs.field(validator=clean_text)


@attrs.frozen(kw_only=True)
class PinChatRequest(ChatroomRequest):
    """Body of ``group/pinChat``."""

    top: bool = attrs.field(validator=v.boolean)


@attrs.frozen(kw_only=True)
class RemoveMemberRequest(ChatroomRequest):
    """Body of ``group/removeMember`` (``wxids`` comma-joined, as the page says)."""

    wxids: str = attrs.field(converter=to_comma_wxids)


@attrs.frozen(kw_only=True)
class RoomAccessApplyCheckApproveRequest(ChatroomRequest):
    """Body of ``group/roomAccessApplyCheckApprove``."""

    new_msg_id: str = attrs.field(converter=_msg_id)
    msg_content: str = attrs.field(validator=[v.non_empty_text, clean_text])


@attrs.frozen(kw_only=True)
class SaveContractListRequest(ChatroomRequest):
    """Body of ``group/saveContractList``."""

    oper_type: ContactListOperation = attrs.field(converter=_contact_list_operation)


@attrs.frozen(kw_only=True)
class SetChatroomAnnouncementRequest(ChatroomRequest):
    """Body of ``group/setChatroomAnnouncement``."""

    content: str = attrs.field(validator=[v.non_empty_text, clean_text])


@attrs.frozen(kw_only=True)
class SetMsgSilenceRequest(ChatroomRequest):
    """Body of ``group/setMsgSilence``."""

    silence: bool = attrs.field(validator=v.boolean)


# -- endpoints ----------------------------------------------------------------------------

# Reads.
GET_CHATROOM_ANNOUNCEMENT: Final = Endpoint(
    "group/getChatroomAnnouncement", ChatroomRequest, ChatroomAnnouncement, retry_safe=True
)
GET_CHATROOM_INFO: Final = Endpoint(
    "group/getChatroomInfo", ChatroomRequest, ChatroomInfo, retry_safe=True
)
GET_CHATROOM_MEMBER_DETAIL: Final = Endpoint(
    "group/getChatroomMemberDetail",
    GetChatroomMemberDetailRequest,
    list[ChatroomMemberDetail],
    retry_safe=True,
)
GET_CHATROOM_MEMBER_LIST: Final = Endpoint(
    "group/getChatroomMemberList", ChatroomRequest, ChatroomMemberList, retry_safe=True
)
# Makes a new QR image each time, but changes nothing else: a repeat is harmless.
GET_CHATROOM_QR_CODE: Final = Endpoint(
    "group/getChatroomQrCode", ChatroomRequest, ChatroomQrCode, retry_safe=True
)
# Setters of absolute values: repeating one changes nothing.
MODIFY_CHATROOM_NAME: Final[Endpoint[None]] = Endpoint(
    "group/modifyChatroomName", ModifyChatroomNameRequest, None, retry_safe=True
)
MODIFY_CHATROOM_NICK_NAME_FOR_SELF: Final[Endpoint[None]] = Endpoint(
    "group/modifyChatroomNickNameForSelf",
    ModifyChatroomNickNameForSelfRequest,
    None,
    retry_safe=True,
)
MODIFY_CHATROOM_REMARK: Final[Endpoint[None]] = Endpoint(
    "group/modifyChatroomRemark", ModifyChatroomRemarkRequest, None, retry_safe=True
)
PIN_CHAT: Final[Endpoint[None]] = Endpoint("group/pinChat", PinChatRequest, None, retry_safe=True)
SET_MSG_SILENCE: Final[Endpoint[None]] = Endpoint(
    "group/setMsgSilence", SetMsgSilenceRequest, None, retry_safe=True
)
SAVE_CONTRACT_LIST: Final[Endpoint[None]] = Endpoint(
    "group/saveContractList", SaveContractListRequest, None, retry_safe=True
)
# Each of these acts once: a repeat creates a second group, sends a second friend request or
# invitation, notifies every member again, or (after the first one took effect) is refused as
# "not a member"/"not the owner", turning a success into a failure.
ADD_GROUP_MEMBER_AS_FRIEND: Final = Endpoint(
    "group/addGroupMemberAsFriend", AddGroupMemberAsFriendRequest, _V3
)
ADMIN_OPERATE: Final[Endpoint[None]] = Endpoint("group/adminOperate", AdminOperateRequest, None)
AGREE_JOIN_ROOM: Final = Endpoint("group/agreeJoinRoom", AgreeJoinRoomRequest, _ChatroomRef)
CREATE_CHATROOM: Final = Endpoint("group/createChatroom", CreateChatroomRequest, CreatedChatroom)
DISBAND_CHATROOM: Final[Endpoint[None]] = Endpoint("group/disbandChatroom", ChatroomRequest, None)
INVITE_MEMBER: Final[Endpoint[None]] = Endpoint("group/inviteMember", InviteMemberRequest, None)
JOIN_ROOM_USING_QR_CODE: Final = Endpoint(
    "group/joinRoomUsingQRCode", JoinRoomUsingQRCodeRequest, JoinedChatroom
)
QUIT_CHATROOM: Final[Endpoint[None]] = Endpoint("group/quitChatroom", ChatroomRequest, None)
REMOVE_MEMBER: Final[Endpoint[None]] = Endpoint("group/removeMember", RemoveMemberRequest, None)
ROOM_ACCESS_APPLY_CHECK_APPROVE: Final[Endpoint[None]] = Endpoint(
    "group/roomAccessApplyCheckApprove", RoomAccessApplyCheckApproveRequest, None
)
SET_CHATROOM_ANNOUNCEMENT: Final[Endpoint[None]] = Endpoint(
    "group/setChatroomAnnouncement", SetChatroomAnnouncementRequest, None
)

ENDPOINTS: Final = declared(globals())


class GroupAPI(APIGroup):
    """``client.group``: group chats, members, admins and announcements.

    Every method takes the device's ``app_id`` first and the group's ``chatroom_id``
    (``...@chatroom``) where it concerns one group, and accepts ``timeout=`` (and the other
    [`RequestOptions`][gewe_async.RequestOptions]) for that call.
    """

    __slots__ = ()

    async def add_group_member_as_friend(
        self,
        app_id: str,
        chatroom_id: str,
        member_wxid: str,
        content: str = "",
        **options: Unpack[RequestOptions],
    ) -> str:
        """Send a friend request to a member of a group (``group/addGroupMemberAsFriend``).

        Returns the member's ``v3``; the callback of their acceptance carries it too. Fails if
        they do not allow being added from groups.
        """
        request = AddGroupMemberAsFriendRequest(
            app_id=app_id, chatroom_id=chatroom_id, member_wxid=member_wxid, content=content
        )
        return (await self._call(ADD_GROUP_MEMBER_AS_FRIEND, request, options)).v3

    async def admin_operate(
        self,
        app_id: str,
        chatroom_id: str,
        oper_type: AdminOperation | int,
        wxids: Sequence[str],
        **options: Unpack[RequestOptions],
    ) -> None:
        """Add or remove admins, or hand the group over (``group/adminOperate``).

        Raises:
            ValueError: ``TRANSFER_OWNER`` with other than one wxid, or an unknown operation.
        """
        request = AdminOperateRequest(
            app_id=app_id, chatroom_id=chatroom_id, oper_type=oper_type, wxids=wxids
        )
        await self._call(ADMIN_OPERATE, request, options)

    async def agree_join_room(
        self, app_id: str, url: str, **options: Unpack[RequestOptions]
    ) -> str:
        """Accept a group invitation by its callback's URL; return the group's id.

        (``group/agreeJoinRoom``.)
        """
        request = AgreeJoinRoomRequest(app_id=app_id, url=url)
        return (await self._call(AGREE_JOIN_ROOM, request, options)).chatroom_id

    async def create_chatroom(
        self, app_id: str, wxids: Sequence[str], **options: Unpack[RequestOptions]
    ) -> CreatedChatroom:
        """Create a group with at least two friends (``group/createChatroom``).

        The group has no name until
        [`modify_chatroom_name()`][gewe_async.resources.GroupAPI.modify_chatroom_name].
        """
        request = CreateChatroomRequest(app_id=app_id, wxids=wxids)
        return await self._call(CREATE_CHATROOM, request, options)

    async def disband_chatroom(
        self, app_id: str, chatroom_id: str, **options: Unpack[RequestOptions]
    ) -> None:
        """Dissolve a group the account owns (``group/disbandChatroom``)."""
        request = ChatroomRequest(app_id=app_id, chatroom_id=chatroom_id)
        await self._call(DISBAND_CHATROOM, request, options)

    async def get_chatroom_announcement(
        self, app_id: str, chatroom_id: str, **options: Unpack[RequestOptions]
    ) -> ChatroomAnnouncement:
        """A group's announcement (``group/getChatroomAnnouncement``)."""
        request = ChatroomRequest(app_id=app_id, chatroom_id=chatroom_id)
        return await self._call(GET_CHATROOM_ANNOUNCEMENT, request, options)

    async def get_chatroom_info(
        self, app_id: str, chatroom_id: str, **options: Unpack[RequestOptions]
    ) -> ChatroomInfo:
        """A group's name, owner, settings and members (``group/getChatroomInfo``)."""
        request = ChatroomRequest(app_id=app_id, chatroom_id=chatroom_id)
        return await self._call(GET_CHATROOM_INFO, request, options)

    async def get_chatroom_member_detail(
        self,
        app_id: str,
        chatroom_id: str,
        member_wxids: Sequence[str],
        **options: Unpack[RequestOptions],
    ) -> list[ChatroomMemberDetail]:
        """Full profiles of members of a group (``group/getChatroomMemberDetail``)."""
        request = GetChatroomMemberDetailRequest(
            app_id=app_id, chatroom_id=chatroom_id, member_wxids=member_wxids
        )
        return await self._call(GET_CHATROOM_MEMBER_DETAIL, request, options)

    async def get_chatroom_member_list(
        self, app_id: str, chatroom_id: str, **options: Unpack[RequestOptions]
    ) -> ChatroomMemberList:
        """A group's members, owner and admins (``group/getChatroomMemberList``)."""
        request = ChatroomRequest(app_id=app_id, chatroom_id=chatroom_id)
        return await self._call(GET_CHATROOM_MEMBER_LIST, request, options)

    async def get_chatroom_qr_code(
        self, app_id: str, chatroom_id: str, **options: Unpack[RequestOptions]
    ) -> ChatroomQrCode:
        """A group's QR code, valid 7 days (``group/getChatroomQrCode``).

        WeChat refuses it during the first 1 to 3 days after a new device logs in.
        """
        request = ChatroomRequest(app_id=app_id, chatroom_id=chatroom_id)
        return await self._call(GET_CHATROOM_QR_CODE, request, options)

    async def invite_member(
        self,
        app_id: str,
        chatroom_id: str,
        wxids: Sequence[str],
        reason: str = "",
        **options: Unpack[RequestOptions],
    ) -> None:
        """Invite friends into a group (``group/inviteMember``); ``wxids`` go comma-joined."""
        request = InviteMemberRequest(
            app_id=app_id, chatroom_id=chatroom_id, wxids=wxids, reason=reason
        )
        await self._call(INVITE_MEMBER, request, options)

    async def join_room_using_qr_code(
        self, app_id: str, qr_url: str, **options: Unpack[RequestOptions]
    ) -> JoinedChatroom:
        """Join a group by the URL read from its QR code (``group/joinRoomUsingQRCode``)."""
        request = JoinRoomUsingQRCodeRequest(app_id=app_id, qr_url=qr_url)
        return await self._call(JOIN_ROOM_USING_QR_CODE, request, options)

    async def modify_chatroom_name(
        self, app_id: str, chatroom_id: str, chatroom_name: str, **options: Unpack[RequestOptions]
    ) -> None:
        """Rename a group (``group/modifyChatroomName``)."""
        request = ModifyChatroomNameRequest(
            app_id=app_id, chatroom_id=chatroom_id, chatroom_name=chatroom_name
        )
        await self._call(MODIFY_CHATROOM_NAME, request, options)

    async def modify_chatroom_nick_name_for_self(
        self, app_id: str, chatroom_id: str, nick_name: str, **options: Unpack[RequestOptions]
    ) -> None:
        """Set the account's own nickname in a group (``group/modifyChatroomNickNameForSelf``)."""
        request = ModifyChatroomNickNameForSelfRequest(
            app_id=app_id, chatroom_id=chatroom_id, nick_name=nick_name
        )
        await self._call(MODIFY_CHATROOM_NICK_NAME_FOR_SELF, request, options)

    async def modify_chatroom_remark(
        self,
        app_id: str,
        chatroom_id: str,
        chatroom_remark: str,
        **options: Unpack[RequestOptions],
    ) -> None:
        """Set the group's remark, seen only by the account (``group/modifyChatroomRemark``)."""
        request = ModifyChatroomRemarkRequest(
            app_id=app_id, chatroom_id=chatroom_id, chatroom_remark=chatroom_remark
        )
        await self._call(MODIFY_CHATROOM_REMARK, request, options)

    async def pin_chat(
        self, app_id: str, chatroom_id: str, top: bool, **options: Unpack[RequestOptions]
    ) -> None:
        """Pin the group's chat to the top, or unpin it (``group/pinChat``)."""
        request = PinChatRequest(app_id=app_id, chatroom_id=chatroom_id, top=top)
        await self._call(PIN_CHAT, request, options)

    async def quit_chatroom(
        self, app_id: str, chatroom_id: str, **options: Unpack[RequestOptions]
    ) -> None:
        """Leave a group (``group/quitChatroom``)."""
        request = ChatroomRequest(app_id=app_id, chatroom_id=chatroom_id)
        await self._call(QUIT_CHATROOM, request, options)

    async def remove_member(
        self,
        app_id: str,
        chatroom_id: str,
        wxids: Sequence[str],
        **options: Unpack[RequestOptions],
    ) -> None:
        """Remove members from a group the account owns or administers (``group/removeMember``)."""
        request = RemoveMemberRequest(app_id=app_id, chatroom_id=chatroom_id, wxids=wxids)
        await self._call(REMOVE_MEMBER, request, options)

    async def room_access_apply_check_approve(
        self,
        app_id: str,
        chatroom_id: str,
        new_msg_id: int | str,
        msg_content: str,
        **options: Unpack[RequestOptions],
    ) -> None:
        """Approve a request to join a group (``group/roomAccessApplyCheckApprove``).

        For groups that need the owner's confirmation: pass the request message's
        ``NewMsgId`` and its XML content.
        """
        request = RoomAccessApplyCheckApproveRequest(
            app_id=app_id, chatroom_id=chatroom_id, new_msg_id=new_msg_id, msg_content=msg_content
        )
        await self._call(ROOM_ACCESS_APPLY_CHECK_APPROVE, request, options)

    async def save_contract_list(
        self,
        app_id: str,
        chatroom_id: str,
        oper_type: ContactListOperation | int,
        **options: Unpack[RequestOptions],
    ) -> None:
        """Save a group to the address book, or remove it (``group/saveContractList``)."""
        request = SaveContractListRequest(
            app_id=app_id, chatroom_id=chatroom_id, oper_type=oper_type
        )
        await self._call(SAVE_CONTRACT_LIST, request, options)

    async def set_chatroom_announcement(
        self, app_id: str, chatroom_id: str, content: str, **options: Unpack[RequestOptions]
    ) -> None:
        """Publish a group announcement (``group/setChatroomAnnouncement``).

        Only the owner and admins may.
        """
        request = SetChatroomAnnouncementRequest(
            app_id=app_id, chatroom_id=chatroom_id, content=content
        )
        await self._call(SET_CHATROOM_ANNOUNCEMENT, request, options)

    async def set_msg_silence(
        self, app_id: str, chatroom_id: str, silence: bool, **options: Unpack[RequestOptions]
    ) -> None:
        """Mute the group's notifications, or unmute them (``group/setMsgSilence``)."""
        request = SetMsgSilenceRequest(app_id=app_id, chatroom_id=chatroom_id, silence=silence)
        await self._call(SET_MSG_SILENCE, request, options)
