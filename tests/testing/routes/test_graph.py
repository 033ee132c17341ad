"""FakeGewe's social graph: every endpoint answers in its documented shape, refusals and state."""

from __future__ import annotations

import copy
from typing import Any

import jsonschema
import pytest

from gewe_async import GeweAPIError
from gewe_async._api import contacts, group, im, label
from gewe_async.callbacks import CallbackKind
from gewe_async.testing import FakeGewe
from gewe_async.types.group import AdminOperation
from tests.helpers import OFFICIAL, raw_post

ME = "wxid_wx_1"
ENDPOINTS = {e.path: e for m in (contacts, group, im, label) for e in m.ENDPOINTS}
ROOM = "10001@chatroom"


def seed(fake: FakeGewe) -> dict[str, Any]:
    """A device with friends, a group it owns, a label, a request, a WeCom user, invitations."""
    fake.add_device("wx_1", nick_name="Bot")
    graph = fake.devices["wx_1"].graph
    graph.add_friend("wxid_alice", nick_name="Alice", alias="alice88", phone="13800000001")
    graph.add_friend("wxid_bob", nick_name="Bob")
    graph.add_friend("wxid_carol", nick_name="Carol")
    graph.add_person("wxid_dave", nick_name="Dave", phone="13800000004")
    graph.add_official_account("gh_7aac992b0363")
    graph.phone_book.append("13800000004")
    graph.labels[1] = "朋友"
    graph.add_group(ME, [ME, "wxid_alice", "wxid_bob", "wxid_dave"], chatroom_id=ROOM, name="Team")
    other = graph.add_group("wxid_dave", ["wxid_dave", "wxid_carol"], saved=False)
    request = graph.add_friend_request("wxid_erin", nick_name="Erin")
    wecom = graph.add_wecom_user("2598498545948@openim", "Wei")
    graph.wecom["2598498545948@openim"].contact = True
    msg_id, msg_content = graph.add_join_application(ROOM, ["wxid_frank"])
    return {
        "request": request,
        "wecom": wecom,
        "invite": graph.invite_url(other.chatroom_id),
        "qr": graph.qr_url(other.chatroom_id),
        "application": (msg_id, msg_content),
        "dave": graph.people["wxid_dave"],
    }


@pytest.fixture
def fake() -> FakeGewe:
    return FakeGewe(token="fake-token")


def allow_null(schema: Any) -> Any:
    """The page's schema with null allowed for every typed field.

    The pages type fields from one example each: a field null in that example is typed
    ``"null"``, one that was a string is typed string though other pages' examples send null
    for it (``nullable`` is OpenAPI, which jsonschema ignores). Keys, required fields and the
    types of non-null values are still checked.
    """
    if isinstance(schema, dict):
        schema = {k: allow_null(v) for k, v in schema.items()}
        if schema.get("type") == "null":
            del schema["type"]
        elif isinstance(schema.get("type"), str):
            schema["type"] = [schema["type"], "null"]
        return schema
    if isinstance(schema, list):
        return [allow_null(item) for item in schema]
    return schema


