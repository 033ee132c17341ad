"""What the fake's social-graph routes share: refusals, body readers, and the JSON of members."""

from __future__ import annotations

import functools
from collections.abc import Callable
from importlib import resources
from typing import Any

from gewe_async.testing._graph import Group, SocialGraph
from gewe_async.testing._refusal import FakeRefusal
from gewe_async.testing._routes._registry import FakeServer, Handler, route
from gewe_async.testing._state import FakeDevice

GraphHandler = Callable[[SocialGraph, FakeDevice, dict[str, Any]], Any]


def social_route(path: str, *required: str) -> Callable[[GraphHandler], Handler]:
    """Declare a graph route: the handler gets the device's graph."""

    def register(handler: GraphHandler) -> Handler:
        @functools.wraps(handler)
        def serve(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
            return handler(device.graph, device, body)

        return route(path, required=("appId", *required))(serve)

    return register


def bad(name: str, why: str = "格式错误") -> FakeRefusal:
    """The server's answer to a malformed field."""
    return FakeRefusal.invalid(f"{name} {why}")


def text(body: dict[str, Any], name: str) -> str:
    """A string field that must be present (``""`` allowed)."""
    value = body.get(name)
    if not isinstance(value, str):
        raise bad(name)
    return value


def flag(body: dict[str, Any], name: str) -> bool:
    """A boolean field."""
    value = body.get(name)
    if not isinstance(value, bool):
        raise bad(name)
    return value


def number(body: dict[str, Any], name: str, allowed: tuple[int, ...]) -> int:
    """An integer field with one of the documented values."""
    value = body.get(name)
    if type(value) is not int or value not in allowed:
        raise bad(name, f"{value!r} 不支持")
    return value


def wxids(body: dict[str, Any], name: str, *, maximum: int | None = None) -> list[str]:
    """A JSON array of wxids, at most ``maximum`` (the page's ``maxItems``)."""
    value = body.get(name)
    if not isinstance(value, list) or not value or not all(isinstance(w, str) and w for w in value):
        raise bad(name)
    if maximum is not None and len(value) > maximum:
        raise bad(name, f"最多{maximum}个")
    return value


def comma_wxids(body: dict[str, Any], name: str) -> list[str]:
    """Wxids joined by commas in one string (inviteMember, removeMember)."""
    parts = [part for part in text(body, name).split(",") if part]
    if not parts:
        raise bad(name)
    return parts


def nick_of(graph: SocialGraph, device: FakeDevice, wxid: str) -> str:
    """The nickname of a member: the device's own, or the person's."""
    if wxid == device.wxid:
        return device.nick_name
    person = graph.people.get(wxid)
    return person.nick_name if person else wxid


def member_json(graph: SocialGraph, device: FakeDevice, group: Group, wxid: str) -> dict[str, Any]:
    """One member as the member list sends it."""
    member = group.members[wxid]
    head = f"https://wx.qlogo.cn/mmhead/ver_1/{wxid}"
    return {
        "wxid": wxid,
        "nickName": nick_of(graph, device, wxid),
        "inviterUserName": member.inviter,
        "memberFlag": 1,
        "displayName": member.display_name,
        "bigHeadImgUrl": f"{head}/0",
        "smallHeadImgUrl": f"{head}/132",
    }


@functools.cache
def image_base64() -> str:
    """A real JPEG, base64 (the fake's QR code), for group avatars and QR codes."""
    return resources.files("gewe_async.testing").joinpath("qr.b64").read_text().strip()
