"""The ``gewe-async`` command (install the ``cli`` extra: ``pip install "gewe-async[cli]"``).

Commands: ``demo`` (the main job on an embedded fake), ``login``, ``status``,
``profile``, ``set-avatar``, ``set-callback``, ``test-callback``, ``fake-server``, and for
bots ``receive``, ``worker`` and ``dead-letters``. Exit status: 0 on success, 1 when any
device failed, 2 for bad input or setup, 130/143 when a job is stopped by SIGINT/SIGTERM
(``receive`` and ``worker``, daemons, end with 0).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from gewe_async import __version__
from gewe_async.cli import _args, _callback, _dead_letters, _receive
from gewe_async.exceptions import GeweAuthError, GeweConfigError, GeweError

__all__ = ["main"]

# Plain text: argparse prints it as is (the module docstring is reST for the docs).
_DESCRIPTION = (
    "gewe-async: the GeWe API from the terminal (logins, profiles, avatars, the callback URL), "
    "a fake GeWe server for tests, and bots (receive, worker, dead-letters). Exit status: 0 "
    "success, 1 a device or URL failed, 2 bad input, setup or a refused token, 130/143 a job "
    "stopped by SIGINT/SIGTERM."
)


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (and exit 2), like every other setup error."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _api_options(concurrency_help: str) -> _Parser:
    """The options of the commands that call the API: token, base URL, timeout, concurrency."""
    api = _Parser(add_help=False)
    api.add_argument(
        "--token",
        default=os.environ.get("GEWE_TOKEN"),
        help="the X-GEWE-TOKEN (default: $GEWE_TOKEN)",
    )
    api.add_argument(
        "--base-url",
        default=os.environ.get("GEWE_BASE_URL"),
        help="the API root (default: $GEWE_BASE_URL or the hosted API)",
    )
    api.add_argument("--timeout", type=_args.seconds, default=30.0, help="seconds per call (30)")
    api.add_argument("--concurrency", type=_args.positive_int, default=32, help=concurrency_help)
    return api


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``gewe-async``."""
    api = _api_options("API calls in flight at once (32)")
    bot_api = _api_options(
        "API calls in flight at once through the client made for a bot whose module gives "
        "none (32); how many handlers run at once is the Dispatcher's concurrency"
    )
    parser = _Parser(prog="gewe-async", description=_DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"gewe-async {__version__}")
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )

    demo = commands.add_parser("demo", help="run the main job on an embedded fake server")
    demo.add_argument(
        "--devices", type=_args.positive_int, default=300, help="how many devices (300)"
    )
    demo.add_argument(
        "--concurrency", type=_args.positive_int, default=32, help="calls at once (32)"
    )

    profile = commands.add_parser("profile", parents=[api], help="fetch profiles concurrently")
    profile.add_argument("app_ids", nargs="+", metavar="APP_ID")
    profile.add_argument("--json", action="store_true", help="print JSON lines, not a table")

    avatar = commands.add_parser("set-avatar", parents=[api], help="set avatars across devices")
    avatar.add_argument("app_ids", nargs="*", metavar="APP_ID")
    avatar.add_argument("--url", help="the image URL to set on every APP_ID")
    avatar.add_argument(
        "--from",
        dest="from_file",
        type=Path,
        metavar="FILE",
        help="CSV (appId,url) or JSON lines ({appId, url}) of devices and URLs",
    )
    avatar.add_argument(
        "--report",
        type=Path,
        metavar="FILE",
        help="write one JSON line per device with its outcome, as each settles",
    )
    avatar.add_argument(
        "--resume",
        type=Path,
        metavar="REPORT",
        help="skip the devices REPORT records as done, and append to it",
    )
    _args.add_seconds(
        avatar,
        "--grace",
        default=5.0,
        help="on SIGINT/SIGTERM, seconds calls in flight get to settle (5)",
    )

    login = commands.add_parser("login", parents=[api], help="log a WeChat account in (QR code)")
    login.add_argument("--app-id", help="the device to log in again (default: a new device)")
    login.add_argument(
        "--region-id",
        type=_args.region,
        default=os.environ.get("GEWE_REGION_ID"),
        help="six-digit region of the account's province, e.g. 320000 (default: $GEWE_REGION_ID)",
    )
    login.add_argument("--device-type", choices=["ipad", "mac"], default="ipad", help="(ipad)")
    login.add_argument("--proxy-ip", help="your own socks5 proxy instead of the region's")
    _args.add_seconds(
        login, "--poll-interval", default=5.0, help="seconds between checks (5, as documented)"
    )

    status = commands.add_parser("status", parents=[api], help="check whether devices are online")
    status.add_argument("app_ids", nargs="+", metavar="APP_ID")
    status.add_argument("--watch", action="store_true", help="a live table until Ctrl-C")
    status.add_argument(
        "--interval", type=_args.seconds, default=30.0, help="seconds between checks (30)"
    )

    server = commands.add_parser("fake-server", help="serve a FakeGewe over HTTP")
    server.add_argument("--host", default="127.0.0.1", help="bind address (127.0.0.1)")
    server.add_argument("--port", type=_args.port, default=2531, help="port (2531)")
    server.add_argument("--devices", type=_args.count, default=10, help="devices wx_00001... (10)")
    server.add_argument(
        "--latency", type=_args.milliseconds, default=0.0, help="ms added to each answer"
    )
    server.add_argument(
        "--fault-rate",
        type=_args.rate,
        default=0.0,
        help="share of requests that fail (502/503 pages, drops, truncations)",
    )
    server.add_argument("--seed", type=int, default=0, help="seed of the fault draws")
    server.add_argument("--token", default=None, help="the token the fake accepts")
    server.add_argument(
        "--auto-login",
        action="store_true",
        help="logins advance on their own: scanned at the first check, confirmed at the second",
    )
    _callback.add_parsers(commands, api)
    _receive.add_parser(commands, bot_api)
    _dead_letters.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``gewe-async`` command; return its exit status.

    Exit status: 0 success; 1 some device failed (or the API could not be reached); 2 bad
    input or setup (arguments, files, token, port); 130/143 interrupted by SIGINT/SIGTERM.
    """
    args = build_parser().parse_args(argv)
    if args.command == "receive":  # needs the server extra, not the cli one
        return _receive.receive(args)
    if args.command == "worker":  # needs the redis extra, not the cli one
        return _receive.worker(args)
    if args.command == "dead-letters":  # rich is optional: plain text without it
        return _dead_letters.dead_letters(args)
    try:
        from rich.markup import escape

        from gewe_async.cli import _ui
        from gewe_async.cli._input import InputError
    except ImportError as exc:  # pragma: no cover - depends on the install
        print(
            f"gewe-async: the CLI needs its extra: pip install 'gewe-async[cli]' ({exc})",
            file=sys.stderr,
        )
        return 2
    try:
        return _run(args)
    except (InputError, GeweConfigError) as exc:
        _ui.err.print(f"[red]error:[/] {escape(str(exc))}")
        return 2
    except GeweAuthError as exc:
        _ui.err.print(f"[red]error:[/] the token was refused: {escape(str(exc))}")
        return 2
    except GeweError as exc:  # the API could not be used: one line, not a traceback
        _ui.err.print(f"[red]error:[/] {_ui.error_text(exc)}")
        return 1
    except KeyboardInterrupt:
        return 130


def _run(args: argparse.Namespace) -> int:
    from gewe_async.cli import _commands, _demo, _login
    from gewe_async.cli._input import InputError

    if args.command == "demo":
        return asyncio.run(_demo.demo(args.devices, args.concurrency))
    if args.command == "fake-server":
        return _commands.fake_server(args)
    if args.command == "test-callback":
        return asyncio.run(_callback.test_callback(args))
    # The commands below call the API: check all input before the first call.
    if args.command == "login" and not args.region_id:
        raise InputError(
            "give --region-id (or set GEWE_REGION_ID): the six-digit code of the account's "
            "province, such as 320000 for Jiangsu; see `gewe_async.types.login.Region`"
        )
    if args.command == "set-callback":
        _callback.callback_url(args.url)
    plan = _commands.avatar_jobs(args) if args.command == "set-avatar" else None
    client = _commands.client_from(args)

    async def run() -> int:
        async with client:
            if args.command == "login":
                return await _login.login(args, client)
            if args.command == "status":
                from gewe_async.cli import _status

                return await _status.status(args, client)
            if args.command == "set-callback":
                return await _callback.set_callback(args, client)
            if plan is None:
                return await _commands.profile(args, client)
            return await _commands.run_avatar_jobs(
                client, plan, concurrency=args.concurrency, grace=args.grace
            )

    return asyncio.run(run())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
