"""The everyday flows of docs/contacts.md, run against FakeGewe (the page includes this code)."""

from __future__ import annotations

from typing import Any

from gewe_async import AsyncGeweClient
from gewe_async.testing import FakeGewe
from gewe_async.types.group import ChatroomMemberDetail


# --8<-- [start:accept]
async def accept(client: AsyncGeweClient, app_id: str, event: Any) -> None:
    # `event` is the friend_request callback event, or anything with .v3, .v4 and .scene
    await client.contacts.accept_friend_request(app_id, event)
    # --8<-- [end:accept]


# --8<-- [start:create]
async def create_team(client: AsyncGeweClient, app_id: str, friends: list[str]) -> str:
    created = await client.group.create_chatroom(app_id, friends)  # at least two friends
    room = created.chatroom_id
    await client.group.modify_chatroom_name(app_id, room, "Launch team")
    await client.group.set_chatroom_announcement(app_id, room, "Standup at 10:00 every day")
    return room
    # --8<-- [end:create]


# --8<-- [start:label]
async def tag_as_vip(client: AsyncGeweClient, app_id: str, wxids: list[str]) -> int:
    vip = await client.label.add(app_id, "VIP")  # an existing name gives back that label
    await client.label.add_members(app_id, vip.label_id, wxids)  # other labels are kept
    return vip.label_id
    # --8<-- [end:label]


# --8<-- [start:members]
async def members_with_details(
    client: AsyncGeweClient, app_id: str, room: str
) -> list[ChatroomMemberDetail]:
    members = await client.group.get_chatroom_member_list(app_id, room)
    wxids = [member.wxid for member in members.member_list]
    return await client.group.get_chatroom_member_detail(app_id, room, wxids)
    # --8<-- [end:members]


# --8<-- [start:many]
async def nicknames(client: AsyncGeweClient, app_id: str, wxids: list[str]) -> dict[str, str]:
    result = await client.contacts.get_brief_info_many(app_id, wxids)  # 20 per request
    for chunk in result.failed:
        print("not looked up:", chunk.items, chunk.error)
    return {info.user_name: info.nick_name or "" for info in result.results}
    # --8<-- [end:many]


# -- the tests ------------------------------------------------------------------------------


def seeded() -> FakeGewe:
    fake = FakeGewe(token="t")
    fake.add_device("wx_1", nick_name="Bot")
    graph = fake.devices["wx_1"].graph
    for i in range(45):
        graph.add_friend(f"wxid_{i:02d}", nick_name=f"Friend {i}", labels=[1] if i % 2 else [])
    graph.labels[1] = "Old"
    return fake


class FriendRequestEvent:
    """What the receiving side's friend_request event carries."""

    def __init__(self, v3: str, v4: str, scene: int) -> None:
        self.v3, self.v4, self.scene = v3, v4, scene


async def test_accept_a_friend_request_from_its_event():
    """The doc's accept() turns a pending request into a friend."""
    fake = seeded()
    request = fake.devices["wx_1"].graph.add_friend_request("wxid_new", nick_name="New")
    async with fake.client() as client:
        await accept(client, "wx_1", FriendRequestEvent(request.v3, request.v4, request.scene))
        listed = await client.contacts.fetch_contacts_list("wx_1")
    assert "wxid_new" in listed.friends
    assert not fake.devices["wx_1"].graph.requests


async def test_create_a_group_with_name_and_announcement():
    """The doc's create_team() makes a named, announced group the device owns."""
    fake = seeded()
    async with fake.client() as client:
        room = await create_team(client, "wx_1", ["wxid_00", "wxid_01"])
        info = await client.group.get_chatroom_info("wx_1", room)
        note = await client.group.get_chatroom_announcement("wx_1", room)
    assert info.nick_name == "Launch team"
    assert info.chat_room_owner == "wxid_wx_1"
    assert note.announcement == "Standup at 10:00 every day"


async def test_label_many_contacts_keeping_their_labels():
    """The doc's tag_as_vip() labels 45 contacts; those with label 1 keep it."""
    fake = seeded()
    wxids = [f"wxid_{i:02d}" for i in range(45)]
    async with fake.client() as client:
        vip = await tag_as_vip(client, "wx_1", wxids)
        infos = (await client.contacts.get_brief_info_many("wx_1", wxids)).unwrap()
    assert [info.label_ids for info in infos] == [[1, vip] if i % 2 else [vip] for i in range(45)]
    sent = [r.body["wxids"] for r in fake.requests if r.endpoint == "contacts/getBriefInfo"]
    assert max(len(s) for s in sent) == 20


async def test_remove_members_takes_only_that_label_off():
    """label.remove_members drops one label and keeps the others."""
    fake = seeded()
    async with fake.client() as client:
        vip = await tag_as_vip(client, "wx_1", ["wxid_01", "wxid_02"])
        await client.label.remove_members("wx_1", 1, ["wxid_01", "wxid_02"])
        infos = await client.contacts.get_brief_info("wx_1", ["wxid_01", "wxid_02"])
    assert [info.label_ids for info in infos] == [[vip], [vip]]


async def test_list_a_groups_members_with_details():
    """The doc's members_with_details() gives every member's profile, the device's own too."""
    fake = seeded()
    async with fake.client() as client:
        room = await create_team(client, "wx_1", ["wxid_00", "wxid_01", "wxid_02"])
        details = await members_with_details(client, "wx_1", room)
    assert [d.user_name for d in details] == ["wxid_wx_1", "wxid_00", "wxid_01", "wxid_02"]
    assert details[1].nick_name == "Friend 0"
    assert details[0].nick_name == "Bot"


async def test_nicknames_of_any_number_of_contacts(capsys):
    """The doc's nicknames() looks 45 contacts up and reports the chunk that failed."""
    fake = seeded()
    wxids = [f"wxid_{i:02d}" for i in range(45)]
    async with fake.client() as client:
        names = await nicknames(client, "wx_1", wxids)
        assert list(names) == wxids
        broken = await nicknames(client, "wx_1", [*wxids[:20], "wxid_unknown"])
    assert list(broken) == wxids[:20]
    assert "wxid_unknown" in capsys.readouterr().out
