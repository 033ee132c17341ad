"""The argument types of the ``gewe-async`` command: each refuses bad input with one line."""

from __future__ import annotations

import argparse
import errno
import math
import socket


def positive_int(text: str) -> int:
    """An int of at least 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def count(text: str) -> int:
    """An int of at least 0."""
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be at least 0, got {value}")
    return value


def port(text: str) -> int:
    """A TCP port number."""
    value = int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be a port number (0-65535), got {value}")
    return value


def rate(text: str) -> float:
    """A share between 0 and 1."""
    value = float(text)
    if not 0 <= value <= 1:  # also false for nan
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {value}")
    return value


def seconds(text: str) -> float:
    """A positive, finite number of seconds."""
    value = float(text)
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a positive, finite number, got {text}")
    return value


def add_seconds(
    parser: argparse.ArgumentParser,
    flag: str,
    *,
    help: str,
    default: float | None = None,
    metavar: str | None = None,
) -> None:
    """Add the option ``flag``: a positive number of seconds (see `seconds`)."""
    parser.add_argument(flag, type=seconds, default=default, metavar=metavar, help=help)


def milliseconds(text: str) -> float:
    """A finite number of milliseconds, 0 or more."""
    value = float(text)
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"must be 0 or more milliseconds, got {text}")
    return value


def region(text: str) -> str:
    """A six-digit province code."""
    if not (len(text) == 6 and text.isdigit()):
        raise argparse.ArgumentTypeError(
            f"must be the six-digit code of a province, such as 320000, got {text!r}"
        )
    return text


def url_path(text: str) -> str:
    """The URL path a server serves: it starts with ``/``; no query, fragment or spaces."""
    if not text.startswith("/"):
        raise argparse.ArgumentTypeError(f"must start with /, such as /{text}, got {text!r}")
    if any(c in "?#%" or c.isspace() or not c.isprintable() for c in text):
        raise argparse.ArgumentTypeError(
            f"must be a plain path, without ?, #, % or spaces, got {text!r}"
        )
    return text


def listen(host: str, port: int) -> socket.socket:
    """A socket listening on ``host:port``, bound here so that any failure is one clear line.

    Raises:
        ValueError: The address cannot be listened on (the port in use, a bad host, ...).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family, backlog=2048)
    except OSError as exc:
        reason = "the port is in use" if exc.errno == errno.EADDRINUSE else exc.strerror or exc
        raise ValueError(f"cannot listen on {host}:{port}: {reason}") from None
