"""The fake's ``/im/*`` endpoints (WeCom contacts), on the device's `SocialGraph`."""

from __future__ import annotations

from typing import Any

from gewe_async.testing._graph import SocialGraph
from gewe_async.testing._refusal import FakeRefusal
from gewe_async.testing._routes._social import bad, number, social_route, text
from gewe_async.testing._state import FakeDevice


@social_route("im/search", "scene", "content")
def _search(graph: SocialGraph, device: FakeDevice, body: dict[str, Any]) -> Any:
    number(body, "scene", (1,))
    content = text(body, "content")
    user = next((u for u in graph.wecom.values() if u.qr_content == content), None)
    if user is None:
        raise FakeRefusal.failed("未找到企微用户")
    data = user.json(device.app_id)
    return {
        "nickName": user.nick_name,
        "sex": 1,
        "signature": "",
        "bigHeadImgUrl": data["bigHeadImg"],
        "smallHeadImgUrl": data["smallHeadImg"],
        "v3": user.user_name,
        "v4": f"v1_{user.user_name.partition('@')[0]}",
    }


@social_route("im/add", "v3", "v4")
def _add(graph: SocialGraph, device: FakeDevice, body: dict[str, Any]) -> Any:
    user = graph.wecom.get(text(body, "v3"))
    if user is None or text(body, "v4") != f"v1_{user.user_name.partition('@')[0]}":
        raise bad("v3", "无效")
    user.contact = True


@social_route("im/detail", "toUserName")
def _detail(graph: SocialGraph, device: FakeDevice, body: dict[str, Any]) -> Any:
    user = graph.wecom.get(text(body, "toUserName"))
    if user is None or not user.contact:
        raise FakeRefusal.failed("不是你的企微联系人")
    return user.json(device.app_id, detail=True)


@social_route("im/sync")
def _sync(graph: SocialGraph, device: FakeDevice, body: dict[str, Any]) -> Any:
    return [u.json(device.app_id) for u in graph.wecom.values() if u.contact]