CALLS = {
    "contacts/addContacts": lambda s: {
        "scene": 6,
        "option": 3,
        "v3": s["request"].v3,
        "v4": s["request"].v4,
        "content": "",
    },
    "contacts/checkRelation": lambda s: {"wxids": ["wxid_alice", "wxid_dave"]},
    "contacts/deleteFriend": lambda s: {"wxid": "wxid_bob"},
    "contacts/fetchContactsList": lambda s: {},
    "contacts/fetchContactsListCache": lambda s: {},
    "contacts/getBriefInfo": lambda s: {"wxids": ["wxid_alice", "wxid_dave"]},
    "contacts/getDetailInfo": lambda s: {"wxids": ["wxid_alice"]},
    "contacts/getPhoneAddressList": lambda s: {"phones": []},
    "contacts/search": lambda s: {"contactsInfo": "13800000004"},
    "contacts/setFriendPermissions": lambda s: {"wxid": "wxid_alice", "onlyChat": True},
    "contacts/setFriendRemark": lambda s: {"wxid": "wxid_alice", "remark": "A"},
    "contacts/uploadPhoneAddressList": lambda s: {"phones": ["13800000009"], "opType": 1},
    "group/addGroupMemberAsFriend": lambda s: {
        "chatroomId": ROOM,
        "memberWxid": "wxid_dave",
        "content": "hi",
    },
    "group/adminOperate": lambda s: {"chatroomId": ROOM, "operType": 1, "wxids": ["wxid_alice"]},
    "group/agreeJoinRoom": lambda s: {"url": s["invite"]},
    "group/createChatroom": lambda s: {"wxids": ["wxid_alice", "wxid_carol"]},
    "group/disbandChatroom": lambda s: {"chatroomId": ROOM},
    "group/getChatroomAnnouncement": lambda s: {"chatroomId": ROOM},
    "group/getChatroomInfo": lambda s: {"chatroomId": ROOM},
    "group/getChatroomMemberDetail": lambda s: {
        "chatroomId": ROOM,
        "memberWxids": ["wxid_alice", "wxid_dave"],
    },
    "group/getChatroomMemberList": lambda s: {"chatroomId": ROOM},
    "group/getChatroomQrCode": lambda s: {"chatroomId": ROOM},
    "group/inviteMember": lambda s: {"chatroomId": ROOM, "wxids": "wxid_carol", "reason": ""},
    "group/joinRoomUsingQRCode": lambda s: {"qrUrl": s["qr"]},
    "group/modifyChatroomName": lambda s: {"chatroomId": ROOM, "chatroomName": "New"},
    "group/modifyChatroomNickNameForSelf": lambda s: {"chatroomId": ROOM, "nickName": "me"},
    "group/modifyChatroomRemark": lambda s: {"chatroomId": ROOM, "chatroomRemark": "r"},
    "group/pinChat": lambda s: {"chatroomId": ROOM, "top": True},
    "group/quitChatroom": lambda s: {"chatroomId": ROOM},
    "group/removeMember": lambda s: {"chatroomId": ROOM, "wxids": "wxid_bob"},
    "group/roomAccessApplyCheckApprove": lambda s: {
        "chatroomId": ROOM,
        "newMsgId": s["application"][0],
        "msgContent": s["application"][1],
    },
    "group/saveContractList": lambda s: {"chatroomId": ROOM, "operType": 2},
    "group/setChatroomAnnouncement": lambda s: {"chatroomId": ROOM, "content": "公告"},
    "group/setMsgSilence": lambda s: {"chatroomId": ROOM, "silence": True},
    "im/add": lambda s: {"v3": s["wecom"].user_name, "v4": "v1_2598498545948"},
    "im/detail": lambda s: {"toUserName": s["wecom"].user_name},
    "im/search": lambda s: {"scene": 1, "content": s["wecom"].qr_content},
    "im/sync": lambda s: {},
    "label/add": lambda s: {"labelName": "VIP"},
    "label/delete": lambda s: {"labelIds": "1"},
    "label/list": lambda s: {},
    "label/modifyMemberList": lambda s: {"labelIds": "1", "wxIds": ["wxid_alice"]},
}


def test_every_social_endpoint_is_served():
    """The table covers the 42 pages of contacts, im, group and label."""
    groups = ("contacts/", "im/", "group/", "label/")
    assert set(CALLS) == {p for p in OFFICIAL if p.startswith(groups)}
    assert len(CALLS) == 42


@pytest.mark.parametrize("path", CALLS)
async def test_answers_fit_the_official_response_schemas(fake, path):
    """Each endpoint's fake answer is ret 200 and validates against its page's schema."""
    state = seed(fake)
    body = {"appId": "wx_1", **CALLS[path](state)}
    jsonschema.validate(body, OFFICIAL[path]["request_schema"])

    answer = await raw_post(fake, path, body)

    assert answer["ret"] == 200, answer
    jsonschema.validate(answer, allow_null(OFFICIAL[path]["response_schema"]))
    decode = ENDPOINTS[path].decode  # and the client's model takes it
    if decode is not None:
        decode(answer.get("data"))


def test_allow_null_keeps_types_of_values():
    """The relaxation admits null, not a wrong type, and keeps required keys."""
    schema = allow_null(copy.deepcopy(OFFICIAL["label/add"]["response_schema"]))
    jsonschema.validate(
        {"ret": 200, "msg": "", "data": {"labelId": None, "labelName": "x"}}, schema
    )
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(
            {"ret": 200, "msg": "", "data": {"labelId": "1", "labelName": "x"}}, schema
        )
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"ret": 200, "msg": "", "data": {"labelName": "x"}}, schema)


