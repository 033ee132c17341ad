"""The personal module against the official example answers, and the exact JSON it sends."""

from __future__ import annotations

import asyncio
import base64
import json
from datetime import UTC, datetime

import httpx
import pytest
import respx

from gewe_async import AsyncGeweClient
from gewe_async.types.personal import LoginRecord, PrivacyOption, Profile, QrCode, Sex
from tests.helpers import OFFICIAL, TOKEN, envelope


def sent(route: respx.Route) -> dict[str, object]:
    """The JSON body of the route's last request."""
    return json.loads(route.calls.last.request.content)


def official_answer(path: str) -> respx.MockResponse:
    return httpx.Response(200, json=OFFICIAL[path]["response_example"])


async def test_get_profile_decodes_the_official_example(api, client):
    """getProfile's documented answer becomes a Profile, with alias None for null."""
    route = api.post("/personal/getProfile").mock(
        return_value=official_answer("personal/getProfile")
    )

    profile = await client.personal.get_profile("wx_1")

    assert isinstance(profile, Profile)
    assert profile.wxid == "zhangchuan2288"
    assert profile.nick_name == "朝夕。"
    assert profile.alias is None
    assert profile.uin == 1042679712
    assert profile.sex == 1
    assert profile.big_head_img_url is not None
    assert profile.big_head_img_url.endswith("/0")
    assert profile.sns_bg_img is not None
    assert sent(route) == {"appId": "wx_1"}


async def test_requests_carry_token_header_and_json(api, client):
    """Each call is a POST of JSON to base/group/name with X-GEWE-TOKEN."""
    route = api.post("/personal/getProfile").mock(
        return_value=official_answer("personal/getProfile")
    )

    await client.personal.get_profile("wx_1")

    request = route.calls.last.request
    assert request.method == "POST"
    assert str(request.url) == "http://api.geweapi.com/gewe/v2/api/personal/getProfile"
    assert request.headers["X-GEWE-TOKEN"] == TOKEN
    assert request.headers["Content-Type"].startswith("application/json")


async def test_gather_runs_calls_for_many_app_ids(api, client):
    """asyncio.gather over appIds returns each appId's own profile, in order."""

    def answer(request: httpx.Request) -> httpx.Response:
        app_id = json.loads(request.content)["appId"]
        data = dict(OFFICIAL["personal/getProfile"]["response_example"]["data"], wxid=app_id)
        return httpx.Response(200, json=envelope(data))

    api.post("/personal/getProfile").mock(side_effect=answer)
    app_ids = [f"wx_{i}" for i in range(20)]

    profiles = await asyncio.gather(*(client.personal.get_profile(a) for a in app_ids))

    assert [p.wxid for p in profiles] == app_ids


async def test_get_qr_code_offers_decoded_image(api, client):
    """getQrCode's base64 is exposed as text and as the decoded JPEG bytes."""
    api.post("/personal/getQrCode").mock(return_value=official_answer("personal/getQrCode"))

    qr = await client.personal.get_qr_code("wx_1")

    assert isinstance(qr, QrCode)
    assert qr.image.startswith(b"\xff\xd8")  # JPEG magic
    assert qr.image == base64.b64decode(qr.qr_code)
    assert len(repr(qr)) < 100


async def test_get_qr_code_accepts_a_data_url(api, client):
    """A data: URL prefix on the base64 is understood."""
    payload = base64.b64encode(b"\x89PNG fake").decode()
    api.post("/personal/getQrCode").respond(
        json=envelope({"qrCode": f"data:image/png;base64,{payload}"})
    )

    qr = await client.personal.get_qr_code("wx_1")

    assert qr.image == b"\x89PNG fake"


async def test_get_safety_info_lists_records_with_datetimes(api, client):
    """getSafetyInfo gives LoginRecords whose last_time is an aware datetime."""
    route = api.post("/personal/getSafetyInfo").mock(
        return_value=official_answer("personal/getSafetyInfo")
    )

    records = await client.personal.get_safety_info("wx_1")

    assert len(records) == 6
    first = records[0]
    assert isinstance(first, LoginRecord)
    assert first.device_name == "iPhone 13 Pro"
    assert first.last_time == datetime.fromtimestamp(1703218815, tz=UTC)
    assert first.last_time.tzinfo is not None
    assert sent(route) == {"appId": "wx_1"}


