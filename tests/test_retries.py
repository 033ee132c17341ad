"""The retry policy: what is retried, how long it waits, and what the caller sees."""

from __future__ import annotations

import logging

import httpx
import pytest

from gewe_async import (
    AsyncGeweClient,
    CallEvent,
    GeweDeviceOfflineError,
    GeweHTTPStatusError,
    GeweTimeoutError,
    GeweTransportError,
    Retries,
)
from gewe_async.testing import FakeGewe, Faults
from tests.helpers import OFFICIAL, TOKEN, envelope

PROFILE = OFFICIAL["personal/getProfile"]["response_example"]["data"]
SENT = {"toWxid": "x@chatroom", "createTime": 1703841160, "msgId": 0, "newMsgId": 1, "type": 1}
QUICK = Retries(initial_delay=0.001, max_delay=0.002)
PAGE_503 = httpx.Response(503, headers={"Retry-After": "0.01"}, text="<html>503</html>")


@pytest.fixture
async def quick(transport):
    """A client on the mocked API whose backoff is a few milliseconds."""
    events: list[CallEvent] = []
    async with AsyncGeweClient(
        token=TOKEN, transport=transport, retries=QUICK, event_hooks=[events.append]
    ) as client:
        client.events = events  # type: ignore[attr-defined]
        yield client


async def test_read_is_retried_after_503_and_succeeds(api, quick):
    """A 503 then a good answer: the read succeeds on the second attempt."""
    route = api.post("/personal/getProfile").mock(
        side_effect=[PAGE_503, httpx.Response(200, json=envelope(PROFILE))]
    )
    profile = await quick.personal.get_profile("wx_1")
    assert profile.wxid == PROFILE["wxid"]
    assert route.call_count == 2
    assert [(e.attempt, e.error is None) for e in quick.events] == [(1, False), (2, True)]


async def test_retry_after_is_waited_for(api, quick):
    """The server's Retry-After is the wait before the next attempt."""
    api.post("/personal/getProfile").mock(
        side_effect=[PAGE_503, httpx.Response(200, json=envelope(PROFILE))]
    )
    await quick.personal.get_profile("wx_1")
    assert quick.events[0].retry_in == 0.01


async def test_retry_after_beyond_the_cap_is_raised_with_the_wait(api, transport):
    """A Retry-After longer than max_retry_after is not waited for: raised at once, with it."""
    route = api.post("/personal/getProfile").respond(503, headers={"Retry-After": "3600"})
    retries = Retries(max_retry_after=60)
    async with AsyncGeweClient(token=TOKEN, transport=transport, retries=retries) as client:
        with pytest.raises(GeweHTTPStatusError) as caught:
            await client.personal.get_profile("wx_1")
    assert caught.value.retry_after == 3600
    assert caught.value.attempts == 1
    assert route.call_count == 1


async def test_exhausted_retries_report_the_attempts(api, quick):
    """After max_retries + 1 failed attempts the last error is raised, counting them."""
    route = api.post("/personal/getProfile").mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(GeweTimeoutError) as caught:
        await quick.personal.get_profile("wx_1")
    assert caught.value.attempts == 3
    assert "after 3 attempts" in str(caught.value)
    assert route.call_count == 3
    assert [e.retry_in is not None for e in quick.events] == [True, True, False]


async def test_business_refusals_are_not_retried(api, quick):
    """ret: 500 (an offline device) is an answer, not a fault: one attempt only."""
    route = api.post("/personal/getProfile").respond(
        json={"ret": 500, "msg": "操作失败", "data": {"code": "-1", "msg": "微信已离线"}}
    )
    with pytest.raises(GeweDeviceOfflineError) as caught:
        await quick.personal.get_profile("wx_1")
    assert route.call_count == 1
    assert caught.value.attempts == 1


@pytest.mark.parametrize(
    "failure",
    [httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("dropped"), PAGE_503],
    ids=["timeout", "dropped", "503"],
)
async def test_send_is_never_repeated_once_it_may_have_arrived(api, quick, failure):
    """postText is not retried after a failure that may follow the server receiving it."""
    mock = {"return_value": failure} if isinstance(failure, httpx.Response) else {}
    route = api.post("/message/postText").mock(side_effect=None, **mock)
    if not mock:
        route.mock(side_effect=failure)
    with pytest.raises((GeweTransportError, GeweHTTPStatusError)) as caught:
        await quick.message.post_text("wx_1", "x@chatroom", "hello")
    assert route.call_count == 1
    assert caught.value.attempts == 1


@pytest.mark.parametrize("failure", [httpx.ConnectError("refused"), httpx.ConnectTimeout("slow")])
async def test_send_is_retried_when_it_never_left(api, quick, failure):
    """postText is retried when the connection failed before the request was sent."""
    route = api.post("/message/postText").mock(
        side_effect=[failure, httpx.Response(200, json=envelope(SENT))]
    )
    sent = await quick.message.post_text("wx_1", "x@chatroom", "hello")
    assert sent.new_msg_id == 1
    assert route.call_count == 2


