"""Handlers that hang, cancel themselves, exit the process, or crash it at every delivery."""

from __future__ import annotations

import asyncio
import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from gewe_async.bot import (
    Context,
    Dispatcher,
    Entry,
    HandlerFailedError,
    HandlerTimeoutError,
    Runner,
    SqliteJournal,
)
from gewe_async.callbacks import CallbackEvent, TextMessage
from tests.bot_helpers import text_push, until
from tests.paths import ROOT


def entry(text: str, sender: str = "wxid_friend") -> Entry:
    body = json.dumps(text_push(text, sender=sender)).encode()
    event = Dispatcher().parse(body)
    return Entry(event.idempotency_key, event.chat_key, body, 0.0)


class Bot:
    """A dispatcher whose handler does what the text says; errors are recorded."""

    def __init__(self, **options: object) -> None:
        self.dp = Dispatcher(**options)  # type: ignore[arg-type]
        self.errors: list[tuple[str, Exception]] = []
        self.handled: list[str] = []
        self.hung = 0

        @self.dp.on(TextMessage)
        async def act(event: TextMessage, ctx: Context) -> None:
            if event.text.startswith("hang"):
                self.hung += 1
                await asyncio.Event().wait()
            elif event.text == "cancel":
                raise asyncio.CancelledError
            elif event.text == "exit":
                sys.exit(3)
            elif event.text == "interrupt":
                raise KeyboardInterrupt
            self.handled.append(event.text)

        @self.dp.error_handler
        async def on_error(error: Exception, event: CallbackEvent, ctx: Context) -> None:
            assert isinstance(event, TextMessage)
            self.errors.append((event.text, error))


@pytest.fixture
async def journal(tmp_path: Path):
    journal = SqliteJournal(tmp_path / "journal.sqlite3")
    await journal.open()
    yield journal
    await journal.aclose()


async def empty(journal: SqliteJournal) -> bool:
    return (await journal.stats()).depth == 0


@pytest.mark.parametrize("text", ["cancel", "exit", "interrupt"])
async def test_a_handler_raising_a_base_exception_is_a_failure_and_its_chat_goes_on(
    journal, text
):
    """CancelledError, SystemExit, KeyboardInterrupt of a handler: error handler, dead letter."""
    bot = Bot()
    runner = Runner(bot.dp, journal)
    runner.start()
    try:
        await journal.append(entry(text))
        await journal.append(entry("next in the same chat"))
        await until(lambda: bot.handled == ["next in the same chat"])
        await until(lambda: empty(journal))
    finally:
        await runner.stop(5)
    assert [t for t, _ in bot.errors] == [text]
    error = bot.errors[0][1]
    assert isinstance(error, HandlerFailedError)
    assert isinstance(error.__cause__, asyncio.CancelledError | SystemExit | KeyboardInterrupt)
    [letter] = await journal.dead_letters()
    assert letter.error.startswith("HandlerFailedError")


async def test_a_handler_past_its_timeout_is_cancelled_reported_and_acked(journal):
    """Hung handlers in every slot: each times out, the error handler hears, handling goes on."""
    bot = Bot(concurrency=2, handler_timeout=0.3)
    runner = Runner(bot.dp, journal)
    runner.start()
    try:
        await journal.append(entry("hang 1", sender="wxid_a"))
        await journal.append(entry("hang 2", sender="wxid_b"))
        await journal.append(entry("after", sender="wxid_a"))
        await journal.append(entry("other", sender="wxid_c"))
        await until(lambda: sorted(bot.handled) == ["after", "other"])
        await until(lambda: empty(journal))
    finally:
        await runner.stop(5)
    assert sorted(t for t, _ in bot.errors) == ["hang 1", "hang 2"]
    assert all(isinstance(e, HandlerTimeoutError) for _, e in bot.errors)
    assert all(isinstance(e, TimeoutError) for _, e in bot.errors)


