"""`gewe-async receive` and `worker` run the bot's `dp.schedule` jobs beside serving."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import textwrap

import pytest

from gewe_async.cli import main
from gewe_async.testing import FakeGewe
from tests.cli_helpers import free_port, stopped, wait_for_port

pytest.importorskip("uvicorn")

#: A bot module (``timed_bot:dp``) with a job every second.
TIMED_BOT = """
from gewe_async.bot import Dispatcher

dp = Dispatcher()
dp.schedule.app_ids = ["wx_bot"]

@dp.schedule.every(seconds=1)
async def heartbeat(client, app_id):
    await client.message.post_text(app_id, "wxid_boss", "tick")
"""


async def sent(fake: FakeGewe, process: subprocess.Popen[bytes]) -> None:
    """Wait (60 s at most) until the job's message reached the fake."""
    async with asyncio.timeout(60):
        while not fake.devices["wx_bot"].outbox.texts("wxid_boss"):
            assert process.poll() is None, "the process exited early"
            await asyncio.sleep(0.05)


async def test_receive_runs_the_dispatchers_scheduled_jobs(tmp_path):
    (tmp_path / "timed_bot.py").write_text(textwrap.dedent(TIMED_BOT))
    fake = FakeGewe()
    fake.add_device("wx_bot")
    port = free_port()
    async with fake.serve() as base_url:
        process = subprocess.Popen(  # noqa: ASYNC220 - started once, waited in a thread
            [sys.executable, "-m", "gewe_async", "receive", "timed_bot:dp", "--port", str(port),
             "--token", fake.token, "--base-url", base_url, "--secret", "s3cret-91"],
            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        try:
            await wait_for_port(port, process)
            await sent(fake, process)
        finally:
            process.send_signal(signal.SIGTERM)
            _, err = await stopped(process)
    assert process.returncode == 0, err.decode()[-2000:]
    assert "tick" in fake.devices["wx_bot"].outbox.texts("wxid_boss")
    # The runs are recorded beside the conversations' file (the storage beside the journal).
    assert (tmp_path / "gewe-journal.db-state-schedule").exists()


async def test_a_worker_runs_the_dispatchers_scheduled_jobs(tmp_path):
    from tests.journals import redis_server

    (tmp_path / "timed_bot.py").write_text(textwrap.dedent(TIMED_BOT))
    fake = FakeGewe()
    fake.add_device("wx_bot")
    with redis_server(tmp_path) as redis_url:
        async with fake.serve() as base_url:
            process = subprocess.Popen(  # noqa: ASYNC220 - started once, waited in a thread
                [sys.executable, "-m", "gewe_async", "worker", "timed_bot:dp", "--journal",
                 redis_url, "--token", fake.token, "--base-url", base_url],
                cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            )  # fmt: skip
            try:
                await sent(fake, process)
            finally:
                process.send_signal(signal.SIGTERM)
                _, err = await stopped(process)
    assert process.returncode == 0, err.decode()[-2000:]


def test_a_job_without_accounts_exits_2_saying_so(tmp_path, monkeypatch, capsys):
    (tmp_path / "lost_bot.py").write_text(
        textwrap.dedent(TIMED_BOT).replace('dp.schedule.app_ids = ["wx_bot"]\n', "")
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    assert main(["receive", "lost_bot:dp", "--port", "0", "--token", "t"]) == 2
    err = capsys.readouterr().err
    assert "dp.schedule: job 'heartbeat' has no accounts" in err
    assert "receiving on" not in err  # refused at start, before serving
