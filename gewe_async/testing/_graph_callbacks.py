"""The callbacks the real server pushes for graph actions, built from the graph's notices.

Shapes follow the official callback page (回调消息详解): a group's system notices are
``AddMsg`` with ``MsgType`` 10000 (plain text: a rename, a new owner, members invited) or
10002 (``sysmsg`` XML: a removal or dissolution as ``sysmsgtemplate``, an announcement as
``mmchatroombarannouncememt``, sent from the publisher to the group); a friend deleted or a
group left is ``DelContacts``. Each is built by the kind's public ``<kind>_payload`` builder, so
the fake pushes exactly what tests build (one envelope, escaping done once); ``FakeGewe``
pushes each new notice after the answer of the call that made it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gewe_async.callbacks import CallbackKind
from gewe_async.testing._graph import Notice
from gewe_async.testing._push import (
    NoticeOptions,
    Payload,
    contact_deleted_payload,
    group_announcement_payload,
    group_dissolved_payload,
    group_member_joined_payload,
    group_member_removed_payload,
    group_owner_changed_payload,
    group_quit_payload,
    group_renamed_payload,
)
from gewe_async.testing._state import FakeDevice

__all__ = ["callback_envelope"]


def _names(device: FakeDevice, wxids: list[str]) -> list[tuple[str, str]]:
    people = device.graph.people
    return [
        (w, device.nick_name if w == device.wxid else people[w].nick_name if w in people else w)
        for w in wxids
    ]


def _contact_deleted(device: FakeDevice, f: dict[str, Any], options: NoticeOptions) -> Payload:
    return contact_deleted_payload(device.app_id, device.wxid, f["wxid"])


def _group_quit(device: FakeDevice, f: dict[str, Any], options: NoticeOptions) -> Payload:
    return group_quit_payload(device.app_id, device.wxid, f["chatroom_id"])


def _renamed(device: FakeDevice, f: dict[str, Any], options: NoticeOptions) -> Payload:
    return group_renamed_payload(device.app_id, device.wxid, f["chatroom_id"], f["name"], **options)


def _owner_changed(device: FakeDevice, f: dict[str, Any], options: NoticeOptions) -> Payload:
    [(_, name)] = _names(device, [f["wxid"]])
    room = f["chatroom_id"]
    return group_owner_changed_payload(
        device.app_id, device.wxid, room, new_owner_nickname=name, **options
    )


def _joined(device: FakeDevice, f: dict[str, Any], options: NoticeOptions) -> Payload:
    members = _names(device, f["wxids"])
    room = f["chatroom_id"]
    return group_member_joined_payload(
        device.app_id, device.wxid, room, members, as_text=True, **options
    )


def _removed(device: FakeDevice, f: dict[str, Any], options: NoticeOptions) -> Payload:
    members = _names(device, f["wxids"])
    room = f["chatroom_id"]
    return group_member_removed_payload(device.app_id, device.wxid, room, members, **options)


def _dissolved(device: FakeDevice, f: dict[str, Any], options: NoticeOptions) -> Payload:
    [owner] = _names(device, [device.wxid])
    room = f["chatroom_id"]
    return group_dissolved_payload(device.app_id, device.wxid, room, owner, **options)


def _announced(device: FakeDevice, f: dict[str, Any], options: NoticeOptions) -> Payload:
    room = f["chatroom_id"]
    return group_announcement_payload(
        device.app_id, device.wxid, room, f["by"], f["content"], **options
    )


_Build = Callable[[FakeDevice, dict[str, Any], NoticeOptions], Payload]

#: The kinds of notice the real server pushes, and how each is built from its fields.
_PUSHED: dict[CallbackKind, _Build] = {
    CallbackKind.CONTACT_DELETED: _contact_deleted,
    CallbackKind.GROUP_QUIT: _group_quit,
    CallbackKind.GROUP_RENAMED: _renamed,
    CallbackKind.GROUP_OWNER_CHANGED: _owner_changed,
    CallbackKind.GROUP_MEMBER_JOINED: _joined,
    CallbackKind.GROUP_MEMBER_REMOVED: _removed,
    CallbackKind.GROUP_DISSOLVED: _dissolved,
    CallbackKind.GROUP_ANNOUNCEMENT: _announced,
}


def callback_envelope(device: FakeDevice, notice: Notice, new_msg_id: int) -> Payload | None:
    """The push the real server sends ``device`` for ``notice``, or ``None`` if it sends none.

    Args:
        device: The device the action was done on.
        notice: What the graph recorded of the action.
        new_msg_id: The ``NewMsgId`` to give a message push (callers keep them unique).

    Returns:
        The payload, built by the kind's ``<kind>_payload`` builder.
    """
    build = _PUSHED.get(notice.kind)
    if build is None:
        return None
    options: NoticeOptions = {
        "new_msg_id": new_msg_id,
        "msg_id": new_msg_id % 2**31,
        "create_time": notice.at,
    }
    return build(device, notice.fields, options)
