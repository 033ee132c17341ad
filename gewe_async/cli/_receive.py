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
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

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
from gewe_async.bot._access_log import redact_secret_in_logs
from gewe_async.bot._urls import REDIS_SCHEMES
from gewe_async.bot.fsm import storage_from_url
from gewe_async.cli import _args
from gewe_async.exceptions import GeweConfigError

if TYPE_CHECKING:
    from gewe_async.fleet import Scheduler

log = logging.getLogger("gewe_async.cli")


class TargetError(Exception):
    """The MODULE:DISPATCHER argument names nothing usable."""


#: The journal of `receive` when none is named: survives a crash, needs no server.
DEFAULT_JOURNAL = "sqlite:///gewe-journal.db"


#: The variable the callback secret is best given in (``--secret`` shows in ``ps``).
SECRET_VARIABLE = "GEWE_CALLBACK_SECRET"  # noqa: S105 - a variable's name, not a secret

#: What a secret may not hold: it is one segment of the callback URL's path.
_NOT_IN_SECRET = frozenset("/?#%")


def _bot_options(parser: argparse.ArgumentParser, *, journal_default: str | None) -> None:
    """The options ``receive`` and ``worker`` share: the bot, its journal, metrics, drain."""
    parser.add_argument(
        "target",
        metavar="MODULE:DISPATCHER",
        help="the bot's Dispatcher or Router, such as mybot:dp (imported from the current folder)",
    )
    if journal_default is None:
        journal_help = (
            "the Redis journal the receivers store into: redis://HOST:PORT/DB, options in the "
            "query string (default: $GEWE_JOURNAL)"
        )
    else:
        journal_help = (
            "where pushes are stored before the answer: sqlite:///PATH, redis://HOST:PORT/DB "
            "or memory, options in the query string (default: $GEWE_JOURNAL or "
            f"{journal_default}, a file in the working folder)"
        )
    parser.add_argument(
        "--journal",
        default=os.environ.get("GEWE_JOURNAL", journal_default),
        metavar="URL",
        help=journal_help,
    )
    parser.add_argument(
        "--journal-prefix",
        default=os.environ.get("GEWE_JOURNAL_PREFIX"),
        metavar="PREFIX",
        help="the Redis journal's key prefix, one per bot (default: $GEWE_JOURNAL_PREFIX or gewe)",
    )
    if journal_default is None:
        # A worker's conversations are shared with the other workers: Redis, like its journal.
        storage_help = (
            "where conversations (ctx.state) are kept: redis://HOST:PORT/DB (default: "
            "$GEWE_STORAGE, else the journal's Redis server and prefix; a storage the bot's "
            "own Dispatcher was given is kept)"
        )
    else:
        storage_help = (
            "where conversations (ctx.state) are kept: sqlite:///PATH, redis://HOST:PORT/DB or "
            "memory (default: $GEWE_STORAGE, else beside the journal: PATH-state for a SQLite "
            "journal, the same Redis server and prefix for a Redis one; a storage the bot's "
            "own Dispatcher was given is kept)"
        )
    parser.add_argument(
        "--storage",
        default=os.environ.get("GEWE_STORAGE"),
        metavar="URL",
        help=storage_help,
    )
    _args.add_seconds(
        parser,
        "--metrics-interval",
        metavar="SECONDS",
        help="log the journal's depth, oldest pending age and redeliveries this often",
    )
    _args.add_seconds(
        parser,
        "--drain-timeout",
        default=10.0,
        metavar="SECONDS",
        help="at shutdown, seconds running handlers get before they are cancelled (10)",
    )


def _bot_command(
    commands: Any,
    name: str,
    api: argparse.ArgumentParser,
    *,
    journal_default: str | None,
    help: str,
    description: str,
) -> argparse.ArgumentParser:
    """Add the bot command ``name`` with the API options and the bot's (`_bot_options`)."""
    parser: argparse.ArgumentParser = commands.add_parser(
        name, parents=[api], help=help, description=description
    )
    _bot_options(parser, journal_default=journal_default)
    return parser


