"""Real pushes from public projects (tests/data/wild-callbacks.json, each with its source).

Every body must parse into the event of its kind; the lower-case envelope that Gewechat's
2025-03 docker builds sent (``appid``/``type_name``/``data``, ``Wxid`` kept) gives the same
events as the documented one (issue 19, item 12).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from gewe_async import callbacks as cb
from gewe_async.callbacks import parse_callback
from tests.paths import DATA

WILD: list[dict[str, Any]] = json.loads(
    (DATA / "wild-callbacks.json").read_text(encoding="utf-8")
)

# The event each body is, by its id. UnknownMessage only where the notes say no known kind
# applies (an appmsg emptied by its author; MsgType 51, the status notify).
KINDS: dict[int, type[cb.CallbackEvent]] = {
    0: cb.TextMessage,
    1: cb.VoiceMessage,
    2: cb.ImageMessage,
    3: cb.VideoMessage,
    4: cb.FileNotice,
    5: cb.FileMessage,
    6: cb.TextMessage,
    7: cb.TestCallback,
    8: cb.TestCallback,
    9: cb.GroupMemberJoined,
    10: cb.TextMessage,
    11: cb.UnknownMessage,
    12: cb.GroupInfoChanged,
    13: cb.GroupInfoChanged,
    14: cb.TextMessage,
    15: cb.TextMessage,
    16: cb.TextMessage,
    17: cb.TextMessage,
    18: cb.TextMessage,
    19: cb.TextMessage,
    20: cb.TransferMessage,
    21: cb.RevokeMessage,
    22: cb.TextMessage,
    23: cb.UnknownMessage,
    24: cb.UnknownMessage,
    25: cb.TextMessage,
}


def test_every_wild_body_has_an_expected_kind() -> None:
    assert sorted(KINDS) == [entry["id"] for entry in WILD]
    assert all(entry["source"] for entry in WILD)


@pytest.mark.parametrize("entry", WILD, ids=[str(entry["id"]) for entry in WILD])
def test_wild_body_parses_to_its_kind(entry: dict[str, Any]) -> None:
    raw = json.dumps(entry["body"], ensure_ascii=False)
    for body in (raw.encode(), raw, entry["body"]):
        event = parse_callback(body)
        assert type(event) is KINDS[entry["id"]], entry["notes"]
        assert event.app_id or isinstance(event, cb.TestCallback)
        event.idempotency_key.encode()
        event.chat_key.encode()


def parsed(entry_id: int) -> Any:
    return parse_callback(json.dumps(WILD[entry_id]["body"], ensure_ascii=False).encode())


LOWER_CASE = [entry["id"] for entry in WILD if "type_name" in entry["body"]]


def test_the_lower_case_envelope_is_in_the_data() -> None:
    assert LOWER_CASE == [21, 22, 23, 24]


@pytest.mark.parametrize("entry_id", LOWER_CASE)
def test_lower_case_envelope_gives_the_documented_event(entry_id: int) -> None:
    body = WILD[entry_id]["body"]
    documented = {
        "TypeName": body["type_name"],
        "Appid": body["appid"],
        "Data": body["data"],
        "Wxid": body["Wxid"],
    }
    assert parsed(entry_id) == parse_callback(documented)


def test_lower_case_revoke_fields() -> None:
    event = parsed(21)
    assert event.app_id == "wx_dJTpkiHXGoOruiB4CVTRl"
    assert event.wxid == "wxid_8gbvl6yflbxb19"
    assert event.chat_id == "51886313102@chatroom"
    assert event.sender_wxid == "wxid_6du7s7lbdk9712"
    assert event.revoked_new_msg_id == 4260318485478206609
    assert event.chat_key == "wx_dJTpkiHXGoOruiB4CVTRl:51886313102@chatroom"


def test_lower_case_text_fields() -> None:
    event = parsed(22)
    assert event.text == "在吗"
    assert event.chat_id == "wxid_a0qhwinhj3gz31"
    assert not event.is_group
    assert event.idempotency_key == f"wx_dJTpkiHXGoOruiB4CVTRl:{event.new_msg_id}"


def test_lower_case_status_notify_keeps_its_type() -> None:
    event = parsed(23)
    assert event.msg_type == 51
    assert event.wxid == "wxid_lnuijq1id82p12"


def test_envelope_without_wxid() -> None:
    event = parsed(6)
    assert event.wxid is None


def test_group_join_by_invite_template() -> None:
    event = parsed(9)
    assert event.chat_id == "53760920521@chatroom"
    assert event.members == (cb.GroupMember(wxid="wxid_mmwc3zzkfcl922", nickname="郑德娟"),)


def test_mentions_with_leading_comma_and_without_cdata() -> None:
    assert parsed(10).mentions == ("wxid_wvp31dkffyml19",)
    assert parsed(25).mentions == ("peng729831790",)
    assert parsed(15).mentions == ()  # typed by hand: no atuserlist


def test_custom_wechat_id_sender() -> None:
    event = parsed(14)
    assert event.sender_wxid == "cml1363992060"
    assert event.is_group


def test_transfer_in_a_group() -> None:
    event = parsed(20)
    assert event.is_group
    assert event.chat_id == "56648603618@chatroom"
    assert event.sender_wxid == "wxid_49n16bk29gqm22"
