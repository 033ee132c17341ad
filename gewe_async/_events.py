"""Event hooks: one event per attempt, for metrics and tracing."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Final

import attrs

from gewe_async.exceptions import GeweError

__all__ = ["CallEvent", "EventHook"]


@attrs.frozen
class CallEvent:
    """One attempt of one call, as reported to the client's ``event_hooks``.

    ```python
    def count(event: CallEvent) -> None:
        ATTEMPTS.labels(event.endpoint, "ok" if event.error is None else "error").inc()

    AsyncGeweClient(event_hooks=[count])
    ```
    """

    endpoint: str
    """The endpoint path, such as ``personal/getProfile``."""
    app_id: str | None
    """The appId of the call, when it has one."""
    attempt: int
    """1 for the first attempt, 2 for the first retry, ..."""
    duration: float
    """Seconds the attempt took (sending and reading the answer)."""
    error: GeweError | None
    """Why the attempt failed (redacted), or ``None`` when it succeeded."""
    retry_in: float | None
    """Seconds until the next attempt, or ``None`` when there will be none."""


EventHook = Callable[[CallEvent], object]
"""A function called with each `CallEvent`, in the call's task; keep it quick.

What it raises is logged (at most once a minute per hook) and does not change the call's
result."""


logger: Final = logging.getLogger("gewe_async")

#: A failing hook is logged at most once per this many seconds: it fails on every attempt.
HOOK_LOG_INTERVAL: Final = 60.0

_hook_log: dict[str, tuple[float, int]] = {}  # hook name -> (when next logged, failures since)


def hook_failed(hook: EventHook, exc: Exception) -> None:
    """Log that an event hook raised, with its traceback, at most once a minute per hook."""
    name = getattr(hook, "__qualname__", None) or type(hook).__name__
    now = time.monotonic()
    next_log, unlogged = _hook_log.get(name, (0.0, 0))
    if now < next_log:
        _hook_log[name] = (next_log, unlogged + 1)
        return
    if len(_hook_log) > 1024:  # hooks made on the fly (lambdas): keep the table small
        _hook_log.clear()
    _hook_log[name] = (now + HOOK_LOG_INTERVAL, 0)
    more = f" ({unlogged} more failures since the last report)" if unlogged else ""
    logger.error(
        "event hook %s raised %s; the call's outcome is unchanged%s",
        name,
        type(exc).__name__,
        more,
        exc_info=exc,
    )
