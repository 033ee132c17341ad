"""``gewe-async receive`` serves a bot's receiver (uvicorn); ``worker`` runs its handlers.

One process (``receive`` with a memory or SQLite journal) or many (``receive --no-handlers``
and ``worker``, sharing a Redis journal): the bot module is the same, the mode is options.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import logging
import os
import signal
import sys
from typing import Any

from gewe_async._client import AsyncGeweClient
from gewe_async._limits import Limits
from gewe_async.bot import (
    ASGIReceiver,
    Dispatcher,
    Journal,
    RedisJournal,
    Router,
    Worker,
    journal_from_url,
)
from gewe_async.cli import _args
from gewe_async.exceptions import GeweConfigError


class TargetError(Exception):
    """The MODULE:DISPATCHER argument names nothing usable."""


#: The journal of `receive` when none is named: survives a crash, needs no server.
DEFAULT_JOURNAL = "sqlite:///gewe-journal.db"


def _bot_options(parser: argparse.ArgumentParser) -> None:
    """The options ``receive`` and ``worker`` share: the bot, its journal, metrics, drain."""
    parser.add_argument(
        "target",
        metavar="MODULE:DISPATCHER",
        help="the bot's Dispatcher or Router, such as mybot:dp (imported from the current folder)",
    )
    parser.add_argument(
        "--journal",
        default=os.environ.get("GEWE_JOURNAL", DEFAULT_JOURNAL),
        metavar="URL",
        help="where pushes are stored before the answer: sqlite:///PATH, redis://HOST:PORT/DB "
        "or memory, options in the query string (default: $GEWE_JOURNAL or "
        f"{DEFAULT_JOURNAL}, a file in the working folder)",
    )
    parser.add_argument(
        "--journal-prefix",
        default=os.environ.get("GEWE_JOURNAL_PREFIX"),
        metavar="PREFIX",
        help="the Redis journal's key prefix, one per bot (default: $GEWE_JOURNAL_PREFIX or gewe)",
    )
    parser.add_argument(
        "--metrics-interval",
        type=_args.seconds,
        metavar="SECONDS",
        help="log the journal's depth, oldest pending age and redeliveries this often",
    )
    parser.add_argument(
        "--drain-timeout",
        type=_args.seconds,
        default=10.0,
        metavar="SECONDS",
        help="at shutdown, seconds running handlers get before they are cancelled (10)",
    )


def add_parser(commands: Any, api: argparse.ArgumentParser) -> None:
    """Add the ``receive`` and ``worker`` commands to the CLI's subcommands."""
    receive = commands.add_parser(
        "receive",
        parents=[api],
        help="serve a bot: take GeWe's pushes and run its handlers (uvicorn)",
    )
    _bot_options(receive)
    receive.add_argument(
        "--no-handlers",
        dest="run_handlers",
        action="store_false",
        help="only store pushes and answer; workers run the handlers (needs a Redis journal)",
    )
    receive.add_argument("--host", default="127.0.0.1", help="bind address (127.0.0.1)")
    receive.add_argument("--port", type=int, default=8000, help="port (8000)")
    receive.add_argument("--path", default="/gewe", help="URL path of the receiver (/gewe)")
    receive.add_argument(
        "--secret",
        default=os.environ.get("GEWE_CALLBACK_SECRET"),
        help="the secret the callback URL ends with: PATH/SECRET (default: $GEWE_CALLBACK_SECRET)",
    )
    worker = commands.add_parser(
        "worker",
        parents=[api],
        help="run a bot's handlers on what receivers stored in a Redis journal",
    )
    _bot_options(worker)


def load_target(spec: str) -> Dispatcher | Router:
    """Import ``module:attribute`` and check that it is a dispatcher or a router."""
    module_name, sep, attribute = spec.partition(":")
    if not sep or not module_name or not attribute:
        raise TargetError(f"give MODULE:DISPATCHER, such as mybot:dp (got {spec!r})")
    if "" not in sys.path and os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise TargetError(f"cannot import {module_name!r}: {exc}") from None
    target = getattr(module, attribute, None)
    if not isinstance(target, Router):
        raise TargetError(f"{spec} is not a gewe_async.bot Dispatcher or Router: {target!r}")
    return target


def dispatcher_for(target: Dispatcher | Router) -> Dispatcher:
    """The dispatcher to serve: ``target`` itself, or a new one including the router."""
    if isinstance(target, Dispatcher):
        return target
    dp = Dispatcher()
    dp.include_router(target)
    return dp


