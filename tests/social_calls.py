"""The calls of the social-graph groups, with the exact JSON each must send.

path -> (the call, the body it sends), one table per group: the wire tests of each group
(tests/api/test_contacts.py, ...) and the retry tests of all four (test_graph_retries.py).
"""

from __future__ import annotations

from gewe_async.types.contacts import AddContactOption, AddContactScene, PhoneBookOperation
from gewe_async.types.group import AdminOperation, ContactListOperation
from gewe_async.types.im import WeComSearchScene

# -- contacts --------------------------------------------------------------------------------

V3 = "v3_020b3826fd03@stranger"
V4 = "v4_000b708f0b04@stranger"

CONTACTS = {
    "contacts/addContacts": (
        lambda c: c.contacts.add_contacts(
            "wx_1",
            scene=AddContactScene.WECHAT_ID,
            option=AddContactOption.ADD,
            v3=V3,
            v4=V4,
            content="hallo",
        ),
        {"appId": "wx_1", "scene": 3, "option": 2, "v3": V3, "v4": V4, "content": "hallo"},
    ),
    "contacts/checkRelation": (
        lambda c: c.contacts.check_relation("wx_1", ["wxid_a", "wxid_b"]),
        {"appId": "wx_1", "wxids": ["wxid_a", "wxid_b"]},
    ),
    "contacts/deleteFriend": (
        lambda c: c.contacts.delete_friend("wx_1", "wxid_a"),
        {"appId": "wx_1", "wxid": "wxid_a"},
    ),
    "contacts/fetchContactsList": (
        lambda c: c.contacts.fetch_contacts_list("wx_1"),
        {"appId": "wx_1"},
    ),
    "contacts/fetchContactsListCache": (
        lambda c: c.contacts.fetch_contacts_list_cache("wx_1"),
        {"appId": "wx_1"},
    ),
    "contacts/getBriefInfo": (
        lambda c: c.contacts.get_brief_info("wx_1", ["wxid_phyyedw9xap22"]),
        {"appId": "wx_1", "wxids": ["wxid_phyyedw9xap22"]},
    ),
    "contacts/getDetailInfo": (
        lambda c: c.contacts.get_detail_info("wx_1", ["yc-081726"]),
        {"appId": "wx_1", "wxids": ["yc-081726"]},
    ),
    "contacts/getPhoneAddressList": (
        lambda c: c.contacts.get_phone_address_list("wx_1", ["18616561632"]),
        {"appId": "wx_1", "phones": ["18616561632"]},
    ),
    "contacts/search": (
        lambda c: c.contacts.search("wx_1", "zhangch"),
        {"appId": "wx_1", "contactsInfo": "zhangch"},
    ),
    "contacts/setFriendPermissions": (
        lambda c: c.contacts.set_friend_permissions("wx_1", "wxid_a", True),
        {"appId": "wx_1", "wxid": "wxid_a", "onlyChat": True},
    ),
    "contacts/setFriendRemark": (
        lambda c: c.contacts.set_friend_remark("wx_1", "wxid_a", "备注"),
        {"appId": "wx_1", "wxid": "wxid_a", "remark": "备注"},
    ),
    "contacts/uploadPhoneAddressList": (
        lambda c: c.contacts.upload_phone_address_list(
            "wx_1", ["18616561632", "18134173174"], PhoneBookOperation.UPLOAD
        ),
        {"appId": "wx_1", "phones": ["18616561632", "18134173174"], "opType": 1},
    ),
}


# -- group -----------------------------------------------------------------------------------

ROOM = "34757816141@chatroom"
A = "wxid_phyyedw9xap22"
B = "wxid_0xsqb3o0tsvz22"
URL = "https://support.weixin.qq.com/cgi-bin/mmsupport-bin/addchatroombyinvite?ticket=A"
QR_URL = "https://weixin.qq.com/g/AwYAALLELoeKLg"