@pytest.mark.parametrize(
    ("option", "expected"),
    [(PrivacyOption.REQUIRE_FRIEND_VERIFICATION, 4), (39, 39), (PrivacyOption.FIND_BY_PHONE, 8)],
)
async def test_privacy_settings_sends_option_and_open(api, client, option, expected):
    """privacySettings sends the option number and the open flag."""
    route = api.post("/personal/privacySettings").mock(
        return_value=official_answer("personal/privacySettings")
    )

    result = await client.personal.privacy_settings("wx_1", option, open=False)

    assert result is None
    assert sent(route) == {"appId": "wx_1", "option": expected, "open": False}


@pytest.mark.parametrize(
    ("fields", "wire"),
    [
        ({"nick_name": "新名字"}, {"nickName": "新名字"}),
        ({"signature": "hi"}, {"signature": "hi"}),
        ({"sex": Sex.FEMALE}, {"sex": 2}),
        ({"sex": 1}, {"sex": 1}),
        (
            {"country": "CN", "province": "Jiangsu", "city": "Xuzhou"},
            {"country": "CN", "province": "Jiangsu", "city": "Xuzhou"},
        ),
        ({"city": "Xuzhou"}, {"city": "Xuzhou"}),
    ],
)
async def test_update_profile_sends_only_given_fields(api, client, fields, wire):
    """updateProfile sends the appId and exactly the fields given, no nulls."""
    route = api.post("/personal/updateProfile").mock(
        return_value=official_answer("personal/updateProfile")
    )

    await client.personal.update_profile("wx_1", **fields)

    assert sent(route) == {"appId": "wx_1", **wire}


async def test_update_head_img_sends_url(api, client):
    """updateHeadImg sends appId and headImgUrl, and returns None."""
    route = api.post("/personal/updateHeadImg").mock(
        return_value=official_answer("personal/updateHeadImg")
    )

    result = await client.personal.update_head_img("wx_1", "https://example.com/me.png")

    assert result is None
    assert sent(route) == {"appId": "wx_1", "headImgUrl": "https://example.com/me.png"}


async def test_success_is_decided_by_ret_not_msg(api, client):
    """Any msg with ret 200 is success (the server says 操作成功, 执行成功, ...)."""
    api.post("/personal/updateHeadImg").respond(json={"ret": 200, "msg": "执行成功"})

    assert await client.personal.update_head_img("wx_1", "https://example.com/a.png") is None


async def test_unknown_response_fields_are_tolerated(api, client):
    """Fields the model does not know are ignored, not an error."""
    data = dict(OFFICIAL["personal/getProfile"]["response_example"]["data"], newField={"x": 1})
    api.post("/personal/getProfile").respond(json=envelope(data))

    profile = await client.personal.get_profile("wx_1")

    assert profile.wxid == "zhangchuan2288"


async def test_unicode_is_sent_as_utf8(api, client):
    """Chinese text goes out as UTF-8 JSON, readable by the server."""
    route = api.post("/personal/updateProfile").respond(json=envelope())

    await client.personal.update_profile("wx_1", signature="你好，世界")

    assert "你好，世界".encode() in route.calls.last.request.content


async def test_official_request_examples_match_what_we_send(api, transport):
    """For each personal endpoint, our body has the official example's keys (bar proxyIp)."""
    calls = {
        "personal/getProfile": lambda c: c.personal.get_profile("wx_1"),
        "personal/getQrCode": lambda c: c.personal.get_qr_code("wx_1"),
        "personal/getSafetyInfo": lambda c: c.personal.get_safety_info("wx_1"),
        "personal/privacySettings": lambda c: c.personal.privacy_settings("wx_1", 4, True),
        "personal/updateHeadImg": lambda c: c.personal.update_head_img(
            "wx_1", "https://example.com/a.png"
        ),
    }
    async with AsyncGeweClient(token=TOKEN, transport=transport) as client:
        for path, call in calls.items():
            route = api.post(f"/{path}").mock(return_value=official_answer(path))
            await call(client)
            example = set(OFFICIAL[path]["request_example"]) - {"proxyIp"}
            assert set(sent(route)) == example, path