def _fail(command: str, message: str) -> int:
    print(f"gewe-async {command}: {message}", file=sys.stderr)
    return 2


def _log_to_stderr() -> None:
    """Show the library's INFO lines (metrics, shutdown) on stderr; others stay at WARNING."""
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
    logging.getLogger("gewe_async").setLevel(logging.INFO)


def _prepare(args: argparse.Namespace) -> tuple[Dispatcher, Journal, AsyncGeweClient | None]:
    """The bot, its journal, and the client to close at the end (when made here).

    Raises:
        TargetError: Anything wrong with the arguments, said in one line.
    """
    try:
        journal = journal_from_url(args.journal, prefix=args.journal_prefix)
    except ValueError as exc:
        raise TargetError(str(exc)) from None
    shared = isinstance(journal, RedisJournal)
    if args.command == "worker" and not shared:
        raise TargetError(
            "a worker shares its journal with receivers in other processes: give "
            "--journal redis://HOST:PORT/DB (memory and SQLite journals belong to one process)"
        )
    if not getattr(args, "run_handlers", True) and not shared:
        raise TargetError(
            "--no-handlers leaves the handlers to workers, which need a shared journal: "
            "give --journal redis://HOST:PORT/DB"
        )
    dp = dispatcher_for(load_target(args.target))
    client = None
    try:
        dp.client  # noqa: B018 - does the bot's module give a client?
    except GeweConfigError:
        # No client in the bot's module: one from --token/--base-url, closed at the end.
        try:
            client = AsyncGeweClient(
                token=args.token,
                base_url=args.base_url,
                timeout=args.timeout,
                limits=Limits(max_in_flight=args.concurrency),
            )
        except GeweConfigError as exc:
            raise TargetError(str(exc)) from None
        dp.client = client
    return dp, journal, client


def receive(args: argparse.Namespace) -> int:
    """Serve the bot until interrupted; the exit status."""
    try:
        import uvicorn
    except ImportError:
        return _fail("receive", "needs uvicorn: pip install 'gewe-async[server]'")
    try:
        dp, journal, client = _prepare(args)
    except TargetError as exc:
        return _fail("receive", str(exc))
    _log_to_stderr()
    receiver = ASGIReceiver(
        dp,
        secret=args.secret,
        path=args.path,
        journal=journal,
        run_handlers=args.run_handlers,
        metrics_interval=args.metrics_interval,
        drain_timeout=args.drain_timeout,
    )
    # No access log: it would print every request's path, and the path holds the secret.
    config = uvicorn.Config(
        receiver, host=args.host, port=args.port, lifespan="on", access_log=False
    )
    server = uvicorn.Server(config)
    shown = f"{args.path.rstrip('/')}/<secret>" if args.secret else args.path
    print(f"receiving on http://{args.host}:{args.port}{shown}", file=sys.stderr)

    async def serve() -> None:
        try:
            await server.serve()
        finally:
            if client is not None:
                await client.aclose()

    # uvicorn raises the signal that stopped it again once it has shut down cleanly, under
    # the handler that was there before: a clean stop by SIGTERM (docker stop, systemd) is
    # then a normal end (status 0), as Ctrl-C's KeyboardInterrupt is.
    signal.signal(signal.SIGTERM, lambda signum, frame: None)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve())
    return 0 if server.started else 2


def worker(args: argparse.Namespace) -> int:
    """Run the bot's handlers until SIGINT or SIGTERM, then drain; the exit status."""
    try:
        dp, journal, client = _prepare(args)
    except TargetError as exc:
        return _fail("worker", str(exc))
    _log_to_stderr()
    bot = Worker(
        dp, journal, drain_timeout=args.drain_timeout, metrics_interval=args.metrics_interval
    )

    async def run() -> int:
        task = asyncio.create_task(bot.run(), name="gewe-worker")
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, task.cancel)
        print(f"worker running on {journal!r}", file=sys.stderr)
        try:
            await task
        except asyncio.CancelledError:
            pass  # the signal: the worker drained and closed its journal
        except Exception as exc:  # the journal could not be opened or failed
            print(f"gewe-async worker: {type(exc).__name__}: {exc}", file=sys.stderr)
            return 1
        finally:
            if client is not None:
                await client.aclose()
        return 0

    return asyncio.run(run())
