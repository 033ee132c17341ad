"""parse_callback on every documented example, and on what GeWe may send besides."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import attrs
import pytest

from gewe_async import callbacks as cb
from gewe_async.callbacks import CallbackKind, GeweCallbackError, parse_callback
from tests.paths import DATA

FIXTURES = DATA / "callbacks"
ALL_FIXTURES = sorted(path.stem for path in FIXTURES.glob("*.json"))


def fixture(kind: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{kind}.json").read_text(encoding="utf-8"))
    return data


# Per documented example: its class and the key fields, with the values the example shows.
EXPECTED: dict[str, tuple[type[cb.CallbackEvent], dict[str, Any]]] = {
    "text": (
        cb.TextMessage,
        {
            "text": "123",
            "msg_id": 1040356095,
            "new_msg_id": 7773749793478223190,
            "from_wxid": "wxid_phyyedw9xap22",
            "to_wxid": "wxid_0xsqb3o0tsvz22",
            "create_time": datetime(2024, 1, 12, 7, 10, 18, tzinfo=UTC),
            "push_content": "朝夕。 : 123",
            # The examples are all sent by the account itself (From == Wxid): the other
            # party is the receiver.
            "is_self": True,
            "chat_id": "wxid_0xsqb3o0tsvz22",
            "is_group": False,
        },
    ),
    "image": (
        cb.ImageMessage,
        {
            "md5": "2a4cb28868b9d450a135b1a85b5ba3dd",
            "size": 2998,
            "aeskey": "9b7011c38d1af088f579eda23e3b9cad",
            "thumb_size": 2146,
            "thumb_base64": "/9j/4AAQSkZJRgABAQAASABIAAD/4QBM...",
            "new_msg_id": 6906713067183447582,
        },
    ),
    "voice": (
        cb.VoiceMessage,
        {
            "duration_ms": 2540,
            "size": 3600,
            "aeskey": "e98b50658e7b3153caf2ebaf1caf190a",
            "voice_format": 4,
            "md5": None,
            "msg_id": 1040356100,
        },
    ),
    "video": (
        cb.VideoMessage,
        {
            "duration_s": 3,
            "size": 611755,
            "md5": "e1c3b99dae0639b4ce4d22b245cff0af",
            "aeskey": "4b2fe0afbde392ba6df340e127c138bd",
            "thumb_size": 7873,
        },
    ),
    "emoji": (
        cb.EmojiMessage,
        {"md5": "cc56728d56c730ddae52baffe941ed86", "size": 211797, "width": 240},
    ),
    "link": (
        cb.LinkMessage,
        {
            "title": "尔滨，又有好消息！",
            "source_username": "gh_6651e07e4b2d",
            "source_display_name": "新华社",
            "description": None,
        },
    ),
    "file_notice": (
        cb.FileNotice,
        {
            "file_name": "hhh.xlsx",
            "file_ext": "xlsx",
            "size": 8939,
            "md5": "84c6737fe9549270c9b3ca4f6fc88f6f",
        },
    ),
    "file": (
        cb.FileMessage,
        {
            "file_name": "hhh.xlsx",
            "file_ext": "xlsx",
            "size": 8939,
            "md5": "84c6737fe9549270c9b3ca4f6fc88f6f",
            "aeskey": "3f28b0cbd65a86c3a980f3e22808c0fe",
            "notice_new_msg_id": 1789783684714859663,
        },
    ),
    "name_card": (
        cb.NameCardMessage,
        {"nickname": "Ashley", "sex": 2, "province": "安道尔", "region_code": "AD", "scene": 17},
    ),
    "friend_request": (
        cb.FriendRequest,
        {
            "scene": 6,
            "greeting": "我是朝夕。",
            "from_nickname": "朝夕。",
            "requester_wxid": "wxid_phyyedw9xap22",
            "from_wxid": "fmessage",
            "is_self": False,
        },
    ),
    "contact_changed": (
        cb.ContactChanged,
        {
            "contact_wxid": "wxid_0xsqb3o0tsvz22",
            "nickname": "chaoxi。",
            "remark": None,
            "sex": 1,
            "city": "Nanjing",
            "wxid": None,  # this example has no Wxid
        },
    ),
    "mini_program": (
        cb.MiniProgramMessage,
        {
            "title": "腾讯云助手",
            "mini_username": "gh_44fc2ced7f87@app",
            "display_name": "腾讯云助手",
        },
    ),
    "quote": (cb.QuoteMessage, {"text": "看看这个"}),
    "transfer": (
        cb.TransferMessage,
        {
            "fee_desc": "￥0.10",
            "amount": Decimal("0.10"),
            "pay_subtype": 1,
            "transfer_id": "1000050001202401120020624149917",
            "receiver_wxid": "wxid_0xsqb3o0tsvz22",
            "payer_wxid": None,
            "invalid_time": datetime.fromtimestamp(1705131384, UTC),
        },
    ),
    "red_packet": (
        cb.RedPacketMessage,
        {
            "greeting": "恭喜发财，大吉大利",
            "scene_text": "微信红包",
            "pay_msg_id": "1000039901202401127291056629415",
        },
    ),
    "channels": (
        cb.ChannelsMessage,
        {
            "object_id": 14264358459626428566,  # above 2**63
            "object_nonce_id": "8046877030770906689_0_0_0_0_0",
            "nickname": "国风锦鲤",
            "description": "还招人么？我不要工资#逆水寒cos",
            "media_count": 1,
        },
    ),
    "revoke": (
        cb.RevokeMessage,
        {
            "revoked_msg_id": 1040356115,
            "revoked_new_msg_id": 5576224237104747184,
            "replace_text": '"朝夕。" 撤回了一条消息',
            "new_msg_id": 1968256046,
        },
    ),
    "pat": (
        cb.PatMessage,
        {
            "patter_wxid": "wxid_phyyedw9xap22",
            "patted_wxid": "wxid_0xsqb3o0tsvz22",
            "pat_chat_id": "wxid_0xsqb3o0tsvz22",
            "suffix": None,
        },
    ),
    "location": (
        cb.LocationMessage,
        {
            "latitude": 39.90374,
            "longitude": 116.397827,
            "scale": 15,
            "label": "北京市东城区东长安街",
            "poi_name": "北京天安门广场",
        },
    ),
    "group_invite": (
        cb.GroupInvite,
        {
            "inviter_nickname": "朝夕。",
            "group_name": "Dromara-SMS4J短信融合",
            "inviter_wxid": "wxid_phyyedw9xap22",
        },
    ),
    "group_member_joined": (
        cb.GroupMemberJoined,
        {
            "members": (cb.GroupMember(wxid="wxid_12fdzgzb1wq6cz21", nickname="阿科"),),
            "inviter_wxid": "wxid_pumxsg3gylx8h12",  # "你邀请...": the account
            "group_id": "53302137416@chatroom",
            "is_group": True,
            "sender_wxid": None,
            "wxid": "wxid_pumxsg3gylx8h12",  # Wxid last in this example's envelope
        },
    ),
    "removed_from_group": (
        cb.RemovedFromGroup,
        {"operator_nickname": "朝夕。", "group_id": "39238473509@chatroom"},
    ),
    "group_member_removed": (
        cb.GroupMemberRemoved,
        {
            "members": (cb.GroupMember(wxid="wxid_8pvka4jg6qzt22", nickname="白开水加糖"),),
            "operator_wxid": "wxid_phyyedw9xap22",
            "group_id": "34757816141@chatroom",
        },
    ),
    "group_dissolved": (
        cb.GroupDissolved,
        {
            "owner_wxid": "wxid_phyyedw9xap22",
            "owner_nickname": "朝夕。",
            "group_id": "39238473509@chatroom",
        },
    ),
    "group_renamed": (
        cb.GroupRenamed,
        {"new_name": "GeWe test1", "operator_wxid": "wxid_phyyedw9xap22"},
    ),
    "group_owner_changed": (
        cb.GroupOwnerChanged,
        {"new_owner_wxid": "wxid_phyyedw9xap22", "new_owner_nickname": None},
    ),
    "group_info_changed": (
        cb.GroupInfoChanged,
        {
            "group_id": "34757816141@chatroom",
            "name": "GeWe test",
            "owner_wxid": "wxid_0xsqb3o0tsvz22",
        },
    ),
    "group_announcement": (
        cb.GroupAnnouncement,
        {
            "text": "群公告哈1",
            "publisher_wxid": "wxid_0xsqb3o0tsvz22",
            "group_id": "34757816141@chatroom",
            "announcement_id": "wxid_0xsqb3o0tsvz22_34757816141@chatroom_1705045558_2028281562",
        },
    ),
    "group_todo": (
        cb.GroupTodo,
        {
            "title": "群公告",
            "related_new_msg_id": 7881232272539128387,
            "creator_wxid": "wxid_0xsqb3o0tsvz22",
            "scene": "altertodo_set",
        },
    ),
    "contact_deleted": (cb.ContactDeleted, {"contact_wxid": "wxid_phyyedw9xap22"}),
    "group_quit": (cb.GroupQuit, {"group_id": "34559815390@chatroom"}),
    "offline": (cb.Offline, {"wxid": "wxid_phyyedw9xap22", "type_name": "Offline"}),
    "test": (cb.TestCallback, {"app_id": "", "wxid": None}),
    "unknown": (cb.UnknownEvent, {"wxid": "wxid_yccwpfh1qif322"}),
}


def test_every_fixture_has_expectations() -> None:
    """Each kind of the enum has a documented example, and each example is checked."""
    assert set(ALL_FIXTURES) == set(EXPECTED)
    assert set(ALL_FIXTURES) == {kind.value for kind in CallbackKind}


@pytest.mark.parametrize("kind", ALL_FIXTURES)
def test_documented_example_parses_into_its_kind(kind: str) -> None:
    """Every documented example becomes its kind's class with the example's values."""
    body = (FIXTURES / f"{kind}.json").read_bytes()
    event = parse_callback(body)
    cls, fields = EXPECTED[kind]
    assert type(event) is cls
    assert event.kind == kind
    for name, value in fields.items():
        assert getattr(event, name) == value, name
    assert event.raw == json.loads(body)
    if kind not in ("test", "unknown"):
        assert event.app_id == "wx_example_app_id"


@pytest.mark.parametrize("kind", ALL_FIXTURES)
def test_bytes_str_and_mapping_give_the_same_event(kind: str) -> None:
    """The body may be given as bytes, str or decoded JSON."""
    text = (FIXTURES / f"{kind}.json").read_text(encoding="utf-8")
    events = {parse_callback(text.encode()), parse_callback(text), parse_callback(json.loads(text))}
    assert len(events) == 1


def test_quote_carries_the_quoted_message_parsed_again() -> None:
    """A quote holds the quoted message: its id, sender, name and its own kind and text."""
    event = parse_callback(fixture("quote"))
    assert isinstance(event, cb.QuoteMessage)
    assert event.quoted == cb.QuotedMessage(
        new_msg_id=3617029648443513152,
        msg_type=49,
        kind=CallbackKind.FILE,
        sender_wxid="wxid_phyyedw9xap22",
        chat_id="wxid_phyyedw9xap22",
        display_name="朝夕。",
        create_time=None,
        content=event.quoted.content if event.quoted else None,
        text="hhh.xlsx",
    )
    assert event.quoted is not None
    assert event.quoted.content is not None
    assert event.quoted.content.startswith("<msg><appmsg")


def test_friend_request_carries_what_accepting_needs() -> None:
    """v3, v4 and scene are what contacts/addContacts takes to accept."""
    event = parse_callback(fixture("friend_request"))
    assert isinstance(event, cb.FriendRequest)
    assert event.v3 is not None
    assert event.v3.startswith("v3_020b3826fd03010000000000feba078fc1e76")
    assert event.v4 is not None
    assert event.v4.startswith("v4_000b708f0b040000010000000000c502ff3b")
    assert event.v4.endswith("@stranger")


def test_name_card_carries_the_tickets_to_add_the_contact() -> None:
    """A name card's username (v3) and antispam ticket (v4) are read from its attributes."""
    event = parse_callback(fixture("name_card"))
    assert isinstance(event, cb.NameCardMessage)
    assert event.username is not None
    assert event.username.startswith("v3_020b3826fd0301000000000086ef26a2")
    assert event.antispam_ticket is not None
    assert event.antispam_ticket.startswith("v4_000b708f0b040000010000000000ae27")


