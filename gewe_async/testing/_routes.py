"""The fake's endpoints: one declaration each, with the fields it requires and what it does.

The common checks (token, appId known, device online, required fields present) are done once by
the server in ``_fake``; a handler only applies the request to the device and returns ``data``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

import attrs

from gewe_async._api.personal import PrivacyOption
from gewe_async.testing._state import FakeDevice

if TYPE_CHECKING:
    from gewe_async.testing._fake import FakeGewe

Handler = Callable[["FakeGewe", FakeDevice, dict[str, Any]], Any]


class FakeRefusal(Exception):
    """Raised by a handler to answer ``ret: 500`` with this message."""

    def __init__(self, msg: str, data: Any = None) -> None:
        super().__init__(msg)
        self.msg = msg
        self.data = data


@attrs.frozen
class FakeRoute:
    """How the fake serves one endpoint."""

    path: str
    handler: Handler
    required: tuple[str, ...] = ("appId",)
    """Body fields that must be present (and non-empty strings where they are strings)."""
    needs_online: bool = True
    """Whether an offline device refuses it (only login endpoints work offline)."""


ROUTES: Final[dict[str, FakeRoute]] = {}


def route(
    path: str, *, required: tuple[str, ...] = ("appId",), needs_online: bool = True
) -> Callable[[Handler], Handler]:
    """Declare ``handler`` as the fake's implementation of ``path``."""

    def register(handler: Handler) -> Handler:
        ROUTES[path] = FakeRoute(path, handler, required, needs_online)
        return handler

    return register


def _text(body: dict[str, Any], name: str) -> str:
    value = body[name]
    if not isinstance(value, str):
        raise FakeRefusal("参数错误", {"code": "-1", "msg": f"{name} 格式错误"})
    return value


# -- personal ---------------------------------------------------------------------------------


@route("personal/getProfile")
def _get_profile(fake: FakeGewe, device: FakeDevice, body: dict[str, Any]) -> Any:
    return device.profile_json()


@route("personal/getQrCode")
def _get_qr_code(fake: FakeGewe, device: FakeDevice, body: dict[str, Any]) -> Any:
    return {"qrCode": fake.qr_code_base64}


@route("personal/getSafetyInfo")
def _get_safety_info(fake: FakeGewe, device: FakeDevice, body: dict[str, Any]) -> Any:
    return {"list": [dict(record) for record in device.login_records]}


@route("personal/privacySettings", required=("appId", "option", "open"))
def _privacy_settings(fake: FakeGewe, device: FakeDevice, body: dict[str, Any]) -> Any:
    option, is_open = body["option"], body["open"]
    if type(option) is not int or option not in PrivacyOption._value2member_map_:
        raise FakeRefusal("参数错误", {"code": "-1", "msg": f"option {option!r} 不支持"})
    if not isinstance(is_open, bool):
        raise FakeRefusal("参数错误", {"code": "-1", "msg": "open 格式错误"})
    device.privacy[PrivacyOption(option)] = is_open
    return None


_PROFILE_FIELDS: Final = {
    "nickName": "nick_name",
    "country": "country",
    "province": "province",
    "city": "city",
    "signature": "signature",
}


@route("personal/updateProfile")
def _update_profile(fake: FakeGewe, device: FakeDevice, body: dict[str, Any]) -> Any:
    changes: dict[str, Any] = {
        attr: _text(body, wire) for wire, attr in _PROFILE_FIELDS.items() if wire in body
    }
    if "sex" in body:
        sex = body["sex"]
        # The schema says string, the example sends an integer: accept both, as the server does.
        if str(sex) not in ("1", "2"):
            raise FakeRefusal("参数错误", {"code": "-1", "msg": "sex 格式错误"})
        changes["sex"] = int(sex)
    if not changes:
        raise FakeRefusal("参数错误", {"code": "-1", "msg": "没有要修改的内容"})
    for attr, value in changes.items():
        setattr(device, attr, value)
    return None


@route("personal/updateHeadImg", required=("appId", "headImgUrl"))
def _update_head_img(fake: FakeGewe, device: FakeDevice, body: dict[str, Any]) -> Any:
    url = _text(body, "headImgUrl")
    if not url.startswith(("http://", "https://")):
        raise FakeRefusal("头像下载失败", {"code": "-1", "msg": "头像地址无效"})
    # The real server stores the image and serves it from its own CDN; the fake keeps the URL
    # given, so that a test can check that the change took.
    device.big_head_img_url = url
    device.small_head_img_url = url
    return None


# -- message ----------------------------------------------------------------------------------


@route("message/postText", required=("appId", "toWxid", "content"))
def _post_text(fake: FakeGewe, device: FakeDevice, body: dict[str, Any]) -> Any:
    to_wxid, content = _text(body, "toWxid"), _text(body, "content")
    device.sent_messages.append((to_wxid, content))
    return {
        "toWxid": to_wxid,
        "createTime": int(time.time()),
        "msgId": 0,
        # Real ids exceed 2**53 (FIELD-NOTES): so do the fake's.
        "newMsgId": 3768973957878705000 + len(device.sent_messages),
        "type": 1,
    }
