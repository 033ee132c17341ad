"""The fake's ``/group/*`` endpoints, on the device's `SocialGraph`.

Who may do what follows WeChat: only the owner and admins remove members and publish the
announcement; only the owner manages admins, hands the group over and dissolves it; members
invite their friends and rename the group.
"""

from __future__ import annotations

from typing import Any

from gewe_async.callbacks import CallbackKind
from gewe_async.testing._graph import Group, Member, SocialGraph
from gewe_async.testing._refusal import FakeRefusal
from gewe_async.testing._routes._social import (
    bad,
    comma_wxids,
    flag,
    image_base64,
    member_json,
    number,
    social_route,
    text,
    wxids,
)
from gewe_async.testing._state import FakeDevice


def _group(graph: SocialGraph, device: FakeDevice, body: dict[str, Any]) -> Group:
    """The group the body's ``chatroomId`` names, of which the device is a member."""
    return graph.group_of(text(body, "chatroomId"), device.wxid)


def _managed(graph: SocialGraph, device: FakeDevice, body: dict[str, Any]) -> Group:
    """The group the body's ``chatroomId`` names, which the device owns or administers."""
    return graph.managed(text(body, "chatroomId"), device.wxid)


@social_route("group/addGroupMemberAsFriend", "chatroomId", "memberWxid")
def _add_group_member_as_friend(
    graph: SocialGraph, device: FakeDevice, body: dict[str, Any]
) -> Any:
    group = _group(graph, device, body)
    wxid = text(body, "memberWxid")
    if wxid not in group.members:
        raise FakeRefusal.failed(f"{wxid} 不是该群成员")
    person = graph.person(wxid)
    if not person.allows_group_adds:
        raise FakeRefusal.failed("对方已关闭通过群聊添加好友")
    graph.sent_requests.append((wxid, text(body, "content")))
    return {"v3": person.v3}


@social_route("group/adminOperate", "chatroomId", "operType", "wxids")
def _admin_operate(graph: SocialGraph, device: FakeDevice, body: dict[str, Any]) -> Any:
    group = _group(graph, device, body)
    operation = number(body, "operType", (1, 2, 3))
    targets = wxids(body, "wxids")
    if group.owner != device.wxid:
        raise FakeRefusal.failed("仅群主可以操作")
    for wxid in targets:
        if wxid not in group.members:
            raise FakeRefusal.failed(f"{wxid} 不是该群成员")
    if operation == 1:
        group.admins.extend(w for w in targets if w not in group.admins and w != group.owner)
    elif operation == 2:
        group.admins[:] = [w for w in group.admins if w not in targets]
    else:
        if len(targets) != 1:
            raise bad("wxids", "只能转让给一个人")
        group.owner = targets[0]
        if targets[0] in group.admins:
            group.admins.remove(targets[0])
        graph.notify(
            CallbackKind.GROUP_OWNER_CHANGED, chatroom_id=group.chatroom_id, wxid=targets[0]
        )


def _join(graph: SocialGraph, device: FakeDevice, url: str) -> Any:
    room = graph.invitations.get(url)
    group = graph.groups.get(room) if room else None
    if group is None:
        raise FakeRefusal.failed("邀请已失效")
    if device.wxid not in group.members:
        group.members[device.wxid] = Member(device.wxid, group.owner)
        graph.notify(
            CallbackKind.GROUP_MEMBER_JOINED, chatroom_id=group.chatroom_id, wxids=[device.wxid]
        )
    return group


@social_route("group/agreeJoinRoom", "url")
def _agree_join_room(graph: SocialGraph, device: FakeDevice, body: dict[str, Any]) -> Any:
    return {"chatroomId": _join(graph, device, text(body, "url")).chatroom_id}


@social_route("group/joinRoomUsingQRCode", "qrUrl")
def _join_room_using_qr_code(graph: SocialGraph, device: FakeDevice, body: dict[str, Any]) -> Any:
    group = _join(graph, device, text(body, "qrUrl"))
    return {"chatroomName": group.name, "html": None, "chatroomId": group.chatroom_id}


@social_route("group/createChatroom", "wxids")
def _create_chatroom(graph: SocialGraph, device: FakeDevice, body: dict[str, Any]) -> Any:
    invited = wxids(body, "wxids")
    if len(set(invited)) < 2:
        raise bad("wxids", "最少要选择两位微信好友")
    for wxid in invited:
        graph.friend(wxid)
    group = graph.add_group(device.wxid, [device.wxid, *invited], saved=True)
    return {"headImgBase64": image_base64(), "chatroomId": group.chatroom_id}