def test_media_keep_the_xml_the_download_endpoints_take() -> None:
    """content is the XML message/downloadImage and friends take, unchanged."""
    data = fixture("image")
    event = parse_callback(data)
    assert event.content == data["Data"]["Content"]["string"]
    assert isinstance(event, cb.ImageMessage)
    assert event.cdn_mid_url is not None
    assert event.cdn_mid_url.startswith("3057020100044b304902010002043904752002032f7e35")


def test_link_urls_are_unescaped() -> None:
    """&amp; in the XML becomes & in the URL."""
    event = parse_callback(fixture("link"))
    assert isinstance(event, cb.LinkMessage)
    assert event.url is not None
    assert "&mid=2650011300&idx=1" in event.url
    assert event.thumb_url is not None
    assert event.thumb_url.endswith("?wxtype=jpeg&wxfrom=0")


# --- envelope rules -----------------------------------------------------------------------


def text_push(
    content: str,
    *,
    from_wxid: str = "wxid_friend",
    to_wxid: str = "wxid_bot",
    wxid: str | None = "wxid_bot",
    msg_source: str = "<msgsource />",
    msg_type: int = 1,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "TypeName": "AddMsg",
        "Appid": "wx_app",
        "Data": {
            "MsgId": 1,
            "FromUserName": {"string": from_wxid},
            "ToUserName": {"string": to_wxid},
            "MsgType": msg_type,
            "Content": {"string": content},
            "CreateTime": 1705043418,
            "MsgSource": msg_source,
            "NewMsgId": 2**64 - 1,
        },
    }
    if wxid is not None:
        body["Wxid"] = wxid
    return body


