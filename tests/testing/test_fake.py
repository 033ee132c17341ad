"""FakeGewe answers like the official pages: envelope, schemas, refusals, state and faults."""

from __future__ import annotations

import copy

import httpx
import jsonschema
import pytest

from gewe_async import (
    AsyncGeweClient,
    GeweAuthError,
    GeweDeviceNotFoundError,
    GeweDeviceOfflineError,
    GeweHTTPStatusError,
    GeweTransportError,
)
from gewe_async.testing import FakeGewe, Faults
from gewe_async.types.personal import PrivacyOption
from tests.helpers import NO_RETRY, OFFICIAL, raw_post


@pytest.fixture
def fake() -> FakeGewe:
    fake = FakeGewe(token="fake-token")
    fake.add_device("wx_1", nick_name="Alice")
    fake.add_device("wx_2", nick_name="Bob", alias="bob88")
    return fake


def official_schema(path: str) -> dict:
    """The page's response schema, with the deviation its own example documents.

    getProfile's schema says alias is a string, but its example (and the real server) send null.
    """
    schema = copy.deepcopy(OFFICIAL[path]["response_schema"])
    if path == "personal/getProfile":
        schema["properties"]["data"]["properties"]["alias"]["type"] = ["string", "null"]
    return schema


PERSONAL_CALLS = {
    "personal/getProfile": {},
    "personal/getQrCode": {},
    "personal/getSafetyInfo": {},
    "personal/privacySettings": {"option": 4, "open": False},
    "personal/updateProfile": {"nickName": "新的"},
    "personal/updateHeadImg": {"headImgUrl": "https://example.com/a.png"},
}


@pytest.mark.parametrize("path", PERSONAL_CALLS)
async def test_answers_fit_the_official_response_schemas(fake, path):
    """Each personal endpoint's answer validates against its official response schema."""
    answer = await raw_post(fake, path, {"appId": "wx_1", **PERSONAL_CALLS[path]}, "fake-token")

    jsonschema.validate(answer, official_schema(path))
    assert answer["ret"] == 200


