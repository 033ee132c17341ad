"""Every failure a server or network can produce reaches the caller as a typed GeweError."""

from __future__ import annotations

import copy
import logging
import pickle

import httpx
import pytest

from gewe_async import (
    AsyncGeweClient,
    GeweAlreadyLoggedInError,
    GeweAPIError,
    GeweAuthError,
    GeweClientClosedError,
    GeweDeviceNotFoundError,
    GeweDeviceOfflineError,
    GeweError,
    GeweEventLoopError,
    GeweHTTPStatusError,
    GeweResponseError,
    GeweResponseTooLargeError,
    GeweSeatLimitError,
    GeweTimeoutError,
    GeweTransportError,
)
from tests.helpers import OFFICIAL, TOKEN, envelope

PROFILE = OFFICIAL["personal/getProfile"]["response_example"]["data"]


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (
            {"ret": 500, "msg": f"HTTP HEADER: X-GEWE-TOKEN={TOKEN} 不可用或已过期"},
            GeweAuthError,
        ),
        ({"ret": 500, "msg": "HTTP HEADER: X-GEWE-TOKEN 不可为空"}, GeweAuthError),
        (
            {"ret": 500, "msg": "获取失败", "data": {"code": "-1", "msg": "设备不存在"}},
            GeweDeviceNotFoundError,
        ),
        (
            {"ret": 500, "msg": "获取失败", "data": {"code": "-1", "msg": "微信已离线"}},
            GeweDeviceOfflineError,
        ),
        ({"ret": 500, "msg": "微信已登录，请勿重复登录。"}, GeweAlreadyLoggedInError),
        ({"ret": 500, "msg": "已达登录上限"}, GeweSeatLimitError),
        (
            {"ret": 500, "msg": "登录失败", "data": {"code": "-1", "msg": "已达到最大客户端数量"}},
            GeweSeatLimitError,
        ),
        ({"ret": 500, "msg": "something new", "data": None}, GeweAPIError),
        ({"ret": 404, "msg": "not found"}, GeweAPIError),
    ],
)
async def test_documented_refusals_map_to_their_error(api, client, answer, error):
    """Each documented ret:500 answer raises its GeweAPIError subclass with the details."""
    api.post("/personal/getProfile").respond(json=answer)

    with pytest.raises(error) as caught:
        await client.personal.get_profile("wx_9")

    exc = caught.value
    assert type(exc) is error
    assert exc.ret == answer["ret"]
    assert exc.endpoint == "personal/getProfile"
    assert exc.app_id == "wx_9"
    assert exc.attempts == 1
    assert exc.data == answer.get("data")
    assert TOKEN not in exc.msg
    assert TOKEN not in str(exc)
    assert TOKEN not in repr(exc)


async def test_echoed_token_is_redacted_everywhere(api, client, caplog):
    """The token the server echoes appears in no message, attribute or log line."""
    api.post("/personal/getProfile").respond(
        json={
            "ret": 500,
            "msg": f"HTTP HEADER: X-GEWE-TOKEN={TOKEN} 不可用或已过期",
            "data": {"echo": [TOKEN]},
        }
    )
    caplog.set_level(logging.DEBUG, logger="gewe_async")

    with pytest.raises(GeweAuthError) as caught:
        await client.personal.get_profile("wx_1")

    exc = caught.value
    seen = [str(exc), repr(exc), exc.msg, repr(exc.data), *map(str, exc.args), caplog.text]
    assert all(TOKEN not in text for text in seen)
    assert "X-GEWE-TOKEN=***" in exc.msg
    assert "personal/getProfile" in caplog.text


async def test_http_error_status_keeps_status_body_and_retry_after(api, client):
    """A proxy's 503 page becomes GeweHTTPStatusError with status, excerpt and Retry-After."""
    page = "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>"
    api.post("/personal/getProfile").respond(503, text=page, headers={"Retry-After": "7"})

    with pytest.raises(GeweHTTPStatusError) as caught:
        await client.personal.get_profile("wx_1", max_retries=0)

    exc = caught.value
    assert exc.status_code == 503
    assert "Service Temporarily Unavailable" in exc.body
    assert exc.retry_after == 7.0
    assert "HTTP 503" in str(exc)


async def test_huge_error_body_is_capped(api, client):
    """Bodies attached to errors are cut, so an error never carries megabytes."""
    api.post("/personal/getProfile").respond(502, text="x" * 1_000_000)

    with pytest.raises(GeweHTTPStatusError) as caught:
        await client.personal.get_profile("wx_1", max_retries=0)

    assert len(caught.value.body) < 3000
    assert len(str(caught.value)) < 400


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b"<html>oops</html>", "not JSON"),
        (b'{"ret": 200, "msg": "ok"', "not JSON"),
        (b"\xff\xfe\x00", "not JSON"),
        (b"[1, 2]", "envelope"),
        (b'{"msg": "ok", "data": {}}', "envelope"),
        (b'{"ret": "200", "msg": "ok"}', "envelope"),
        (b"null", "envelope"),
    ],
)
async def test_bodies_that_are_not_envelopes_raise_response_error(api, client, body, why):
    """A 200 whose body is not a {ret, msg, data} envelope raises GeweResponseError."""
    api.post("/personal/getProfile").respond(200, content=body)

    with pytest.raises(GeweResponseError) as caught:
        await client.personal.get_profile("wx_1")

    assert why in str(caught.value)
    assert caught.value.body.startswith(body[:5].decode("utf-8", "replace"))


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({**PROFILE, "uin": "abc"}, "uin"),
        ({**PROFILE, "nickName": None}, "nick_name"),
        ({**PROFILE, "sex": True}, "sex"),
        ({k: v for k, v in PROFILE.items() if k != "wxid"}, "wxid"),
        (None, ""),
        ("a string", ""),
        ([PROFILE], ""),
    ],
)
async def test_data_that_does_not_fit_the_model_raises_response_error(api, client, data, field):
    """data that does not fit Profile raises GeweResponseError with cattrs' explanation."""
    api.post("/personal/getProfile").respond(json={"ret": 200, "msg": "ok", "data": data})

    with pytest.raises(GeweResponseError) as caught:
        await client.personal.get_profile("wx_1")

    exc = caught.value
    assert "does not fit Profile" in str(exc)
    assert field in exc.detail
    assert exc.body


