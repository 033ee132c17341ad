"""The group module: the exact JSON each method sends, its answers, and input refused."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import jsonschema
import pytest

from gewe_async.types.group import (
    AdminOperation,
    ChatroomAnnouncement,
    ChatroomInfo,
    ChatroomMemberDetail,
    ChatroomMemberList,
    ChatroomQrCode,
    CreatedChatroom,
    JoinedChatroom,
)
from tests.helpers import OFFICIAL
from tests.social_calls import GROUP as WIRE
from tests.social_calls import ROOM, A, B
from tests.wire import call_and_capture


@pytest.mark.parametrize("path", WIRE)
async def test_sends_the_exact_json_and_parses_the_official_answer(api, client, path):
    """Each group method posts exactly its documented body and parses the page's answer."""
    call, body = WIRE[path]
    sent, _ = await call_and_capture(api, client, path, call)
    assert sent == body
    jsonschema.validate(sent, OFFICIAL[path]["request_schema"])


def test_every_group_endpoint_is_covered():
    """The wire table covers every /group/ page."""
    assert set(WIRE) == {p for p in OFFICIAL if p.startswith("group/")}


async def capture(api, client, path):
    return (await call_and_capture(api, client, path, WIRE[path][0]))[1]


async def test_answers_become_typed_models(api, client):
    """The official examples become the documented models."""
    info = await capture(api, client, "group/getChatroomInfo")
    assert isinstance(info, ChatroomInfo)
    assert info.chat_room_owner == "zhangchuan2288"
    assert info.member_list[0].inviter_user_name is None
    members = await capture(api, client, "group/getChatroomMemberList")
    assert isinstance(members, ChatroomMemberList)
    assert members.admin_wxid == ["wxid_8pvka4jg6qzt22"]
    [first, *_] = await capture(api, client, "group/getChatroomMemberDetail")
    assert isinstance(first, ChatroomMemberDetail)
    assert first.friend_user_name == B
    note = await capture(api, client, "group/getChatroomAnnouncement")
    assert note == ChatroomAnnouncement(
        "群公告哈", "zhangchuan2288", datetime.fromtimestamp(1703839509, UTC)
    )
    qr = await capture(api, client, "group/getChatroomQrCode")
    assert isinstance(qr, ChatroomQrCode)
    assert qr.image.startswith(b"\xff\xd8")
    created = await capture(api, client, "group/createChatroom")
    assert isinstance(created, CreatedChatroom)
    assert created.chatroom_id == ROOM
    assert await capture(api, client, "group/agreeJoinRoom") == "19189253160@chatroom"
    assert (await capture(api, client, "group/addGroupMemberAsFriend")).startswith("v3_")
    joined = await capture(api, client, "group/joinRoomUsingQRCode")
    assert joined == JoinedChatroom("34559815390@chatroom", "GeWe-test-room(2)", None)


BAD_INPUT = [
    (lambda c: c.group.create_chatroom("wx_1", [A]), ValueError, "at least 2"),
    (lambda c: c.group.get_chatroom_info("wx_1", A), ValueError, "@chatroom"),
    (lambda c: c.group.get_chatroom_info("wx_1", "1@chatroom "), ValueError, "not a wxid"),
    (lambda c: c.group.invite_member("wx_1", ROOM, []), ValueError, "at least 1"),
    (lambda c: c.group.invite_member("wx_1", ROOM, ["a,b"]), ValueError, "not a wxid"),
    (lambda c: c.group.remove_member("wx_1", ROOM, A), TypeError, "list of wxids"),
    (
        lambda c: c.group.admin_operate("wx_1", ROOM, AdminOperation.TRANSFER_OWNER, [A, B]),
        ValueError,
        "exactly one",
    ),
    (lambda c: c.group.admin_operate("wx_1", ROOM, 9, [A]), ValueError, "AdminOperation"),
    (lambda c: c.group.save_contract_list("wx_1", ROOM, 1), ValueError, "ContactListOperation"),
    (lambda c: c.group.modify_chatroom_name("wx_1", ROOM, ""), ValueError, "empty"),
    (lambda c: c.group.set_chatroom_announcement("wx_1", ROOM, "a\x1bb"), ValueError, "control"),
    (lambda c: c.group.pin_chat("wx_1", ROOM, "yes"), TypeError, "bool"),
    (lambda c: c.group.agree_join_room("wx_1", "ticket=1"), ValueError, "http"),
    (
        lambda c: c.group.room_access_apply_check_approve("wx_1", ROOM, 1.5, "<x/>"),
        TypeError,
        "new_msg_id",
    ),
    (
        lambda c: c.group.room_access_apply_check_approve("wx_1", ROOM, "12a", "<x/>"),
        ValueError,
        "digits",
    ),
]


@pytest.mark.parametrize(("call", "error", "match"), BAD_INPUT)
async def test_bad_input_is_refused_before_sending(api, client, call, error, match):
    """Malformed ids, short lists, bad enums, control characters: refused, nothing sent."""
    with pytest.raises(error, match=match):
        await call(client)
    assert not api.calls


async def test_unknown_fields_and_nulls_are_accepted(api, client):
    """A field the pages do not list, and null where a string is documented, still parse."""
    answer = OFFICIAL["group/getChatroomInfo"]["response_example"]
    data = {**answer["data"], "newField": {"x": 1}, "remark": None, "nickName": None}
    api.post("/group/getChatroomInfo").mock(
        return_value=httpx.Response(200, json={**answer, "data": data})
    )
    info = await client.group.get_chatroom_info("wx_1", ROOM)
    assert info.remark is None
    assert info.nick_name is None
    assert len(info.member_list) == 3
