"""``gewe-async receive MODULE:DISPATCHER``: serve a bot's receiver with uvicorn."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import os
import sys
from typing import Any

from gewe_async._client import AsyncGeweClient
from gewe_async.bot import ASGIReceiver, Dispatcher, Router
from gewe_async.exceptions import GeweConfigError


class TargetError(Exception):
    """The MODULE:DISPATCHER argument names nothing usable."""


def add_parser(commands: Any, api: argparse.ArgumentParser) -> None:
    """Add the ``receive`` command to the CLI's subcommands."""
    receive = commands.add_parser(
        "receive",
        parents=[api],
        help="serve a bot: take GeWe's pushes and run its handlers (uvicorn)",
    )
    receive.add_argument(
        "target",
        metavar="MODULE:DISPATCHER",
        help="the bot's Dispatcher or Router, such as mybot:dp (imported from the current folder)",
    )
    receive.add_argument("--host", default="127.0.0.1", help="bind address (127.0.0.1)")
    receive.add_argument("--port", type=int, default=8000, help="port (8000)")
    receive.add_argument("--path", default="/gewe", help="URL path of the receiver (/gewe)")
    receive.add_argument(
        "--secret",
        default=os.environ.get("GEWE_CALLBACK_SECRET"),
        help="the secret the callback URL ends with: PATH/SECRET (default: $GEWE_CALLBACK_SECRET)",
    )


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


def receive(args: argparse.Namespace) -> int:
    """Serve the bot until interrupted; the exit status."""
    try:
        import uvicorn
    except ImportError:
        print("gewe-async receive needs uvicorn: pip install 'gewe-async[server]'", file=sys.stderr)
        return 2
    try:
        dp = dispatcher_for(load_target(args.target))
    except TargetError as exc:
        print(f"gewe-async receive: {exc}", file=sys.stderr)
        return 2
    client = None
    try:
        dp.client  # noqa: B018 - does the bot's module give a client?
    except GeweConfigError:
        # No client in the bot's module: one from --token/--base-url, closed at the end.
        try:
            client = AsyncGeweClient(token=args.token, base_url=args.base_url)
        except GeweConfigError as exc:
            print(f"gewe-async receive: {exc}", file=sys.stderr)
            return 2
        dp.client = client
    receiver = ASGIReceiver(dp, secret=args.secret, path=args.path)
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

    # uvicorn re-raises Ctrl-C once it has shut down cleanly: that is the normal way out.
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve())
    return 0
