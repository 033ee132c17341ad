"""`gewe-async receive` over real processes: start-up checks, server limits, signals, logs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from gewe_async.bot._access_log import SecretRedactor
from gewe_async.cli import main
from tests.bot_helpers import text_push
from tests.cli_helpers import BOT, free_port, stopped, wait_for_port
from tests.helpers import TOKEN

SECRET = "rcv-7Hq2xZ"


@pytest.fixture
def bot_dir(tmp_path: Path) -> Path:
    (tmp_path / "echo_bot.py").write_text(textwrap.dedent(BOT))
    return tmp_path


async def until(condition: Callable[[], bool]) -> None:
    """Wait until ``condition()``: 30 s at most, for a loaded machine."""
    async with asyncio.timeout(30):
        while True:
            if condition():
                return
            await asyncio.sleep(0.05)


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEWE_")}
    return {**env, **extra}


def run_receive(cwd: Path, *argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`gewe-async receive ...` expected to refuse its input: it must end on its own."""
    return subprocess.run(
        [sys.executable, "-m", "gewe_async", "receive", *argv, "--token", TOKEN],
        cwd=cwd,
        env=_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def start_receive(cwd: Path, port: int, *argv: str, **env: str) -> subprocess.Popen[bytes]:
    """`gewe-async receive echo_bot:router` serving on ``port``; stderr goes to cwd/err.txt."""
    return subprocess.Popen(
        [sys.executable, "-m", "gewe_async", "receive", "echo_bot:router", "--token", TOKEN,
         "--port", str(port), *argv],
        cwd=cwd, env=_env(**env), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    return result.stderr


# --- start-up: bad input is one line and exit 2, before anything is served -------------------


@pytest.mark.parametrize("where", ["flag", "env"])
def test_an_empty_secret_is_refused_at_start_up(bot_dir, where):
    """`--secret ''` or GEWE_CALLBACK_SECRET='' would authorise an empty header: refused."""
    if where == "flag":
        result = run_receive(bot_dir, "echo_bot:router", "--secret", "", "--journal", "memory")
    else:
        result = run_receive(
            bot_dir, "echo_bot:router", "--journal", "memory", GEWE_CALLBACK_SECRET=""
        )
    assert "secret" in one_line(result)
    assert "empty" in result.stderr


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["echo_bot:router", "--port", "70000"], "--port: must be a port number"),
        (["echo_bot:router", "--port", "-1"], "--port: must be a port number"),
        (["echo_bot:router", "--path", "gewe"], "--path: must start with /"),
        (["echo_bot:nosuch"], "echo_bot has no attribute 'nosuch' (it has: router)"),
        (["echo_bot:not_a_bot"], "echo_bot:not_a_bot is a int, not a gewe_async.bot"),
        (["echo_bot:router", "--secret", "a/b"], "cannot hold /"),
        (["echo_bot:router", "--journal", "sqlite:///no-such-dir/j.db"], "no-such-dir/j.db"),
    ],
)
def test_bad_start_up_input_is_one_line_and_exit_2(bot_dir, argv, says):
    """Ports, paths, targets, secrets and journals are checked before anything is served."""
    assert says in one_line(run_receive(bot_dir, *argv))


def test_a_port_in_use_is_one_line_naming_it(bot_dir):
    """Another server on the port: one line naming host:port, exit 2."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_receive(bot_dir, "echo_bot:router", "--port", str(port))
    err = one_line(result)
    assert f"127.0.0.1:{port}: the port is in use" in err


def test_a_locked_sqlite_journal_is_one_line_naming_the_file(bot_dir):
    """A journal file another process holds: one line naming the file, exit 2."""
    path = bot_dir / "held.db"
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sqlite3, sys, time
            c = sqlite3.connect({str(path)!r}, isolation_level=None)
            c.execute("PRAGMA locking_mode=EXCLUSIVE")
            c.execute("PRAGMA journal_mode=WAL")
            c.execute("BEGIN IMMEDIATE")
            print("held", flush=True)
            time.sleep(120)
        """)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        result = run_receive(
            bot_dir, "echo_bot:router", "--journal", "sqlite:///held.db", "--port", "0"
        )
    finally:
        holder.kill()
        holder.communicate()
    err = one_line(result)
    assert "held.db" in err
    assert "another process" in err


