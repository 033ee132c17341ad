"""The login module: every endpoint on the wire and decoded, the fake's logins, the flow."""

from __future__ import annotations

import asyncio
import copy
import json
import re

import httpx
import jsonschema
import pytest

from gewe_async import (
    AsyncGeweClient,
    GeweAlreadyLoggedInError,
    GeweAPIError,
    GeweLoginExpiredError,
    Retries,
)
from gewe_async.testing import FakeGewe
from gewe_async.types.login import DeviceType, LoginState, LoginStatus, Region
from tests.helpers import OFFICIAL, TOKEN, envelope

QR = OFFICIAL["login/getLoginQrCode"]["response_example"]["data"]
CHECK = {
    "uuid": "4dmHZZMtoLbHoLZwd1wE",
    "headImgUrl": "http://wx.qlogo.cn/mmhead/ver_1/x/0",
    "nickName": "G",
    "expiredTime": 120,
    "status": 2,
    "loginInfo": {"uin": 1, "wxid": "wxid_g", "nickName": "G", "mobile": "1", "alias": None},
}
#: One call per endpoint, with the answer data it gets.
CALLS = {
    "login/getLoginQrCode": (lambda c: c.login.get_login_qr_code(region_id="320000"), QR),
    "login/checkLogin": (lambda c: c.login.check_login("wx_1", "uuid1", auto_sliding=False), CHECK),
    "login/dialogLogin": (
        lambda c: c.login.dialog_login("wx_1", region_id=Region.JIANGSU),
        {"appId": "wx_1", "uuid": "u"},
    ),
    "login/loginByAccount": (
        lambda c: c.login.login_by_account(account="a", password="p", step=1, region_id="320000"),
        {"appId": "wx_1", "base64Img": "/9j/"},
    ),
    "login/setCallback": (lambda c: c.login.set_callback("https://example.com/cb"), None),
    "login/checkOnline": (lambda c: c.login.check_online("wx_1"), True),
    "login/reconnection": (lambda c: c.login.reconnection("wx_1"), None),
    "login/logout": (lambda c: c.login.logout("wx_1"), None),
    "login/changeMacToIpad": (lambda c: c.login.change_mac_to_ipad("wx_1"), QR),
}


def sent(route) -> dict:
    return json.loads(route.calls.last.request.content)


@pytest.mark.parametrize("path", sorted(CALLS))
async def test_requests_fit_the_official_schemas(api, client, path):
    """Each login endpoint sends a body its official request schema accepts, required keys in."""
    call, data = CALLS[path]
    route = api.post(f"/{path}").respond(json=envelope(data))
    await call(client)
    body = sent(route)
    schema = OFFICIAL[path]["request_schema"]
    jsonschema.validate(body, schema)
    assert set(schema["required"]) <= set(body)
    assert set(body) <= set(schema["properties"])


async def test_new_device_sends_an_empty_app_id(api, client):
    """get_login_qr_code() without appId sends appId "" (the server creates a device)."""
    route = api.post("/login/getLoginQrCode").respond(json=envelope(QR))
    qr = await client.login.get_login_qr_code(region_id=Region.JIANGSU, type=DeviceType.MAC)
    assert sent(route) == {"appId": "", "type": "mac", "regionId": "320000"}
    assert qr.app_id == "wx_example_app_id"
    assert qr.image.startswith(b"\xff\xd8")  # the official example's JPEG
    assert "/9j/" not in repr(qr)  # the image is not dumped into reprs


async def test_check_login_decodes_status_and_account(api, client):
    """checkLogin's answer becomes a LoginCheck with a LoginStatus and the LoginInfo."""
    api.post("/login/checkLogin").respond(json=envelope(CHECK))
    check = await client.login.check_login("wx_1", "uuid1")
    assert check.status is LoginStatus.LOGGED_IN
    assert check.logged_in
    assert check.login_info is not None
    assert check.login_info.wxid == "wxid_g"
    assert check.login_info.alias is None


