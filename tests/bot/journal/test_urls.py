"""`journal_from_url`: one string names the journal, as `--journal` takes it."""

from __future__ import annotations

import pytest

from gewe_async.bot import MemoryJournal, RedisJournal, SqliteJournal, journal_from_url


@pytest.mark.parametrize("url", ["memory", "memory://", "memory:///"])
def test_memory_names_the_in_process_journal(url: str):
    """`memory` (with or without slashes) is a MemoryJournal with its defaults."""
    journal = journal_from_url(url)
    assert isinstance(journal, MemoryJournal)
    assert journal.max_pending == MemoryJournal().max_pending


def test_memory_options_come_from_the_query():
    """Query parameters are the keyword arguments, converted to their types."""
    journal = journal_from_url("memory?max_pending=7&dedupe_window=90&full_timeout=0.5")
    assert isinstance(journal, MemoryJournal)
    assert (journal.max_pending, journal.dedupe_window, journal.full_timeout) == (7, 90.0, 0.5)


def test_sqlite_paths_are_relative_with_three_slashes_absolute_with_four(tmp_path):
    """sqlite:///bot.db is relative to the current folder, sqlite:////abs/bot.db absolute."""
    relative = journal_from_url("sqlite:///data/bot.db")
    absolute = journal_from_url(f"sqlite:///{tmp_path}/bot.db?synchronous=normal")
    assert isinstance(relative, SqliteJournal)
    assert isinstance(absolute, SqliteJournal)
    assert str(relative._path) == "data/bot.db"
    assert str(absolute._path) == f"{tmp_path}/bot.db"
    assert absolute._synchronous == "NORMAL"


def test_redis_takes_its_options_and_leaves_redis_py_its_own():
    """Journal options are read; the others stay in the URL for redis-py; the prefix is set."""
    journal = journal_from_url(
        "redis://127.0.0.1:6390/2?partitions=8&lease=1.5&socket_timeout=3", prefix="mybot"
    )
    assert isinstance(journal, RedisJournal)
    assert journal._url == "redis://127.0.0.1:6390/2?socket_timeout=3"
    assert (journal._partitions, journal._lease_ms, journal._prefix) == (8, 1500, "mybot")
    assert journal_from_url("redis://127.0.0.1:6390/0")._prefix == "gewe"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgres://db/x", "unknown journal scheme .postgres."),
        ("sqlite://host/bot.db", "sqlite:///"),
        ("sqlite:///", "sqlite:///"),
        ("memory?max_pending=0", "max_pending"),
        ("memory?colour=blue", "unknown journal option 'colour'"),
        ("sqlite:///bot.db?synchronous=OFF", "synchronous"),
        ("redis://127.0.0.1/0?lease=nan", "lease"),
        ("redis://127.0.0.1/0?lease=inf", "lease"),
        ("redis://127.0.0.1/0?partitions=two", "partitions"),
        ("redis://127.0.0.1/0\n", "control characters"),
    ],
)
def test_a_bad_url_is_refused_with_the_reason(url: str, message: str):
    """Unknown schemes and options, and values out of range, are ValueErrors that say which."""
    with pytest.raises(ValueError, match=message):
        journal_from_url(url)


@pytest.mark.parametrize("prefix", ["", "my bot", "a{b}"])
def test_a_redis_prefix_that_would_break_its_keys_is_refused(prefix: str):
    """Empty, spaced or braced prefixes (braces are Redis Cluster hash tags) are refused."""
    with pytest.raises(ValueError, match="prefix"):
        journal_from_url("redis://127.0.0.1/0", prefix=prefix)


def test_a_url_that_is_not_a_string_is_a_type_error():
    """A path object or bytes is refused as a TypeError."""
    with pytest.raises(TypeError):
        journal_from_url(b"memory")  # type: ignore[arg-type]


def test_a_refused_url_does_not_repeat_its_password():
    """The error names the scheme, not the URL, which may carry credentials."""
    with pytest.raises(ValueError, match="redis\\+sentinel") as caught:
        journal_from_url("redis+sentinel://:hunter2@sentinel:26379/mymaster")
    assert "hunter2" not in str(caught.value)