@social_route("group/disbandChatroom", "chatroomId")
def _disband_chatroom(graph: SocialGraph, device: FakeDevice, body: dict[str, Any]) -> Any:
    group = _group(graph, device, body)
    if group.owner != device.wxid:
        raise FakeRefusal.failed("仅群主可以解散群聊")
    del graph.groups[group.chatroom_id]
    graph.notify(CallbackKind.GROUP_DISSOLVED, chatroom_id=group.chatroom_id)


@social_route("group/getChatroomAnnouncement", "chatroomId")
def _get_chatroom_announcement(graph: SocialGraph, device: FakeDevice, body: dict[str, Any]) -> Any:
    group = _group(graph, device, body)
    return {
        "announcement": group.announcement,
        "announcementEditor": group.announcement_editor,
        "publishTime": group.announcement_time,
    }


@social_route("group/getChatroomInfo", "chatroomId")
def _get_chatroom_info(graph: SocialGraph, device: FakeDevice, body: dict[str, Any]) -> Any:
    group = _group(graph, device, body)
    return {
        "chatroomId": group.chatroom_id,
        "nickName": group.name,
        "pyInitial": group.name.upper(),
        "quanPin": group.name,
        "sex": 0,
        "remark": group.remark,
        "remarkPyInitial": group.remark.upper(),
        "remarkQuanPin": group.remark,
        "chatRoomNotify": 0 if group.silenced else 1,
        "chatRoomOwner": group.owner,
        "smallHeadImgUrl": f"https://wx.qlogo.cn/mmcrhead/{group.chatroom_id}/0",
        "memberList": [member_json(graph, device, group, w) for w in group.members],
    }


@social_route("group/getChatroomMemberDetail", "chatroomId", "memberWxids")
def _get_chatroom_member_detail(
    graph: SocialGraph, device: FakeDevice, body: dict[str, Any]
) -> Any:
    group = _group(graph, device, body)
    details = []
    for wxid in wxids(body, "memberWxids"):
        if wxid not in group.members:
            raise FakeRefusal.failed(f"{wxid} 不是该群成员")
        person = graph.person(wxid)
        details.append(
            person.info_json()
            | {
                "nickName": person.nick_name if wxid != device.wxid else device.nick_name,
                "chatRoomNotify": 0 if group.silenced else 1,
                "friendUserName": wxid if person.friend else "",
                "inviterUserName": group.members[wxid].inviter,
                "memberFlag": 1,
                "phoneNumList": [],
            }
        )
    return details


@social_route("group/getChatroomMemberList", "chatroomId")
def _get_chatroom_member_list(graph: SocialGraph, device: FakeDevice, body: dict[str, Any]) -> Any:
    group = _group(graph, device, body)
    return {
        "memberList": [member_json(graph, device, group, w) for w in group.members],
        "chatroomOwner": group.owner,
        "adminWxid": list(group.admins),
    }


@social_route("group/getChatroomQrCode", "chatroomId")
def _get_chatroom_qr_code(graph: SocialGraph, device: FakeDevice, body: dict[str, Any]) -> Any:
    group = _group(graph, device, body)
    graph.qr_url(group.chatroom_id)
    return {"qrBase64": image_base64(), "qrTips": "该二维码7天内有效，重新进入将更新"}


@social_route("group/inviteMember", "chatroomId", "wxids")
def _invite_member(graph: SocialGraph, device: FakeDevice, body: dict[str, Any]) -> Any:
    group = _group(graph, device, body)
    text(body, "reason")
    invited = comma_wxids(body, "wxids")
    for wxid in invited:
        graph.friend(wxid)
    new = [w for w in dict.fromkeys(invited) if w not in group.members]
    for wxid in new:
        group.members[wxid] = Member(wxid, device.wxid)
    if new:
        graph.notify(CallbackKind.GROUP_MEMBER_JOINED, chatroom_id=group.chatroom_id, wxids=new)


@social_route("group/modifyChatroomName", "chatroomId", "chatroomName")
def _modify_chatroom_name(graph: SocialGraph, device: FakeDevice, body: dict[str, Any]) -> Any:
    group = _group(graph, device, body)
    group.name = text(body, "chatroomName")
    graph.notify(
        CallbackKind.GROUP_RENAMED, chatroom_id=group.chatroom_id, name=group.name, by=device.wxid
    )