async def test_check_online_returns_a_bool(api, client):
    """checkOnline's data is the answer: True or False."""
    api.post("/login/checkOnline").respond(json=OFFICIAL["login/checkOnline"]["response_example"])
    assert await client.login.check_online("wx_1") is True


async def test_login_by_account_decodes_both_documented_steps(api, client):
    """Both examples on the page (step 1 and step 2) decode."""
    text = OFFICIAL["login/loginByAccount"]["response_example"]
    step1, step2 = (json.loads(m) for m in re.findall(r"\{\s*\"ret\".*?\n\}", text, re.S))
    api.post("/login/loginByAccount").mock(
        side_effect=[httpx.Response(200, json=step1), httpx.Response(200, json=step2)]
    )
    first = await client.login.login_by_account(
        account="a", password="p", step=1, region_id="320000"
    )
    second = await client.login.login_by_account(
        first.app_id, account="a", password="p", step=2, region_id="320000"
    )
    assert first.app_id == "wx_example_app_id"
    assert second.status is LoginStatus.SCANNED
    assert second.login_info is None


async def test_set_callback_sends_the_client_token_and_never_shows_it(api, client, caplog):
    """setCallback's body carries the client's token; the request's repr and logs do not."""
    from gewe_async._api.login import SetCallbackRequest

    route = api.post("/login/setCallback").respond(json={"ret": 500, "msg": "失败", "data": None})
    with pytest.raises(GeweAPIError) as caught:
        await client.login.set_callback("https://example.com/cb", max_retries=0)
    assert sent(route) == {"token": TOKEN, "callbackUrl": "https://example.com/cb"}
    assert TOKEN not in repr(SetCallbackRequest(token=TOKEN, callback_url="https://example.com/cb"))
    assert TOKEN not in str(caught.value) + caplog.text


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda c: c.login.get_login_qr_code(region_id="Jiangsu"), ValueError),
        (lambda c: c.login.get_login_qr_code(region_id="320000", type="android"), ValueError),
        (lambda c: c.login.check_login("wx_1", ""), ValueError),
        (lambda c: c.login.set_callback("not a url"), ValueError),
        (
            lambda c: c.login.login_by_account(
                account="a", password="p", step=3, region_id="320000"
            ),
            ValueError,
        ),
        (lambda c: c.login.check_login("wx_1", "u", auto_sliding="yes"), TypeError),
    ],
)
async def test_bad_login_input_is_refused_before_sending(api, client, call, error):
    """Malformed login arguments raise before any request."""
    with pytest.raises(error):
        await call(client)
    assert not api.calls


# -- the fake and the flow ---------------------------------------------------------------------


@pytest.fixture
def fake() -> FakeGewe:
    return FakeGewe(token="login-token")


def with_nullable(schema: dict, *paths: tuple[str, ...]) -> dict:
    """The schema with some fields also allowed to be null, as the pages' own examples show."""
    schema = copy.deepcopy(schema)
    for path in paths:
        node = schema
        for key in path[:-1]:
            node = node["properties"][key]
        leaf = node["properties"][path[-1]]
        leaf["type"] = [leaf["type"], "null"]
    return schema


async def test_fake_login_answers_fit_the_official_schemas(fake):
    """The fake's getLoginQrCode, checkLogin, dialogLogin and checkOnline fit the pages."""
    # loginInfo is null until logged in (loginByAccount's own example), and alias may be null
    # (getProfile's example): the only deviations allowed.
    check_schema = with_nullable(
        OFFICIAL["login/checkLogin"]["response_schema"],
        ("data", "loginInfo"),
        ("data", "loginInfo", "alias"),
    )
    async with fake.client() as client:
        transport = client._core.http._transport
        http = httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1/v2/api")
        headers = {"X-GEWE-TOKEN": fake.token}
        post = lambda path, body: http.post(path, json=body, headers=headers)  # noqa: E731
        qr = (
            await post("/login/getLoginQrCode", {"appId": "", "type": "ipad", "regionId": "320000"})
        ).json()
        jsonschema.validate(qr, OFFICIAL["login/getLoginQrCode"]["response_schema"])
        app_id, uuid = qr["data"]["appId"], qr["data"]["uuid"]
        waiting = (await post("/login/checkLogin", {"appId": app_id, "uuid": uuid})).json()
        jsonschema.validate(waiting, check_schema)
        fake.scan(app_id)
        fake.confirm(app_id)
        done = (await post("/login/checkLogin", {"appId": app_id, "uuid": uuid})).json()
        jsonschema.validate(done, check_schema)
        online = (await post("/login/checkOnline", {"appId": app_id})).json()
        jsonschema.validate(online, OFFICIAL["login/checkOnline"]["response_schema"])
        await post("/login/logout", {"appId": app_id})
        dialog = (await post("/login/dialogLogin", {"appId": app_id, "regionId": "320000"})).json()
        jsonschema.validate(dialog, OFFICIAL["login/dialogLogin"]["response_schema"])
    assert done["data"]["status"] == 2
    assert online["data"] is True


