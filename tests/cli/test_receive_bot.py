"""`gewe-async receive MODULE:DISPATCHER` serves a bot with uvicorn."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import textwrap

import pytest

from gewe_async.cli import main
from gewe_async.cli._receive import TargetError, load_target
from gewe_async.testing import FakeGewe
from tests.bot_helpers import FRIEND, text_push, until
from tests.cli_helpers import BOT, free_port, stopped, wait_for_port

SECRET = "s3cret-7f2a9c"
async def test_receive_serves_a_bot_module_that_replies_through_the_api(tmp_path):
    """It imports the router, serves it on loopback, replies reach GeWe; the secret never shows."""
    (tmp_path / "echo_bot.py").write_text(textwrap.dedent(BOT))
    fake = FakeGewe()
    fake.add_device("wx_bot")
    port = free_port()
    async with fake.serve() as base_url:
        process = subprocess.Popen(  # noqa: ASYNC220 - started once, waited in a thread
            [
                sys.executable, "-m", "gewe_async", "receive", "echo_bot:router",
                "--port", str(port), "--secret", SECRET, "--token", fake.token,
                "--base-url", base_url,
            ],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )  # fmt: skip
        try:
            await wait_for_port(port, process)
            fake.callback_url = f"http://127.0.0.1:{port}/gewe/{SECRET}"
            assert await fake.deliver(text_push("ping")) == 200
            fake.callback_url = f"http://127.0.0.1:{port}/gewe/wrong"
            assert await fake.deliver(text_push("ping")) == 403
            await until(lambda: fake.devices["wx_bot"].outbox.text_pairs())
        finally:
            process.send_signal(signal.SIGINT)
            out, err = await asyncio.to_thread(process.communicate, None, 20)
    assert fake.devices["wx_bot"].outbox.text_pairs() == [(FRIEND, "pong")]
    assert process.returncode == 0
    assert b"receiving on" in err
    assert SECRET.encode() not in out + err  # no access log printing the path
    assert (tmp_path / "gewe-journal.db").exists()  # by default, pushes are stored in SQLite


def test_load_target_refuses_what_is_not_a_bot(tmp_path, monkeypatch):
    """A missing colon, module or attribute, or a non-router, is a clear error."""
    (tmp_path / "some_bot.py").write_text(textwrap.dedent(BOT))
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    assert load_target("some_bot:router") is not None
    for spec in ("some_bot", "missing_module_xyz:dp", "some_bot:not_a_bot", "some_bot:nothing"):
        with pytest.raises(TargetError):
            load_target(spec)


def test_receive_exits_2_on_a_bad_target(capsys):
    """A target that does not import: exit status 2 and the reason on stderr."""
    assert main(["receive", "missing_module_xyz:dp", "--token", "t"]) == 2
    assert "cannot import" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "reason"),
    [
        (["worker", "echo_bot:router"], "give --journal redis://"),
        (["worker", "echo_bot:router", "--journal", "sqlite:///bot.db"], "redis://"),
        (["receive", "echo_bot:router", "--no-handlers"], "--no-handlers"),
        (["receive", "echo_bot:router", "--journal", "postgres://db/x"], "unknown journal"),
        (["receive", "echo_bot:router", "--journal", "memory?lease=3"], "unknown journal option"),
    ],
)
def test_journal_options_that_cannot_work_exit_2_with_the_reason(argv, reason, capsys):
    """A worker without a shared journal, or a bad journal URL: status 2 before anything runs."""
    assert main([*argv, "--token", "t"]) == 2
    assert reason in capsys.readouterr().err


async def test_split_bot_receivers_store_workers_reply_and_stop_cleanly(tmp_path):
    """`receive --no-handlers` and `worker` on one Redis: the reply is sent; SIGTERM exits 0."""
    from tests.journals import redis_server

    (tmp_path / "echo_bot.py").write_text(textwrap.dedent(BOT))
    fake = FakeGewe()
    fake.add_device("wx_bot")
    port = free_port()
    with redis_server(tmp_path) as redis_url:
        async with fake.serve() as base_url:
            common = ["echo_bot:router", "--journal", f"{redis_url}?partitions=4&lease=1",
                      "--journal-prefix", "cli-test", "--token", fake.token,
                      "--base-url", base_url, "--metrics-interval", "0.2"]  # fmt: skip
            receiver = subprocess.Popen(  # noqa: ASYNC220 - started once, waited in a thread
                [sys.executable, "-m", "gewe_async", "receive", *common, "--no-handlers",
                 "--port", str(port)],
                cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            )  # fmt: skip
            worker = subprocess.Popen(  # noqa: ASYNC220
                [sys.executable, "-m", "gewe_async", "worker", *common],
                cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            )  # fmt: skip
            try:
                await wait_for_port(port, receiver)
                fake.callback_url = f"http://127.0.0.1:{port}/gewe"
                assert await fake.deliver(text_push("ping")) == 200
                await until(lambda: fake.devices["wx_bot"].outbox.text_pairs())
            finally:
                for process in (receiver, worker):
                    process.send_signal(signal.SIGTERM)
                results = [await stopped(p) for p in (receiver, worker)]
    assert fake.devices["wx_bot"].outbox.text_pairs() == [(FRIEND, "pong")]
    assert (receiver.returncode, worker.returncode) == (0, 0)
    worker_err = results[1][1].decode()
    assert "journal depth=" in worker_err  # --metrics-interval reports
    assert fake.token not in worker_err + results[0][1].decode()


async def test_the_client_made_for_a_bot_takes_the_timeout_and_concurrency_options(
    tmp_path, monkeypatch
):
    """--timeout and --concurrency shape the client a bot without its own gets."""
    from gewe_async.cli import build_parser
    from gewe_async.cli._receive import _prepare

    (tmp_path / "opts_bot.py").write_text(textwrap.dedent(BOT))
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    args = build_parser().parse_args(
        ["worker", "opts_bot:router", "--journal", "redis://127.0.0.1:1/0", "--token", "t",
         "--timeout", "7", "--concurrency", "5"]
    )  # fmt: skip
    dp, _, client = _prepare(args)
    assert client is not None
    async with client:
        assert dp.client is client
        assert client.timeout.read == 7
        assert client.limits.max_in_flight == 5