GROUP = {
    "group/addGroupMemberAsFriend": (
        lambda c: c.group.add_group_member_as_friend("wx_1", ROOM, A, "hallo"),
        {"appId": "wx_1", "chatroomId": ROOM, "memberWxid": A, "content": "hallo"},
    ),
    "group/adminOperate": (
        lambda c: c.group.admin_operate("wx_1", ROOM, AdminOperation.ADD_ADMINS, [A, B]),
        {"appId": "wx_1", "chatroomId": ROOM, "operType": 1, "wxids": [A, B]},
    ),
    "group/agreeJoinRoom": (
        lambda c: c.group.agree_join_room("wx_1", URL),
        {"appId": "wx_1", "url": URL},
    ),
    "group/createChatroom": (
        lambda c: c.group.create_chatroom("wx_1", [A, B]),
        {"appId": "wx_1", "wxids": [A, B]},
    ),
    "group/disbandChatroom": (
        lambda c: c.group.disband_chatroom("wx_1", ROOM),
        {"appId": "wx_1", "chatroomId": ROOM},
    ),
    "group/getChatroomAnnouncement": (
        lambda c: c.group.get_chatroom_announcement("wx_1", ROOM),
        {"appId": "wx_1", "chatroomId": ROOM},
    ),
    "group/getChatroomInfo": (
        lambda c: c.group.get_chatroom_info("wx_1", ROOM),
        {"appId": "wx_1", "chatroomId": ROOM},
    ),
    "group/getChatroomMemberDetail": (
        lambda c: c.group.get_chatroom_member_detail("wx_1", ROOM, [B, A]),
        {"appId": "wx_1", "chatroomId": ROOM, "memberWxids": [B, A]},
    ),
    "group/getChatroomMemberList": (
        lambda c: c.group.get_chatroom_member_list("wx_1", ROOM),
        {"appId": "wx_1", "chatroomId": ROOM},
    ),
    "group/getChatroomQrCode": (
        lambda c: c.group.get_chatroom_qr_code("wx_1", ROOM),
        {"appId": "wx_1", "chatroomId": ROOM},
    ),
    "group/inviteMember": (
        lambda c: c.group.invite_member("wx_1", ROOM, [A, B]),
        {"appId": "wx_1", "chatroomId": ROOM, "wxids": f"{A},{B}", "reason": ""},
    ),
    "group/joinRoomUsingQRCode": (
        lambda c: c.group.join_room_using_qr_code("wx_1", QR_URL),
        {"appId": "wx_1", "qrUrl": QR_URL},
    ),
    "group/modifyChatroomName": (
        lambda c: c.group.modify_chatroom_name("wx_1", ROOM, "GeWe test"),
        {"appId": "wx_1", "chatroomId": ROOM, "chatroomName": "GeWe test"},
    ),
    "group/modifyChatroomNickNameForSelf": (
        lambda c: c.group.modify_chatroom_nick_name_for_self("wx_1", ROOM, "廖静"),
        {"appId": "wx_1", "chatroomId": ROOM, "nickName": "廖静"},
    ),
    "group/modifyChatroomRemark": (
        lambda c: c.group.modify_chatroom_remark("wx_1", ROOM, "private"),
        {"appId": "wx_1", "chatroomId": ROOM, "chatroomRemark": "private"},
    ),
    "group/pinChat": (
        lambda c: c.group.pin_chat("wx_1", ROOM, True),
        {"appId": "wx_1", "chatroomId": ROOM, "top": True},
    ),
    "group/quitChatroom": (
        lambda c: c.group.quit_chatroom("wx_1", ROOM),
        {"appId": "wx_1", "chatroomId": ROOM},
    ),
    "group/removeMember": (
        lambda c: c.group.remove_member("wx_1", ROOM, [A]),
        {"appId": "wx_1", "chatroomId": ROOM, "wxids": A},
    ),
    "group/roomAccessApplyCheckApprove": (
        lambda c: c.group.room_access_apply_check_approve("wx_1", ROOM, 2**63 + 5, "<sysmsg/>"),
        {
            "appId": "wx_1",
            "chatroomId": ROOM,
            "newMsgId": str(2**63 + 5),
            "msgContent": "<sysmsg/>",
        },
    ),
    "group/saveContractList": (
        lambda c: c.group.save_contract_list("wx_1", ROOM, ContactListOperation.SAVE),
        {"appId": "wx_1", "chatroomId": ROOM, "operType": 3},
    ),
    "group/setChatroomAnnouncement": (
        lambda c: c.group.set_chatroom_announcement("wx_1", ROOM, "群公告哈"),
        {"appId": "wx_1", "chatroomId": ROOM, "content": "群公告哈"},
    ),
    "group/setMsgSilence": (
        lambda c: c.group.set_msg_silence("wx_1", ROOM, False),
        {"appId": "wx_1", "chatroomId": ROOM, "silence": False},
    ),
}


# -- im --------------------------------------------------------------------------------------

QR = "https://work.weixin.qq.com/u/vc75a4e2d?v=4.1.30.167392&bb=83ee2be011"

IM = {
    "im/add": (
        lambda c: c.im.add("wx_1", "2598@openim", "v1_1045b5861a"),
        {"appId": "wx_1", "v3": "2598@openim", "v4": "v1_1045b5861a"},
    ),
    "im/detail": (
        lambda c: c.im.detail("wx_1", "25984985459486471@openim"),
        {"appId": "wx_1", "toUserName": "25984985459486471@openim"},
    ),
    "im/search": (
        lambda c: c.im.search("wx_1", QR, WeComSearchScene.QR_CODE),
        {"appId": "wx_1", "scene": 1, "content": QR},
    ),
    "im/sync": (lambda c: c.im.sync("wx_1"), {"appId": "wx_1"}),
}


# -- label -----------------------------------------------------------------------------------

LABEL = {
    "label/add": (
        lambda c: c.label.add("wx_1", "testtest"),
        {"appId": "wx_1", "labelName": "testtest"},
    ),
    "label/delete": (
        lambda c: c.label.delete("wx_1", [31, 32]),
        {"appId": "wx_1", "labelIds": "31,32"},
    ),
    "label/list": (lambda c: c.label.list("wx_1"), {"appId": "wx_1"}),
    "label/modifyMemberList": (
        lambda c: c.label.modify_member_list("wx_1", [1, 2, 15], ["zhangchuan2288"]),
        {"appId": "wx_1", "labelIds": "1,2,15", "wxIds": ["zhangchuan2288"]},
    ),
}