async def test_official_example_itself_fits_the_adjusted_schema():
    """The schema adjustment is exactly what the official example needs, nothing looser."""
    example = OFFICIAL["personal/getProfile"]["response_example"]
    jsonschema.validate(example, official_schema("personal/getProfile"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(example, OFFICIAL["personal/getProfile"]["response_schema"])


async def test_add_device_gives_defaults_for_every_field(fake):
    """A device added with only an appId has a complete profile, alias None."""
    fake.add_device("wx_new")
    async with fake.client() as client:
        profile = await client.personal.get_profile("wx_new")
    assert profile.alias is None
    assert profile.wxid
    assert profile.nick_name
    assert profile.uin
    assert profile.big_head_img_url
    assert profile.small_head_img_url


def test_add_device_twice_is_refused(fake):
    """An appId can be added once."""
    with pytest.raises(ValueError, match="exists"):
        fake.add_device("wx_1")


async def test_update_head_img_changes_only_that_device(fake):
    """update_head_img changes the device's avatars; others are untouched."""
    before = fake.devices["wx_2"].big_head_img_url
    async with fake.client() as client:
        await client.personal.update_head_img("wx_1", "https://example.com/new.png")
        alice = await client.personal.get_profile("wx_1")
        bob = await client.personal.get_profile("wx_2")
    assert alice.big_head_img_url == "https://example.com/new.png"
    assert alice.small_head_img_url == "https://example.com/new.png"
    assert bob.big_head_img_url == before


async def test_update_profile_and_privacy_are_stateful(fake):
    """update_profile changes fields get_profile reports; privacy_settings is remembered."""
    async with fake.client() as client:
        await client.personal.update_profile("wx_1", nick_name="Alice 2")
        await client.personal.update_profile("wx_1", country="CN", province="Zhejiang", city="")
        await client.personal.privacy_settings("wx_1", PrivacyOption.FIND_BY_PHONE, False)
        profile = await client.personal.get_profile("wx_1")
    assert profile.nick_name == "Alice 2"
    assert (profile.province, profile.city) == ("Zhejiang", "")
    assert fake.devices["wx_1"].privacy[PrivacyOption.FIND_BY_PHONE] is False
    assert fake.devices["wx_2"].privacy[PrivacyOption.FIND_BY_PHONE] is True
    assert fake.devices["wx_2"].nick_name == "Bob"


async def test_missing_token_is_refused_as_documented(fake):
    """No X-GEWE-TOKEN: ret 500, 'X-GEWE-TOKEN 不可为空', HTTP 200."""
    answer = await raw_post(fake, "personal/getProfile", {"appId": "wx_1"}, None)
    assert answer["ret"] == 500
    assert "X-GEWE-TOKEN 不可为空" in answer["msg"]


async def test_wrong_token_is_echoed_by_the_fake_and_redacted_by_the_client(fake):
    """The fake echoes a wrong token like the real server; the client hides it."""
    answer = await raw_post(fake, "personal/getProfile", {"appId": "wx_1"}, "not-the-token")
    assert "X-GEWE-TOKEN=not-the-token 不可用或已过期" in answer["msg"]

    async with fake.client(token="not-the-token") as client:
        with pytest.raises(GeweAuthError) as caught:
            await client.personal.get_profile("wx_1")
    assert "not-the-token" not in str(caught.value)


async def test_unknown_and_offline_devices_are_refused(fake):
    """An unknown appId is 设备不存在; an offline one is 微信已离线; back online it works."""
    fake.set_offline("wx_2")
    async with fake.client() as client:
        with pytest.raises(GeweDeviceNotFoundError):
            await client.personal.get_profile("wx_404")
        with pytest.raises(GeweDeviceOfflineError):
            await client.personal.update_head_img("wx_2", "https://example.com/a.png")
        fake.set_online("wx_2")
        assert (await client.personal.get_profile("wx_2")).alias == "bob88"
    assert fake.devices["wx_2"].big_head_img_url != "https://example.com/a.png"


@pytest.mark.parametrize(
    ("path", "body", "missing"),
    [
        ("personal/getProfile", {}, "appId"),
        ("personal/updateHeadImg", {"appId": "wx_1"}, "headImgUrl"),
        ("personal/privacySettings", {"appId": "wx_1", "option": 4}, "open"),
    ],
)
async def test_missing_required_field_is_refused(fake, path, body, missing):
    """A body without a required field gets ret 500 naming the field."""
    answer = await raw_post(fake, path, body, "fake-token")
    assert answer["ret"] == 500
    assert missing in answer["data"]["msg"]


async def test_requests_are_recorded(fake):
    """fake.requests lists what was received, in order, with the body."""
    async with fake.client() as client:
        await client.personal.get_profile("wx_1")
        await client.personal.update_head_img("wx_2", "https://example.com/b.png")
    assert [(r.endpoint, r.app_id) for r in fake.requests] == [
        ("personal/getProfile", "wx_1"),
        ("personal/updateHeadImg", "wx_2"),
    ]
    assert fake.requests[1].body == {"appId": "wx_2", "headImgUrl": "https://example.com/b.png"}
    assert all(r.token_ok for r in fake.requests)


async def test_unknown_path_and_method_are_http_errors(fake):
    """An endpoint the fake does not serve is a 404; GET is a 405."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=fake.app)) as http:
        assert (await http.post("http://127.0.0.1/v2/api/nope/nothing", json={})).status_code == 404
        assert (await http.get("http://127.0.0.1/v2/api/personal/getProfile")).status_code == 405


async def test_proxy_error_pages_carry_retry_after(fake):
    """With error_rate=1 every answer is a 502/503 HTML page with Retry-After."""
    fake.set_faults(Faults(error_rate=1.0, retry_after=3))
    async with fake.client(retries=NO_RETRY) as client:
        with pytest.raises(GeweHTTPStatusError) as caught:
            await client.personal.get_profile("wx_1")
    assert caught.value.status_code in (502, 503)
    assert caught.value.retry_after == 3
    assert "nginx" in caught.value.body


async def test_faults_are_seeded_and_repeat(fake):
    """The same seed gives the same sequence of failures."""

    async def run(seed: int) -> list[bool]:
        fake.set_faults(Faults(error_rate=0.5, seed=seed))
        results = []
        async with fake.client(retries=NO_RETRY) as client:
            for _ in range(30):
                try:
                    await client.personal.get_profile("wx_1")
                    results.append(True)
                except GeweHTTPStatusError:
                    results.append(False)
        return results

    first, again, other = await run(7), await run(7), await run(8)
    assert first == again
    assert first != other
    assert 5 < first.count(False) < 25


@pytest.mark.parametrize("bad", [{"error_rate": 1.5}, {"drop_rate": -0.1}, {"latency": -1}])
def test_fault_plan_is_checked(bad):
    """Rates outside 0..1 and negative latency are refused."""
    with pytest.raises(ValueError, match=next(iter(bad))):
        Faults(**bad)


async def test_served_over_tcp_with_drops_and_truncations(fake):
    """Over real HTTP, drops and truncations reach the client as GeweTransportError."""
    fake.set_faults(Faults(drop_rate=0.5, truncate_rate=0.5, seed=1))
    async with fake.serve() as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        async with AsyncGeweClient(token=fake.token, base_url=base_url, retries=NO_RETRY) as client:
            for _ in range(6):
                with pytest.raises(GeweTransportError) as caught:
                    await client.personal.get_profile("wx_1")
                assert isinstance(caught.value.__cause__, httpx.RemoteProtocolError)


async def test_served_over_tcp_answers_normally_without_faults(fake):
    """Over real HTTP with no faults, calls succeed and state changes."""
    async with (
        fake.serve() as base_url,
        AsyncGeweClient(token=fake.token, base_url=base_url) as client,
    ):
        await client.personal.update_head_img("wx_1", "https://example.com/tcp.png")
        profile = await client.personal.get_profile("wx_1")
    assert profile.big_head_img_url == "https://example.com/tcp.png"


async def test_gewe_fake_fixture_comes_from_the_plugin(gewe_fake):
    """The pytest11 plugin provides a fresh FakeGewe as `gewe_fake`."""
    assert isinstance(gewe_fake, FakeGewe)
    assert gewe_fake.devices == {}
    gewe_fake.add_device("wx_1", nick_name="Alice")
    async with gewe_fake.client() as client:
        assert (await client.personal.get_profile("wx_1")).nick_name == "Alice"
