"""The fake's ``/finder/*`` endpoints: stateful follows, the rest from the documented answers.

Follows (``follow``, ``scanFollow``, ``searchFollow``) change the device's follow list, which
``followList`` pages through. The other endpoints answer the official example (lists cut to
two entries, ``finder_examples.json``) with the request's ids filled in, from one table.
"""

from __future__ import annotations

import base64
import copy
import functools
import json
import time
from collections.abc import Callable
from importlib import resources
from typing import Any, Final

from gewe_async.testing._refusal import FakeRefusal
from gewe_async.testing._routes._registry import FakeServer, route, text
from gewe_async.testing._state import FakeDevice

Body = dict[str, Any]


@functools.cache
def _examples() -> dict[str, Any]:
    raw = resources.files("gewe_async.testing").joinpath("finder_examples.json").read_text("utf-8")
    return json.loads(raw)  # type: ignore[no-any-return]


def example(path: str) -> Any:
    """A fresh copy of the documented ``data`` of ``finder/<path>``."""
    return copy.deepcopy(_examples()[f"finder/{path}"])


def finder_username(device: FakeDevice) -> str:
    """The device's Channels username."""
    return device.feeds.finder_username or f"v2_{device.app_id}@finder"


def _check_me(device: FakeDevice, body: Body) -> None:
    if "myUserName" in body and body["myUserName"] != finder_username(device):
        raise FakeRefusal.failed("myUserName 与当前账号不符")
    if "myRoleType" in body and body["myRoleType"] not in (1, 3):
        raise FakeRefusal.invalid("myRoleType 只支持 1/3")


# -- stateful: follows --------------------------------------------------------------------


def _contact(username: str, *, follow: bool) -> dict[str, Any]:
    contact: dict[str, Any] = example("follow")
    contact.update(username=username, followFlag=int(follow))
    return contact


def _set_follow(device: FakeDevice, username: str, follow: bool) -> dict[str, Any]:
    if follow:
        entry = _contact(username, follow=True) | {"followTime": int(time.time())}
        device.feeds.follows.setdefault(username, entry)
    else:
        device.feeds.follows.pop(username, None)
    return _contact(username, follow=follow)


@route("finder/follow", required=("appId", "myUserName", "myRoleType", "toUserName", "opType"))
def _follow(fake: FakeServer, device: FakeDevice, body: Body) -> Any:
    _check_me(device, body)
    if body["opType"] not in (1, 2):
        raise FakeRefusal.invalid("opType 只支持 1/2")
    return _set_follow(device, text(body, "toUserName"), body["opType"] == 1)


@route("finder/scanFollow", required=("appId", "myUserName", "myRoleType", "qrContent"))
def _scan_follow(fake: FakeServer, device: FakeDevice, body: Body) -> Any:
    _check_me(device, body)
    _set_follow(device, text(body, "qrContent"), True)
    return example("scanFollow") | {"username": body["qrContent"], "followFlag": 1}


@route(
    "finder/searchFollow",
    required=("appId", "myUserName", "myRoleType", "toUserName", "keyword"),
)
def _search_follow(fake: FakeServer, device: FakeDevice, body: Body) -> Any:
    _check_me(device, body)
    _set_follow(device, text(body, "toUserName"), True)


def _offset(buffer: Any) -> int:
    if buffer in ("", None):
        return 0
    try:
        return int(base64.b64decode(buffer, validate=True).decode().removeprefix("follow:"))
    except (ValueError, TypeError):
        raise FakeRefusal.invalid("lastBuffer 无效") from None


@route("finder/followList", required=("appId", "myUserName", "myRoleType"))
def _follow_list(fake: FakeServer, device: FakeDevice, body: Body) -> Any:
    _check_me(device, body)
    start = _offset(body.get("lastBuffer"))
    follows = list(device.feeds.follows.values())
    page = follows[start : start + device.feeds.page_size]
    end = start + len(page)
    return {
        "contactList": copy.deepcopy(page),
        "continueFlag": int(end < len(follows)),
        "followCount": len(follows),
        "lastBuffer": base64.b64encode(f"follow:{end}".encode()).decode(),
    }


# -- from the documented answers ----------------------------------------------------------

Fill = Callable[[FakeDevice, Body, Any], Any]


def _nothing(device: FakeDevice, body: Body, data: Any) -> Any:
    return data  # the documented answer as it is (None: no data)


def _profile(device: FakeDevice, body: Body, data: Any) -> Any:
    data["mainFinderUsername"] = finder_username(device)
    return data