async def test_flow_logs_a_new_device_in_and_the_profile_follows(fake):
    """From a token to a logged-in appId and its profile, with the library alone."""
    states = []

    def on_update(update):
        states.append(update.state)
        if update.state is LoginState.QR_CODE:
            fake.scan(update.app_id)
        elif update.state is LoginState.SCANNED:
            fake.confirm(update.app_id)

    async with fake.client() as client:
        account = await client.login.login(
            region_id=Region.JIANGSU, poll_interval=0.01, on_update=on_update
        )
        profile = await client.personal.get_profile(account.app_id)
        assert await client.login.check_online(account.app_id)
    assert states == [LoginState.QR_CODE, LoginState.SCANNED, LoginState.LOGGED_IN]
    assert account.app_id in fake.devices
    assert profile.wxid == account.wxid
    assert not account.already


async def test_flow_reports_verification_and_waits_for_it(fake):
    """A phone asking to verify the new device is a NEEDS_VERIFICATION step, then it goes on."""
    async with fake.client() as client:
        states = []
        async for update in client.login.login_updates(region_id="320000", poll_interval=0.01):
            states.append(update.state)
            if update.state is LoginState.QR_CODE:
                fake.scan(update.app_id, needs_verification=True)
            elif update.state is LoginState.NEEDS_VERIFICATION:
                assert "验证" in (update.message or "")
                fake.verify(update.app_id)
            elif update.state is LoginState.SCANNED:
                fake.confirm(update.app_id)
    assert states == [
        LoginState.QR_CODE,
        LoginState.NEEDS_VERIFICATION,
        LoginState.SCANNED,
        LoginState.LOGGED_IN,
    ]


async def test_flow_on_a_logged_in_account_returns_it(fake):
    """Logging in an appId whose account is online returns it, marked already=True."""
    fake.add_device("wx_1", nick_name="Alice")
    async with fake.client() as client:
        account = await client.login.login("wx_1", region_id="320000", poll_interval=0.01)
        with pytest.raises(GeweAlreadyLoggedInError):
            await client.login.get_login_qr_code("wx_1", region_id="320000")
    assert account.already
    assert account.nick_name == "Alice"


async def test_flow_expires_with_the_qr_code(fake):
    """Nobody scans: the code expires, the iterator ends with EXPIRED, login() raises."""
    async with fake.client() as client:
        updates = [
            u.state
            async for u in client.login.login_updates(
                region_id="320000", poll_interval=0.01, qr_lifetime=0.05
            )
        ]
        with pytest.raises(GeweLoginExpiredError) as caught:
            await client.login.login(region_id="320000", poll_interval=0.01, qr_lifetime=0.05)
    assert updates[0] is LoginState.QR_CODE
    assert updates[-1] is LoginState.EXPIRED
    assert caught.value.app_id in fake.devices


async def test_flow_ends_when_the_server_says_the_code_expired(fake):
    """The server's own expiry (refusal on checkLogin) ends the flow as EXPIRED too."""
    async with fake.client() as client:
        states = []
        async for update in client.login.login_updates(region_id="320000", poll_interval=0.01):
            states.append(update.state)
            if update.state is LoginState.QR_CODE:
                fake.expire_login(update.app_id)
    assert states == [LoginState.QR_CODE, LoginState.EXPIRED]


