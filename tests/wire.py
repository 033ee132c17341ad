"""Calls checked on the wire: each page's documented answer, and the JSON a call sends.

Every group's tests mock one endpoint with its page's answer, run the call and look at what it
sent (``call_and_capture``); the fakes' tests check answers against the same examples.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import respx

from gewe_async import AsyncGeweClient
from gewe_async.testing._routes.finder import example as finder_example
from tests.helpers import OFFICIAL

Call = Callable[[AsyncGeweClient], Awaitable[Any]]

#: Answers where the page has no example answer (search, createChatroom), or one the
#: extraction did not keep (uploadSnsImage: the page lists it under ``examples``).
EXAMPLE_GAPS: dict[str, Any] = {
    "contacts/search": {
        "ret": 200,
        "msg": "操作成功",
        "data": {
            "v3": "v3_020b3826fd03010000@stranger",
            "nickName": "Ashley",
            "sex": 2,
            "signature": None,
            "bigHeadImgUrl": "https://wx.qlogo.cn/a/0",
            "smallHeadImgUrl": "https://wx.qlogo.cn/a/132",
            "v4": "v4_000b708f0b04000001@stranger",
        },
    },
    "group/createChatroom": {
        "ret": 200,
        "msg": "操作成功",
        "data": {"chatroomId": "34757816141@chatroom", "headImgBase64": "/9j/4AAQSkZJRg=="},
    },
    "sns/uploadSnsImage": {
        "ret": 200,
        "msg": "操作成功",
        "data": [
            {
                "fileUrl": "http://szmmsns.qpic.cn/mmsns/FzeKA69P5uJr4JZ7M7h6bAeMo2q/0",
                "thumbUrl": "http://szmmsns.qpic.cn/mmsns/FzeKA69P5uJr4JZ7M7h6bAeMo2q/150",
                "fileMd5": "704de7ebbc107a51a4f0986253a6d3b6",
                "length": 1096,
                "width": 1920,
                "height": 1080,
            }
        ],
    },
}


def documented_answer(path: str) -> dict[str, Any]:
    """The page's documented answer: its example (the success one where it has several), or ours."""
    if path in EXAMPLE_GAPS:
        return EXAMPLE_GAPS[path]
    example = OFFICIAL[path]["response_example"]
    if isinstance(example, str):  # commentList's example is JSON written as a string
        example = json.loads(example, strict=False)
    if isinstance(example, dict):
        return example
    if path.startswith("finder/"):  # the pages' success examples, as the fake keeps them
        return {"ret": 200, "msg": "操作成功", "data": finder_example(path.partition("/")[2])}
    raise KeyError(f"{path}: the page has no example answer; add one to EXAMPLE_GAPS")


async def call_and_capture(
    api: respx.MockRouter, client: AsyncGeweClient, path: str, call: Call
) -> tuple[dict[str, Any], Any]:
    """Answer ``path`` with its documented answer; return the JSON sent and what the call gave."""
    answer = httpx.Response(200, json=documented_answer(path))
    route = api.post(f"/{path}").mock(return_value=answer)
    result = await call(client)
    assert route.call_count == 1
    return json.loads(route.calls.last.request.content), result
