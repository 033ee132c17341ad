"""``gewe-async dead-letters list|replay|purge`` against a real SQLite file and redis-server."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from gewe_async.bot import Journal, RedisJournal, SqliteJournal, journal_from_url
from gewe_async.cli import main
from tests.journals import entry, redis_server


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server on loopback for this module."""
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


def bury(journal: Journal, *keys: str) -> None:
    """Store entries `keys` (one chat each) and dead-letter them, in a run of its own."""

    async def run() -> None:
        await journal.open()
        try:
            for key in keys:
                await journal.append(entry(key, chat=f"chat-{key}", body=f"body of {key}".encode()))
            deliveries = aiter(journal.consume())
            for n in range(len(keys)):
                async with asyncio.timeout(30):
                    delivery = await anext(deliveries)
                await journal.dead_letter(
                    delivery, error=f"ValueError: [bold]{n}", attempts=3, first_failed_at=1.0
                )
        finally:
            await journal.aclose()

    asyncio.run(run())


def pending_keys(url: str, prefix: str | None = None) -> list[str]:
    """The keys a new run of the journal hands out (waiting briefly for each)."""

    async def run() -> list[str]:
        journal = journal_from_url(url, prefix=prefix)
        await journal.open()
        keys = []
        try:
            deliveries = aiter(journal.consume())
            while True:
                try:
                    async with asyncio.timeout(2):
                        delivery = await anext(deliveries)
                except TimeoutError:
                    return sorted(keys)
                keys.append(delivery.entry.key)
                await journal.ack(delivery)
        finally:
            await journal.aclose()

    return asyncio.run(run())


@pytest.fixture(params=["sqlite", "redis"])
def journal_url(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, list[str]]:
    """A journal URL holding dead letters of `a` and `b`, and the CLI options naming it."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'bot.db'}"
        bury(SqliteJournal(tmp_path / "bot.db"), "a", "b")
        return url, ["--journal", url]
    url = request.getfixturevalue("redis_url")
    prefix = f"cli-{uuid.uuid4().hex[:8]}"
    bury(RedisJournal(url, prefix=prefix), "a", "b")
    return url, ["--journal", url, "--prefix", prefix]


def listed(options: list[str], capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    assert main(["dead-letters", "list", "--json", *options]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_list_replay_purge(journal_url: tuple[str, list[str]], capsys: pytest.CaptureFixture[str]):
    url, options = journal_url
    letters = listed(options, capsys)
    assert sorted(d["key"] for d in letters) == ["a", "b"]
    by_key = {d["key"]: d for d in letters}
    assert by_key["a"]["body"] == "body of a"
    assert by_key["a"]["attempts"] == 3
    assert str(by_key["a"]["error"]).startswith("ValueError: [bold]")

    assert main(["dead-letters", "list", *options]) == 0  # piped: one line each
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split("\t") == ["id", "failed at (UTC)", "runs", "chat", "error"]
    assert sorted(line.split("\t")[3] for line in lines[1:]) == ["chat-a", "chat-b"]
    assert all(line.split("\t")[4].startswith("ValueError: [bold]") for line in lines[1:])

    assert main(["dead-letters", "replay", str(by_key["a"]["id"]), *options]) == 0
    assert "1 dead letters stored again" in capsys.readouterr().out
    prefix = options[options.index("--prefix") + 1] if "--prefix" in options else None
    assert pending_keys(url, prefix) == ["a"]  # handed out by the next run of the journal
    assert [d["key"] for d in listed(options, capsys)] == ["b"]

    assert main(["dead-letters", "purge", "--all", *options]) == 0
    assert "1 dead letters purged" in capsys.readouterr().out
    assert listed(options, capsys) == []
    assert main(["dead-letters", "list", *options]) == 0
    assert "no dead letters" in capsys.readouterr().out


def test_unknown_ids_exit_1(journal_url: tuple[str, list[str]], capsys: pytest.CaptureFixture[str]):
    _, options = journal_url
    assert main(["dead-letters", "purge", "999/0-1", *options]) == 1
    captured = capsys.readouterr()
    assert "0 dead letters purged" in captured.out
    assert "1 of the ids given are not dead letters" in captured.err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["list"], "give --journal"),
        (["list", "--journal", "memory"], "memory journal"),
        (["list", "--journal", "sqlite:///no/such/file.db"], "no journal file"),
        (["list", "--journal", "ftp://x"], "unknown journal scheme"),
        (["replay", "--journal", "sqlite:///x.db"], "or --all"),
        (["purge", "1", "--all", "--journal", "sqlite:///x.db"], "not both"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    argv: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.delenv("GEWE_JOURNAL", raising=False)
    assert main(["dead-letters", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_on_a_terminal_the_list_is_a_table_and_errors_are_not_markup(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
):
    bury(SqliteJournal(tmp_path / "bot.db"), "a")
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    monkeypatch.setenv("COLUMNS", "200")
    assert main(["dead-letters", "list", "--journal", f"sqlite:///{tmp_path / 'bot.db'}"]) == 0
    table = capsys.readouterr().out
    assert table.startswith("┏")
    assert "ValueError: [bold]0" in table


def test_a_sqlite_journal_in_use_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    path = tmp_path / "bot.db"
    bury(SqliteJournal(path), "a")

    async def while_open() -> int:
        journal = SqliteJournal(path)
        await journal.open()
        try:
            return await asyncio.to_thread(
                main, ["dead-letters", "list", "--journal", f"sqlite:///{path}"]
            )
        finally:
            await journal.aclose()

    assert asyncio.run(while_open()) == 2
    err = capsys.readouterr().err
    assert "open in another process" in err
    assert len(err.strip().splitlines()) == 1
