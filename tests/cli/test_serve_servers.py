"""`gewe-async receive --http h11|httptools|auto`: the same guards on either parser.

Real `gewe-async receive` processes on loopback, real sockets that drip, idle or overflow;
no timing asserted (every wait is bounded at 30 s or more for a loaded machine).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from uvicorn.protocols.http.h11_impl import H11Protocol

from gewe_async.cli import _serve, main
from tests.helpers import TOKEN

SECRET = "srv-4kPq9w"
HAS_HTTPTOOLS = importlib.util.find_spec("httptools") is not None
PARSERS = [
    "h11",
    pytest.param(
        "httptools",
        marks=pytest.mark.skipif(not HAS_HTTPTOOLS, reason="uvicorn[standard] not installed"),
    ),
]

BOT = """
from gewe_async.bot import Router

router = Router()
"""

PUSH = json.dumps(
    {
        "TypeName": "AddMsg",
        "Appid": "wx_bot",
        "Wxid": "wxid_wx_bot",
        "Data": {
            "MsgId": 1040356095,
            "FromUserName": {"string": "wxid_friend"},
            "ToUserName": {"string": "wxid_wx_bot"},
            "MsgType": 1,
            "Content": {"string": "hello"},
            "CreateTime": 1705043418,
            "NewMsgId": 7773749793478223190,
        },
    }
).encode()


def push_request(new_msg_id: int = 1) -> bytes:
    body = PUSH.replace(b"7773749793478223190", str(new_msg_id).encode())
    return (
        f"POST /gewe/{SECRET} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\n\r\n"
    ).encode() + body


async def until(condition: Callable[[], Awaitable[bool]]) -> None:
    async with asyncio.timeout(30):
        while not await condition():  # noqa: ASYNC110 - polls another process
            await asyncio.sleep(0.05)


@contextlib.asynccontextmanager
async def receiving(tmp_path: Path, *argv: str) -> AsyncIterator[int]:
    """`gewe-async receive` on a free loopback port, stopped with SIGTERM afterwards."""
    (tmp_path / "quiet_bot.py").write_text(textwrap.dedent(BOT))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEWE_")}
    process = subprocess.Popen(  # noqa: ASYNC220 - started once, waited in a thread
        [sys.executable, "-m", "gewe_async", "receive", "quiet_bot:router", "--token", TOKEN,
         "--port", str(port), "--journal", "memory", *argv],
        cwd=tmp_path, env={**env, "GEWE_CALLBACK_SECRET": SECRET},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip

    async def accepting() -> bool:
        assert process.poll() is None, "gewe-async receive exited early"
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            return False
        await close(writer)
        return True

    try:
        await until(accepting)
        yield port
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            _, err = await asyncio.to_thread(process.communicate, None, 60)
        except subprocess.TimeoutExpired:
            process.kill()
            _, err = await asyncio.to_thread(process.communicate)
            pytest.fail(f"receive did not stop within 60 s of SIGTERM:\n{err.decode()[-2000:]}")
    assert process.returncode == 0, err.decode()
    assert "Traceback" not in err.decode()


async def close(writer: asyncio.StreamWriter) -> None:
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()


async def answer_status(reader: asyncio.StreamReader) -> int:
    """Read one whole HTTP answer; its status."""
    async with asyncio.timeout(30):
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode().split("\r\n")
        length = next(
            int(line.split(":", 1)[1])
            for line in lines
            if line.lower().startswith("content-length")
        )
        await reader.readexactly(length)
    return int(lines[0].split()[1])


async def post_push(port: int, new_msg_id: int) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(push_request(new_msg_id))
        return await answer_status(reader)
    finally:
        await close(writer)


async def closed_by_server(reader: asyncio.StreamReader) -> bytes:
    """What the server sent before it closed the connection (30 s at most); a reset counts
    as closed (a connection closed with unread bytes in the server's buffer ends with a RST)."""
    got = b""
    async with asyncio.timeout(30):
        try:
            while chunk := await reader.read(65536):
                got += chunk
        except ConnectionResetError:
            pass
    return got


# --- which protocol runs ---------------------------------------------------------------------


def test_auto_takes_httptools_when_installed_and_h11_stays_available():
    auto = _serve.guarded_protocol(read_timeout=3, max_connections=7, http="auto")
    h11 = _serve.guarded_protocol(read_timeout=3, max_connections=7, http="h11")
    assert issubclass(h11, H11Protocol)
    assert (h11.read_timeout, h11.max_connections) == (3, 7)  # type: ignore[attr-defined]
    if HAS_HTTPTOOLS:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

        assert issubclass(auto, HttpToolsProtocol)
        assert (auto.read_timeout, auto.max_connections) == (3, 7)  # type: ignore[attr-defined]
    else:
        assert issubclass(auto, H11Protocol)
    with pytest.raises(ValueError, match="auto, h11 or httptools"):
        _serve.resolve_http("h2")  # type: ignore[arg-type]


def test_http_httptools_without_httptools_is_one_line(tmp_path, monkeypatch, capsys):
    """Asked for and missing: said before anything binds, with what to install; exit 2."""
    (tmp_path / "quiet_bot.py").write_text(textwrap.dedent(BOT))
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(_serve, "HttpToolsProtocol", None)
    monkeypatch.setenv("GEWE_CALLBACK_SECRET", SECRET)
    argv = ["receive", "quiet_bot:router", "--http", "httptools", "--port", "0", "--token", TOKEN]
    assert main([*argv, "--journal", "memory"]) == 2
    err = capsys.readouterr().err
    assert "uvicorn[standard]" in err
    assert len(err.strip().splitlines()) == 1
    # auto falls back to h11 then.
    assert issubclass(_serve.guarded_protocol(read_timeout=1, max_connections=1), H11Protocol)


# --- the guards, on each parser --------------------------------------------------------------


@pytest.mark.parametrize("http", PARSERS)
async def test_a_slow_dripping_body_hits_the_read_deadline(tmp_path, http):
    """A body dripped a byte at a time is cut at --read-timeout; pushes still land."""
    async with receiving(tmp_path, "--http", http, "--read-timeout", "1") as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            f"POST /gewe/{SECRET} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
            "content-length: 100000\r\n\r\n{".encode()
        )

        async def drip() -> None:
            with contextlib.suppress(OSError):
                while True:  # 100 KB at two bytes a second: 14 hours without the deadline
                    await asyncio.sleep(0.5)
                    writer.write(b" ")
                    await writer.drain()

        dripping = asyncio.create_task(drip())
        try:
            await closed_by_server(reader)
        finally:
            dripping.cancel()
            await asyncio.gather(dripping, return_exceptions=True)
            await close(writer)
        assert await post_push(port, 1) == 200


