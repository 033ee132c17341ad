"""One string names a conversation storage, in the forms `journal_from_url` takes."""

from __future__ import annotations

from typing import Final, Literal
from urllib.parse import parse_qsl, urlencode, urlunsplit

from gewe_async.bot._urls import (
    REDIS_SCHEMES,
    names_memory,
    split_store_url,
    sqlite_path,
    unknown_scheme,
)
from gewe_async.bot.fsm._base import _SCOPES, BaseStorage, Scope
from gewe_async.bot.fsm._memory import MemoryStorage
from gewe_async.bot.fsm._redis import RedisStorage
from gewe_async.bot.fsm._sqlite import SqliteStorage

__all__ = ["storage_from_url"]


_BOOLS: Final = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}


def _ttl(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"storage option ttl: not a number: {text!r}") from None
    if not 0 < value < float("inf"):
        raise ValueError(f"storage option ttl: must be a positive number, got {text}")
    return value


def storage_from_url(url: str, *, prefix: str | None = None) -> BaseStorage:
    """The conversation storage a URL names, not opened yet.

    - `memory`: a [`MemoryStorage`][gewe_async.bot.fsm.MemoryStorage];
    - `sqlite:///bot.db-state` (relative) or `sqlite:////var/lib/bot/state.db` (absolute): a
      [`SqliteStorage`][gewe_async.bot.fsm.SqliteStorage] (not the journal's file: the
      journal locks it);
    - `redis://host:6379/0`, `rediss://...`, `unix:///run/redis.sock`: a
      [`RedisStorage`][gewe_async.bot.fsm.RedisStorage] (it may share the journal's server
      and prefix: its keys are apart).

    Options in the query string: `ttl` (seconds), `scope` (`chat_sender`, `chat`,
    `sender`), and for SQLite `synchronous` and `shared` (`1`: several processes use the
    file, see [`SqliteStorage`][gewe_async.bot.fsm.SqliteStorage]); for Redis, others are
    left to redis-py.

    Args:
        url: The storage, as above.
        prefix: The Redis key prefix (`gewe` when `None`); ignored by the others.

    Raises:
        ValueError: An unknown scheme or option, or an option's value out of range.
    """
    parts = split_store_url(url, "storage")
    scheme = parts.scheme.lower()
    known = {"ttl", "scope"} | ({"synchronous", "shared"} if scheme == "sqlite" else set())
    options: dict[str, object] = {}
    rest: list[tuple[str, str]] = []
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if name == "ttl":
            options["ttl"] = _ttl(value)
        elif name == "scope":
            if value not in _SCOPES:
                raise ValueError(
                    f"storage option scope: one of {', '.join(_SCOPES)}, not {value!r}"
                )
            options["scope"] = value
        elif name == "synchronous" and scheme == "sqlite":
            if value.upper() not in ("FULL", "NORMAL"):
                raise ValueError(f"storage option synchronous: FULL or NORMAL, not {value!r}")
            options["synchronous"] = value.upper()
        elif name == "shared" and scheme == "sqlite":
            if value.lower() not in _BOOLS:
                raise ValueError(f"storage option shared: 1 or 0 (true, false), not {value!r}")
            options["shared"] = _BOOLS[value.lower()]
        elif scheme in REDIS_SCHEMES:
            rest.append((name, value))
        else:
            raise ValueError(f"unknown storage option {name!r}; known: {', '.join(sorted(known))}")
    ttl = options.get("ttl")
    scope: Scope = options.get("scope", "chat_sender")  # type: ignore[assignment]
    assert ttl is None or isinstance(ttl, float)
    if names_memory(parts):
        return MemoryStorage(ttl=ttl, scope=scope)
    if scheme == "sqlite":
        path = sqlite_path(parts, url, "storage")
        synchronous: Literal["FULL", "NORMAL"] = (
            "FULL" if options.get("synchronous") == "FULL" else "NORMAL"
        )
        shared = options.get("shared") is True
        return SqliteStorage(path, ttl=ttl, scope=scope, synchronous=synchronous, shared=shared)
    if scheme in REDIS_SCHEMES:
        redis_url = urlunsplit(parts._replace(query=urlencode(rest)))
        return RedisStorage(redis_url, prefix=prefix or "gewe", ttl=ttl, scope=scope)
    raise unknown_scheme(parts, url, "storage")
