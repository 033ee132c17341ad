"""The message module on the wire: the exact JSON of all 23 endpoints, answers, refused input."""

from __future__ import annotations

import asyncio
import json
import math
from datetime import UTC, datetime
from typing import Any

import httpx
import jsonschema
import pytest
import respx

from gewe_async import AsyncGeweClient, GeweAPIError, GeweTimeoutError, Retries
from gewe_async._api.message import ENDPOINTS
from gewe_async.types.message import (
    MENTION_ALL,
    EmojiUrl,
    FileUrl,
    SentImage,
    SentMessage,
    SentVideo,
)
from tests.helpers import NO_RETRY, OFFICIAL, TOKEN, envelope
from tests.message_calls import CALLS, IMAGE_XML, MD5, MINI_XML, TO, VIDEO_XML, VOICE_XML, A

#: Every endpoint that puts a message in a chat: never repeated, and paced per account.
SENDS = {
    path
    for path in CALLS
    if path.startswith(("message/post", "message/forward")) or path == "message/sendFinderMsg"
}


def sent_body(route: respx.Route) -> dict[str, Any]:
    return json.loads(route.calls.last.request.content)


def test_sends_are_declared_sends_and_nothing_else_is():
    """Posts, forwards and sendFinderMsg are sends (not retry-safe); the rest are not sends."""
    assert len(SENDS) == 16
    for endpoint in ENDPOINTS:
        assert endpoint.sends == (endpoint.path in SENDS), endpoint.path
        if endpoint.sends:
            assert not endpoint.retry_safe, endpoint.path
        else:
            assert endpoint.retry_safe, endpoint.path


def test_every_message_endpoint_is_called():
    """The 23 endpoints of the official pages are all tested here (declared: test_endpoints)."""
    official = {path for path in OFFICIAL if path.startswith("message/")}
    assert len(official) == 23
    assert official == set(CALLS)


@pytest.mark.parametrize("path", CALLS)
async def test_exact_json_sent_and_official_example_answer_decoded(api, client, path):
    """Each method sends exactly the documented body, which fits the page's request schema."""
    call, body = CALLS[path]
    route = api.post(f"/{path}").mock(
        return_value=httpx.Response(200, json=OFFICIAL[path]["response_example"])
    )

    result = await call(client.message)

    assert sent_body(route) == body
    jsonschema.validate(body, OFFICIAL[path]["request_schema"])
    response = next(e.response for e in ENDPOINTS if e.path == path)
    if response is None:
        assert result is None
    elif response in (FileUrl, EmojiUrl):
        assert result.startswith("http://")
    else:
        assert isinstance(result, response)


async def test_post_image_answer_keeps_ids_exact_and_cdn_fields(api, client):
    """A 19-digit newMsgId stays an exact int; the CDN fields come back for a resend."""
    data = {
        "toWxid": TO,
        "createTime": 1704163145,
        "msgId": 640355969,
        "newMsgId": 8992614056172360123,
        "type": None,
        "aesKey": "7678",
        "fileId": "3052",
        "length": 1096,
        "width": 400,
        "height": 300,
        "md5": "e635",
    }
    api.post("/message/postImage").mock(return_value=httpx.Response(200, json=envelope(data)))

    sent = await client.message.post_image(A, TO, "https://x.test/a.png")

    assert sent == SentImage(
        to_wxid=TO,
        create_time=datetime(2024, 1, 2, 2, 39, 5, tzinfo=UTC),
        msg_id=640355969,
        new_msg_id=8992614056172360123,
        type=None,
        aes_key="7678",
        file_id="3052",
        length=1096,
        width=400,
        height=300,
        md5="e635",
    )


async def test_post_video_answer_with_null_time_and_type_decodes(api, client):
    """postVideo's documented nulls (createTime, type) are accepted."""
    api.post("/message/postVideo").mock(
        return_value=httpx.Response(200, json=OFFICIAL["message/postVideo"]["response_example"])
    )
    sent = await client.message.post_video(A, TO, "https://x.test/v.mp4", "https://x.test/t", 3)
    assert isinstance(sent, SentVideo)
    assert sent.create_time is None
    assert sent.type is None
    assert sent.file_id is not None


async def test_download_image_sends_the_default_type(api, client):
    """The required `type` goes out as 2 (regular size) when not given."""
    route = api.post("/message/downloadImage").mock(
        return_value=httpx.Response(200, json=OFFICIAL["message/downloadImage"]["response_example"])
    )
    await client.message.download_image(A, IMAGE_XML)
    assert sent_body(route) == {"appId": A, "xml": IMAGE_XML, "type": 2}