REFUSALS = [
    ("group/removeMember", {"chatroomId": "OTHER", "wxids": "wxid_carol"}, "仅群主或管理员"),
    ("group/setChatroomAnnouncement", {"chatroomId": "OTHER", "content": "x"}, "仅群主或管理员"),
    ("group/disbandChatroom", {"chatroomId": "OTHER"}, "仅群主"),
    (
        "group/adminOperate",
        {"chatroomId": "OTHER", "operType": 1, "wxids": ["wxid_carol"]},
        "仅群主",
    ),
    ("group/getChatroomInfo", {"chatroomId": "404@chatroom"}, "不存在"),
    (
        "group/inviteMember",
        {"chatroomId": ROOM, "wxids": "wxid_dave", "reason": ""},
        "不是你的好友",
    ),
    ("group/removeMember", {"chatroomId": ROOM, "wxids": "wxid_carol"}, "不是该群成员"),
    ("group/removeMember", {"chatroomId": ROOM, "wxids": ME}, "不能移除群主"),
    ("group/createChatroom", {"wxids": ["wxid_alice"]}, "两位"),
    ("group/createChatroom", {"wxids": ["wxid_alice", "wxid_dave"]}, "不是你的好友"),
    ("contacts/deleteFriend", {"wxid": "wxid_dave"}, "不是你的好友"),
    ("contacts/getBriefInfo", {"wxids": ["wxid_nobody"]}, "不存在"),
    ("contacts/getBriefInfo", {"wxids": [f"wxid_{i}" for i in range(21)]}, "最多20个"),
    (
        "contacts/addContacts",
        {"scene": 6, "option": 3, "v3": "v3_x", "v4": "v4_x", "content": ""},
        "不存在",
    ),
    ("label/modifyMemberList", {"labelIds": "9", "wxIds": ["wxid_alice"]}, "标签 9 不存在"),
    ("im/detail", {"toUserName": "1@openim"}, "企微联系人"),
]


@pytest.mark.parametrize(("path", "body", "reason"), REFUSALS)
async def test_refuses_what_the_real_server_would(fake, path, body, reason):
    """Not an admin, not a member, unknown wxid or label: ret 500 with the reason in data.msg."""
    seed(fake)
    graph = fake.devices["wx_1"].graph
    other = next(g for g in graph.groups.values() if g.chatroom_id != ROOM)
    graph.add_group("wxid_dave", [ME, "wxid_dave", "wxid_carol"], chatroom_id=other.chatroom_id)
    if body.get("chatroomId") == "OTHER":
        body = {**body, "chatroomId": other.chatroom_id}
    before = copy.deepcopy(graph)

    answer = await raw_post(fake, path, {"appId": "wx_1", **body})

    assert answer["ret"] == 500
    assert reason in answer["data"]["msg"]
    assert graph == before  # a refusal changes nothing


async def test_refusals_reach_the_client_as_gewe_api_errors(fake):
    """Through the client, a refusal is a GeweAPIError carrying the server's reason."""
    seed(fake)
    async with fake.client() as client:
        with pytest.raises(GeweAPIError, match="不是该群成员"):
            await client.group.remove_member("wx_1", ROOM, ["wxid_carol"])