def _created(device: FakeDevice, body: Body, data: Any) -> Any:
    device.feeds.finder_username = finder_username(device)
    return data | {
        "username": device.feeds.finder_username,
        "nickname": body["nickName"],
        "headUrl": body["headImg"],
        "signature": body.get("signature", ""),
    }


def _user_page(device: FakeDevice, body: Body, data: Any) -> Any:
    data["contact"]["username"] = body["toUserName"]
    for item in data["object"]:
        item["username"] = body["toUserName"]
    return data | {"continueFlag": 0}


def _single_page(device: FakeDevice, body: Body, data: Any) -> Any:
    # One page: the fake's lists end here, so that iterators over them stop.
    flag = "downContinueFlag" if "downContinueFlag" in data else "continueFlag"
    return data | {flag: 0}


def _search(device: FakeDevice, body: Body, data: Any) -> Any:
    return data | {"query": body["content"], "continueFlag": 0}


def _letter_contacts(device: FakeDevice, body: Body, data: Any) -> Any:
    for contact in data:
        contact["username"] = contact["msgInfo"]["msgUsername"] = body["queryInfo"]
    return data


def _published(device: FakeDevice, body: Body, data: Any) -> Any:
    device.feeds.published += 1
    return {"id": data["id"] + device.feeds.published}


def _publish_cdn(device: FakeDevice, body: Body, data: Any) -> Any:
    video = body.get("videoCdn")
    if not isinstance(video, dict) or not video.get("fileKey") or not video.get("fileUrl"):
        # The one answer the page documents.
        raise FakeRefusal("发布cdn视频失败", {"code": "-4013", "msg": None})
    device.feeds.published += 1
    return None


#: path -> (required non-empty fields besides appId, how the example is filled in)
_TABLE: Final[dict[str, tuple[tuple[str, ...], Fill]]] = {
    "getProfile": ((), _profile),
    "getQrCode": (("myUserName", "myRoleType"), _nothing),
    "createFinder": (("nickName", "headImg"), _created),
    "updateProfile": (("myUserName", "myRoleType"), _nothing),
    "scanLoginChannels": (("qrContent",), _nothing),
    "search": (("content",), _search),
    "userPage": (("toUserName",), _user_page),
    "likeFavList": (("myUserName", "myRoleType", "flag"), _single_page),
    "mentionList": (("myUserName", "myRoleType", "reqScene"), _nothing),
    "commentList": (("objectId",), _single_page),
    "scanQrCode": (("myUserName", "myRoleType", "qrContent"), _nothing),
    "browse": (("myUserName", "myRoleType", "objectId", "objectNonceId"), _nothing),
    "idFav": (("myUserName", "myRoleType", "objectId", "toUserName", "opType"), _nothing),
    "idLike": (("myUserName", "myRoleType", "objectId", "toUserName", "opType"), _nothing),
    "finderOpt": (("myUserName", "myRoleType", "toUserName", "opType", "id"), _nothing),
    "comment": (("myUserName", "myRoleType", "objectId", "content"), _nothing),
    "scanBrowse": (("myUserName", "myRoleType", "qrContent"), _nothing),
    "scanFav": (("myUserName", "myRoleType", "qrContent"), _nothing),
    "scanLike": (("myUserName", "myRoleType", "qrContent"), _nothing),
    "scanComment": (("myUserName", "myRoleType", "qrContent", "commentContent"), _nothing),
    "contactList": (("myUserName", "myRoleType", "queryInfo"), _letter_contacts),
    "postPrivateLetter": (("myUserName", "toUserName", "msgSessionId", "content"), _nothing),
    "postPrivateLetterImg": (("myUserName", "toUserName", "msgSessionId", "imgUrl"), _nothing),
    "syncPrivateLetterMsg": ((), _nothing),
    "uploadFinderVideo": (("videoUrl", "coverImgUrl"), _nothing),
    "publishFinderWeb": (("title", "videoUrl", "thumbUrl"), _published),
    "publishFinderCdn": (("myUserName", "myRoleType", "videoCdn"), _publish_cdn),
}


def _register(name: str, required: tuple[str, ...], fill: Fill) -> None:
    def handler(fake: FakeServer, device: FakeDevice, body: Body) -> Any:
        _check_me(device, body)
        return fill(device, body, example(name))

    route(f"finder/{name}", required=("appId", *required))(handler)


for _name, (_required, _fill) in _TABLE.items():
    _register(_name, _required, _fill)