def test_group_message_strips_the_sender_prefix() -> None:
    """A member's group message names its sender in a prefix; text is without it."""
    event = parse_callback(
        text_push("wxid_member:\nhello\nworld", from_wxid="123@chatroom", to_wxid="wxid_bot")
    )
    assert isinstance(event, cb.TextMessage)
    assert event.text == "hello\nworld"
    assert event.content == "hello\nworld"
    assert event.sender_wxid == "wxid_member"
    assert event.chat_id == "123@chatroom"
    assert event.is_group
    assert not event.is_self
    assert event.chat_key == "wx_app:123@chatroom"


def test_group_message_sent_from_the_phone_is_self() -> None:
    """The account's own group message comes From the account, To the group, unprefixed."""
    event = parse_callback(text_push("hi", from_wxid="wxid_bot", to_wxid="123@chatroom"))
    assert isinstance(event, cb.TextMessage)
    assert (event.is_self, event.is_group, event.chat_id, event.text) == (
        True,
        True,
        "123@chatroom",
        "hi",
    )


def test_private_message_chat_is_the_other_party() -> None:
    """In a private chat, chat_id is the friend whichever way the message went."""
    received = parse_callback(text_push("hi"))
    sent = parse_callback(text_push("hi", from_wxid="wxid_bot", to_wxid="wxid_friend"))
    assert (received.chat_key, sent.chat_key) == ("wx_app:wxid_friend", "wx_app:wxid_friend")
    assert isinstance(received, cb.MessageEvent)
    assert isinstance(sent, cb.MessageEvent)
    assert (received.is_self, sent.is_self) == (False, True)


