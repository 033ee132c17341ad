"""The payload builders: every kind round-trips through parse_callback with the values given."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pytest

from gewe_async import callbacks as cb
from gewe_async import testing as t
from gewe_async.callbacks import CallbackKind, parse_callback
from tests.paths import DATA

APP, BOT, FRIEND, GROUP = "wx_1", "wxid_bot", "wxid_friend", "123@chatroom"
FIXTURES = DATA / "callbacks"


def roundtrip(payload: dict[str, Any]) -> cb.CallbackEvent:
    """Parse the payload as the receiver would: serialised to JSON bytes first."""
    return parse_callback(json.dumps(payload, ensure_ascii=False).encode())


def test_text_in_private_and_in_a_group() -> None:
    """A text from a friend, and one from a group member with mentions."""
    private = roundtrip(t.text_payload(APP, BOT, FRIEND, 'hi <&> "x"', new_msg_id=2**63 + 5))
    assert isinstance(private, cb.TextMessage)
    assert (private.text, private.chat_id, private.sender_wxid) == ('hi <&> "x"', FRIEND, FRIEND)
    assert (private.new_msg_id, private.is_self, private.is_group) == (2**63 + 5, False, False)
    group = roundtrip(
        t.text_payload(APP, BOT, "wxid_m", "@Bot hi", group=GROUP, mentions=(BOT, "wxid_x"))
    )
    assert isinstance(group, cb.TextMessage)
    assert (group.text, group.chat_id, group.sender_wxid) == ("@Bot hi", GROUP, "wxid_m")
    assert group.mentions == (BOT, "wxid_x")
    assert group.is_group


def test_self_sent_messages_are_self() -> None:
    """is_self builds what the phone's own messages look like, privately and in a group."""
    private = roundtrip(t.text_payload(APP, BOT, FRIEND, "x", is_self=True))
    group = roundtrip(t.text_payload(APP, BOT, FRIEND, "x", is_self=True, group=GROUP))
    assert isinstance(private, cb.MessageEvent)
    assert isinstance(group, cb.MessageEvent)
    assert (private.is_self, private.chat_id) == (True, FRIEND)
    assert (group.is_self, group.chat_id, group.sender_wxid) == (True, GROUP, BOT)


def test_new_msg_ids_are_unique_and_above_2_53() -> None:
    """Every payload gets its own NewMsgId, above 2**53."""
    ids = {t.text_payload(APP, BOT, FRIEND, "x")["Data"]["NewMsgId"] for _ in range(1000)}
    assert len(ids) == 1000
    assert min(ids) > 2**53


def test_create_time_is_kept() -> None:
    """create_time (a datetime or seconds) is what the event reports."""
    when = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    event = roundtrip(t.text_payload(APP, BOT, FRIEND, "x", create_time=when))
    assert isinstance(event, cb.MessageEvent)
    assert event.create_time == when


def quoted_original() -> dict[str, Any]:
    return t.text_payload(APP, BOT, "wxid_m", "original", group=GROUP, new_msg_id=2**63 + 7)