@pytest.mark.parametrize("command", ["receive", "worker"])
def test_a_redis_journal_without_redis_py_is_one_line(bot_dir, command, monkeypatch, capsys):
    """No redis-py installed: said before start-up, with the extra to install; exit 2."""
    monkeypatch.chdir(bot_dir)
    monkeypatch.syspath_prepend(str(bot_dir))
    monkeypatch.setitem(sys.modules, "redis", None)
    monkeypatch.setitem(sys.modules, "redis.asyncio", None)
    argv = [command, "echo_bot:router", "--journal", "redis://127.0.0.1:1/0", "--token", TOKEN]
    if command == "receive":
        argv += ["--no-handlers", "--port", "0"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "gewe-async[redis]" in err
    assert len(err.strip().splitlines()) == 1


# --- running: server limits, signals, logs ----------------------------------------------------


async def close(writer: asyncio.StreamWriter) -> None:
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()


async def post_push(port: int, path: str = f"/gewe/{SECRET}") -> int:
    async with httpx.AsyncClient(timeout=30) as http:
        answer = await http.post(f"http://127.0.0.1:{port}{path}", json=text_push("hello"))
    return answer.status_code


async def test_a_client_dripping_a_body_does_not_hold_up_sigterm(bot_dir):
    """SIGTERM with a body still dripping in: the process drains, closes the journal, exits 0."""
    port = free_port()
    process = start_receive(bot_dir, port, "--secret", SECRET)  # the SQLite journal
    dripping = writer = None
    try:
        await wait_for_port(port, process)
        assert await post_push(port) == 200
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            f"POST /gewe/{SECRET} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
            "content-length: 100000\r\n\r\n{".encode()
        )

        async def drip() -> None:
            while True:  # one byte every half second: 100 KB would take 14 hours
                await asyncio.sleep(0.5)
                writer.write(b" ")
                await writer.drain()

        dripping = asyncio.create_task(drip())
        await asyncio.sleep(1)
        process.send_signal(signal.SIGTERM)
        out, err = await stopped(process)
    finally:
        if dripping is not None:
            dripping.cancel()
            await asyncio.gather(dripping, return_exceptions=True)
        if writer is not None:
            await close(writer)
        if process.poll() is None:
            process.kill()
            process.communicate()
    text = err.decode()
    assert process.returncode == 0, text
    assert "stopped: the journal is closed" in text
    assert not (bot_dir / "gewe-journal.db-wal").exists()  # SQLite closed it cleanly
    assert "Traceback" not in text
    # --secret shows in `ps`: the receiver says to use the variable instead.
    assert "GEWE_CALLBACK_SECRET" in text
    assert SECRET not in out.decode() + text


async def closed_by_server(reader: asyncio.StreamReader) -> bool:
    """Whether the server closed the connection within 30 s: an end of stream, or a reset
    (a connection closed with unread bytes in the server's buffer ends with a RST)."""
    async with asyncio.timeout(30):
        try:
            return await reader.read() == b""
        except ConnectionResetError:
            return True


async def test_idle_and_slow_connections_beyond_the_cap_do_not_block_a_push(bot_dir):
    """40 silent sockets over a cap of 20, and a client dripping headers: pushes still land."""
    port = free_port()
    process = start_receive(
        bot_dir, port, "--journal", "memory", "--max-connections", "20", "--read-timeout", "1",
        GEWE_CALLBACK_SECRET=SECRET,
    )  # fmt: skip
    idle = []
    slow = None
    try:
        await wait_for_port(port, process)
        slow_reader, slow = await asyncio.open_connection("127.0.0.1", port)
        slow.write(b"POST /gewe/x HTTP/1.1\r\nhost: ")  # and nothing more
        for _ in range(40):
            idle.append(await asyncio.open_connection("127.0.0.1", port))
        assert await post_push(port) == 200
        # The header dripper is closed by the read timeout (if the cap did not close it first).
        assert await closed_by_server(slow_reader)
        # Silent connections never made a request: closed by the read timeout too.
        for reader, _ in idle:
            assert await closed_by_server(reader)
        assert await post_push(port) == 200
    finally:
        for _, writer in idle:
            await close(writer)
        if slow is not None:
            await close(slow)
        process.send_signal(signal.SIGTERM)
        _, err = await stopped(process)
    assert process.returncode == 0, err.decode()
    assert "GEWE_CALLBACK_SECRET" not in err.decode()  # the secret came from the variable


async def test_a_second_signal_during_shutdown_exits_quietly(bot_dir):
    """Ctrl-C, then Ctrl-C again while a request is open: no traceback, journal closed."""
    port = free_port()
    log_path = bot_dir / "err.txt"
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(  # noqa: ASYNC220 - started once, waited in a thread
            [sys.executable, "-m", "gewe_async", "receive", "echo_bot:router", "--token", TOKEN,
             "--port", str(port)],
            cwd=bot_dir, env=_env(GEWE_CALLBACK_SECRET=SECRET), stdout=subprocess.DEVNULL,
            stderr=log_file,
        )  # fmt: skip
        try:
            await wait_for_port(port, process)
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(
                f"POST /gewe/{SECRET} HTTP/1.1\r\nhost: x\r\ncontent-length: 9\r\n\r\n{{".encode()
            )
            await writer.drain()
            await asyncio.sleep(0.5)
            process.send_signal(signal.SIGINT)
            await until(lambda: b"Shutting down" in log_path.read_bytes())
            process.send_signal(signal.SIGINT)
            await stopped(process)
            await close(writer)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    text = log_path.read_text()
    assert process.returncode == 0, text
    assert "Traceback" not in text
    assert "stopped: the journal is closed" in text
    assert not (bot_dir / "gewe-journal.db-wal").exists()


