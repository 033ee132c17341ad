"""`gewe-async status`: once (a line per device) and --watch (a live table until Ctrl-C)."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from gewe_async.cli import main
from tests.journals import free_port

FAKE_TOKEN = "cli-test-token"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gewe_async", "fake-server", "--port", str(port),
         "--devices", "3", "--token", FAKE_TOKEN],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    import socket

    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise
            time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/v2/api"
    process.terminate()
    process.wait(timeout=10)


def test_status_once_prints_a_line_per_device(server, capsys):
    code = main(["status", "--token", FAKE_TOKEN, "--base-url", server, "wx_00001", "wx_gone"])
    out = capsys.readouterr().out
    assert code == 1
    assert "wx_00001: online" in out
    assert "GeweDeviceNotFoundError" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["status", "--watch", "--interval", "0", "wx_1"], "--interval"),
        (["status", "--watch", "--interval", "soon", "wx_1"], "--interval"),
        (["status", "--watch"], "APP_ID"),
        (["status", "--token", "t", "  "], "APP_ID is empty"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(argv, message, capsys):
    try:
        code = main([*argv, "--base-url", "http://127.0.0.1:9/v2/api"])
    except SystemExit as exit_:  # argparse's own refusals
        code = exit_.code
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_watch_with_a_refused_token_exits_2(server, capsys):
    code = main(["status", "--watch", "--token", "wrong", "--base-url", server, "wx_00001"])
    assert code == 2
    assert "token was refused" in capsys.readouterr().err


def test_watch_shows_a_live_table_and_ends_cleanly_on_ctrl_c(server):
    env = {**os.environ, "COLUMNS": "160"}
    process = subprocess.Popen(
        [sys.executable, "-m", "gewe_async", "status", "--watch", "--interval", "1",
         "--token", FAKE_TOKEN, "--base-url", server, "wx_00001", "wx_00002", "wx_gone"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )  # fmt: skip
    assert process.stderr is not None
    deadline = time.monotonic() + 60
    started = ""
    while "watching" not in started and time.monotonic() < deadline:
        ready, _, _ = select.select([process.stderr], [], [], 1.0)
        if ready:
            started += process.stderr.readline()
        assert process.poll() is None, started
    assert "watching 3 devices" in started
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "Traceback" not in err
    assert "wx_00001" in out
    assert "online" in out
    assert "wx_gone" in out
    assert "offline" in out
    assert "does not know this appId" in out
