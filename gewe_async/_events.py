"""Event hooks: one event per attempt, for metrics and tracing."""

from __future__ import annotations

from collections.abc import Callable

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
"""A function called with each `CallEvent`, in the call's task; keep it quick."""