# One case per kind: the payload, the class it must parse into, and fields with their values.
CASES: list[tuple[str, dict[str, Any], type[cb.CallbackEvent], dict[str, Any]]] = [
    (
        "image",
        t.image_payload(APP, BOT, FRIEND, md5="m5", size=10, aeskey="k", thumb_base64="QUJD"),
        cb.ImageMessage,
        {"md5": "m5", "size": 10, "aeskey": "k", "thumb_base64": "QUJD"},
    ),
    (
        "voice",
        t.voice_payload(APP, BOT, FRIEND, duration_ms=1500, size=99, aeskey="k"),
        cb.VoiceMessage,
        {"duration_ms": 1500, "size": 99, "aeskey": "k"},
    ),
    (
        "video",
        t.video_payload(APP, BOT, FRIEND, duration_s=7, size=1234, md5="v5"),
        cb.VideoMessage,
        {"duration_s": 7, "size": 1234, "md5": "v5"},
    ),
    (
        "emoji",
        t.emoji_payload(APP, BOT, FRIEND, md5="e5", size=42, width=1, height=2),
        cb.EmojiMessage,
        {"md5": "e5", "size": 42, "width": 1, "height": 2},
    ),
    (
        "link",
        t.link_payload(
            APP,
            BOT,
            FRIEND,
            "T & <b>",
            "https://x.test/?a=1&b=2",
            description="D",
            thumb_url="https://x.test/t.png",
            source_display_name="Src",
        ),
        cb.LinkMessage,
        {
            "title": "T & <b>",
            "url": "https://x.test/?a=1&b=2",
            "description": "D",
            "thumb_url": "https://x.test/t.png",
            "source_display_name": "Src",
        },
    ),
    (
        "file_notice",
        t.file_notice_payload(APP, BOT, FRIEND, "report.pdf", size=77, md5="f5"),
        cb.FileNotice,
        {"file_name": "report.pdf", "file_ext": "pdf", "size": 77, "md5": "f5"},
    ),
    (
        "file",
        t.file_payload(APP, BOT, FRIEND, "a.b.xlsx", size=8, notice_new_msg_id=2**63 + 1),
        cb.FileMessage,
        {"file_name": "a.b.xlsx", "file_ext": "xlsx", "size": 8, "notice_new_msg_id": 2**63 + 1},
    ),
    (
        "name_card",
        t.name_card_payload(
            APP, BOT, FRIEND, username="wxid_c", nickname="C", antispam_ticket="v4_x"
        ),
        cb.NameCardMessage,
        {"username": "wxid_c", "nickname": "C", "antispam_ticket": "v4_x", "scene": 17},
    ),
    (
        "friend_request",
        t.friend_request_payload(
            APP, BOT, "wxid_new", from_nickname="New", greeting="hi!", v3="v3_a", v4="v4_b", scene=3
        ),
        cb.FriendRequest,
        {
            "requester_wxid": "wxid_new",
            "from_nickname": "New",
            "greeting": "hi!",
            "v3": "v3_a",
            "v4": "v4_b",
            "scene": 3,
            "from_wxid": "fmessage",
        },
    ),
    (
        "contact_changed",
        t.contact_changed_payload(APP, BOT, FRIEND, nickname="F", remark="R", alias="f1", sex=2),
        cb.ContactChanged,
        {"contact_wxid": FRIEND, "nickname": "F", "remark": "R", "alias": "f1", "sex": 2},
    ),
    (
        "mini_program",
        t.mini_program_payload(APP, BOT, FRIEND, "Mini", page_path="p/i.html", display_name="M"),
        cb.MiniProgramMessage,
        {"title": "Mini", "page_path": "p/i.html", "display_name": "M"},
    ),
    (
        "quote",
        t.quote_payload(APP, BOT, FRIEND, "reply", quoted_original(), quoted_display_name="Mm"),
        cb.QuoteMessage,
        {"text": "reply"},
    ),
    (
        "transfer",
        t.transfer_payload(APP, BOT, FRIEND, fee_desc="￥12.50", memo="rent"),
        cb.TransferMessage,
        {"fee_desc": "￥12.50", "memo": "rent", "receiver_wxid": BOT, "pay_subtype": 1},
    ),
    (
        "red_packet",
        t.red_packet_payload(APP, BOT, FRIEND, greeting="Good luck"),
        cb.RedPacketMessage,
        {"greeting": "Good luck"},
    ),
    (
        "channels",
        t.channels_payload(APP, BOT, FRIEND, object_id=2**64 - 2, nickname="N", description="d"),
        cb.ChannelsMessage,
        {"object_id": 2**64 - 2, "nickname": "N", "description": "d"},
    ),
    (
        "revoke",
        t.revoke_payload(
            APP, BOT, FRIEND, t.text_payload(APP, BOT, FRIEND, "x", new_msg_id=2**63 + 3, msg_id=5)
        ),
        cb.RevokeMessage,
        {"revoked_new_msg_id": 2**63 + 3, "revoked_msg_id": 5, "session": FRIEND},
    ),
    (
        "pat",
        t.pat_payload(APP, BOT, "wxid_m", BOT, group=GROUP),
        cb.PatMessage,
        {"patter_wxid": "wxid_m", "patted_wxid": BOT, "pat_chat_id": GROUP, "chat_id": GROUP},
    ),
    (
        "location",
        t.location_payload(
            APP, BOT, FRIEND, latitude=31.2, longitude=121.5, label="L", poi_name="P"
        ),
        cb.LocationMessage,
        {"latitude": 31.2, "longitude": 121.5, "label": "L", "poi_name": "P"},
    ),
    (
        "group_invite",
        t.group_invite_payload(APP, BOT, FRIEND, inviter_nickname="Fr", group_name='G "1"'),
        cb.GroupInvite,
        {"inviter_wxid": FRIEND, "inviter_nickname": "Fr", "group_name": 'G "1"'},
    ),
    (
        "group_member_joined",
        t.group_member_joined_payload(
            APP, BOT, GROUP, [("wxid_a", "A"), ("wxid_b", "B")], inviter=("wxid_i", "I")
        ),
        cb.GroupMemberJoined,
        {
            "members": (
                cb.GroupMember(wxid="wxid_a", nickname="A"),
                cb.GroupMember(wxid="wxid_b", nickname="B"),
            ),
            "inviter_wxid": "wxid_i",
            "inviter_nickname": "I",
            "group_id": GROUP,
        },
    ),
    (
        "removed_from_group",
        t.removed_from_group_payload(APP, BOT, GROUP, "Owner"),
        cb.RemovedFromGroup,
        {"operator_nickname": "Owner", "group_id": GROUP},
    ),
    (
        "group_member_removed",
        t.group_member_removed_payload(APP, BOT, GROUP, [("wxid_k", "K")]),
        cb.GroupMemberRemoved,
        {"members": (cb.GroupMember(wxid="wxid_k", nickname="K"),), "operator_wxid": BOT},
    ),
    (
        "group_dissolved",
        t.group_dissolved_payload(APP, BOT, GROUP, ("wxid_o", "O")),
        cb.GroupDissolved,
        {"owner_wxid": "wxid_o", "owner_nickname": "O", "group_id": GROUP},
    ),
    (
        "group_renamed",
        t.group_renamed_payload(APP, BOT, GROUP, "New name", operator_nickname="Op"),
        cb.GroupRenamed,
        {"new_name": "New name", "operator_nickname": "Op", "operator_wxid": None},
    ),
    (
        "group_owner_changed",
        t.group_owner_changed_payload(APP, BOT, GROUP),
        cb.GroupOwnerChanged,
        {"new_owner_wxid": BOT, "new_owner_nickname": None},
    ),
    (
        "group_info_changed",
        t.group_info_changed_payload(APP, BOT, GROUP, name="G", owner_wxid="wxid_o"),
        cb.GroupInfoChanged,
        {"group_id": GROUP, "name": "G", "owner_wxid": "wxid_o"},
    ),
    (
        "group_announcement",
        t.group_announcement_payload(APP, BOT, GROUP, "wxid_p", "Read <this> & that"),
        cb.GroupAnnouncement,
        {"text": "Read <this> & that", "publisher_wxid": "wxid_p", "group_id": GROUP},
    ),
    (
        "group_todo",
        t.group_todo_payload(APP, BOT, GROUP, "wxid_p", "Todo", 2**63 + 9),
        cb.GroupTodo,
        {"title": "Todo", "related_new_msg_id": 2**63 + 9, "operator_wxid": "wxid_p"},
    ),
    (
        "contact_deleted",
        t.contact_deleted_payload(APP, BOT, FRIEND),
        cb.ContactDeleted,
        {"contact_wxid": FRIEND},
    ),
    ("group_quit", t.group_quit_payload(APP, BOT, GROUP), cb.GroupQuit, {"group_id": GROUP}),
    ("offline", t.offline_payload(APP, BOT), cb.Offline, {"wxid": BOT}),
    ("test", t.test_payload("not-a-token"), cb.TestCallback, {}),
    ("text", t.text_payload(APP, BOT, FRIEND, "x"), cb.TextMessage, {"text": "x"}),
]