def test_missing_wxid_is_none_and_never_self() -> None:
    """Without Wxid the account is unknown: nothing is taken for its own."""
    event = parse_callback(text_push("hi", wxid=None))
    assert isinstance(event, cb.MessageEvent)
    assert event.wxid is None
    assert not event.is_self


def test_mentions_come_from_atuserlist() -> None:
    """Mentions are MsgSource's atuserlist (CDATA, leading comma, duplicates)."""
    source = (
        '<?xml version="1.0"?><msgsource><atuserlist><![CDATA[,wxid_bot,wxid_x,wxid_bot]]>'
        "</atuserlist></msgsource>"
    )
    event = parse_callback(text_push("m:\n@bot hi", from_wxid="1@chatroom", msg_source=source))
    assert isinstance(event, cb.MessageEvent)
    assert event.mentions == ("wxid_bot", "wxid_x")


def test_ids_above_2_63_are_exact() -> None:
    """NewMsgId above 2**63 is kept exactly, from bytes and from str."""
    body = json.dumps(text_push("x")).encode()
    assert b"18446744073709551615" in body
    event = parse_callback(body)
    assert isinstance(event, cb.MessageEvent)
    assert event.new_msg_id == 2**64 - 1
    assert event.idempotency_key == "wx_app:18446744073709551615"


