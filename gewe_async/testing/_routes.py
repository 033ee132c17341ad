"""The fake's endpoints: one declaration each, with the fields it requires and what it does.

The common checks (token, appId known, device online, required fields present) are done once by
the server in ``_fake``; a handler only applies the request to the device and returns ``data``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs

from gewe_async._api.personal import PrivacyOption
from gewe_async.testing._state import FakeDevice, PendingLogin

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
    device: Literal["existing", "new_if_empty", "none"] = "existing"
    """Which device the body's appId names: one that must exist, a new one when it is empty
    (first logins), or none at all (setCallback)."""


ROUTES: Final[dict[str, FakeRoute]] = {}


def route(
    path: str,
    *,
    required: tuple[str, ...] = ("appId",),
    needs_online: bool = True,
    device: Literal["existing", "new_if_empty", "none"] = "existing",
) -> Callable[[Handler], Handler]:
    """Declare ``handler`` as the fake's implementation of ``path``."""

    def register(handler: Handler) -> Handler:
        ROUTES[path] = FakeRoute(path, handler, required, needs_online, device)
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


# -- login ------------------------------------------------------------------------------------


def _qr_answer(fake: FakeGewe, device: FakeDevice) -> dict[str, Any]:
    if device.online:
        raise FakeRefusal("微信已登录，请勿重复登录。")
    uuid = fake.new_uuid()
    device.pending_login = PendingLogin(uuid, time.monotonic() + fake.qr_lifetime)
    return {
        "appId": device.app_id,
        "qrData": f"http://weixin.qq.com/x/{uuid}",
        "qrImgBase64": f"data:image/jpg;base64,{fake.qr_code_base64}",
        "uuid": uuid,
    }


@route(
    "login/getLoginQrCode",
    required=("type", "regionId"),
    needs_online=False,
    device="new_if_empty",
)
def _get_login_qr_code(fake: FakeGewe, device: FakeDevice, body: dict[str, Any]) -> Any:
    if body["type"] not in ("ipad", "mac"):
        raise FakeRefusal("参数错误", {"code": "-1", "msg": "type 只支持 ipad/mac"})
    return _qr_answer(fake, device)


@route("login/changeMacToIpad", needs_online=False)
def _change_mac_to_ipad(fake: FakeGewe, device: FakeDevice, body: dict[str, Any]) -> Any:
    return _qr_answer(fake, device)


@route("login/checkLogin", required=("appId", "uuid"), needs_online=False)
def _check_login(fake: FakeGewe, device: FakeDevice, body: dict[str, Any]) -> Any:
    pending = device.pending_login
    if pending is None or pending.uuid != body["uuid"]:
        raise FakeRefusal("操作失败", {"code": "-1", "msg": "二维码已失效，请重新获取"})
    left = int(pending.expires_at - time.monotonic())
    if left <= 0 and pending.status != 2:
        device.pending_login = None
        raise FakeRefusal("操作失败", {"code": "-1", "msg": "二维码已过期，请重新获取"})
    if pending.needs_verification:
        raise FakeRefusal("操作失败", {"code": "-1", "msg": "请在手机上完成新设备验证"})
    if fake.auto_login and pending.status < 2:
        pending.status += 1
        device.online = pending.status == 2
    scanned = pending.status >= 1
    answer: dict[str, Any] = {
        "uuid": pending.uuid,
        "headImgUrl": device.big_head_img_url if scanned else "",
        "nickName": device.nick_name if scanned else "",
        "expiredTime": max(left, 0),
        "status": pending.status,
        "loginInfo": None,
    }
    if pending.status == 2:
        device.pending_login = None
        answer["loginInfo"] = {
            "uin": device.uin,
            "wxid": device.wxid,
            "nickName": device.nick_name,
            "mobile": device.mobile,
            "alias": device.alias,
        }
    return answer


@route("login/dialogLogin", required=("appId", "regionId"), needs_online=False)
def _dialog_login(fake: FakeGewe, device: FakeDevice, body: dict[str, Any]) -> Any:
    if device.online:
        raise FakeRefusal("微信已登录，请勿重复登录。")
    uuid = fake.new_uuid()
    # The phone shows a dialog: the code counts as scanned, awaiting confirmation.
    device.pending_login = PendingLogin(uuid, time.monotonic() + fake.qr_lifetime, status=1)
    return {"appId": device.app_id, "uuid": uuid}


@route(
    "login/loginByAccount",
    required=("regionId", "account", "password", "step"),
    needs_online=False,
    device="new_if_empty",
)
def _login_by_account(fake: FakeGewe, device: FakeDevice, body: dict[str, Any]) -> Any:
    if body["step"] == 1:
        _qr_answer(fake, device)
        return {"appId": device.app_id, "base64Img": fake.qr_code_base64}
    pending = device.pending_login
    if pending is None:
        raise FakeRefusal("操作失败", {"code": "-1", "msg": "请先执行第一步"})
    return {
        "uuid": pending.uuid,
        "headImgUrl": device.big_head_img_url,
        "nickName": device.nick_name,
        "expiredTime": max(int(pending.expires_at - time.monotonic()), 0),
        "status": pending.status,
        "loginInfo": None,
    }


@route("login/checkOnline", needs_online=False)
def _check_online(fake: FakeGewe, device: FakeDevice, body: dict[str, Any]) -> Any:
    return device.online


@route("login/reconnection", needs_online=False)
def _reconnection(fake: FakeGewe, device: FakeDevice, body: dict[str, Any]) -> Any:
    if not device.online:
        raise FakeRefusal("操作失败", {"code": "-1", "msg": "重连失败，请重新登录"})
    return None


@route("login/logout", needs_online=False)
def _logout(fake: FakeGewe, device: FakeDevice, body: dict[str, Any]) -> Any:
    device.online = False
    device.pending_login = None
    return None


@route("login/setCallback", required=("token", "callbackUrl"), device="none")
def _set_callback(fake: FakeGewe, device: FakeDevice, body: dict[str, Any]) -> Any:
    if body["token"] != fake.token:
        raise FakeRefusal("操作失败", {"code": "-1", "msg": "token 不正确"})
    fake.callback_url = _text(body, "callbackUrl")
    return None
