"""``gewe-async dead-letters list|replay|purge``: the events whose handlers failed for good.

The journal keeps them (see [`Journal.dead_letters`][gewe_async.bot.Journal.dead_letters]);
``replay`` stores them again for the running receiver or worker to handle.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import os
import sqlite3
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from gewe_async.bot import DeadLetter, Journal, RedisJournal, SqliteJournal, journal_from_url

__all__ = ["add_parser", "dead_letters"]


class _SetupError(Exception):
    """Bad input or setup, said in one line (exit 2)."""


def add_parser(commands: Any) -> None:
    """Add ``dead-letters`` and its actions to the ``gewe-async`` subcommands."""
    parser = commands.add_parser(
        "dead-letters",
        help="list, replay or purge the events whose handlers failed for good",
        description="The events a bot's handlers failed on for good (a non-transient error, or "
        "the retries used up), kept in its journal: list them, replay them (stored again for the "
        "running receiver or worker to handle) or purge them. A SQLite journal is locked by the "
        "receiver using it: run this while it is stopped (a replay is handled at its next start).",
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--journal",
        default=os.environ.get("GEWE_JOURNAL"),
        metavar="URL",
        help="the bot's journal: sqlite:///PATH or redis://HOST:PORT/DB (default: $GEWE_JOURNAL)",
    )
    common.add_argument(
        "--prefix",
        "--journal-prefix",
        dest="prefix",
        default=os.environ.get("GEWE_JOURNAL_PREFIX"),
        help="the Redis journal's key prefix (default: $GEWE_JOURNAL_PREFIX or gewe)",
    )
    listing = actions.add_parser(
        "list", parents=[common], help="show the dead letters, oldest first"
    )
    listing.add_argument(
        "--json", action="store_true", help="print JSON lines (with the body), not a table"
    )
    for name, verb in (("replay", "store again to be handled"), ("purge", "forget")):
        action = actions.add_parser(name, parents=[common], help=f"{verb} dead letters")
        action.add_argument("ids", nargs="*", metavar="ID", help="dead letters' ids (see list)")
        action.add_argument("--all", action="store_true", help="every dead letter")


def dead_letters(args: argparse.Namespace) -> int:
    """Run ``dead-letters ACTION``; its exit status (2 for bad input, one line on stderr)."""
    try:
        if args.action != "list" and bool(args.ids) == bool(args.all):
            raise _SetupError("give the ids of dead letters (see list), or --all, not both")
        journal = _journal(args)
        return asyncio.run(_run(args, journal))
    except _SetupError as exc:
        print(f"gewe-async: error: {exc}", file=sys.stderr)
        return 2
    except sqlite3.OperationalError as exc:  # locked by a running receiver, not a database
        print(f"gewe-async: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # Redis unreachable and the like: one line, not a traceback
        failure = f"{type(exc).__name__}: {exc}"
        print(f"gewe-async: error: the journal failed: {failure}", file=sys.stderr)
        return 1


def _journal(args: argparse.Namespace) -> Journal:
    if not args.journal:
        raise _SetupError(
            "give --journal sqlite:///PATH or redis://HOST:PORT/DB (or set GEWE_JOURNAL)"
        )
    try:
        journal = journal_from_url(args.journal, prefix=args.prefix)
    except (ValueError, TypeError) as exc:
        raise _SetupError(str(exc)) from None
    if isinstance(journal, SqliteJournal):
        # Opening would create the file: a typo must not list an empty new journal.
        path = Path(journal.path)
        if not path.is_file():
            raise _SetupError(f"no journal file at {path}")
    elif isinstance(journal, RedisJournal):
        try:
            importlib.import_module("redis.asyncio")
        except ImportError:
            raise _SetupError(
                "a Redis journal needs redis-py: pip install 'gewe-async[redis]'"
            ) from None
    else:
        raise _SetupError(
            "a memory journal lives and dies with its process: give the bot's "
            "sqlite:///PATH or redis://HOST:PORT/DB journal"
        )
    return journal


async def _run(args: argparse.Namespace, journal: Journal) -> int:
    await journal.open()
    try:
        if args.action == "list":
            _print(await journal.dead_letters(), as_json=args.json)
            return 0
        ids: list[str] | str = "all" if args.all else list(dict.fromkeys(args.ids))
        if args.action == "replay":
            done = await journal.replay(ids)
            print(f"{done} dead letters stored again, to be handled")
        else:
            done = await journal.purge(ids)
            print(f"{done} dead letters purged")
    finally:
        await journal.aclose()
    if isinstance(ids, list) and done < len(ids):
        print(
            f"gewe-async: {len(ids) - done} of the ids given are not dead letters", file=sys.stderr
        )
        return 1
    return 0


def _stamp(at: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(at))


def _print(letters: list[DeadLetter], *, as_json: bool) -> None:
    if as_json:
        for letter in letters:
            print(
                json.dumps(
                    {
                        "id": letter.id,
                        "key": letter.entry.key,
                        "chat": letter.entry.chat,
                        "error": letter.error,
                        "attempts": letter.attempts,
                        "first_failed_at": letter.first_failed_at,
                        "last_failed_at": letter.last_failed_at,
                        "received_at": letter.entry.received_at,
                        "body": letter.entry.body.decode(errors="replace"),
                    },
                    ensure_ascii=False,
                )
            )
        return
    if not letters:
        print("no dead letters")
        return
    rows = [
        (
            letter.id,
            _stamp(letter.last_failed_at),
            str(letter.attempts),
            letter.entry.chat,
            letter.error if len(letter.error) <= 120 else letter.error[:119] + "…",
        )
        for letter in letters
    ]
    headers = ("id", "failed at (UTC)", "runs", "chat", "error")
    # A table on a terminal; piped (or without the cli extra), whole tab-separated lines,
    # one per dead letter, for grep and cut.
    if not (sys.stdout.isatty() and _table(headers, rows)):
        for row in (headers, *rows):
            print("\t".join(row))


def _table(headers: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> bool:
    """Print a rich table; `False` when rich is not installed."""
    try:
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text
    except ImportError:
        return False
    table = Table(*headers)
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))  # an error's text is not markup
    Console(highlight=False).print(table)
    return True
