"""Hostile answers over real loopback TCP: compression bombs, endless and trickling bodies."""

from __future__ import annotations

import asyncio
import json
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest

from gewe_async import (
    AsyncGeweClient,
    GeweAPIError,
    GeweResponseError,
    GeweResponseTooLargeError,
    GeweTimeoutError,
)
from gewe_async._api.personal import GET_PROFILE
from gewe_async._pipeline import decode
from gewe_async._redact import Redactor, Secret
from gewe_async._transport import Answer
from tests.helpers import TOKEN

MiB = 1024 * 1024

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


class Served:
    """A raw HTTP/1.1 server on loopback that counts the body bytes it managed to send."""

    def __init__(self) -> None:
        self.sent = 0
        self.base_url = ""


async def _read_request(reader: asyncio.StreamReader) -> None:
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length")
    )
    await reader.readexactly(length)


async def _serve(
    write_body: Callable[[asyncio.StreamWriter, Served], Awaitable[None]],
) -> AsyncIterator[Served]:
    served = Served()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await _read_request(reader)
            await write_body(writer, served)
        except (ConnectionError, asyncio.CancelledError):
            pass  # the client hung up: what we test
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    served.base_url = f"http://127.0.0.1:{port}/v2/api"
    async with server:
        yield served
        server.close()


def _gzip_of_zeros(size: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    block = bytes(MiB)
    return b"".join(packer.compress(block) for _ in range(size // MiB)) + packer.flush()


BOMB = _gzip_of_zeros(256 * MiB)  # ~250 KB on the wire


@pytest.fixture
async def bomb_server() -> AsyncIterator[Served]:
    async def body(writer: asyncio.StreamWriter, served: Served) -> None:
        head = f"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: {len(BOMB)}\r\n\r\n"
        writer.write(head.encode() + BOMB)
        served.sent += len(BOMB)
        await writer.drain()

    async for served in _serve(body):
        yield served


@pytest.fixture
async def endless_server() -> AsyncIterator[Served]:
    async def body(writer: asyncio.StreamWriter, served: Served) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunk = b"%x\r\n%s\r\n" % (64 * 1024, b"[" * 64 * 1024)
        while served.sent < 1024 * MiB:  # 1 GB, unless the client stops reading first
            writer.write(chunk)
            served.sent += 64 * 1024
            await writer.drain()

    async for served in _serve(body):
        yield served


@pytest.fixture
async def trickle_server() -> AsyncIterator[Served]:
    async def body(writer: asyncio.StreamWriter, served: Served) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
        for _ in range(1000):  # one byte every 0.5 s: each read is quick, the whole is not
            writer.write(b" ")
            served.sent += 1
            await writer.drain()
            await asyncio.sleep(0.5)

    async for served in _serve(body):
        yield served


@pytest.mark.parametrize("through_httpx", [False, True])
async def test_a_gzip_bomb_is_refused_at_the_size_cap(bomb_server, through_httpx):
    """A small gzip answer inflating to 256 MiB stops at max_answer_size, with bounded memory."""
    http = httpx.AsyncClient() if through_httpx else None
    client = AsyncGeweClient(
        token=TOKEN, base_url=bomb_server.base_url, max_answer_size=MiB, http_client=http
    )
    tracemalloc.start()
    try:
        async with client:
            with pytest.raises(GeweResponseTooLargeError) as caught:
                await client.personal.get_profile("wx_1")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        if http is not None:
            await http.aclose()
    assert caught.value.limit == MiB
    assert caught.value.endpoint == "personal/getProfile"
    assert peak < 16 * MiB  # the cap plus buffers, not the 256 MiB the bomb holds


async def test_an_endless_answer_is_cut_at_the_size_cap(endless_server):
    """A chunked answer that never ends is refused once max_answer_size bytes have come."""
    async with AsyncGeweClient(
        token=TOKEN, base_url=endless_server.base_url, max_answer_size=MiB, total_timeout=None
    ) as client:
        with pytest.raises(GeweResponseTooLargeError):
            await client.personal.get_profile("wx_1")
    await asyncio.sleep(0.1)  # let the server notice the hang-up
    assert endless_server.sent < 64 * MiB  # the socket buffers' worth past the cap, not 1 GB


async def test_a_declared_oversized_answer_is_refused_before_reading():
    """An answer whose Content-Length exceeds the cap is refused without reading it."""

    async def body(writer: asyncio.StreamWriter, served: Served) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 5000000\r\n\r\n" + b" " * 1000)
        await writer.drain()
        await asyncio.sleep(5)

    async for served in _serve(body):
        async with AsyncGeweClient(
            token=TOKEN, base_url=served.base_url, max_answer_size=4096
        ) as client:
            with pytest.raises(GeweResponseTooLargeError):
                await client.personal.get_profile("wx_1")


@pytest.mark.parametrize("through_httpx", [False, True])
async def test_a_trickling_answer_ends_within_the_attempt_limit(trickle_server, through_httpx):
    """A byte every 0.5 s never trips the read timeout, but the attempt limit ends the call."""
    http = httpx.AsyncClient() if through_httpx else None
    async with AsyncGeweClient(
        token=TOKEN,
        base_url=trickle_server.base_url,
        timeout=1.0,  # each phase: the attempt may take pool + connect + read = 3 s
        total_timeout=None,
        http_client=http,
    ) as client:
        async with asyncio.timeout(30):  # guards the test: before the fix it never ended
            with pytest.raises(GeweTimeoutError, match="attempt took longer than"):
                await client.personal.get_profile("wx_1", max_retries=0)
    if http is not None:
        await http.aclose()
    assert 2 <= trickle_server.sent < 30


@pytest.mark.parametrize("ret", [200, 500])
@pytest.mark.parametrize("depth", [600, 100_000])
def test_deeply_nested_answers_are_response_errors(ret, depth):
    """JSON nested past what json or the redactor can recurse into is a GeweResponseError."""
    data = "[" * depth + "]" * depth
    body = f'{{"ret": {ret}, "msg": "x", "data": {{"msg": {data}}}}}'.encode()
    with pytest.raises(GeweResponseError, match=r"nested too deeply|does not fit"):
        decode(GET_PROFILE, Answer(200, [], body), Redactor(Secret(TOKEN)))


def test_a_huge_refusal_message_is_capped():
    """A refusal's msg is cut like bodies are, so a hostile server cannot flood logs."""
    body = json.dumps({"ret": 500, "msg": "x" * 1_000_000, "data": {"msg": "y" * 1_000_000}})
    with pytest.raises(GeweAPIError) as caught:
        decode(GET_PROFILE, Answer(200, [], body.encode()), Redactor(Secret(TOKEN)))
    error = caught.value
    assert len(error.msg) < 4096
    assert len(str(error)) < 8192
