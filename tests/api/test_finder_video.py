"""A Channels video sent on (``message/sendFinderMsg``) or shared (``sns/sendFinderSns``).

Both take the same 13 fields of a ``finder`` search result: one bad value must get the same
error from both, before anything is sent.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest
import respx

from gewe_async import AsyncGeweClient
from gewe_async.exceptions import GeweError

A = "wx_app"
GOOD: dict[str, Any] = {
    "id": 14200853151016716379,
    "username": "v2_060000231003b20faec8c5e08c1ac1d1c903e430b0777f8e8ee48d0a@finder",
    "nickname": "Channels author",
    "head_url": "https://wx.qlogo.cn/finderhead/a/0",
    "nonce_id": "1224199237597810736_0_0_2_2_0",
    "media_type": 4,
    "width": 1080,
    "height": "1920",
    "url": "https://findermp.video.qq.com/251/20302/stodownload?encfilekey=x",
    "thumb_url": "https://findermp.video.qq.com/251/20304/stodownload?encfilekey=y",
    "thumb_url_token": "&token=abc",
    "description": "a video",
    "video_play_len": 12,
}

BAD = [
    ("id", 0, ValueError),
    ("id", 2**64, ValueError),
    ("username", "two words", ValueError),
    ("nonce_id", "", ValueError),
    ("head_url", "", ValueError),
    ("thumb_url_token", "has space", ValueError),
    ("width", "wide", TypeError),
    ("video_play_len", -1, TypeError),
]


async def _send(client: AsyncGeweClient, how: str, fields: dict[str, Any]) -> Any:
    if how == "message":
        return await client.message.send_finder_msg(A, "wxid_friend", **fields)
    return await client.sns.send_finder_sns(A, **fields)


@pytest.mark.parametrize(("field", "value", "error"), BAD)
async def test_one_bad_field_gets_one_error_from_both_endpoints(
    client: AsyncGeweClient, api: respx.MockRouter, field: str, value: Any, error: type[Exception]
) -> None:
    route = api.post(url__regex=r".*").respond(json={"ret": 200, "msg": "ok", "data": {}})
    messages = []
    for how in ("message", "sns"):
        with pytest.raises(error) as caught:
            await _send(client, how, {**GOOD, field: value})
        messages.append(str(caught.value))
    assert messages[0] == messages[1]
    assert not route.called


async def test_the_fields_go_out_alike(client: AsyncGeweClient, api: respx.MockRouter) -> None:
    route = api.post(url__regex=r".*").respond(json={"ret": 200, "msg": "ok", "data": {}})
    for how in ("message", "sns"):
        with contextlib.suppress(GeweError):  # the answer is not the point: the body is
            await _send(client, how, GOOD)
    bodies = [json.loads(call.request.content) for call in route.calls]
    assert len(bodies) == 2
    video = {
        "id",
        "username",
        "nickname",
        "headUrl",
        "nonceId",
        "mediaType",
        "width",
        "height",
        "url",
        "thumbUrl",
        "thumbUrlToken",
        "description",
        "videoPlayLen",
    }
    assert {k: bodies[0][k] for k in video} == {k: bodies[1][k] for k in video}
    assert bodies[0]["width"] == "1080"
    assert bodies[0]["videoPlayLen"] == "12"
