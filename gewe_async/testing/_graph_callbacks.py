"""The callbacks the real server pushes for graph actions, built from the graph's notices.

Shapes follow ``消息模块/回调消息详解.md``: a group's system notices are ``AddMsg`` with
``MsgType`` 10000 (plain text: a rename, a new owner, members invited) or 10002 (``sysmsg`` XML:
a removal or dissolution as ``sysmsgtemplate``, an announcement as
``mmchatroombarannouncememt``, sent from the publisher to the group); a friend deleted or a
group left is ``DelContacts``. ``FakeGewe`` posts them to the callback URL once receiving is
wired in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from gewe_async.testing._graph import Notice

if TYPE_CHECKING:
    from gewe_async.testing._state import FakeDevice

__all__ = ["callback_envelope"]

_SOURCE = (
    "<msgsource>\n\t<tmp_node>\n\t\t<publisher-id></publisher-id>\n\t</tmp_node>\n</msgsource>\n"
)


def _names(device: FakeDevice, wxids: list[str]) -> list[tuple[str, str]]:
    people = device.graph.people
    return [
        (w, device.nick_name if w == device.wxid else people[w].nick_name if w in people else w)
        for w in wxids
    ]


def _template(room: str, template: str, link: str, members: list[tuple[str, str]]) -> str:
    listed = "".join(
        f"<member><username><![CDATA[{w}]]></username><nickname><![CDATA[{n}]]></nickname></member>"
        for w, n in members
    )
    return (
        f'{room}:\n<sysmsg type="sysmsgtemplate"><sysmsgtemplate>'
        f'<content_template type="tmpl_type_profile"><plain><![CDATA[]]></plain>'
        f"<template><![CDATA[{template}]]></template><link_list>"
        f'<link name="{link}" type="link_profile"><memberlist>{listed}</memberlist></link>'
        "</link_list></content_template></sysmsgtemplate></sysmsg>"
    )


def _announcement(notice: Notice) -> str:
    room, by, text = notice.fields["chatroom_id"], notice.fields["by"], notice.fields["content"]
    inner = (
        f'<group_notice_item type="18"><edittime>{notice.at}</edittime>'
        f"<source><fromusr>{by}</fromusr><tousr>{room}</tousr></source>"
        f'<datalist count="1"><dataitem datatype="1"><datadesc>{escape(text)}</datadesc>'
        "</dataitem></datalist></group_notice_item>"
    )
    return (
        '<sysmsg type="mmchatroombarannouncememt"><mmchatroombarannouncememt>'
        f"<content><![CDATA[{text}]]></content><xmlcontent><![CDATA[{inner}]]></xmlcontent>"
        "</mmchatroombarannouncememt></sysmsg>"
    )


def _message(notice: Notice, device: FakeDevice) -> tuple[str, str, int, str] | None:
    # (from, to, MsgType, content) of the AddMsg, or None when the notice has none.
    f = notice.fields
    room = f.get("chatroom_id", "")
    if notice.kind == "group_renamed":
        return room, device.wxid, 10000, f"你修改群名为“{f['name']}”"
    if notice.kind == "owner_changed":
        [(_, name)] = _names(device, [f["wxid"]])
        return room, device.wxid, 10000, f"“{name}”已成为新群主"
    if notice.kind == "member_joined":
        names = "、".join(n for _, n in _names(device, f["wxids"]))
        return room, device.wxid, 10000, f'你邀请"{names}"加入了群聊'
    if notice.kind == "member_removed":
        content = _template(
            room, '你将"$kickoutname$"移出了群聊', "kickoutname", _names(device, f["wxids"])
        )
        return room, device.wxid, 10002, content
    if notice.kind == "group_disbanded":
        content = _template(
            room, '群主"$identity$"已解散该群聊', "identity", _names(device, [device.wxid])
        )
        return room, device.wxid, 10002, content
    if notice.kind == "announcement":
        # Reversed: from the publisher to the group.
        return f["by"], room, 10002, _announcement(notice)
    return None


def callback_envelope(device: FakeDevice, notice: Notice, new_msg_id: int) -> dict[str, Any] | None:
    """The push the real server sends ``device`` for ``notice``, or ``None`` if it sends none.

    ``new_msg_id`` is the ``NewMsgId`` to give it (callers keep them unique).
    """
    envelope: dict[str, Any] = {"TypeName": "AddMsg", "Appid": device.app_id, "Wxid": device.wxid}
    if notice.kind in ("friend_deleted", "group_quit"):
        gone = notice.fields.get("wxid") or notice.fields["chatroom_id"]
        envelope["TypeName"] = "DelContacts"
        envelope["Data"] = {"UserName": {"string": gone}, "DeleteContactScen": 0}
        return envelope
    message = _message(notice, device)
    if message is None:
        return None
    sender, receiver, msg_type, content = message
    envelope["Data"] = {
        "MsgId": new_msg_id % 2**31,
        "FromUserName": {"string": sender},
        "ToUserName": {"string": receiver},
        "MsgType": msg_type,
        "Content": {"string": content},
        "Status": 4,
        "ImgStatus": 1,
        "ImgBuf": {"iLen": 0},
        "CreateTime": notice.at,
        "MsgSource": _SOURCE,
        "NewMsgId": new_msg_id,
        "MsgSeq": new_msg_id % 2**31,
    }
    return envelope