async def test_cancelling_the_flow_stops_polling(fake):
    """Cancelling login() stops the checkLogin polls at once."""
    async with fake.client() as client:
        task = asyncio.create_task(client.login.login(region_id="320000", poll_interval=0.01))
        while sum(r.endpoint == "login/checkLogin" for r in fake.requests) < 3:  # noqa: ASYNC110
            await asyncio.sleep(0.01)  # polling the fake's record is the simplest wait here
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        polls = sum(r.endpoint == "login/checkLogin" for r in fake.requests)
        await asyncio.sleep(0.1)
    assert sum(r.endpoint == "login/checkLogin" for r in fake.requests) == polls


async def test_dialog_login_then_logout(fake):
    """dialogLogin on an offline device, confirmed on the phone, then logout takes it offline."""
    fake.add_device("wx_1")
    fake.set_offline("wx_1")
    async with fake.client() as client:
        dialog = await client.login.dialog_login("wx_1", region_id="320000")
        fake.confirm("wx_1")
        check = await client.login.check_login("wx_1", dialog.uuid)
        assert check.logged_in
        await client.login.logout("wx_1")
        assert not await client.login.check_online("wx_1")
        await client.login.set_callback("http://127.0.0.1:9/hook")
    assert fake.callback_url == "http://127.0.0.1:9/hook"


async def test_login_flow_over_a_real_fake_server_with_auto_login(fake):
    """With auto_login, the fake advances logins by itself (as `fake-server --auto-login`)."""
    fake.auto_login = True
    async with (
        fake.serve() as base_url,
        AsyncGeweClient(token=fake.token, base_url=base_url) as client,
    ):
        account = await client.login.login(region_id="320000", poll_interval=0.01)
    assert fake.devices[account.app_id].online


async def test_flow_polls_through_a_short_outage(api, transport):
    """Connection failures and proxy errors while polling are retried until the code expires."""
    api.post("/login/getLoginQrCode").respond(json=envelope(QR))
    waiting = {**CHECK, "status": 0, "loginInfo": None}
    api.post("/login/checkLogin").mock(
        side_effect=[
            httpx.ConnectError("refused"),
            httpx.Response(503, text="<html>503 Service Unavailable</html>"),
            httpx.Response(200, text="<html>captive portal</html>"),
            httpx.Response(200, json=envelope(waiting)),
            httpx.Response(200, json=envelope(CHECK)),
        ]
    )
    async with AsyncGeweClient(
        token=TOKEN, transport=transport, retries=Retries(max_retries=0)
    ) as c:
        account = await c.login.login(region_id="320000", poll_interval=0.01)
    assert account.wxid == "wxid_g"


async def test_flow_outage_past_the_codes_life_ends_as_expired(api, transport):
    """An outage that outlasts the QR code ends the flow as EXPIRED, not as a crash."""
    api.post("/login/getLoginQrCode").respond(json=envelope(QR))
    api.post("/login/checkLogin").mock(side_effect=httpx.ConnectError("refused"))
    async with AsyncGeweClient(
        token=TOKEN, transport=transport, retries=Retries(max_retries=0)
    ) as c:
        with pytest.raises(GeweLoginExpiredError):
            await c.login.login(region_id="320000", poll_interval=0.01, qr_lifetime=0.1)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), 0, -1])
async def test_flow_refuses_bad_intervals(fake, bad):
    """poll_interval and qr_lifetime must be positive finite seconds (nan would never end)."""
    async with fake.client() as client, asyncio.timeout(10):  # nan polled forever
        with pytest.raises(ValueError, match="poll_interval"):
            await client.login.login(region_id="320000", poll_interval=bad)
        with pytest.raises(ValueError, match="qr_lifetime"):
            await client.login.login(region_id="320000", qr_lifetime=bad)
    assert fake.requests == []
