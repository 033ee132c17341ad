"""The default aiohttp-backed transport, over real loopback TCP (FakeGewe served by uvicorn)."""

from __future__ import annotations

import asyncio
import gzip
import json

import httpx
import pytest

from gewe_async import AiohttpTransport, AsyncGeweClient, GeweTimeoutError, GeweTransportError
from gewe_async.testing import FakeGewe, Faults
from tests.journals import free_port


@pytest.fixture
def fake() -> FakeGewe:
    fake = FakeGewe(token="fake-token")
    fake.add_device("wx_1", nick_name="Alice")
    return fake


async def test_default_client_uses_the_aiohttp_transport(fake):
    """A client without http_client/transport sends through AiohttpTransport, and it works."""
    async with fake.serve() as base_url, AsyncGeweClient(token=fake.token, base_url=base_url) as c:
        assert isinstance(c._core.http._transport, AiohttpTransport)
        profiles = await asyncio.gather(*(c.personal.get_profile("wx_1") for _ in range(20)))
    assert {p.nick_name for p in profiles} == {"Alice"}
    assert len(fake.requests) == 20  # the fake checks the token on each


async def test_transport_serves_a_users_httpx_client(fake):
    """AiohttpTransport under a user's httpx.AsyncClient keeps httpx semantics (hooks run)."""
    seen: list[str] = []

    async def hook(request: httpx.Request) -> None:
        seen.append(request.url.path)

    async with fake.serve() as base_url:
        http = httpx.AsyncClient(transport=AiohttpTransport(), event_hooks={"request": [hook]})
        async with (
            http,
            AsyncGeweClient(token=fake.token, base_url=base_url, http_client=http) as c,
        ):
            profile = await c.personal.get_profile("wx_1")
    assert profile.nick_name == "Alice"
    assert seen == ["/v2/api/personal/getProfile"]


async def test_refused_connection_is_a_connect_error():
    """Nothing listening: GeweTransportError caused by httpx.ConnectError (request never sent)."""
    base_url = f"http://127.0.0.1:{free_port()}/v2/api"
    async with AsyncGeweClient(token="t0ken-value", base_url=base_url) as client:
        with pytest.raises(GeweTransportError) as caught:
            await client.personal.get_profile("wx_1", max_retries=0)
    assert type(caught.value.__cause__) is httpx.ConnectError


async def test_slow_answer_is_a_read_timeout(fake):
    """An answer slower than the read timeout: GeweTimeoutError caused by httpx.ReadTimeout."""
    fake.set_faults(Faults(latency=1.0))
    async with fake.serve() as base_url, AsyncGeweClient(token=fake.token, base_url=base_url) as c:
        with pytest.raises(GeweTimeoutError) as caught:
            await c.personal.get_profile("wx_1", timeout=0.2, max_retries=0)
    assert type(caught.value.__cause__) is httpx.ReadTimeout


async def test_dropped_connection_is_not_reported_as_unsent(fake):
    """A connection cut after the request is a RemoteProtocolError, never a connect error."""
    fake.set_faults(Faults(drop_rate=1.0))
    async with fake.serve() as base_url, AsyncGeweClient(token=fake.token, base_url=base_url) as c:
        with pytest.raises(GeweTransportError) as caught:
            await c.personal.get_profile("wx_1", max_retries=0)
    assert type(caught.value.__cause__) is httpx.RemoteProtocolError


async def test_gzip_answers_are_decoded():
    """A Content-Encoding: gzip answer is decoded by httpx, as with its own transport."""
    body = json.dumps({"ret": 200, "msg": "ok", "data": None}).encode()
    packed = gzip.compress(body)

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        await reader.readexactly(16)  # {"appId":"wx_1"}
        head = f"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: {len(packed)}\r\n\r\n"
        writer.write(head.encode() + packed)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server, httpx.AsyncClient(transport=AiohttpTransport()) as http:
        response = await http.post(f"http://127.0.0.1:{port}/", content=b'{"appId":"wx_1"}')
    assert response.json() == {"ret": 200, "msg": "ok", "data": None}


async def test_environment_proxy_is_honoured_and_no_proxy_respected(fake, monkeypatch):
    """HTTP_PROXY is used like httpx does, and NO_PROXY exempts a host."""
    dead_proxy = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("HTTP_PROXY", dead_proxy)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    async with fake.serve() as base_url:
        async with AsyncGeweClient(token=fake.token, base_url=base_url) as client:
            with pytest.raises(GeweTransportError):
                await client.personal.get_profile("wx_1", max_retries=0)  # to the dead proxy
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        async with AsyncGeweClient(token=fake.token, base_url=base_url) as client:
            assert (await client.personal.get_profile("wx_1")).nick_name == "Alice"


async def test_closed_transport_refuses_requests():
    """After aclose(), the transport raises instead of reopening a pool."""
    transport = AiohttpTransport()
    await transport.aclose()
    with pytest.raises(RuntimeError, match="closed"):
        await transport.handle_async_request(httpx.Request("POST", "http://127.0.0.1:9/"))


def test_the_converted_timeouts_cache_stays_small():
    """3,000 distinct per-call timeouts do not grow the transport's cache without bound."""
    transport = AiohttpTransport()
    for i in range(3000):
        transport._timeout({"pool": 1.0, "connect": 1.0, "read": 1.0 + i / 1000})
    assert len(transport._timeouts) <= 64
