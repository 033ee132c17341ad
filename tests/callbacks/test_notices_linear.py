"""Group notice texts of any length parse in time linear in their length (issue 19, item 5).

The notice patterns hold lazy groups followed by literals; text that repeats those literals
without ever completing the pattern made each parse quadratic (a 250 KB notice took seconds on
the event loop). No absolute time is asserted: the cost of a hostile text is compared with its
own cost at an eighth of the size, so a loaded machine slows both alike.
"""

from __future__ import annotations

import json
import time

import pytest

from gewe_async.callbacks import GroupRenamed, UnknownMessage, parse_callback
from gewe_async.callbacks._parse import NOTICE_TEXT_MAX

GROUP = "34757816141@chatroom"

# Texts that repeat a notice pattern's literals without completing it, each unit ~8 chars.
HOSTILE = {
    "renamed": '"a"修改群名为“b',
    "joined": '"a"邀请"b',
    "joined_by_qr": '"a"通过扫描"b',
    "new_owner": '"a"已成为',
    "removed": '你被"a',
}


def notice(text: str, msg_type: int = 10000) -> bytes:
    body = {
        "TypeName": "AddMsg",
        "Appid": "wx_1",
        "Wxid": "wxid_self",
        "Data": {
            "MsgId": 1,
            "NewMsgId": 2,
            "MsgType": msg_type,
            "FromUserName": {"string": GROUP},
            "ToUserName": {"string": "wxid_self"},
            "Content": {"string": f"{GROUP}:\n{text}"},
            "CreateTime": 1705043418,
        },
    }
    return json.dumps(body, ensure_ascii=False).encode()


def cost(body: bytes) -> float:
    """The fastest of a few parses: slower ones measure the neighbours on a shared machine."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        parse_callback(body)
        best = min(best, time.perf_counter() - start)
    return best


@pytest.mark.parametrize("unit", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_notice_cost_grows_linearly(unit: str) -> None:
    small = notice(unit * (12_500 // len(unit.encode())))
    large = notice(unit * (100_000 // len(unit.encode())))
    # 8x the text: linear is ~8x, quadratic ~64x. The bound is far from both.
    ratio = cost(large) / max(cost(small), 1e-6)
    assert ratio < 24, f"8x the text cost {ratio:.0f}x"


@pytest.mark.parametrize("unit", HOSTILE.values(), ids=HOSTILE.keys())
def test_long_notice_is_kept_as_unknown(unit: str) -> None:
    event = parse_callback(notice(unit * (NOTICE_TEXT_MAX // len(unit) + 1)))
    assert type(event) is UnknownMessage
    assert event.content.startswith(unit)


def test_notice_at_the_cap_still_parses() -> None:
    name = "n" * (NOTICE_TEXT_MAX - len('"a"修改群名为“”'))
    event = parse_callback(notice(f'"a"修改群名为“{name}”'))
    assert isinstance(event, GroupRenamed)
    assert event.new_name == name


def test_hostile_group_invite_description_is_not_read() -> None:
    des = '"a"邀请你加入群聊"b' * 20_000
    content = (
        "<msg><appmsg><title>邀请你加入群聊</title>"
        f"<des>{des}</des><type>5</type><url>https://example.invalid</url></appmsg></msg>"
    )
    event = parse_callback(notice(content, msg_type=49))
    assert event.kind == "group_invite"
    assert event.inviter_nickname is None  # type: ignore[attr-defined]