@social_route("group/modifyChatroomNickNameForSelf", "chatroomId", "nickName")
def _modify_chatroom_nick_name_for_self(
    graph: SocialGraph, device: FakeDevice, body: dict[str, Any]
) -> Any:
    group = _group(graph, device, body)
    group.members[device.wxid].display_name = text(body, "nickName")


@social_route("group/modifyChatroomRemark", "chatroomId")
def _modify_chatroom_remark(graph: SocialGraph, device: FakeDevice, body: dict[str, Any]) -> Any:
    group = _group(graph, device, body)
    group.remark = text(body, "chatroomRemark")


@social_route("group/pinChat", "chatroomId", "top")
def _pin_chat(graph: SocialGraph, device: FakeDevice, body: dict[str, Any]) -> Any:
    _group(graph, device, body).pinned = flag(body, "top")


@social_route("group/quitChatroom", "chatroomId")
def _quit_chatroom(graph: SocialGraph, device: FakeDevice, body: dict[str, Any]) -> Any:
    group = _group(graph, device, body)
    del group.members[device.wxid]
    if device.wxid in group.admins:
        group.admins.remove(device.wxid)
    group.saved = False
    graph.notify(CallbackKind.GROUP_QUIT, chatroom_id=group.chatroom_id)
    if not group.members:
        # The last member gone, nobody can reach the group again: it no longer exists.
        del graph.groups[group.chatroom_id]
    elif group.owner == device.wxid:
        # WeChat hands the group to the next member when its owner leaves.
        group.owner = next(iter(group.members))
        group.admins[:] = [w for w in group.admins if w != group.owner]


@social_route("group/removeMember", "chatroomId", "wxids")
def _remove_member(graph: SocialGraph, device: FakeDevice, body: dict[str, Any]) -> Any:
    group = _managed(graph, device, body)
    removed = comma_wxids(body, "wxids")
    for wxid in removed:
        if wxid not in group.members:
            raise FakeRefusal.failed(f"{wxid} 不是该群成员")
        if wxid == group.owner or (wxid in group.admins and device.wxid != group.owner):
            raise FakeRefusal.failed("不能移除群主或管理员")
    for wxid in dict.fromkeys(removed):
        del group.members[wxid]
        if wxid in group.admins:
            group.admins.remove(wxid)
    graph.notify(
        CallbackKind.GROUP_MEMBER_REMOVED,
        chatroom_id=group.chatroom_id,
        wxids=removed,
        by=device.wxid,
    )


@social_route("group/roomAccessApplyCheckApprove", "chatroomId", "newMsgId", "msgContent")
def _room_access_apply_check_approve(
    graph: SocialGraph, device: FakeDevice, body: dict[str, Any]
) -> Any:
    group = _managed(graph, device, body)
    application = graph.join_applications.get(text(body, "newMsgId"))
    if application is None or application[0] != group.chatroom_id:
        raise FakeRefusal.failed("进群申请不存在或已处理")
    del graph.join_applications[body["newMsgId"]]
    new = [w for w in application[1] if w not in group.members]
    for wxid in new:
        group.members[wxid] = Member(wxid, device.wxid)
    graph.notify(CallbackKind.GROUP_MEMBER_JOINED, chatroom_id=group.chatroom_id, wxids=new)


@social_route("group/saveContractList", "chatroomId", "operType")
def _save_contract_list(graph: SocialGraph, device: FakeDevice, body: dict[str, Any]) -> Any:
    group = _group(graph, device, body)
    group.saved = number(body, "operType", (2, 3)) == 3


@social_route("group/setChatroomAnnouncement", "chatroomId", "content")
def _set_chatroom_announcement(graph: SocialGraph, device: FakeDevice, body: dict[str, Any]) -> Any:
    group = _managed(graph, device, body)
    group.announcement = text(body, "content")
    group.announcement_editor = device.wxid
    group.announcement_time = graph.now()
    graph.notify(
        CallbackKind.GROUP_ANNOUNCEMENT,
        chatroom_id=group.chatroom_id,
        content=group.announcement,
        by=device.wxid,
    )


@social_route("group/setMsgSilence", "chatroomId", "silence")
def _set_msg_silence(graph: SocialGraph, device: FakeDevice, body: dict[str, Any]) -> Any:
    _group(graph, device, body).silenced = flag(body, "silence")
