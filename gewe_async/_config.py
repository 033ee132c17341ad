"""Defaults and per-call options."""

from __future__ import annotations

import math
from typing import Final, TypedDict

import httpx

from gewe_async._validators import number

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_TIMEOUT",
    "DEFAULT_TOTAL_TIMEOUT",
    "RequestOptions",
    "TimeoutTypes",
]

DEFAULT_BASE_URL: Final = "http://api.geweapi.com/gewe/v2/api"
"""The hosted GeWe API. The discontinued self-hosted Gewechat served the same paths under
``http://HOST:2531/v2/api``: pass that as ``base_url`` to use one."""

DEFAULT_TIMEOUT: Final = httpx.Timeout(30.0, connect=5.0)
"""5 s to connect, 30 s for each of write, read and pool wait. GeWe answers most calls within a
second, but it drives a real phone: media calls can take tens of seconds."""

TimeoutTypes = float | httpx.Timeout
"""A timeout in seconds for every phase, or an `httpx.Timeout` per phase."""


class RequestOptions(TypedDict, total=False):
    """Options accepted by every endpoint method as keyword arguments, for that call only."""

    timeout: TimeoutTypes
    """Override the client's timeout for each attempt of this call."""
    max_retries: int
    """Override the client's ``Retries.max_retries`` for this call (``0``: no retry)."""
    total_timeout: float | None
    """Override the client's limit on the whole call: waiting its turn, attempts, backoff."""
    send_interval: float | None
    """Override the client's ``send_interval`` for this send (``0`` or ``None``: no pacing)."""


DEFAULT_TOTAL_TIMEOUT: Final = 120.0
"""Seconds for the whole of one call, from waiting its turn through every attempt and backoff.
Generous: it is the last line against a hang, the per-attempt timeout is the first."""


def as_total_timeout(value: object) -> float | None:
    """Validate a total timeout: positive seconds, or ``None`` (or infinity) for none."""
    if value is None:
        return None
    seconds = number("total_timeout", value, allow_inf=True)
    return None if math.isinf(seconds) else seconds


def as_max_retries(value: object) -> int:
    """Validate a per-call ``max_retries``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"max_retries must be an int, got {value!r}")
    if value < 0:
        raise ValueError(f"max_retries must be at least 0, got {value}")
    return value


def as_timeout(value: object) -> httpx.Timeout:
    """Validate a user-given timeout.

    ``None``, NaN and infinity are refused: every attempt has a finite limit (the whole call's
    limit is ``total_timeout``, which may be ``None``).
    """
    if isinstance(value, httpx.Timeout):
        if None in (value.connect, value.read, value.write, value.pool):
            raise ValueError("every phase of the timeout must be set: calls must not hang")
        for phase, seconds in value.as_dict().items():
            number(f"timeout's {phase} phase", seconds, allow_inf=False)
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"timeout must be seconds or an httpx.Timeout, got {value!r}")
    return httpx.Timeout(number("timeout", value, allow_inf=False))
