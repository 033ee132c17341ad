"""The fake's ``/favor/*`` endpoints: sync pages, contents and deletion of saved items."""

from __future__ import annotations

import base64
from typing import Any

from gewe_async.testing._feeds import FakeFavorite
from gewe_async.testing._refusal import FakeRefusal
from gewe_async.testing._routes._registry import FakeServer, route
from gewe_async.testing._state import FakeDevice


def _key(offset: int) -> str:
    # Opaque like the real keys (base64), but the fake can read its position back.
    return base64.b64encode(f"fav:{offset}".encode()).decode()


def _offset(key: Any) -> int:
    if key in ("", None):
        return 0
    try:
        return int(base64.b64decode(key, validate=True).decode().removeprefix("fav:"))
    except (ValueError, TypeError):
        raise FakeRefusal.invalid("syncKey 无效") from None


@route("favor/sync")
def _sync(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    start = _offset(body.get("syncKey"))
    items = sorted(device.feeds.favorites.values(), key=lambda x: x.fav_id)
    page = items[start : start + device.feeds.page_size]
    return {
        "list": [
            {"favId": x.fav_id, "flag": int(x.deleted), "type": x.type, "updateTime": x.update_time}
            for x in page
        ],
        "syncKey": _key(start + len(page)),
    }


def _favorite(device: FakeDevice, body: dict[str, Any]) -> FakeFavorite:
    favorite = device.feeds.favorites.get(body["favId"])
    if favorite is None or favorite.deleted:
        raise FakeRefusal.failed("收藏不存在")
    return favorite


@route("favor/getContent", required=("appId", "favId"))
def _get_content(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    x = _favorite(device, body)
    return {
        "content": x.content,
        "favId": x.fav_id,
        "flag": 0,
        "status": 0,
        "updateTime": x.update_time,
    }


@route("favor/delete", required=("appId", "favId"))
def _delete(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    _favorite(device, body).deleted = True
    return None