async def test_null_string_is_never_turned_into_none_text(api, client):
    """A null in a str | None field is None, never the string 'None'."""
    api.post("/personal/getProfile").respond(json=envelope({**PROFILE, "signature": None}))

    profile = await client.personal.get_profile("wx_1")

    assert profile.signature is None


async def test_invalid_base64_qr_code_raises_response_error(api, client):
    """A qrCode that is not base64 is a bad answer, not a crash later."""
    api.post("/personal/getQrCode").respond(json=envelope({"qrCode": "not base64 at all!"}))

    with pytest.raises(GeweResponseError, match="base64"):
        await client.personal.get_qr_code("wx_1")


@pytest.mark.parametrize(
    ("failure", "error"),
    [
        (httpx.ConnectError("All connection attempts failed"), GeweTransportError),
        (httpx.RemoteProtocolError("peer closed connection"), GeweTransportError),
        (httpx.ReadError("connection reset"), GeweTransportError),
        (httpx.ConnectTimeout("connect timed out"), GeweTimeoutError),
        (httpx.ReadTimeout("read timed out"), GeweTimeoutError),
        (httpx.PoolTimeout("pool timed out"), GeweTimeoutError),
    ],
)
async def test_network_failures_become_transport_errors(api, client, failure, error):
    """httpx's exceptions are wrapped, with the original chained as __cause__."""
    api.post("/personal/getProfile").mock(side_effect=failure)

    with pytest.raises(error) as caught:
        await client.personal.get_profile("wx_1", max_retries=0)

    exc = caught.value
    assert isinstance(exc, GeweTransportError)
    assert exc.__cause__ is failure
    assert exc.endpoint == "personal/getProfile"
    assert exc.app_id == "wx_1"


async def test_calls_after_close_raise_client_closed(api, transport):
    """A closed client refuses calls with GeweClientClosedError, sending nothing."""
    route = api.post("/personal/getProfile").respond(json=envelope(PROFILE))
    client = AsyncGeweClient(token=TOKEN, transport=transport)
    await client.aclose()

    with pytest.raises(GeweClientClosedError):
        await client.personal.get_profile("wx_1")

    assert not route.called


async def test_closed_user_http_client_raises_client_closed(api, transport):
    """A user's http_client closed under us gives GeweClientClosedError, not RuntimeError."""
    api.post("/personal/getProfile").respond(json=envelope(PROFILE))
    http = httpx.AsyncClient(transport=transport)
    await http.aclose()
    async with AsyncGeweClient(token=TOKEN, http_client=http) as client:
        with pytest.raises(GeweClientClosedError):
            await client.personal.get_profile("wx_1")


def test_every_error_is_a_gewe_error():
    """The whole public tree shares one base class, so `except GeweError` catches all."""
    import gewe_async.exceptions as exceptions

    for name in exceptions.__all__:
        assert issubclass(getattr(exceptions, name), GeweError), name


@pytest.mark.parametrize(
    "error",
    [
        GeweDeviceOfflineError(
            ret=500, msg="微信已离线", data={"code": "-1"}, endpoint="e", app_id="a"
        ),
        GeweHTTPStatusError(status_code=502, body="<html>", retry_after=1.0, attempts=3),
        GeweTimeoutError("timed out", request_sent=False, endpoint="e", app_id="a", attempts=2),
        GeweResponseError("bad", body="{}", detail="why"),
        GeweResponseTooLargeError(limit=10, body="[[["),
        GeweEventLoopError("other loop"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_errors_survive_pickle_and_copy(error):
    """Errors cross process pools and task queues with their attributes intact."""
    for clone in (pickle.loads(pickle.dumps(error)), copy.copy(error), copy.deepcopy(error)):
        assert type(clone) is type(error)
        assert vars(clone) == vars(error)
        assert str(clone) == str(error)


@pytest.mark.parametrize(
    "text", ["Event loop is closed", "Task got Future attached to a different loop"]
)
async def test_a_transport_of_another_loop_is_an_event_loop_error(api, transport, text):
    """A transport bound to an ended loop gives GeweEventLoopError, never a false 'closed'."""
    api.post("/personal/getProfile").mock(side_effect=RuntimeError(text))
    async with AsyncGeweClient(token=TOKEN, transport=transport) as client:
        with pytest.raises(GeweEventLoopError, match="another event loop"):
            await client.personal.get_profile("wx_1")
        assert not client.is_closed


def test_moment_post_error_lives_with_the_other_errors():
    """MomentPostError is in gewe_async.exceptions; its old home names the same class."""
    import gewe_async.exceptions as exceptions
    from gewe_async.types import sns

    assert "MomentPostError" in exceptions.__all__
    assert issubclass(exceptions.MomentPostError, exceptions.GeweError)
    assert sns.MomentPostError is exceptions.MomentPostError
    cause = GeweTimeoutError("slow", endpoint="sns/uploadSnsImage", app_id="wx_1")
    error = exceptions.MomentPostError("upload", cause)
    clone = pickle.loads(pickle.dumps(error))
    assert (clone.step, clone.error.message, clone.endpoint) == (
        "upload",
        "slow",
        "sns/uploadSnsImage",
    )