def add_parser(commands: Any, api: argparse.ArgumentParser) -> None:
    """Add the ``receive`` and ``worker`` commands to the CLI's subcommands."""
    receive = _bot_command(
        commands,
        "receive",
        api,
        journal_default=DEFAULT_JOURNAL,
        help="serve a bot: take GeWe's pushes and run its handlers (uvicorn)",
        description="Serve a bot: store each push GeWe makes in a journal, answer it, and run "
        "the bot's handlers on it. Stop with Ctrl-C or SIGTERM: handlers get --drain-timeout "
        "seconds, then the journal closes; a second signal stops waiting for open connections.",
    )
    receive.add_argument(
        "--no-handlers",
        dest="run_handlers",
        action="store_false",
        help="only store pushes and answer; workers run the handlers (needs a Redis journal)",
    )
    receive.add_argument("--host", default="127.0.0.1", help="bind address (127.0.0.1)")
    receive.add_argument(
        "--port", type=_args.port, default=8000, help="port (8000; 0 picks a free one)"
    )
    receive.add_argument(
        "--path", type=_args.url_path, default="/gewe", help="URL path of the receiver (/gewe)"
    )
    receive.add_argument(
        "--secret",
        default=None,
        help=f"the secret the callback URL ends with: PATH/SECRET (default: ${SECRET_VARIABLE}, "
        "which is better: a command line is visible to every user of the machine)",
    )
    receive.add_argument(
        "--max-connections",
        type=_args.positive_int,
        default=None,
        metavar="N",
        help=f"connections open at once; beyond it the oldest idle one is closed "
        f"({_MAX_CONNECTIONS_HELP})",
    )
    _args.add_seconds(
        receive,
        "--read-timeout",
        default=10.0,
        metavar="SECONDS",
        help="seconds a request (headers and body) may take to arrive before the connection "
        "is closed (10)",
    )
    receive.add_argument(
        "--http",
        choices=("auto", "h11", "httptools"),
        default="auto",
        help="HTTP/1.1 parser: httptools (faster, from 'uvicorn[standard]') or h11; "
        "auto takes httptools when installed (auto)",
    )
    receive.add_argument(
        "--access-log",
        action="store_true",
        help="log each request on stdout, the secret masked as *** (default: no access log)",
    )
    _bot_command(
        commands,
        "worker",
        api,
        journal_default=None,
        help="run a bot's handlers on what receivers stored in a Redis journal",
        description="Run a bot's handlers on the pushes gewe-async receive --no-handlers "
        "stored in a Redis journal. Stop with Ctrl-C or SIGTERM: handlers get "
        "--drain-timeout seconds, then the journal closes (a second signal does not cut it short).",
    )


_MAX_CONNECTIONS_HELP = "512, or fewer when the open-file limit is lower"


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
    bots = sorted(name for name, value in vars(module).items() if isinstance(value, Router))
    found = f" (it has: {', '.join(bots)})" if bots else " (it has no Dispatcher or Router)"
    if not hasattr(module, attribute):
        raise TargetError(f"{module_name} has no attribute {attribute!r}{found}")
    target = getattr(module, attribute)
    if not isinstance(target, Router):
        raise TargetError(
            f"{spec} is a {type(target).__name__}, not a gewe_async.bot Dispatcher or Router{found}"
        )
    return target


def dispatcher_for(target: Dispatcher | Router) -> Dispatcher:
    """The dispatcher to serve: ``target`` itself, or a new one including the router."""
    if isinstance(target, Dispatcher):
        return target
    dp = Dispatcher()
    dp.include_router(target)
    return dp


async def scheduled(dp: Dispatcher) -> contextlib.AbstractAsyncContextManager[object]:
    """Run ``dp.schedule`` while the block runs, when the bot declared jobs on it.

    Raises:
        ValueError: A job has no accounts (raised here, at start, not lost in a task).
    """
    schedule: Scheduler | None = vars(dp).get(
        "schedule"
    )  # a cached_property: absent when the bot never used it
    if schedule is None or not schedule.jobs:
        return contextlib.nullcontext()
    try:
        await schedule.start()
    except ValueError:
        await schedule.aclose()
        raise
    return schedule.running()


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