def test_plain_and_wrapped_strings_are_both_read() -> None:
    """FromUserName/Content may be plain strings instead of {"string": ...}."""
    body = text_push("hi")
    body["Data"]["FromUserName"] = "wxid_friend"
    body["Data"]["Content"] = "hi"
    event = parse_callback(body)
    assert isinstance(event, cb.TextMessage)
    assert (event.from_wxid, event.text) == ("wxid_friend", "hi")


def test_empty_wrapper_content_is_empty_text() -> None:
    """An empty {} wrapper reads as an empty string."""
    body = text_push("hi")
    body["Data"]["Content"] = {}
    event = parse_callback(body)
    assert isinstance(event, cb.TextMessage)
    assert event.text == ""


def test_msgtype_49_goes_by_appmsg_type_not_the_first_type() -> None:
    """A quote is told by appmsg/type even when an earlier <type> says otherwise."""
    xml = (
        "<msg><appinfo><type>6</type></appinfo><appmsg><title>re</title><type>57</type>"
        "<refermsg><type>1</type><svrid>9223372036854775809</svrid>"
        "<fromusr>1@chatroom</fromusr><chatusr>wxid_m</chatusr><createtime>1700000600</createtime>"
        "<content>wxid_m:\nhi</content></refermsg></appmsg></msg>"
    )
    event = parse_callback(text_push(xml, msg_type=49))
    assert isinstance(event, cb.QuoteMessage)
    assert event.text == "re"
    assert event.quoted is not None
    assert (event.quoted.kind, event.quoted.text, event.quoted.new_msg_id) == (
        CallbackKind.TEXT,
        "hi",
        9223372036854775809,
    )
    # In a group, fromusr is the group and chatusr the member who wrote the quoted message.
    assert (event.quoted.chat_id, event.quoted.sender_wxid) == ("1@chatroom", "wxid_m")
    assert event.quoted.create_time == datetime.fromtimestamp(1700000600, UTC)


def test_xml_without_declaration_with_spaces_and_cdata() -> None:
    """Spaces around '=', CDATA around <type> and no declaration are all valid XML, read as such."""
    xml = (
        "<msg><appmsg><title><![CDATA[a & b]]></title><type><![CDATA[5]]></type>"
        "<url>u?a=1&amp;b=2</url></appmsg></msg>"
    )
    event = parse_callback(text_push(xml, msg_type=49))
    assert isinstance(event, cb.LinkMessage)
    assert (event.title, event.url) == ("a & b", "u?a=1&b=2")
    emoji = '<msg><emoji md5 = "abc" len = "12" ></emoji></msg>'
    event = parse_callback(text_push(emoji, msg_type=47))
    assert isinstance(event, cb.EmojiMessage)
    assert (event.md5, event.size) == ("abc", 12)


def test_group_invite_is_told_from_a_link_by_its_url() -> None:
    """An appmsg type 5 with an invitation URL is a group invite, whatever the title's language."""
    xml = (
        "<msg><appmsg><title>Group Chat Invitation</title><type>5</type>"
        "<url>https://support.weixin.qq.com/cgi-bin/mmsupport-bin/addchatroombyinvite?t=1</url>"
        "</appmsg></msg>"
    )
    event = parse_callback(text_push(xml, msg_type=49))
    assert isinstance(event, cb.GroupInvite)
    assert (
        event.invite_url
        == "https://support.weixin.qq.com/cgi-bin/mmsupport-bin/addchatroombyinvite?t=1"
    )
    assert event.group_name is None


