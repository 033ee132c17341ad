"""The pushes the fake records for graph actions have the documented callback shapes."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from gewe_async.callbacks import CallbackKind
from gewe_async.testing import FakeGewe
from gewe_async.testing._graph_callbacks import callback_envelope

ME = "wxid_wx_1"


async def run_actions() -> tuple[FakeGewe, list[dict | None]]:
    fake = FakeGewe(token="t")
    device = fake.add_device("wx_1", nick_name="Bot")
    for wxid, name in [("wxid_a", "Ann"), ("wxid_b", "Ben"), ("wxid_c", "Cat")]:
        device.graph.add_friend(wxid, nick_name=name)
    async with fake.client() as client:
        room = (await client.group.create_chatroom("wx_1", ["wxid_a", "wxid_b"])).chatroom_id
        await client.group.modify_chatroom_name("wx_1", room, "Team")
        await client.group.invite_member("wx_1", room, ["wxid_c"])
        await client.group.remove_member("wx_1", room, ["wxid_b"])
        await client.group.set_chatroom_announcement("wx_1", room, "Ship <it> & go")
        await client.group.admin_operate("wx_1", room, 3, ["wxid_a"])
        await client.group.quit_chatroom("wx_1", room)
        await client.contacts.delete_friend("wx_1", "wxid_c")
    notices = device.graph.notices
    return fake, [
        callback_envelope(device, n, 7_000_000_000_000_000_000 + i) for i, n in enumerate(notices)
    ]


def sysmsg(envelope: dict) -> ET.Element:
    """The XML of a 10002 notice, without the group's "<room>:\n" prefix."""
    content = envelope["Data"]["Content"]["string"]
    return ET.fromstring(
        content.split(":\n", 1)[1] if content.startswith(tuple("0123456789")) else content
    )


async def test_every_action_gives_its_documented_push():
    """Rename, invite, remove, announce, hand over, quit, delete: one push each, in order."""
    fake, pushes = await run_actions()
    room = next(iter(fake.devices["wx_1"].graph.groups))
    renamed, joined, removed, announced, owner, quit, deleted = pushes

    for push in (renamed, joined, removed, announced, owner):
        assert push["TypeName"] == "AddMsg"
        assert push["Appid"] == "wx_1"
        assert push["Data"]["NewMsgId"] > 2**53
    assert renamed["Data"]["MsgType"] == 10000
    assert renamed["Data"]["Content"]["string"] == "你修改群名为“Team”"
    assert joined["Data"]["Content"]["string"] == '你邀请"Cat"加入了群聊'
    assert owner["Data"]["Content"]["string"] == '"Ann"已成为新群主'

    assert removed["Data"]["MsgType"] == 10002
    assert removed["Data"]["FromUserName"]["string"] == room
    kicked = sysmsg(removed)
    assert kicked.get("type") == "sysmsgtemplate"
    assert "移出了群聊" in kicked.findtext(".//template")
    assert kicked.findtext(".//member/username") == "wxid_b"
    assert kicked.findtext(".//member/nickname") == "Ben"

    # The announcement is reversed: from the publisher to the group; its xmlcontent is XML again.
    assert (
        announced["Data"]["FromUserName"]["string"],
        announced["Data"]["ToUserName"]["string"],
    ) == (ME, room)
    note = sysmsg(announced)
    assert note.get("type") == "mmchatroombarannouncememt"
    assert note.findtext(".//content") == "Ship <it> & go"
    assert ET.fromstring(note.findtext(".//xmlcontent")).findtext(".//fromusr") == ME

    assert quit == {
        "TypeName": "DelContacts",
        "Appid": "wx_1",
        "Wxid": ME,
        "Data": {"UserName": {"string": room}, "DeleteContactScen": 0},
    }
    assert deleted["Data"]["UserName"] == {"string": "wxid_c"}


async def test_disband_pushes_the_dissolution_template():
    """Dissolving a group gives the 群主...已解散该群聊 sysmsgtemplate."""
    fake = FakeGewe(token="t")
    device = fake.add_device("wx_1", nick_name="Bot")
    for wxid in ("wxid_a", "wxid_b"):
        device.graph.add_friend(wxid)
    async with fake.client() as client:
        room = (await client.group.create_chatroom("wx_1", ["wxid_a", "wxid_b"])).chatroom_id
        await client.group.disband_chatroom("wx_1", room)
    [notice] = device.graph.notices
    push = callback_envelope(device, notice, 1)
    assert "已解散该群聊" in sysmsg(push).findtext(".//template")
    assert sysmsg(push).findtext(".//member/nickname") == "Bot"


def test_actions_without_a_documented_push_give_none():
    """A friend added has no documented push of its own here: None, not an invented shape."""
    fake = FakeGewe(token="t")
    device = fake.add_device("wx_1")
    device.graph.notify(CallbackKind.CONTACT_CHANGED, wxid="wxid_a")
    assert callback_envelope(device, device.graph.notices[0], 1) is None


class Collector:
    """Stands in for a bot's dispatcher: keeps what the fake pushes to it."""

    def __init__(self) -> None:
        self.payloads: list[dict] = []

    async def feed(self, payload: dict) -> None:
        self.payloads.append(payload)


async def test_the_fake_pushes_graph_callbacks_to_a_connected_bot():
    """A rename and a removal reach the connected bot as pushes, after the calls' answers."""
    fake = FakeGewe(token="t")
    fake.add_device("wx_1", nick_name="Bot")
    for wxid in ("wxid_a", "wxid_b"):
        fake.add_friend("wx_1", wxid)
    bot = Collector()
    fake.connect(bot)
    async with fake.client() as client:
        room = (await client.group.create_chatroom("wx_1", ["wxid_a", "wxid_b"])).chatroom_id
        await client.group.modify_chatroom_name("wx_1", room, "Team")
        await client.group.remove_member("wx_1", room, ["wxid_b"])
    await fake.settle()
    contents = [p["Data"]["Content"]["string"] for p in bot.payloads]
    assert contents[0] == "你修改群名为“Team”"
    assert "移出了群聊" in contents[-1]
    assert len({p["Data"]["NewMsgId"] for p in bot.payloads}) == len(bot.payloads)


async def test_nothing_is_pushed_without_a_callback_url_or_a_connected_bot():
    """Without a target the fake only records the notices."""
    fake = FakeGewe(token="t")
    fake.add_device("wx_1")
    fake.add_friend("wx_1", "wxid_a")
    fake.add_friend("wx_1", "wxid_b")
    async with fake.client() as client:
        room = (await client.group.create_chatroom("wx_1", ["wxid_a", "wxid_b"])).chatroom_id
        await client.group.modify_chatroom_name("wx_1", room, "Team")
    await fake.settle()
    assert fake.pushes == []
    assert fake.devices["wx_1"].graph.notices


async def test_every_graph_push_parses_to_its_kind():
    """The fake's pushes are read back by the parser as the events they stand for.

    They are made by the public ``<kind>_payload`` builders; a new owner was written with
    curly quotes the parser does not read (an unknown message) before.
    """
    from gewe_async.callbacks import parse_callback

    _, pushes = await run_actions()
    kinds = [parse_callback(push).kind for push in pushes]
    assert kinds == [
        "group_renamed",
        "group_member_joined",
        "group_member_removed",
        "group_announcement",
        "group_owner_changed",
        "group_quit",
        "contact_deleted",
    ]
    owner = parse_callback(pushes[4])
    assert owner.new_owner_nickname == "Ann"