@pytest.mark.parametrize("http", PARSERS)
async def test_a_kept_alive_connection_gets_a_deadline_for_each_request(tmp_path, http):
    """A first push answered, then a second one dripping its head on the same connection: cut."""
    async with receiving(tmp_path, "--http", http, "--read-timeout", "1") as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(push_request(2))
            assert await answer_status(reader) == 200
            writer.write(b"POST /gewe/x HTTP/1.1\r\nhost: ")  # and nothing more
            await closed_by_server(reader)
        finally:
            await close(writer)
        assert await post_push(port, 3) == 200


@pytest.mark.parametrize("http", PARSERS)
async def test_idle_connections_beyond_the_cap_do_not_block_a_push(tmp_path, http):
    """40 silent sockets over a cap of 20, and a client dripping headers: pushes still land."""
    argv = ("--http", http, "--max-connections", "20", "--read-timeout", "1")
    async with receiving(tmp_path, *argv) as port:
        idle = []
        slow_reader, slow = await asyncio.open_connection("127.0.0.1", port)
        try:
            slow.write(b"POST /gewe/x HTTP/1.1\r\nhost: ")  # and nothing more
            for _ in range(40):
                idle.append(await asyncio.open_connection("127.0.0.1", port))
            assert await post_push(port, 4) == 200
            await closed_by_server(slow_reader)
            for reader, _ in idle:  # closed to make room, or by the read deadline
                await closed_by_server(reader)
            assert await post_push(port, 5) == 200
        finally:
            for _, writer in idle:
                await close(writer)
            await close(slow)


def overflow_head(port: int) -> bytes:
    """Send 40 KiB of a head that never ends; what the server sent before it closed.

    A plain blocking socket, not asyncio streams: when the server closes with our unread
    headers in its buffer, its kernel answers our next write with a RST, and a StreamReader
    that saw the failed write raises before handing over the answer it already holds. The
    kernel keeps the answer readable in front of the reset, so `recv` gets it.
    """
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(b"POST /gewe/x HTTP/1.1\r\nhost: x\r\n")
            for n in range(40):
                sock.sendall(f"x-pad-{n}: {'a' * 1000}\r\n".encode())
        got = b""
        with contextlib.suppress(ConnectionResetError):
            while chunk := sock.recv(65536):
                got += chunk
    return got


@pytest.mark.parametrize("http", PARSERS)
async def test_a_head_beyond_the_bound_is_refused(tmp_path, http):
    """Headers past MAX_HEAD (16 KiB) get a 4xx and a closed connection, not a growing buffer."""
    async with receiving(tmp_path, "--http", http) as port:
        got = await asyncio.to_thread(overflow_head, port)
        # h11 answers 400 (its "incomplete event" bound), httptools 431: both refuse.
        assert got.startswith((b"HTTP/1.1 400", b"HTTP/1.1 431")), got[:80]
        assert await post_push(port, 6) == 200