@pytest.mark.parametrize(
    ("text", "cls", "fields"),
    [
        (
            '"小明"修改群名为“新名字”',
            cb.GroupRenamed,
            {"new_name": "新名字", "operator_nickname": "小明", "operator_wxid": None},
        ),
        (
            '"小红"已成为新群主',
            cb.GroupOwnerChanged,
            {"new_owner_nickname": "小红", "new_owner_wxid": None},
        ),
        (
            '"阿登"邀请"甲"、"乙"加入了群聊',
            cb.GroupMemberJoined,
            {
                "inviter_nickname": "阿登",
                "members": (
                    cb.GroupMember(wxid=None, nickname="甲"),
                    cb.GroupMember(wxid=None, nickname="乙"),
                ),
            },
        ),
        (
            '"丙"通过扫描"丁"分享的二维码加入群聊',
            cb.GroupMemberJoined,
            {"inviter_nickname": "丁", "members": (cb.GroupMember(wxid=None, nickname="丙"),)},
        ),
    ],
)
def test_group_notices_are_told_apart_by_their_text(
    text: str, cls: type[cb.MessageEvent], fields: dict[str, Any]
) -> None:
    """MsgType 10000 group notices differ only in their Chinese text."""
    event = parse_callback(
        text_push(f"1@chatroom:\n{text}", from_wxid="1@chatroom", msg_type=10000)
    )
    assert type(event) is cls
    for name, value in fields.items():
        assert getattr(event, name) == value, name


def test_sysmsgtemplate_join_names_members_and_inviter() -> None:
    """A join template lists the members and the inviter with wxids and names."""
    xml = (
        '1@chatroom:\n<sysmsg type="sysmsgtemplate"><sysmsgtemplate>'
        '<content_template type="tmpl_type_profile">'
        '<template><![CDATA["$username$"邀请"$names$"加入了群聊]]></template><link_list>'
        '<link name="username" type="link_profile"><memberlist><member><username>wxid_a</username>'
        "<nickname>A</nickname></member></memberlist></link>"
        '<link name="names" type="link_profile"><memberlist><member><username>wxid_b</username>'
        "<nickname>B</nickname></member><member><username>wxid_c</username><nickname>C</nickname>"
        "</member></memberlist></link></link_list></content_template></sysmsgtemplate></sysmsg>"
    )
    event = parse_callback(text_push(xml, from_wxid="1@chatroom", msg_type=10002))
    assert isinstance(event, cb.GroupMemberJoined)
    assert event.members == (
        cb.GroupMember(wxid="wxid_b", nickname="B"),
        cb.GroupMember(wxid="wxid_c", nickname="C"),
    )
    assert (event.inviter_wxid, event.inviter_nickname) == ("wxid_a", "A")


def test_contact_events_are_ordered_with_their_chat() -> None:
    """Contact and group events share the chat_key of that chat's messages."""
    group = parse_callback(fixture("group_info_changed"))
    quit_ = parse_callback(fixture("group_quit"))
    friend = parse_callback(fixture("contact_changed"))
    assert group.chat_key == "wx_example_app_id:34757816141@chatroom"
    assert quit_.chat_key == "wx_example_app_id:34559815390@chatroom"
    assert friend.chat_key == "wx_example_app_id:wxid_0xsqb3o0tsvz22"


def test_non_message_events_are_keyed_on_their_content() -> None:
    """Two pushes of the same contact change share a key; a different one does not."""
    one = parse_callback(fixture("contact_deleted"))
    again = parse_callback(json.dumps(fixture("contact_deleted"), indent=3))
    other = fixture("contact_deleted")
    other["Data"]["UserName"]["string"] = "wxid_other"
    assert one.idempotency_key == again.idempotency_key
    assert one.idempotency_key != parse_callback(other).idempotency_key


# --- never crash --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"\xff\xfe\x00",
        "[1, 2]",
        "42",
        "null",
        '"验证"',
        b"[" * 100_000 + b"]" * 100_000,
        "{" + '"a":{' * 50_000 + "}" * 50_001,
        {"Appid": "wx"},
        {"TypeName": "AddMsg"},
        {"TypeName": 1, "Appid": "wx"},
        {"wcId": 1},
    ],
)
def test_a_body_that_is_not_a_callback_raises_callback_error(body: Any) -> None:
    """Not JSON, not an object, or no envelope: GeweCallbackError, a ValueError."""
    with pytest.raises(GeweCallbackError) as caught:
        parse_callback(body)
    assert isinstance(caught.value, ValueError)


