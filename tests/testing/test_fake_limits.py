"""The fake under hostile requests: it answers as documented and never buffers without bound."""

from __future__ import annotations

from typing import Any

import httpx

from gewe_async.testing import FakeGewe
from gewe_async.testing._fake import MAX_REQUEST_BODY


async def _call(fake: FakeGewe, chunks: Any) -> tuple[int, bytes]:
    """Send one POST to the fake's ASGI app, the body from ``chunks``; return status, body."""
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/v2/api/personal/getProfile",
        "headers": [(b"x-gewe-token", fake.token.encode())],
    }
    status = 0
    body = b""

    async def receive() -> dict[str, Any]:
        chunk, more = next(chunks)
        return {"type": "http.request", "body": chunk, "more_body": more}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status, body
        if message["type"] == "http.response.start":
            status = message["status"]
        else:
            body += message.get("body", b"")

    await fake.app(scope, receive, send)
    return status, body


async def test_a_deeply_nested_body_gets_the_documented_refusal():
    """A body nested past json's recursion limit is 'not a JSON object' (ret 500), not HTTP 500."""
    fake = FakeGewe()
    deep = b"[" * 100_000 + b"]" * 100_000
    async with fake.serve() as base_url, httpx.AsyncClient() as http:
        answer = await http.post(
            f"{base_url}/personal/getProfile", content=deep, headers={"X-GEWE-TOKEN": fake.token}
        )
    assert answer.status_code == 200
    assert answer.json()["ret"] == 500
    assert answer.json()["data"]["msg"] == "请求体必须是JSON对象"


async def test_a_huge_body_is_refused_without_being_read_whole():
    """An endless body is cut at MAX_REQUEST_BODY and refused with 413, as nginx would."""
    fake = FakeGewe()
    sent = 0

    def endless() -> Any:
        nonlocal sent
        while True:
            sent += 1
            yield b"x" * 1024 * 1024, True

    status, body = await _call(fake, endless())
    assert status == 413
    assert b"Request Entity Too Large" in body
    assert sent <= MAX_REQUEST_BODY // (1024 * 1024) + 1
    assert fake.requests == []


async def test_recorded_requests_never_show_the_callback_token():
    """repr(fake.requests) hides setCallback's token, as the client's own reprs do."""
    fake = FakeGewe()
    async with fake.client() as client:
        await client.login.set_callback("https://example.com/hook")
    assert fake.requests[0].body["token"] == fake.token  # still there for assertions
    assert fake.token not in repr(fake.requests)
    assert "https://example.com/hook" in repr(fake.requests)