async def test_the_access_log_never_shows_the_secret(bot_dir):
    """`--access-log` logs each request with the secret masked; nothing else prints it."""
    port = free_port()
    process = start_receive(
        bot_dir, port, "--journal", "memory", "--access-log", GEWE_CALLBACK_SECRET=SECRET
    )
    try:
        await wait_for_port(port, process)
        assert await post_push(port) == 200
        assert await post_push(port, f"/gewe/{SECRET}/") == 200
        assert await post_push(port, "/gewe/wrong") == 403
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = await stopped(process)
    assert process.returncode == 0, err.decode()
    assert SECRET.encode() not in out + err
    assert b'"POST /gewe/*** HTTP/1.1" 200' in out
    assert b'"POST /gewe/wrong HTTP/1.1" 403' in out


def test_the_redactor_masks_the_secret_in_any_record():
    """As written or percent-encoded, in the message or its arguments; the record is kept."""
    secret = "s3 cr/t"  # needs encoding in a URL
    redactor = SecretRedactor(secret)
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:1", "POST", "/gewe/s3%20cr%2Ft", "1.1", 200), None,
    )  # fmt: skip
    assert redactor.filter(record)
    assert "s3" not in record.getMessage()
    assert "/gewe/***" in record.getMessage()
    record = logging.LogRecord("x", logging.INFO, __file__, 1, f"path {secret}", None, None)
    redactor.filter(record)
    assert record.getMessage() == "path ***"
    assert secret not in repr(redactor)
    with pytest.raises(ValueError, match="empty"):
        SecretRedactor("")


SLOW_BOT = """
import asyncio
import pathlib

from gewe_async.bot import Router
from gewe_async.callbacks import TextMessage

router = Router()

@router.on(TextMessage)
async def slow(event, ctx):
    pathlib.Path("started").touch()
    await asyncio.sleep(120)
"""


async def test_a_second_signal_to_a_worker_exits_quietly_after_the_drain(tmp_path):
    """Ctrl-C twice while a handler runs: the drain is bounded, the journal closed, no traceback."""
    from tests.journals import redis_server

    (tmp_path / "slow_bot.py").write_text(textwrap.dedent(SLOW_BOT))
    port = free_port()
    with redis_server(tmp_path) as redis_url:
        common = ["slow_bot:router", "--journal", f"{redis_url}?partitions=2&lease=1",
                  "--journal-prefix", "second-signal", "--token", TOKEN]  # fmt: skip
        receiver = subprocess.Popen(  # noqa: ASYNC220 - started once, waited in a thread
            [sys.executable, "-m", "gewe_async", "receive", *common, "--no-handlers",
             "--port", str(port)],
            cwd=tmp_path, env=_env(GEWE_CALLBACK_SECRET=SECRET), stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )  # fmt: skip
        worker = subprocess.Popen(  # noqa: ASYNC220
            [sys.executable, "-m", "gewe_async", "worker", *common, "--drain-timeout", "3"],
            cwd=tmp_path, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        try:
            await wait_for_port(port, receiver)
            assert await post_push(port) == 200
            await until(lambda: (tmp_path / "started").exists())
            worker.send_signal(signal.SIGINT)
            await asyncio.sleep(0.5)
            worker.send_signal(signal.SIGINT)
            _, worker_err = await stopped(worker)
        finally:
            for process in (receiver, worker):
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            await stopped(receiver)
            if worker.poll() is None:
                await stopped(worker)
    text = worker_err.decode()
    assert worker.returncode == 0, text
    assert "Traceback" not in text
    assert "were cancelled" in text  # the drain ran to its bound, then cancelled the handler


@pytest.mark.parametrize("command", ["receive", "worker"])
def test_a_redis_journal_that_cannot_be_reached_is_one_line(bot_dir, command):
    """No Redis at the URL: both commands say so in one line at start-up, exit 2."""
    argv = ["echo_bot:router", "--journal", f"redis://127.0.0.1:{free_port()}/0"]
    if command == "receive":
        argv += ["--no-handlers", "--port", "0"]
    result = subprocess.run(
        [sys.executable, "-m", "gewe_async", command, *argv, "--token", TOKEN],
        cwd=bot_dir, env=_env(), capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert "cannot open the journal RedisJournal" in one_line(result)