def test_a_body_of_the_wrong_type_raises_callback_error() -> None:
    """Neither bytes, str nor a mapping: GeweCallbackError."""
    with pytest.raises(GeweCallbackError):
        parse_callback(12)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "payload",
    [
        {"TypeName": "NewThing", "Appid": "wx", "Data": {}},
        {"TypeName": "AddMsg", "Appid": "wx"},
        {"TypeName": "AddMsg", "Appid": "wx", "Data": []},
        {"TypeName": "ModContacts", "Appid": "wx", "Data": {"UserName": {}}},
        {"TypeName": "DelContacts", "Appid": "wx", "Data": None},
    ],
)
def test_unknown_or_unreadable_envelopes_are_unknown_events(payload: dict[str, Any]) -> None:
    """An envelope of a kind this version cannot read is kept whole as an UnknownEvent."""
    event = parse_callback(payload)
    assert type(event) is cb.UnknownEvent
    assert event.kind == CallbackKind.UNKNOWN
    assert event.raw is payload


@pytest.mark.parametrize(
    ("msg_type", "content", "subtype"),
    [
        (9999, "anything", None),
        (49, "<msg><appmsg><type>19</type></appmsg></msg>", "19"),
        (49, "<msg><appmsg><title>no type</title></appmsg></msg>", None),
        (10002, '<sysmsg type="newthing"><x/></sysmsg>', "newthing"),
        (10002, '<sysmsg type="sysmsgtemplate"><sysmsgtemplate /></sysmsg>', "sysmsgtemplate"),
        (10000, "你已添加了小明，现在可以开始聊天了。", None),
    ],
)
def test_unknown_message_types_keep_the_message_fields(
    msg_type: int, content: str, subtype: str | None
) -> None:
    """An unknown MsgType, appmsg type or notice is an UnknownMessage, keyed as a message."""
    event = parse_callback(text_push(content, msg_type=msg_type))
    assert type(event) is cb.UnknownMessage
    assert isinstance(event, cb.UnknownEvent)
    assert event.kind == CallbackKind.UNKNOWN
    assert event.subtype == subtype
    assert event.idempotency_key == f"wx_app:{2**64 - 1}"


def test_broken_xml_gives_the_kind_with_the_fields_read_before_the_break() -> None:
    """XML cut short still gives its kind; fields after the cut are None."""
    content = fixture("file")["Data"]["Content"]["string"]
    cut = content[: content.index("<aeskey>")]
    event = parse_callback(text_push(cut, msg_type=49))
    assert isinstance(event, cb.FileMessage)
    assert (event.file_name, event.file_ext, event.size) == ("hhh.xlsx", "xlsx", 8939)
    assert (event.aeskey, event.md5) == (None, None)


def test_unreadable_xml_in_a_media_kind_gives_the_kind_with_none() -> None:
    """An image whose XML is garbage is still an image, with no media fields."""
    event = parse_callback(text_push("<<<not xml", msg_type=3))
    assert isinstance(event, cb.ImageMessage)
    assert (event.md5, event.size, event.aeskey) == (None, None, None)


# --- hostile XML ----------------------------------------------------------------------------

BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    ).replace("&lol0;", "&lol;")
    + ']><msg><img md5="&lol9;" length="1"/></msg>'
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?><!DOCTYPE msg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    '<msg><img md5="&xxe;" length="1"/></msg>'
)
EXTERNAL_DTD = (
    '<?xml version="1.0"?><!DOCTYPE msg SYSTEM "http://127.0.0.1:9/evil.dtd">'
    '<msg><img md5="x" length="1"/></msg>'
)


@pytest.mark.parametrize("xml", [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD])
def test_hostile_xml_is_refused_without_expansion(xml: str) -> None:
    """DTDs are refused: no entity is expanded, no file or URL is read."""
    event = parse_callback(text_push(xml, msg_type=3))
    assert isinstance(event, cb.ImageMessage)
    assert (event.md5, event.size) == (None, None)


def test_undeclared_entities_are_not_expanded() -> None:
    """Without a DTD, an entity reference is an error, not an expansion."""
    event = parse_callback(text_push('<msg><img md5="&secret;" length="1"/></msg>', msg_type=3))
    assert isinstance(event, cb.ImageMessage)
    assert event.md5 is None


