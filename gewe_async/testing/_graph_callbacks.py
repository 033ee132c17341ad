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

from gewe_async.testing._graph import Notice
from gewe_async.testing._push import (
    NoticeOptions,
    _group_notice,
    contact_deleted_payload,
    group_announcement_payload,
    group_dissolved_payload,
    group_member_removed_payload,
    group_owner_changed_payload,
    group_renamed_payload,
)

if TYPE_CHECKING:
    from gewe_async.testing._state import FakeDevice

__all__ = ["callback_envelope"]


def _names(device: FakeDevice, wxids: list[str]) -> list[tuple[str, str]]:
    people = device.graph.people
    return [
        (w, device.nick_name if w == device.wxid else people[w].nick_name if w in people else w)
        for w in wxids
    ]


def callback_envelope(device: FakeDevice, notice: Notice, new_msg_id: int) -> dict[str, Any] | None:
    """The push the real server sends ``device`` for ``notice``, or ``None`` if it sends none.

    ``new_msg_id`` is the ``NewMsgId`` to give it (callers keep them unique). Built by the
    ``<kind>_payload`` builders of `gewe_async.testing`, so the fake pushes exactly what tests
    build (one envelope, escaping done once).
    """
    app_id, wxid, f = device.app_id, device.wxid, notice.fields
    if notice.kind in ("friend_deleted", "group_quit"):
        return contact_deleted_payload(app_id, wxid, f.get("wxid") or f["chatroom_id"])
    options: NoticeOptions = {
        "new_msg_id": new_msg_id,
        "msg_id": new_msg_id % 2**31,
        "create_time": notice.at,
    }
    room = f.get("chatroom_id", "")
    if notice.kind == "group_renamed":
        return group_renamed_payload(app_id, wxid, room, f["name"], **options)
    if notice.kind == "owner_changed":
        [(_, name)] = _names(device, [f["wxid"]])
        return group_owner_changed_payload(app_id, wxid, room, new_owner_nickname=name, **options)
    if notice.kind == "member_joined":
        names = '"、"'.join(n for _, n in _names(device, f["wxids"]))
        return _group_notice(app_id, wxid, room, f'你邀请"{names}"加入了群聊', options)
    if notice.kind == "member_removed":
        members = _names(device, f["wxids"])
        return group_member_removed_payload(app_id, wxid, room, members, **options)
    if notice.kind == "group_disbanded":
        [owner] = _names(device, [wxid])
        return group_dissolved_payload(app_id, wxid, room, owner, **options)
    if notice.kind == "announcement":
        return group_announcement_payload(app_id, wxid, room, f["by"], f["content"], **options)
    return None