async def test_transport_errors_say_whether_the_request_was_sent(api, client):
    """request_sent is False for connect failures and True once the request may have left."""
    api.post("/personal/getProfile").mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(GeweTransportError) as unsent:
        await client.personal.get_profile("wx_1", max_retries=0)
    api.post("/personal/getProfile").mock(side_effect=httpx.ReadError("reset"))
    with pytest.raises(GeweTransportError) as sent:
        await client.personal.get_profile("wx_1", max_retries=0)
    assert unsent.value.request_sent is False
    assert sent.value.request_sent is True


async def test_max_retries_per_call_and_per_view(api, quick):
    """max_retries= on a call or on with_options() overrides the client's policy."""
    route = api.post("/personal/getProfile").mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(GeweTimeoutError):
        await quick.personal.get_profile("wx_1", max_retries=0)
    assert route.call_count == 1
    with pytest.raises(GeweTimeoutError):
        await quick.with_options(max_retries=4).personal.get_profile("wx_1")
    assert route.call_count == 1 + 5
    assert quick.retries.max_retries == 2  # the client itself is unchanged


async def test_total_timeout_ends_a_call_that_keeps_failing(api, transport):
    """total_timeout bounds the whole call, retries and waits included."""
    api.post("/personal/getProfile").mock(side_effect=httpx.ReadTimeout("slow"))
    retries = Retries(max_retries=1000, initial_delay=0.02, max_delay=0.02)
    async with AsyncGeweClient(token=TOKEN, transport=transport, retries=retries) as client:
        with pytest.raises(GeweTimeoutError, match=r"total timeout of 0\.2 s") as caught:
            await client.personal.get_profile("wx_1", total_timeout=0.2)
    assert caught.value.attempts >= 2
    assert caught.value.endpoint == "personal/getProfile"
    assert isinstance(caught.value.__cause__, GeweTimeoutError)  # the last attempt's error


async def test_total_timeout_ends_a_stalled_first_attempt():
    """A call stuck in its first attempt ends at total_timeout, as a GeweTimeoutError."""
    fake = FakeGewe(faults=Faults(latency=5))
    fake.add_device("wx_1")
    async with fake.client() as client:
        with pytest.raises(GeweTimeoutError) as caught:
            await client.personal.get_profile("wx_1", total_timeout=0.1)
    assert caught.value.attempts == 1
    assert caught.value.request_sent is True


async def test_attempts_are_logged_with_the_token_redacted(api, transport, caplog):
    """Each failed attempt and the retry are logged at INFO with endpoint, appId and attempt."""
    echo = {"ret": 500, "msg": f"HTTP HEADER: X-GEWE-TOKEN={TOKEN} 不可用或已过期", "data": None}
    api.post("/personal/getProfile").mock(side_effect=[PAGE_503, httpx.Response(200, json=echo)])
    caplog.set_level(logging.DEBUG, logger="gewe_async")
    async with AsyncGeweClient(token=TOKEN, transport=transport, retries=QUICK) as client:
        with pytest.raises(Exception, match="不可用"):
            await client.personal.get_profile("wx_9")
    messages = [r.getMessage() for r in caplog.records if r.name == "gewe_async"]
    assert any("personal/getProfile [wx_9] attempt 1 failed" in m for m in messages)
    assert any("failed after 2 attempt(s)" in m for m in messages)
    assert all(TOKEN not in m for m in messages)


def test_backoff_grows_is_capped_and_jittered():
    """Waits double from initial_delay, never exceed max_delay, and lose at most a quarter."""
    policy = Retries(initial_delay=1.0, max_delay=5.0)
    error = GeweTransportError("reset")
    for retry, full in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 5.0), (9, 5.0)]:
        waits = [policy.delay(retry, error) for _ in range(200)]
        assert all(0.75 * full <= w <= full for w in waits)  # type: ignore[operator]
        assert len(set(waits)) > 1


@pytest.mark.parametrize(
    ("bad", "error"),
    [({"max_retries": -1}, ValueError), ({"initial_delay": 0}, ValueError)],
)
def test_bad_retry_settings_are_refused(bad, error):
    """A negative retry count or a zero delay is refused when the policy is built."""
    with pytest.raises(error):
        Retries(**bad)


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"max_retries": -1}, ValueError),
        ({"max_retries": "2"}, TypeError),
        ({"total_timeout": 0}, ValueError),
        ({"retries": 3}, TypeError),
    ],
)
async def test_bad_call_options_are_refused_before_sending(api, client, options, error):
    """Malformed or unknown per-call options raise before any request."""
    route = api.post("/personal/getProfile").respond(json=envelope(PROFILE))
    with pytest.raises(error):
        await client.personal.get_profile("wx_1", **options)
    assert not route.called


@pytest.mark.parametrize("total_timeout", [None, 60.0])
async def test_a_foreign_timeout_error_is_not_taken_for_the_total_timeout(
    api, transport, total_timeout
):
    """A bare TimeoutError from a broken transport is not reported as our total timeout."""
    api.post("/personal/getProfile").mock(side_effect=TimeoutError("transport bug"))
    async with AsyncGeweClient(
        token=TOKEN, transport=transport, total_timeout=total_timeout
    ) as client:
        with pytest.raises(TimeoutError, match="transport bug"):
            await client.personal.get_profile("wx_1")
