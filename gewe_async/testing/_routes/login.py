"""The fake's ``/login/*`` endpoints: QR codes, logins, logouts and the callback URL."""

from __future__ import annotations

import time
from typing import Any

from gewe_async.testing._fleet import cure_on_reconnection
from gewe_async.testing._refusal import FakeRefusal
from gewe_async.testing._routes._registry import FakeServer, route, text
from gewe_async.testing._state import FakeDevice, PendingLogin


def _qr_answer(fake: FakeServer, device: FakeDevice) -> dict[str, Any]:
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
def _get_login_qr_code(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    if body["type"] not in ("ipad", "mac"):
        raise FakeRefusal.invalid("type 只支持 ipad/mac")
    return _qr_answer(fake, device)


@route("login/changeMacToIpad", needs_online=False)
def _change_mac_to_ipad(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    return _qr_answer(fake, device)


@route("login/checkLogin", required=("appId", "uuid"), needs_online=False)
def _check_login(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    pending = device.pending_login
    if pending is None or pending.uuid != body["uuid"]:
        raise FakeRefusal.failed("二维码已失效，请重新获取")
    left = int(pending.expires_at - time.monotonic())
    if left <= 0 and pending.status != 2:
        device.pending_login = None
        raise FakeRefusal.failed("二维码已过期，请重新获取")
    if pending.needs_verification:
        raise FakeRefusal.failed("请在手机上完成新设备验证")
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
def _dialog_login(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
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
def _login_by_account(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    if body["step"] == 1:
        _qr_answer(fake, device)
        return {"appId": device.app_id, "base64Img": fake.qr_code_base64}
    pending = device.pending_login
    if pending is None:
        raise FakeRefusal.failed("请先执行第一步")
    return {
        "uuid": pending.uuid,
        "headImgUrl": device.big_head_img_url,
        "nickName": device.nick_name,
        "expiredTime": max(int(pending.expires_at - time.monotonic()), 0),
        "status": pending.status,
        "loginInfo": None,
    }


@route("login/checkOnline", needs_online=False)
def _check_online(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    return device.online


@route("login/reconnection", needs_online=False)
def _reconnection(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    cure_on_reconnection(device)  # FakeGewe.take_offline/make_zombie(reconnection_cures=True)
    if not device.online:
        raise FakeRefusal.failed("重连失败，请重新登录")
    return None


@route("login/logout", needs_online=False)
def _logout(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    device.online = False
    device.pending_login = None
    return None


@route("login/setCallback", required=("token", "callbackUrl"), device="none")
def _set_callback(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    if body["token"] != fake.token:
        raise FakeRefusal.failed("token 不正确")
    fake.callback_url = text(body, "callbackUrl")
    # "配置成功后，会接收一条包含文字“验证回调地址是否可用”的JSON回调" (开发指南/消息订阅).
    fake.push_test_callback()
    return None