def callback_secret(given: str | None) -> str | None:
    """The secret from ``--secret`` (``given``) or the environment, checked; ``None`` if none.

    Raises:
        TargetError: The secret is empty, or cannot be one segment of a URL path.
    """
    secret = given if given is not None else os.environ.get(SECRET_VARIABLE)
    if secret is None:
        return None
    where = "--secret" if given is not None else f"${SECRET_VARIABLE}"
    if not secret:
        raise TargetError(
            f"the callback secret ({where}) is empty, which would let anyone push: give one, "
            "such as python -c 'import secrets; print(secrets.token_urlsafe(24))'"
        )
    if any(c in _NOT_IN_SECRET or c.isspace() or not c.isprintable() for c in secret):
        raise TargetError(
            f"the callback secret ({where}) ends the URL path, so it cannot hold /, ?, #, %, "
            "spaces or control characters"
        )
    return secret


def storage_beside(journal_url: str) -> str:
    """The storage URL that goes with a journal's URL.

    A SQLite journal's file gets its ``-state`` twin (the journal locks its own file), a Redis
    journal the same server without the journal's options (the keys are apart), and anything
    else memory.
    """
    parts = urlsplit(journal_url)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        return f"sqlite://{parts.netloc}{parts.path}-state"
    if scheme in REDIS_SCHEMES:
        return f"{scheme}://{parts.netloc}{parts.path}"  # journal options are not the storage's
    return "memory"


def _choose_storage(dp: Dispatcher, args: argparse.Namespace) -> None:
    """Give ``dp`` the storage of ``--storage``, or the one beside the journal by default."""
    if args.storage is None and dp.storage_given:
        return
    url = args.storage if args.storage is not None else storage_beside(args.journal)
    try:
        dp.storage = storage_from_url(url, prefix=args.journal_prefix)
    except (TypeError, ValueError) as exc:
        raise TargetError(f"--storage: {exc}") from None


def _prepare(args: argparse.Namespace) -> tuple[Dispatcher, Journal, AsyncGeweClient | None]:
    """The bot, its journal, and the client to close at the end (when made here).

    Raises:
        TargetError: Anything wrong with the arguments, said in one line.
    """
    if args.journal is None:
        raise TargetError(
            "give --journal redis://HOST:PORT/DB (or set GEWE_JOURNAL): the Redis journal "
            "the receivers store into"
        )
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
    if shared:
        try:
            importlib.import_module("redis.asyncio")
        except ImportError:
            raise TargetError(
                "a Redis journal needs redis-py: pip install 'gewe-async[redis]'"
            ) from None
    dp = dispatcher_for(load_target(args.target))
    _choose_storage(dp, args)
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
        from gewe_async.cli import _serve
    except ImportError:
        return _fail("receive", "needs uvicorn: pip install 'gewe-async[server]'")
    try:
        secret = callback_secret(args.secret)
        _serve.resolve_http(args.http)  # httptools asked for and missing: before binding
        listener = _args.listen(args.host, args.port)
    except (TargetError, ValueError) as exc:
        return _fail("receive", str(exc))
    try:
        dp, journal, client = _prepare(args)
    except TargetError as exc:
        listener.close()
        return _fail("receive", str(exc))
    _log_to_stderr()
    receiver = ASGIReceiver(
        dp,
        secret=secret,
        path=args.path,
        journal=journal,
        run_handlers=args.run_handlers,
        metrics_interval=args.metrics_interval,
        drain_timeout=args.drain_timeout,
    )
    max_connections = args.max_connections or _serve.default_max_connections()
    # The access log prints every request's path, which ends with the secret: off, unless
    # asked for, and then with the secret masked.
    config = _serve.server_config(
        receiver,
        read_timeout=args.read_timeout,
        max_connections=max_connections,
        access_log=args.access_log,
        http=args.http,
    )
    if secret is not None:
        redact_secret_in_logs(secret)
    server = _serve.Server(config)

    async def serve() -> int:
        try:
            try:
                await receiver.start()  # the journal opens here, before the first push
            except Exception as exc:
                listener.close()
                return _fail("receive", f"cannot open the journal {journal!r}: {exc}")
            try:
                jobs = await scheduled(dp)  # the bot's jobs, run beside the receiver
            except ValueError as exc:
                listener.close()
                await receiver.stop()
                return _fail("receive", f"dp.schedule: {exc}")
            if args.secret is not None:
                log.warning(
                    "--secret is visible to every user of this machine (ps, /proc): "
                    "set %s in the environment instead",
                    SECRET_VARIABLE,
                )
            elif secret is None:
                log.warning(
                    "no callback secret (%s or --secret): any push that reaches the port is taken",
                    SECRET_VARIABLE,
                )
            signals: list[int] = []

            def stop(signum: int) -> None:
                signals.append(signum)
                if len(signals) == 1:
                    server.should_exit = True
                else:  # stop waiting for open connections; the drain stays bounded
                    closed = server.close_connections()
                    log.info(
                        "second signal: %d open connections closed; handlers get at most "
                        "%g s, then the journal closes",
                        closed,
                        args.drain_timeout,
                    )

            loop = asyncio.get_running_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(signum, stop, signum)
            port = listener.getsockname()[1]
            shown = f"{args.path.rstrip('/')}/<secret>" if secret else args.path
            print(f"receiving on http://{args.host}:{port}{shown}", file=sys.stderr)
            try:
                async with jobs:
                    await server.serve(sockets=[listener])
            finally:
                await receiver.stop()  # drain the handlers, close the journal
            print("stopped: the journal is closed", file=sys.stderr)
            return 0 if server.started else 2
        finally:
            if client is not None:
                await client.aclose()

    # A signal before the handlers above are in place (at start-up) ends it quietly too.
    try:
        return asyncio.run(serve())
    except KeyboardInterrupt:
        return 130