async def test_group_lifecycle_keeps_the_graph_consistent(fake):
    """Create, rename, announce, invite, remove, promote, hand over, quit: every view agrees."""
    seed(fake)
    graph = fake.devices["wx_1"].graph
    async with fake.client() as client:
        created = await client.group.create_chatroom("wx_1", ["wxid_alice", "wxid_bob"])
        room = created.chatroom_id
        listed = await client.contacts.fetch_contacts_list("wx_1")
        assert room in listed.chatrooms
        await client.group.modify_chatroom_name("wx_1", room, "Launch")
        await client.group.set_chatroom_announcement("wx_1", room, "Ship it")
        await client.group.invite_member("wx_1", room, ["wxid_carol"])
        await client.group.remove_member("wx_1", room, ["wxid_bob"])
        members = await client.group.get_chatroom_member_list("wx_1", room)
        assert [m.wxid for m in members.member_list] == [ME, "wxid_alice", "wxid_carol"]
        await client.group.admin_operate("wx_1", room, AdminOperation.ADD_ADMINS, ["wxid_alice"])
        info = await client.group.get_chatroom_info("wx_1", room)
        assert info.nick_name == "Launch"
        assert (await client.group.get_chatroom_member_list("wx_1", room)).admin_wxid == [
            "wxid_alice"
        ]
        note = await client.group.get_chatroom_announcement("wx_1", room)
        assert (note.announcement, note.announcement_editor) == ("Ship it", ME)
        await client.group.admin_operate(
            "wx_1", room, AdminOperation.TRANSFER_OWNER, ["wxid_carol"]
        )
        with pytest.raises(GeweAPIError, match="仅群主"):
            await client.group.disband_chatroom("wx_1", room)
        await client.group.quit_chatroom("wx_1", room)
        assert room not in (await client.contacts.fetch_contacts_list("wx_1")).chatrooms
        with pytest.raises(GeweAPIError, match="不是该群成员"):
            await client.group.get_chatroom_info("wx_1", room)
    assert [n.kind for n in graph.notices] == [
        CallbackKind.GROUP_RENAMED,
        CallbackKind.GROUP_ANNOUNCEMENT,
        CallbackKind.GROUP_MEMBER_JOINED,
        CallbackKind.GROUP_MEMBER_REMOVED,
        CallbackKind.GROUP_OWNER_CHANGED,
        CallbackKind.GROUP_QUIT,
    ]
    assert graph.notices[3].fields == {"chatroom_id": room, "wxids": ["wxid_bob"], "by": ME}


async def test_friends_requests_labels_and_wecom_are_remembered(fake):
    """Accept, remark, label, delete a friend; add a WeCom contact: later reads see it all."""
    state = seed(fake)
    async with fake.client() as client:
        await client.contacts.accept_friend_request("wx_1", state["request"])
        assert "wxid_erin" in (await client.contacts.fetch_contacts_list("wx_1")).friends
        await client.contacts.set_friend_remark("wx_1", "wxid_erin", "E")
        vip = await client.label.add("wx_1", "VIP")
        assert await client.label.add("wx_1", "VIP") == vip  # the page: same name, same label
        await client.label.modify_member_list("wx_1", [1, vip.label_id], ["wxid_erin"])
        [erin] = await client.contacts.get_detail_info("wx_1", ["wxid_erin"])
        assert (erin.remark, erin.label_ids) == ("E", [1, vip.label_id])
        await client.contacts.delete_friend("wx_1", "wxid_erin")
        assert "wxid_erin" not in (await client.contacts.fetch_contacts_list("wx_1")).friends
        relation = await client.contacts.check_relation("wx_1", ["wxid_erin", "wxid_alice"])
        assert [r.relation for r in relation] == [1, 0]
        found = await client.im.search("wx_1", state["wecom"].qr_content)
        await client.im.add("wx_1", found.v3, found.v4)
        assert [c.user_name for c in await client.im.sync("wx_1")] == [state["wecom"].user_name]


async def test_contacts_list_cache_answers_only_after_a_fetch(fake):
    """fetchContactsListCache has nothing until fetchContactsList ran, then the same list."""
    seed(fake)
    async with fake.client() as client:
        assert await client.contacts.fetch_contacts_list_cache("wx_1") is None
        listed = await client.contacts.fetch_contacts_list("wx_1")
        assert await client.contacts.fetch_contacts_list_cache("wx_1") == listed


async def test_graphs_are_per_device(fake):
    """A friend of one device is unknown to another."""
    seed(fake)
    fake.add_device("wx_2")
    async with fake.client() as client:
        with pytest.raises(GeweAPIError, match="不存在"):
            await client.contacts.get_brief_info("wx_2", ["wxid_alice"])


def test_graph_seeding_fills_in_the_device_wxid():
    """FakeGewe.add_group puts the device in the group it owns; add_label numbers labels."""
    fake = FakeGewe(token="t")
    fake.add_device("wx_9")
    fake.add_friend("wx_9", "wxid_a", nick_name="A")
    group = fake.add_group("wx_9", ["wxid_a"], name="G")
    assert group.owner == "wxid_wx_9"
    assert list(group.members) == ["wxid_wx_9", "wxid_a"]
    assert (fake.add_label("wx_9", "x"), fake.add_label("wx_9", "y")) == (1, 2)
    assert fake.add_friend_request("wx_9", "wxid_b").wxid == "wxid_b"
