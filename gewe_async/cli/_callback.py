"""``gewe-async set-callback`` and ``test-callback``: point GeWe at a bot, and check the URL.

GeWe posts every push of a token to one callback URL, set with ``login/setCallback``; setting
it sends a test push containing "验证回调地址是否可用" (开发指南/消息订阅). The API has no
call that reads the URL back.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from typing import Any, Final
from urllib.parse import urlsplit

import httpx

from gewe_async._client import AsyncGeweClient
from gewe_async.callbacks._parse import TEST_PHRASE
from gewe_async.cli import _args
from gewe_async.cli._input import InputError

#: The variable the callback URL is best given in: the URL ends with the bot's secret.
URL_VARIABLE: Final = "GEWE_CALLBACK_URL"
#: GeWe gives a push up when the receiver has not answered within 3 s.
PUSH_TIMEOUT: Final = 3.0
#: The test push, as GeWe sends it less its ``token`` (which is not sent to a URL on trial).
TEST_PUSH: Final = {"testMsg": TEST_PHRASE}


class CallbackError(Exception):
    """The URL did not take the test push (unreachable, or an answer other than 2xx)."""


def add_parsers(commands: Any, api: argparse.ArgumentParser) -> None:
    """Add ``set-callback`` and ``test-callback`` to the CLI's subcommands."""
    url_help = (
        f"the receiver's URL, such as https://bot.example.com/gewe/SECRET (default: "
        f"${URL_VARIABLE}, which is better: a command line is visible to every user)"
    )
    setter = commands.add_parser(
        "set-callback",
        parents=[api],
        help="set the URL GeWe posts this token's pushes to (checked with a test push first)",
        description="Set the URL GeWe posts every push of this token to (login/setCallback). "
        "Unless --no-check, a test push like GeWe's is posted to the URL first, and nothing is "
        "set unless it answers 2xx. GeWe has no call that reads the URL back: keep it in your "
        "configuration.",
    )
    setter.add_argument("url", nargs="?", metavar="URL", help=url_help)
    setter.add_argument(
        "--no-check",
        dest="check",
        action="store_false",
        help="set the URL without posting a test push to it first",
    )
    tester = commands.add_parser(
        "test-callback",
        help="post a test push like GeWe's to a URL and report the answer",
        description="Post the test push GeWe sends when the callback URL is set "
        f"({json.dumps(TEST_PUSH, ensure_ascii=False)}) to URL, as GeWe does (JSON, "
        f"{PUSH_TIMEOUT:g} s to answer), and report the answer: exit 0 for 2xx, 1 otherwise.",
    )
    tester.add_argument("url", nargs="?", metavar="URL", help=url_help)
    tester.add_argument(
        "--timeout",
        type=_args.seconds,
        default=PUSH_TIMEOUT,
        help=f"seconds the URL gets to answer ({PUSH_TIMEOUT:g}, as GeWe)",
    )


def callback_url(given: str | None) -> str:
    """The URL from the argument or ``$GEWE_CALLBACK_URL``, checked.

    Raises:
        InputError: No URL, or not an http(s) URL with a host.
    """
    url = given if given is not None else os.environ.get(URL_VARIABLE)
    if not url:
        raise InputError(f"give the callback URL (or set {URL_VARIABLE})")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError("the callback URL must be http:// or https:// with a host")
    if any(c.isspace() or not c.isprintable() for c in url):
        raise InputError("the callback URL holds spaces or control characters")
    return url


def shown(url: str) -> str:
    """The URL without its last path segment (the secret, for a gewe-async receiver)."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    head, _, last = path.rpartition("/")
    masked = f"{head}/***" if head and last else path
    return parts._replace(path=masked, query="", fragment="").geturl()


async def post_test_push(url: str, *, timeout: float = PUSH_TIMEOUT) -> tuple[int, float]:
    """Post the test push to ``url``; the status and the seconds it took to answer.

    Raises:
        CallbackError: The URL could not be reached or did not answer in time.
    """
    body = json.dumps(TEST_PUSH, ensure_ascii=False).encode()
    headers = {"content-type": "application/json"}
    started = time.perf_counter()
    async with httpx.AsyncClient(timeout=timeout, follow_redirects=False) as http:
        try:
            answer = await http.post(url, content=body, headers=headers)
        except httpx.TimeoutException:
            raise CallbackError(f"no answer within {timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise CallbackError(f"cannot reach it: {type(exc).__name__}: {exc}") from None
    return answer.status_code, time.perf_counter() - started


async def check(url: str, *, timeout: float = PUSH_TIMEOUT) -> str:
    """Post the test push; a line saying how it went.

    Raises:
        CallbackError: Not reached, or answered with a status other than 2xx.
    """
    status, took = await post_test_push(url, timeout=timeout)
    said = f"{shown(url)} answered {status} to the test push in {took * 1000:.0f} ms"
    if not 200 <= status < 300:
        hint = " (wrong secret?)" if status == 403 else " (wrong path?)" if status == 404 else ""
        raise CallbackError(said + hint)
    return said


async def test_callback(args: argparse.Namespace) -> int:
    """``test-callback``: 0 when the URL answered 2xx, 1 otherwise."""
    from gewe_async.cli import _ui

    url = callback_url(args.url)
    try:
        said = await check(url, timeout=args.timeout)
    except CallbackError as exc:
        _ui.err.print(f"[red]error:[/] {_escape(str(exc))}")
        return 1
    _ui.out.print(_escape(said))
    return 0


test_callback.__test__ = False  # type: ignore[attr-defined]  # a command, not a pytest test


async def set_callback(args: argparse.Namespace, client: AsyncGeweClient) -> int:
    """``set-callback``: check the URL (unless ``--no-check``), then set it."""
    from gewe_async.cli import _ui

    url = callback_url(args.url)
    if args.check:
        try:
            said = await check(url)
        except CallbackError as exc:
            _ui.err.print(
                f"[red]error:[/] {_escape(str(exc))}; nothing set (--no-check sets it anyway)"
            )
            return 1
        _ui.err.print(_escape(said))
    await client.login.set_callback(url)
    _ui.out.print(
        f"callback URL set: {_escape(shown(url))} (GeWe now posts its own test push to it)"
    )
    return 0


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)
