"""One string names a journal: what `gewe-async receive --journal` and `worker` take."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final
from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit, urlunsplit

from gewe_async._validators import number
from gewe_async.bot._journal import Journal
from gewe_async.bot._memory import MemoryJournal
from gewe_async.bot._redis import RedisJournal
from gewe_async.bot._sqlite import SqliteJournal

__all__ = ["journal_from_url"]


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(f"must be at least 1, got {value}")
    return value


def _seconds(text: str) -> float:
    return number("the value", float(text), allow_inf=False)  # NaN, infinity, <= 0 refused


def _synchronous(text: str) -> str:
    value = text.upper()
    if value not in ("FULL", "NORMAL"):
        raise ValueError(f"must be FULL or NORMAL, got {text}")
    return value


# The options each scheme takes from the query string, and how each is read.
_MEMORY: Final[Mapping[str, Callable[[str], Any]]] = {
    "max_pending": _positive_int,
    "dedupe_window": _seconds,
    "dedupe_max_keys": _positive_int,
    "full_timeout": _seconds,
    "max_dead_letters": _positive_int,
}
_SQLITE: Final[Mapping[str, Callable[[str], Any]]] = {
    "synchronous": _synchronous,
    "dedupe_window": _seconds,
    "max_pending": _positive_int,
    "full_timeout": _seconds,
    "max_dead_letters": _positive_int,
}
_REDIS: Final[Mapping[str, Callable[[str], Any]]] = {
    "partitions": _positive_int,
    "lease": _seconds,
    "dedupe_window": _seconds,
    "max_pending": _positive_int,
    "full_timeout": _seconds,
    "max_dead_letters": _positive_int,
    "prefetch": _positive_int,
}


def _options(
    query: list[tuple[str, str]], known: Mapping[str, Callable[[str], Any]], *, strict: bool
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Split the query into the journal's options (converted) and the rest."""
    options: dict[str, Any] = {}
    rest: list[tuple[str, str]] = []
    for name, value in query:
        read = known.get(name)
        if read is None:
            if strict:
                raise ValueError(
                    f"unknown journal option {name!r}; known: {', '.join(sorted(known))}"
                )
            rest.append((name, value))
            continue
        try:
            options[name] = read(value)
        except ValueError as exc:
            raise ValueError(f"journal option {name}: {exc}") from None
    return options, rest


#: The schemes redis-py connects to; a store URL with one of them names a Redis server.
REDIS_SCHEMES: Final = ("redis", "rediss", "unix")


def split_store_url(url: str, what: str) -> SplitResult:
    """``url`` split, once checked to be a str without control characters.

    The journals' and the conversation storages' URLs share their forms (`memory`,
    `sqlite:///PATH`, `redis://...`); ``what`` names which one the messages speak of.
    """
    if not isinstance(url, str):
        raise TypeError(f"the {what} URL must be a str, not {type(url).__name__}")
    if any(ord(c) < 32 or ord(c) == 127 for c in url):
        raise ValueError(f"the {what} URL holds control characters")
    return urlsplit(url)


def names_memory(parts: SplitResult) -> bool:
    """Whether the URL is `memory` (or empty)."""
    return (
        parts.scheme.lower() in ("", "memory")
        and parts.path.strip("/") in ("", "memory")
        and not parts.netloc
    )


def sqlite_path(parts: SplitResult, url: str, what: str) -> str:
    """The file of a `sqlite:` URL.

    `sqlite:///bot.db` is relative, `sqlite:////abs/bot.db` absolute (SQLAlchemy's rule).
    """
    if parts.netloc or not parts.path.startswith("/") or parts.path == "/":
        raise ValueError(
            f"give an SQLite {what} as sqlite:///relative.db or sqlite:////absolute.db, not {url!r}"
        )
    return parts.path[1:]


def unknown_scheme(parts: SplitResult, url: str, what: str) -> ValueError:
    """The error for a URL of no known form.

    It names the scheme only: the rest of a URL may hold a password.
    """
    return ValueError(
        f"unknown {what} scheme {parts.scheme.lower() or url.partition(':')[0]!r}: give memory, "
        "sqlite:///PATH or redis://HOST:PORT/DB"
    )


def journal_from_url(url: str, *, prefix: str | None = None) -> Journal:
    """The journal a URL names, not opened yet.

    - `memory`: a [`MemoryJournal`][gewe_async.bot.MemoryJournal] (lost on a crash);
    - `sqlite:///bot.db` (a relative path) or `sqlite:////var/lib/bot/bot.db` (absolute): a
      [`SqliteJournal`][gewe_async.bot.SqliteJournal];
    - `redis://host:6379/0`, `rediss://...` or `unix:///run/redis.sock`: a
      [`RedisJournal`][gewe_async.bot.RedisJournal].

    The query string sets the journal's options, by their keyword names:
    `memory?max_pending=50000`, `sqlite:///bot.db?synchronous=NORMAL`,
    `redis://127.0.0.1:6379/0?partitions=32&lease=10`. For Redis, options the journal does
    not know are left in the URL for redis-py (`socket_timeout`, ...); for the others they
    are refused.

    Args:
        url: The journal, as above.
        prefix: The Redis journal's key prefix (one bot, one prefix; `gewe` when `None`).
            Ignored by the other journals, which belong to one bot by construction.

    Raises:
        ValueError: An unknown scheme or option, or an option's value out of range.
    """
    parts = split_store_url(url, "journal")
    scheme = parts.scheme.lower()
    query = parse_qsl(parts.query, keep_blank_values=True)
    if names_memory(parts):
        options, _ = _options(query, _MEMORY, strict=True)
        return MemoryJournal(**options)
    if scheme == "sqlite":
        path = sqlite_path(parts, url, "journal")
        options, _ = _options(query, _SQLITE, strict=True)
        return SqliteJournal(path, **options)
    if scheme in REDIS_SCHEMES:
        options, rest = _options(query, _REDIS, strict=False)
        if prefix is not None:
            if not prefix or any(c.isspace() or c in "{}" for c in prefix):
                raise ValueError(
                    f"the Redis prefix must be non-empty, without spaces or braces: {prefix!r}"
                )
            options["prefix"] = prefix
        redis_url = urlunsplit(parts._replace(query=urlencode(rest)))
        return RedisJournal(redis_url, **options)
    raise unknown_scheme(parts, url, "journal")
