"""`receive`/`worker --storage`: conversations kept beside the journal unless told otherwise."""

from __future__ import annotations

import pytest

from gewe_async.bot import Dispatcher, MemoryStorage, RedisStorage, SqliteStorage
from gewe_async.cli import build_parser
from gewe_async.cli._receive import TargetError, _choose_storage, storage_beside


def args(*argv: str):
    return build_parser().parse_args(["receive", "mybot:dp", *argv])


@pytest.mark.parametrize(
    ("journal", "storage"),
    [
        ("sqlite:///bot.db", "sqlite:///bot.db-state"),
        ("sqlite:////var/lib/bot/j.db?synchronous=NORMAL", "sqlite:////var/lib/bot/j.db-state"),
        ("redis://127.0.0.1:6379/0?partitions=4&lease=30", "redis://127.0.0.1:6379/0"),
        ("memory", "memory"),
    ],
)
def test_the_default_storage_is_beside_the_journal(journal, storage):
    assert storage_beside(journal) == storage


def test_a_sqlite_journal_gets_its_state_twin_file(monkeypatch):
    monkeypatch.delenv("GEWE_STORAGE", raising=False)
    dp = Dispatcher()
    _choose_storage(dp, args("--journal", "sqlite:///bot.db"))
    assert isinstance(dp.storage, SqliteStorage)
    assert "bot.db-state" in repr(dp.storage)


def test_a_redis_journal_shares_its_server_and_prefix():
    dp = Dispatcher()
    _choose_storage(
        dp, args("--journal", "redis://127.0.0.1:6379/0?partitions=4", "--journal-prefix", "b1")
    )
    assert isinstance(dp.storage, RedisStorage)
    assert dp.storage._prefix == "b1"


def test_a_storage_the_bot_chose_is_kept_and_storage_overrides_it(tmp_path):
    chosen = SqliteStorage(tmp_path / "mine.db")
    dp = Dispatcher(storage=chosen)
    _choose_storage(dp, args("--journal", "sqlite:///bot.db"))
    assert dp.storage is chosen
    _choose_storage(dp, args("--journal", "sqlite:///bot.db", "--storage", "memory"))
    assert isinstance(dp.storage, MemoryStorage)


def test_a_bad_storage_url_is_one_line():
    with pytest.raises(TargetError, match=r"^--storage: "):
        _choose_storage(Dispatcher(), args("--storage", "ftp://nowhere"))