async def test_revoke_sends_the_ids_of_the_answer(api, client):
    """revoke(sent) sends the answer's chat, both ids and its time, as strings."""
    sent = SentMessage(TO, datetime.fromtimestamp(1704163145, UTC), 769533801, 2**62 + 7, 1)
    route = api.post("/message/revokeMsg").mock(return_value=httpx.Response(200, json=envelope()))

    await client.message.revoke(A, sent)

    assert sent_body(route) == {
        "appId": A,
        "toWxid": TO,
        "msgId": "769533801",
        "newMsgId": str(2**62 + 7),
        "createTime": "1704163145",
    }


async def test_revoke_without_a_time_is_refused_before_sending(api, client):
    """An answer without createTime cannot be revoked by revoke(); nothing is sent."""
    route = api.post("/message/revokeMsg")
    with pytest.raises(ValueError, match="create_time"):
        await client.message.revoke(A, SentMessage(TO, None, 1, 2, None))
    assert not route.called


async def test_mentions_build_the_text_and_ats_together(api, client):
    """mentions= puts @name heads before the text and the same wxids, in order, in ats."""
    route = api.post("/message/postText").mock(
        return_value=httpx.Response(200, json=OFFICIAL["message/postText"]["response_example"])
    )

    await client.message.post_text(A, TO, "lunch?", mentions={"wxid_a": "Alice", "wxid_b": "Bob"})
    assert sent_body(route) == {
        "appId": A,
        "toWxid": TO,
        "content": "@Alice\u2005@Bob\u2005lunch?",
        "ats": "wxid_a,wxid_b",
    }

    await client.message.post_text(A, TO, "meeting", mentions={MENTION_ALL: "所有人"})
    assert sent_body(route)["ats"] == "notify@all"
    assert sent_body(route)["content"] == "@所有人\u2005meeting"


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda m: m.post_text(A, "", "hi"), ValueError),
        (lambda m: m.post_text(A, "  ", "hi"), ValueError),
        (lambda m: m.post_text(A, TO, "hi", ats="a", mentions={"b": "B"}), ValueError),
        (lambda m: m.post_text(A, TO, "hi", mentions={"a,b": "A"}), ValueError),
        (lambda m: m.post_text(A, TO, "hi", mentions={"a": ""}), ValueError),
        (lambda m: m.post_text(A, TO, "hi", mentions={}), ValueError),
        (lambda m: m.post_image(A, TO, "file:///etc/passwd"), ValueError),
        (lambda m: m.post_image(A, TO, "ftp://x.test/a.png"), ValueError),
        (lambda m: m.post_image(A, TO, "/tmp/a.png"), ValueError),
        (lambda m: m.post_file(A, TO, "https://x.test/a", ""), ValueError),
        (lambda m: m.post_voice(A, TO, "https://x.test/v.silk", 0), ValueError),
        (lambda m: m.post_voice(A, TO, "https://x.test/v.silk", -5), ValueError),
        (lambda m: m.post_voice(A, TO, "https://x.test/v.silk", 1.5), TypeError),
        (lambda m: m.post_voice(A, TO, "https://x.test/v.silk", math.nan), TypeError),
        (lambda m: m.post_voice(A, TO, "https://x.test/v.silk", True), TypeError),
        (lambda m: m.post_video(A, TO, "https://x.test/v", "https://x.test/t", 0), ValueError),
        (lambda m: m.post_emoji(A, TO, "not-an-md5", 10), ValueError),
        (lambda m: m.post_emoji(A, TO, MD5, math.inf), TypeError),
        (lambda m: m.post_app_msg(A, TO, "<msg/>"), ValueError),
        (lambda m: m.post_app_msg(A, TO, "<appmsg><title>x</appmsg>"), ValueError),
        (lambda m: m.forward_image(A, TO, VIDEO_XML), ValueError),
        (lambda m: m.forward_image(A, TO, "just text"), ValueError),
        (lambda m: m.forward_file(A, TO, "<html><appmsg/></html>"), ValueError),
        (lambda m: m.forward_video(A, TO, 42), TypeError),
        (lambda m: m.forward_mini_app(A, TO, MINI_XML, "javascript:alert(1)"), ValueError),
        (lambda m: m.download_image(A, IMAGE_XML, type=4), ValueError),
        (lambda m: m.download_voice(A, VOICE_XML, 0), ValueError),
        (lambda m: m.download_emoji_md5(A, ""), ValueError),
        (
            lambda m: m.download_cdn(A, aes_key="k", file_id="f", type=6, total_size=1, suffix=""),
            ValueError,
        ),
        (lambda m: m.revoke_msg(A, TO, -1, 2, 3), ValueError),
        (lambda m: m.revoke_msg(A, TO, 1, 2.5, 3), ValueError),
        (lambda m: m.revoke_msg(A, TO, 1, "12a", 3), ValueError),
        (
            lambda m: m.forward_image(
                A, TO, '<!DOCTYPE x [<!ENTITY a "aaaa">]><msg><img a="&a;"/></msg>'
            ),
            ValueError,
        ),
    ],
)
async def test_bad_input_is_refused_before_sending(api, client, call, error):
    """Empty recipients, non-http(s) media, bad durations, bad XML never reach the server."""
    route = api.route().mock(return_value=httpx.Response(200, json=envelope()))
    with pytest.raises(error):
        await call(client.message)
    assert not route.called


