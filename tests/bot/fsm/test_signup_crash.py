"""examples/signup_bot.py survives a SIGKILL between two answers of its form (issue 21 item 7).

All real: `gewe-async receive signup_bot:dispatcher --journal sqlite:///bot.db` (uvicorn on
127.0.0.1) in a subprocess, FakeGewe served over HTTP pushing to it and taking its replies,
the conversations in the example's SQLite file beside the journal. The receiver is killed
with SIGKILL after the name was answered; a new one, on the same files, finishes the form.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import pytest

from gewe_async.testing import FakeGewe
from tests.bot_helpers import BOT_APP, FRIEND, text_push, until
from tests.journals import free_port
from tests.paths import EXAMPLES

SECRET = "signup-crash-secret-9d1e"


class Receiver:
    """One `gewe-async receive` of the example, its output in ``receiver.log``."""

    def __init__(self, tmp_path: Path, fake: FakeGewe, base_url: str) -> None:
        self.tmp_path = tmp_path
        self.port = free_port()
        self.args = [
            sys.executable, "-m", "gewe_async", "receive", "signup_bot:dispatcher",
            "--journal", "sqlite:///bot.db", "--port", str(self.port),
            "--token", fake.token, "--base-url", base_url,
        ]  # fmt: skip
        self.env = {
            **os.environ,
            "GEWE_CALLBACK_SECRET": SECRET,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(EXAMPLES), os.getenv("PYTHONPATH")])),
        }
        self.url = f"http://127.0.0.1:{self.port}/gewe/{SECRET}"

    async def start(self) -> Receiver:
        with (self.tmp_path / "receiver.log").open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                *self.args, cwd=self.tmp_path, env=self.env, stdout=log, stderr=log
            )

        async def accepting() -> bool:
            assert self.process.returncode is None, self.output()
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", self.port)
            except OSError:
                return False
            writer.close()
            await writer.wait_closed()
            return True

        await until(accepting)
        return self

    def output(self) -> str:
        return (self.tmp_path / "receiver.log").read_text(errors="replace")[-3000:]

    async def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        await asyncio.wait_for(self.process.wait(), 60)

    async def stop(self) -> int:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGINT)
        return await asyncio.wait_for(self.process.wait(), 60)


async def answer(fake: FakeGewe, receiver: Receiver, text: str, replies: int) -> list[str]:
    """Push ``text`` from the friend; wait until the bot has sent ``replies`` texts in all
    and the push is acknowledged (no handler running, as the health check says)."""
    assert await fake.deliver(text_push(text)) == 200

    def sent() -> list[str]:
        return [t for to, t in fake.devices[BOT_APP].outbox.text_pairs() if to == FRIEND]

    async def acknowledged() -> bool:
        async with httpx.AsyncClient() as http:
            health = await http.get(f"http://127.0.0.1:{receiver.port}/gewe/healthz")
        return len(sent()) >= replies and not health.json()["running_handlers"]

    await eventually(acknowledged)
    return sent()


async def eventually(condition: Callable[[], Awaitable[bool]], seconds: float = 30) -> None:
    """Wait until ``condition()``, ``seconds`` at most (generous: the machine may be loaded)."""
    async with asyncio.timeout(seconds):
        for _ in itertools.count():
            if await condition():
                return
            await asyncio.sleep(0.05)


async def test_the_form_goes_on_after_the_receiver_is_killed_between_two_answers(tmp_path):
    fake = FakeGewe()
    fake.add_device(BOT_APP)
    async with fake.serve() as base_url:
        first = await Receiver(tmp_path, fake, base_url).start()
        try:
            fake.callback_url = first.url
            await answer(fake, first, "/signup", 1)
            await answer(fake, first, "Ada", 2)  # the name is stored: the form is at the city
        finally:
            await first.kill()
        assert first.process.returncode == -signal.SIGKILL
        second = await Receiver(tmp_path, fake, base_url).start()
        try:
            fake.callback_url = second.url
            await answer(fake, second, "Paris", 3)
            replies = await answer(fake, second, "yes", 4)
        finally:
            code = await second.stop()
    assert replies == [
        "What is your name?",
        "Which city do you live in?",
        "Ada from Paris: right? (yes/no)",
        "Welcome, Ada!",
    ], second.output()
    assert code == 0, second.output()
    assert (tmp_path / "bot.db-state").exists()


async def test_a_step_delivered_again_after_a_crash_before_its_ack_is_not_applied_twice(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    import importlib

    from gewe_async.bot.fsm import MemoryStorage
    from gewe_async.callbacks import parse_callback
    from gewe_async.testing import BotHarness

    monkeypatch.syspath_prepend(str(EXAMPLES))
    sys.modules.pop("signup_bot", None)
    signup_bot = importlib.import_module("signup_bot")
    async with BotHarness.create() as bot:
        bot.dispatcher.storage = MemoryStorage()
        bot.include(signup_bot.router)
        await bot.dispatcher.feed(text_push("/signup"))
        name = parse_callback(text_push("Ada"))
        await bot.dispatcher.dispatch(name)  # handled; the process dies before the ack
        await bot.dispatcher.dispatch(name, attempt=2)  # the journal hands it out again
        await bot.dispatcher.feed(text_push("Paris"))
        assert bot.sent()[-1] == (FRIEND, "Ada from Paris: right? (yes/no)")
    sys.modules.pop("signup_bot", None)
