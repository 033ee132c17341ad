"""Shared by the tests of the social-graph groups (contacts, im, group, label)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import respx

from gewe_async import AsyncGeweClient

from .helpers import OFFICIAL

#: Answers for the pages whose example answer is missing (search, createChatroom).
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
}


def official_answer(path: str) -> dict[str, Any]:
    """The page's example answer (or ours, where the page has none)."""
    return EXAMPLE_GAPS.get(path) or OFFICIAL[path]["response_example"]


Call = Callable[[AsyncGeweClient], Awaitable[Any]]


async def call_and_capture(
    api: respx.MockRouter, client: AsyncGeweClient, path: str, call: Call
) -> tuple[dict[str, Any], Any]:
    """Answer ``path`` with its official example; return the JSON sent and what the call gave."""
    route = api.post(f"/{path}").mock(return_value=httpx.Response(200, json=official_answer(path)))
    result = await call(client)
    assert route.call_count == 1
    return json.loads(route.calls.last.request.content), result