@pytest.mark.parametrize(
    "endpoint", [e for e in ENDPOINTS if e.sends], ids=lambda e: e.path.partition("/")[2]
)
async def test_sends_are_not_repeated_after_a_timeout(api, endpoint):
    """No send is retried once the request may have arrived; each is declared a send."""
    assert not endpoint.retry_safe
    route = api.post(f"/{endpoint.path}").mock(side_effect=httpx.ReadTimeout("slow"))
    call = CALLS[endpoint.path][0]
    async with AsyncGeweClient(
        token=TOKEN, transport=httpx.MockTransport(api.async_handler), send_interval=None
    ) as client:
        with pytest.raises(GeweTimeoutError):
            await call(client.message)
    assert route.call_count == 1


@pytest.mark.parametrize("path", ["message/revokeMsg", "message/downloadImage"])
async def test_revoke_and_downloads_are_retried(api, path):
    """Revoking and downloading are retried after a timeout: repeating them sends nothing."""
    route = api.post(f"/{path}").mock(
        side_effect=[
            httpx.ReadTimeout("slow"),
            httpx.Response(200, json=OFFICIAL[path]["response_example"]),
        ]
    )
    retries = Retries(max_retries=1, initial_delay=0.001, max_delay=0.001)
    async with AsyncGeweClient(
        token=TOKEN, transport=httpx.MockTransport(api.async_handler), retries=retries
    ) as client:
        await CALLS[path][0](client.message)
    assert route.call_count == 2


async def test_a_refused_send_is_a_typed_error(api, client):
    """A ret:500 answer to a send is a GeweAPIError carrying the endpoint."""
    api.post("/message/postText").mock(
        return_value=httpx.Response(200, json=envelope({"code": "-1"}, ret=500, msg="发送失败"))
    )
    with pytest.raises(GeweAPIError) as caught:
        await client.with_options(retries=NO_RETRY).message.post_text(A, TO, "hi")
    assert caught.value.endpoint == "message/postText"


async def test_post_text_to_many_gives_one_outcome_per_chat(api, client):
    """One text to many chats: every chat gets an outcome, a refusal does not stop the rest."""

    def answer(request: httpx.Request) -> httpx.Response:
        to = json.loads(request.content)["toWxid"]
        if to == "bad@chatroom":
            return httpx.Response(200, json=envelope(ret=500, msg="发送失败"))
        data = {"toWxid": to, "createTime": 1, "msgId": 0, "newMsgId": 2**60, "type": 1}
        return httpx.Response(200, json=envelope(data))

    route = api.post("/message/postText").mock(side_effect=answer)
    progress: list[tuple[str, int, int]] = []
    chats = ["a@chatroom", "bad@chatroom", "wxid_c"]

    result = await client.message.post_text_to_many(
        A, chats, "hi", on_progress=lambda o, done, total: progress.append((o.app_id, done, total))
    )

    assert [o.app_id for o in result.outcomes] == chats
    assert [o.ok for o in result.outcomes] == [True, False, True]
    assert isinstance(result.failed[0].error, GeweAPIError)
    assert [p[1:] for p in progress] == [(1, 3), (2, 3), (3, 3)]
    assert [json.loads(c.request.content)["toWxid"] for c in route.calls] == chats


async def test_post_text_to_many_queues_one_send_at_a_time():
    """One send of the batch waits in the client at a time: none spends its total_timeout
    queued behind the account's other paced sends."""
    queued: list[int] = []

    async def answer(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0)  # a real server answers later: the batch runs meanwhile
        queued.append(client._core.limiter._slots[A].users)  # this call and those behind it
        data = {"toWxid": "x", "createTime": 1, "msgId": 0, "newMsgId": 1, "type": 1}
        return httpx.Response(200, json=envelope(data))

    client = AsyncGeweClient(token=TOKEN, transport=httpx.MockTransport(answer), send_interval=None)
    async with client:
        result = await client.message.post_text_to_many(A, [f"wxid_{i}" for i in range(5)], "hi")
    assert len(result.succeeded) == 5
    assert queued == [1, 1, 1, 1, 1]


async def test_post_text_to_many_refuses_bad_chats_before_sending(api, client):
    """An empty or repeated chat refuses the whole batch before any send."""
    route = api.post("/message/postText")
    with pytest.raises(ValueError, match="empty"):
        await client.message.post_text_to_many(A, ["a", ""], "hi")
    with pytest.raises(ValueError, match="twice"):
        await client.message.post_text_to_many(A, ["a", "a"], "hi")
    assert not route.called