def test_oversized_xml_is_not_parsed() -> None:
    """XML beyond the size cap is not read at all."""
    from gewe_async.callbacks._xml import MAX_XML_CHARS

    padding = " " * MAX_XML_CHARS
    event = parse_callback(
        text_push(f'<msg><img md5="abc" length="1"/>{padding}</msg>', msg_type=3)
    )
    assert isinstance(event, cb.ImageMessage)
    assert event.md5 is None
    small = parse_callback(text_push('<msg><img md5="abc" length="1"/></msg>', msg_type=3))
    assert isinstance(small, cb.ImageMessage)
    assert small.md5 == "abc"


def test_deeply_nested_xml_does_not_crash() -> None:
    """Tens of thousands of nested elements parse (or not) without RecursionError."""
    depth = 30_000  # 210,000 characters: under the size cap, so it is parsed
    xml = "<msg>" + "<a>" * depth + "</a>" * depth + "</msg>"
    event = parse_callback(text_push(xml, msg_type=49))
    assert isinstance(event, cb.UnknownMessage)


def test_lone_surrogates_in_xml_are_refused() -> None:
    """A JSON escape that is not valid Unicode, even inside XML, refuses the body (issue 19).

    Its fields and keys could not be encoded later (tests/callbacks/test_surrogates.py).
    """
    body = json.dumps(text_push("<msg><img md5='a\ud800'/></msg>", msg_type=3))
    with pytest.raises(GeweCallbackError, match="surrogate"):
        parse_callback(body)


def test_event_repr_hides_the_raw_payload() -> None:
    """raw (which may hold the token in the test push) is left out of repr."""
    event = parse_callback(fixture("test"))
    assert "test_token_not_a_real_one" not in repr(event)
    assert attrs.fields(type(event)).raw.repr is False


def test_no_entity_is_expanded_even_a_harmless_one() -> None:
    """Even a small internal entity is refused with its DTD, never expanded."""
    xml = '<?xml version="1.0"?><!DOCTYPE msg [<!ENTITY a "expanded">]><msg><img md5="&a;"/></msg>'
    event = parse_callback(text_push(xml, msg_type=3))
    assert isinstance(event, cb.ImageMessage)
    assert event.md5 is None


def test_deep_json_that_is_not_a_message_is_refused() -> None:
    """A non-message push nested near the recursion limit is refused, never keyed later."""
    deep: Any = "x"
    for _ in range(900):
        deep = [deep]
    body = json.dumps({"TypeName": "ModContacts", "Appid": "wx", "Data": deep})
    with pytest.raises(GeweCallbackError, match="nested"):
        parse_callback(body)
    shallow = parse_callback({"TypeName": "Unknown", "Appid": "wx", "Data": [[[[1]]]]})
    assert shallow.idempotency_key.startswith("wx:Unknown:")


@pytest.mark.parametrize("encode", [json.dumps, lambda d: json.dumps(d).encode("utf-16"), dict])
def test_json_depth_limit_is_exact_for_every_body_type(encode: Callable[[Any], Any]) -> None:
    """Values 31 levels deep are kept and 32 refused, from text, UTF-16 bytes or a mapping."""
    for lists, refused in ((30, False), (31, True)):
        deep: Any = "x"
        for _ in range(lists):
            deep = [deep]
        body = encode({"TypeName": "ModContacts", "Appid": "wx", "Data": deep})
        if refused:
            with pytest.raises(GeweCallbackError, match="nested"):
                parse_callback(body)
        else:
            assert parse_callback(body).raw["Data"] == deep


def test_brackets_inside_strings_do_not_hide_depth_or_refuse_a_shallow_body() -> None:
    """Many brackets in strings leave a shallow push accepted; the walk still judges depth."""
    body = json.dumps({"TypeName": "Offline", "Appid": "wx", "Note": "{[" * 100})
    assert isinstance(parse_callback(body), cb.Offline)
    deep: Any = {}
    for _ in range(40):
        deep = {"k": deep}
    with pytest.raises(GeweCallbackError, match="nested"):
        parse_callback(json.dumps({"TypeName": "Offline", "Appid": "wx", "D": deep}))