async def test_without_a_timeout_the_handler_is_not_cut_short(journal):
    bot = Bot(handler_timeout=None)
    runner = Runner(bot.dp, journal)
    runner.start()
    await journal.append(entry("hang"))
    await until(lambda: bot.hung == 1)
    await asyncio.sleep(0.2)
    assert bot.errors == []
    assert await runner.stop(0.1) == 1  # cancelled by the stop: not a failure, not acked
    assert bot.errors == []
    assert not await empty(journal)


def test_dispatcher_options_are_checked():
    for bad in (0, -1.0, float("nan"), float("inf"), True, "1"):
        with pytest.raises(ValueError, match="handler_timeout"):
            Dispatcher(handler_timeout=bad)  # type: ignore[arg-type]
    for bad in (0, 1.5, True):
        with pytest.raises(ValueError, match="max_delivery_attempts"):
            Dispatcher(max_delivery_attempts=bad)  # type: ignore[arg-type]


async def test_a_poison_push_is_logged_and_dead_lettered_without_running_handlers(tmp_path, caplog):
    """An entry the process died on at each of its deliveries ends as a logged failure."""
    path = tmp_path / "journal.sqlite3"
    bot = Bot(max_delivery_attempts=3)
    first = SqliteJournal(path)
    await first.open()
    await first.append(entry("poison"))
    await first.aclose()
    for _ in range(3):  # each time: handed out, then the process dies before the ack
        dying = SqliteJournal(path)
        await dying.open()
        async with asyncio.timeout(30):
            await anext(aiter(dying.consume()))
        await dying.aclose()
    journal = SqliteJournal(path)
    await journal.open()
    runner = Runner(bot.dp, journal)
    runner.start()
    try:
        await until(lambda: empty(journal))
    finally:
        await runner.stop(5)
        await journal.aclose()
    assert bot.handled == []
    poison = [r for r in caplog.records if "POISON PUSH" in r.message]
    assert len(poison) == 1
    assert poison[0].levelno == logging.ERROR
    reopened = SqliteJournal(path)
    await reopened.open()
    try:
        [letter] = await reopened.dead_letters()
    finally:
        await reopened.aclose()
    assert letter.error.startswith("poison push")


SCRIPT = """
import asyncio, json, sys
sys.path.insert(0, {root!r})
from gewe_async.bot import Dispatcher, SqliteJournal, Worker, Entry
from gewe_async.callbacks import TextMessage
from tests.bot_helpers import text_push

dp = Dispatcher()

@dp.on(TextMessage)
async def leave(event, ctx):
    sys.exit(3)

async def main():
    journal = SqliteJournal({path!r})
    if sys.argv[1] == "first":
        await journal.open()
        body = json.dumps(text_push("exit", new_msg_id=42)).encode()
        event = dp.parse(body)
        await journal.append(Entry(event.idempotency_key, event.chat_key, body, 0.0))
        await journal.aclose()
    worker = Worker(dp, SqliteJournal({path!r}))
    task = asyncio.create_task(worker.run())
    depth = None
    for _ in range(300):
        await asyncio.sleep(0.1)
        try:
            depth = (await worker.journal.stats()).depth
        except Exception:
            continue  # not open yet
        if depth == 0:
            break
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    print("depth", depth)

asyncio.run(main())
"""


def test_a_handler_calling_sys_exit_does_not_take_the_process_down(tmp_path):
    """Restarted 3 times, the process exits 0 each time: the push ended as a logged failure."""
    script = tmp_path / "exit_bot.py"
    script.write_text(SCRIPT.format(root=str(ROOT), path=str(tmp_path / "j.sqlite3")))
    runs = [
        subprocess.run(
            [sys.executable, str(script), "first" if n == 0 else "again"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        for n in range(3)
    ]
    assert [run.returncode for run in runs] == [0, 0, 0], runs[0].stderr
    assert "depth 0" in runs[0].stdout
    assert "handler failed" in runs[0].stderr
    assert "SystemExit" in runs[0].stderr
    assert all("handler failed" not in run.stderr for run in runs[1:])
