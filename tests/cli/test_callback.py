"""`gewe-async set-callback` and `test-callback`, against FakeGewe and a real receiver."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from gewe_async.cli import main
from gewe_async.testing import FakeGewe
from tests.cli_helpers import BOT, free_port, stopped, wait_for_port

SECRET = "cb-Vx81qLm"


@pytest.fixture
async def receiver(tmp_path: Path) -> AsyncIterator[int]:
    """A `gewe-async receive` process (secret from the environment); yields its port."""
    (tmp_path / "echo_bot.py").write_text(textwrap.dedent(BOT))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEWE_")}
    process = subprocess.Popen(  # noqa: ASYNC220 - started once, waited in a thread
        [sys.executable, "-m", "gewe_async", "receive", "echo_bot:router", "--token", "t",
         "--journal", "memory", "--port", str(port)],
        cwd=tmp_path, env={**env, "GEWE_CALLBACK_SECRET": SECRET},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        await wait_for_port(port, process)
        yield port
    finally:
        process.send_signal(signal.SIGTERM)
        await stopped(process)


@pytest.fixture
async def fake() -> AsyncIterator[tuple[FakeGewe, list[str]]]:
    """A FakeGewe over HTTP, and the API options that reach it."""
    fake = FakeGewe()
    async with fake.serve() as base_url:
        yield fake, ["--token", fake.token, "--base-url", base_url]


async def cli(*argv: str) -> int:
    return await asyncio.to_thread(main, list(argv))


async def test_set_callback_checks_the_url_then_sets_it(receiver, fake, capsys):
    """The URL takes the test push, then GeWe is told; GeWe's own test push arrives too."""
    gewe, api = fake
    url = f"http://127.0.0.1:{receiver}/gewe/{SECRET}"
    assert await cli("set-callback", url, *api) == 0
    captured = capsys.readouterr()
    assert gewe.callback_url == url
    await gewe.settle()
    assert [p.status for p in gewe.pushes] == [200]  # setCallback's test push reached the bot
    assert "answered 200 to the test push" in captured.err
    assert "callback URL set" in captured.out
    assert SECRET not in captured.out + captured.err  # shown as /gewe/***


async def test_set_callback_sets_nothing_when_the_url_refuses_the_test_push(receiver, fake, capsys):
    """A wrong secret (403) or path (404): exit 1, the URL not set, the likely cause said."""
    gewe, api = fake
    for path, hint in ((f"/gewe/not-{SECRET}", "wrong secret"), (f"/hook/{SECRET}", "wrong path")):
        assert await cli("set-callback", f"http://127.0.0.1:{receiver}{path}", *api) == 1
        err = capsys.readouterr().err
        assert hint in err
        assert "nothing set" in err
    assert gewe.callback_url is None


async def test_set_callback_no_check_takes_the_url_from_the_environment(fake, monkeypatch, capsys):
    """--no-check sets even an unreachable URL; $GEWE_CALLBACK_URL keeps it out of `ps`."""
    gewe, api = fake
    url = f"http://127.0.0.1:{free_port()}/gewe/{SECRET}"
    monkeypatch.setenv("GEWE_CALLBACK_URL", url)
    assert await cli("set-callback", "--no-check", *api) == 0
    assert gewe.callback_url == url
    monkeypatch.delenv("GEWE_CALLBACK_URL")
    assert await cli("set-callback", *api) == 2  # no URL at all
    assert "GEWE_CALLBACK_URL" in capsys.readouterr().err


@pytest.mark.parametrize("url", ["ftp://example.com/gewe", "example.com/gewe", "http:///x"])
async def test_set_callback_refuses_what_is_not_an_http_url(fake, url, capsys):
    """A bad URL is one line and exit 2, before any request."""
    gewe, api = fake
    assert await cli("set-callback", url, *api) == 2
    err = capsys.readouterr().err
    assert "http:// or https://" in err
    assert len(err.strip().splitlines()) == 1
    assert not gewe.requests  # checked before any call


async def test_set_callback_with_a_refused_token_exits_2(receiver, fake, capsys):
    """The URL answered, but GeWe refused the token: exit 2, as for every command."""
    gewe, api = fake
    url = f"http://127.0.0.1:{receiver}/gewe/{SECRET}"
    assert await cli("set-callback", url, "--token", "wrong", api[-2], api[-1]) == 2
    assert "token was refused" in capsys.readouterr().err
    assert gewe.callback_url is None


async def test_test_callback_reports_the_answer(receiver, capsys):
    """test-callback: exit 0 and the status for 2xx; exit 1 for a refusal or no answer."""
    assert await cli("test-callback", f"http://127.0.0.1:{receiver}/gewe/{SECRET}") == 0
    assert "answered 200 to the test push" in capsys.readouterr().out
    assert await cli("test-callback", f"http://127.0.0.1:{receiver}/gewe/wrong") == 1
    assert "answered 403" in capsys.readouterr().err
    assert await cli("test-callback", f"http://127.0.0.1:{free_port()}/gewe/x") == 1
    assert "cannot reach it" in capsys.readouterr().err