def test_every_kind_has_a_builder_case() -> None:
    """Every documented kind is built (unknown aside)."""
    assert {kind for kind, *_ in CASES} == {k.value for k in CallbackKind} - {"unknown"}


@pytest.mark.parametrize(("kind", "payload", "cls", "fields"), CASES, ids=[c[0] for c in CASES])
def test_builder_round_trips_through_the_parser(
    kind: str, payload: dict[str, Any], cls: type[cb.CallbackEvent], fields: dict[str, Any]
) -> None:
    """Each builder's payload parses into its kind's class with the values given."""
    event = roundtrip(payload)
    assert type(event) is cls
    assert event.kind == kind
    for name, value in fields.items():
        assert getattr(event, name) == value, name
    if kind != "test":
        assert (event.app_id, event.wxid) == (APP, BOT)


@pytest.mark.parametrize(("kind", "payload", "cls", "fields"), CASES, ids=[c[0] for c in CASES])
def test_builder_payloads_have_the_documented_keys(
    kind: str, payload: dict[str, Any], cls: type[cb.CallbackEvent], fields: dict[str, Any]
) -> None:
    """Each payload has the documented example's envelope and Data keys (PushContent aside)."""
    example = json.loads((FIXTURES / f"{kind}.json").read_text(encoding="utf-8"))
    assert set(payload) == set(example) | ({"Wxid"} if "Appid" in example else set())
    if isinstance(example.get("Data"), dict):
        documented = set(example["Data"]) - {"PushContent", "ChatRoomOwner"}
        ours = set(payload["Data"]) - {"PushContent", "ChatRoomOwner"}
        assert documented <= ours | {
            # profile fields a test rarely sets: the parser reads them when present
            "PyInitial",
            "QuanPin",
            "Province",
            "City",
            "Signature",
            "PersonalCard",
            "HasWeiXinHdHeadImg",
            "VerifyFlag",
            "Level",
            "Source",
            "WeiboFlag",
            "AlbumStyle",
            "AlbumFlag",
            "Country",
            "BigHeadImgUrl",
            "SmallHeadImgUrl",
            "EncryptUserName",
            "ChatroomMaxCount",
            "ChatroomStatus",
            "ChatRoomBusinessType",
        }


