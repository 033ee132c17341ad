"""The fake's ``/personal/*`` endpoints."""

from __future__ import annotations

from typing import Any, Final

from gewe_async.testing._refusal import FakeRefusal
from gewe_async.testing._routes._registry import FakeServer, route, text
from gewe_async.testing._state import FakeDevice
from gewe_async.types.personal import PrivacyOption


@route("personal/getProfile")
def _get_profile(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    return device.profile_json()


@route("personal/getQrCode")
def _get_qr_code(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    return {"qrCode": fake.qr_code_base64}


@route("personal/getSafetyInfo")
def _get_safety_info(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    return {"list": [dict(record) for record in device.login_records]}


@route("personal/privacySettings", required=("appId", "option", "open"))
def _privacy_settings(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    option, is_open = body["option"], body["open"]
    if type(option) is not int or option not in PrivacyOption._value2member_map_:
        raise FakeRefusal.invalid(f"option {option!r} 不支持")
    if not isinstance(is_open, bool):
        raise FakeRefusal.invalid("open 格式错误")
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
def _update_profile(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    changes: dict[str, Any] = {
        attr: text(body, wire) for wire, attr in _PROFILE_FIELDS.items() if wire in body
    }
    if "sex" in body:
        sex = body["sex"]
        # The schema says string, the example sends an integer: accept both, as the server does.
        if str(sex) not in ("1", "2"):
            raise FakeRefusal.invalid("sex 格式错误")
        changes["sex"] = int(sex)
    if not changes:
        raise FakeRefusal.invalid("没有要修改的内容")
    for attr, value in changes.items():
        setattr(device, attr, value)
    return None


@route("personal/updateHeadImg", required=("appId", "headImgUrl"))
def _update_head_img(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    url = text(body, "headImgUrl")
    if not url.startswith(("http://", "https://")):
        raise FakeRefusal("头像下载失败", {"code": "-1", "msg": "头像地址无效"})
    # The real server stores the image and serves it from its own CDN; the fake keeps the URL
    # given, so that a test can check that the change took.
    device.big_head_img_url = url
    device.small_head_img_url = url
    return None