class _OpenWatch:
    """A journal that notes whether it opened: a failure before that is setup (exit 2)."""

    def __init__(self, journal: Journal) -> None:
        self._journal = journal
        self.opened = False

    def __repr__(self) -> str:
        return repr(self._journal)

    async def open(self) -> None:
        await self._journal.open()
        self.opened = True
        print(f"worker running on {self._journal!r}", file=sys.stderr)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._journal, name)


def worker(args: argparse.Namespace) -> int:
    """Run the bot's handlers until SIGINT or SIGTERM, then drain; the exit status."""
    try:
        dp, journal, client = _prepare(args)
    except TargetError as exc:
        return _fail("worker", str(exc))
    _log_to_stderr()
    watched = _OpenWatch(journal)
    bot = Worker(
        dp,
        cast(Journal, watched),
        drain_timeout=args.drain_timeout,
        metrics_interval=args.metrics_interval,
    )

    async def run() -> int:
        try:
            jobs = await scheduled(dp)  # each run once across the workers (claimed in the store)
        except ValueError as exc:
            if client is not None:
                await client.aclose()
            return _fail("worker", f"dp.schedule: {exc}")
        task = asyncio.create_task(bot.run(), name="gewe-worker")
        stopping = False

        def stop() -> None:
            nonlocal stopping
            if stopping:  # a second cancel would cut the drain and leave the journal open
                log.info(
                    "already stopping: handlers get at most %g s, then the journal closes",
                    args.drain_timeout,
                )
                return
            stopping = True
            task.cancel()

        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop)
        try:
            async with jobs:
                await task
        except asyncio.CancelledError:
            pass  # the signal: the worker drained and closed its journal
        except Exception as exc:
            if not watched.opened:  # at start-up: setup, as for receive
                return _fail("worker", f"cannot open the journal {journal!r}: {exc}")
            print(f"gewe-async worker: {type(exc).__name__}: {exc}", file=sys.stderr)
            return 1
        finally:
            if client is not None:
                await client.aclose()
        return 0

    try:
        return asyncio.run(run())
    except KeyboardInterrupt:
        return 130