def test_revoke_in_a_group_names_the_group() -> None:
    """A group revoke is a notice of the group, naming the recalled message's ids."""
    original = t.text_payload(APP, BOT, "wxid_m", "oops", group=GROUP)
    event = roundtrip(t.revoke_payload(APP, BOT, "wxid_m", original, group=GROUP))
    assert isinstance(event, cb.RevokeMessage)
    assert (event.chat_id, event.session, event.sender_wxid) == (GROUP, GROUP, None)
    assert event.revoked_new_msg_id == original["Data"]["NewMsgId"]
    assert event.replace_text == '"wxid_m" 撤回了一条消息'


def test_quote_carries_the_original() -> None:
    """A quote of a group message names the group, the member and the text."""
    event = roundtrip(t.quote_payload(APP, BOT, FRIEND, "reply", quoted_original()))
    assert isinstance(event, cb.QuoteMessage)
    assert event.quoted is not None
    assert (event.quoted.new_msg_id, event.quoted.kind, event.quoted.text) == (
        2**63 + 7,
        CallbackKind.TEXT,
        "original",
    )
    assert (event.quoted.chat_id, event.quoted.sender_wxid) == (GROUP, "wxid_m")


def test_quote_of_an_app_message_is_parsed_again() -> None:
    """Quoting a file gives the quoted kind and title from the nested XML."""
    original = t.file_payload(APP, BOT, FRIEND, "plan.docx")
    event = roundtrip(t.quote_payload(APP, BOT, FRIEND, "this one", original))
    assert isinstance(event, cb.QuoteMessage)
    assert event.quoted is not None
    assert (event.quoted.kind, event.quoted.text) == (CallbackKind.FILE, "plan.docx")


class Recorder(t.CallbackBuilders):
    """A stand-in for the pushing side: records what would be pushed."""

    def __init__(self) -> None:
        self.pushed: list[Mapping[str, Any]] = []
        super().__init__({APP: t.FakeDevice(APP, wxid=BOT)}, self.record)

    async def record(self, payload: Mapping[str, Any]) -> int | None:
        self.pushed.append(payload)
        return 200


