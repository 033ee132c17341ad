"""Shared by the CLI tests: the echo bot they serve, and the processes they start and stop."""

from __future__ import annotations

import asyncio
import subprocess

import pytest

from tests.bot_helpers import until
from tests.journals import free_port

__all__ = ["BOT", "free_port", "stopped", "wait_for_port"]

#: A bot module (``echo_bot:router``) that answers "ping" with "pong".
BOT = """
from gewe_async.bot import Router, filters as f
from gewe_async.callbacks import TextMessage

router = Router()
not_a_bot = 42

@router.on(TextMessage, f.text_equals("ping"))
async def ping(event, ctx):
    await ctx.reply("pong")
"""


async def wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    """Wait until the process accepts connections on ``port`` (failing if it exits first)."""

    async def accepting() -> bool:
        assert process.poll() is None, "gewe-async receive exited early"
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            return False
        writer.close()
        await writer.wait_closed()
        return True

    await until(accepting)


async def stopped(process: subprocess.Popen[bytes]) -> tuple[bytes, bytes]:
    """The output of a process told to stop; killed, and the test failed, if it does not."""
    try:
        return await asyncio.to_thread(process.communicate, None, 60)
    except subprocess.TimeoutExpired:
        process.kill()
        _, err = await asyncio.to_thread(process.communicate)
        command = process.args[3]  # type: ignore[index]
        pytest.fail(f"{command} did not stop within 60 s of SIGTERM:\n{err.decode()[-2000:]}")