async def test_receive_methods_build_for_the_device_account_and_push() -> None:
    """receive_<kind> builds for the device's wxid, pushes, and returns the payload."""
    fake = Recorder()
    ping = await fake.receive_text(APP, FRIEND, "ping", group=GROUP)
    revoke = await fake.receive_revoke(APP, FRIEND, ping)
    await fake.receive_offline(APP)
    assert fake.pushed == [ping, revoke, t.offline_payload(APP, BOT)]
    event = parse_callback(ping)
    assert isinstance(event, cb.TextMessage)
    assert (event.wxid, event.text, event.chat_id) == (BOT, "ping", GROUP)


async def test_every_kind_has_a_receive_method() -> None:
    """There is one receive_<kind> per documented kind."""
    missing = [
        k.value
        for k in CallbackKind
        if k.value != "unknown" and not hasattr(Recorder, f"receive_{k.value}")
    ]
    assert missing == []


async def test_receive_for_an_unknown_device_is_refused() -> None:
    """A push for a device the fake does not have is a clear ValueError."""
    with pytest.raises(ValueError, match="wx_nope"):
        await Recorder().receive_text("wx_nope", FRIEND, "x")


async def test_push_must_be_provided() -> None:
    """The builders alone cannot push: the push function is a required argument."""
    with pytest.raises(TypeError):
        t.CallbackBuilders({APP: t.FakeDevice(APP, wxid=BOT)})  # type: ignore[call-arg]


async def test_the_old_mixin_form_still_works_with_a_warning() -> None:
    """A subclass that gives ``devices`` and ``deliver`` (the mixin of old) is deprecated."""

    class Old(t.CallbackBuilders):
        def __init__(self) -> None:
            self.devices = {APP: t.FakeDevice(APP, wxid=BOT)}
            self.pushed: list[Mapping[str, Any]] = []

        async def deliver(self, payload: Mapping[str, Any]) -> int | None:
            self.pushed.append(payload)
            return 200

    old = Old()
    with pytest.warns(DeprecationWarning, match="CallbackBuilders"):
        payload = await old.receive_text(APP, FRIEND, "hi")
    assert old.pushed == [payload]
    assert payload["Wxid"] == BOT


async def test_a_part_around_any_push_function() -> None:
    """Composed, not mixed: the builders hand their payloads to the push they hold, whatever
    names the pushing object uses for its own helpers."""

    class Pusher:
        def __init__(self) -> None:
            self.pushed: list[Mapping[str, Any]] = []

        async def deliver(self, payload: Mapping[str, Any]) -> int | None:
            return await self._push(payload, duplicate=False)

        async def _push(self, payload: Mapping[str, Any], *, duplicate: bool) -> int | None:
            self.pushed.append(payload)
            return 200

    pusher = Pusher()
    builders = t.CallbackBuilders({APP: t.FakeDevice(APP, wxid=BOT)}, pusher.deliver)
    payload = await builders.receive_text(APP, FRIEND, "hi")
    assert pusher.pushed == [payload]


# --- receive_<kind>: made from the builders (issue 20, item 1) ---------------------------


def _builders() -> dict[str, Any]:
    import gewe_async.testing as testing

    return {
        name.removesuffix("_payload"): getattr(testing, name)
        for name in testing.__all__
        if name.endswith("_payload") and name != "test_payload"
    }


def test_every_builder_has_its_receive_method() -> None:
    from gewe_async.testing import FakeGewe

    for kind in _builders():
        assert callable(getattr(FakeGewe, f"receive_{kind}")), kind


def test_receive_methods_take_their_builders_parameters() -> None:
    """Not ``**kwargs``: the builder's own parameters, less ``wxid`` (the device's account)."""
    import inspect

    from gewe_async.testing import FakeGewe

    for kind, builder in _builders().items():
        method = inspect.signature(getattr(FakeGewe, f"receive_{kind}"))
        built = list(inspect.signature(builder).parameters.values())
        taken = list(method.parameters.values())
        assert [p.name for p in taken] == ["self", "app_id"] + [p.name for p in built[2:]], kind
        assert taken[2:] == built[2:], kind
        assert method.return_annotation == inspect.signature(builder).return_annotation
