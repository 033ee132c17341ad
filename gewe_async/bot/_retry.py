"""What happens to an event whose handler failed: retried with backoff, or a dead letter.

A [`RetryPolicy`][gewe_async.bot.RetryPolicy] says which failures are transient and how
often and how long apart they are retried; [`Retry`][gewe_async.bot.Retry] is a handler asking
for a retry itself. The dispatcher reports each run as an [`Outcome`][gewe_async.bot.Outcome];
the runner retries it or hands the event to the journal's dead letters.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable

import attrs

from gewe_async.exceptions import GeweHTTPStatusError, GeweTransportError

__all__ = ["Outcome", "Retry", "RetryPolicy", "is_transient"]


class Retry(Exception):
    """Raised by a handler to be run again later: `raise Retry(after=30)`.

    A control-flow exception, deliberately not a [`GeweError`][gewe_async.GeweError]: the
    handler did not fail, it asks to wait. Each run counts toward the dispatcher's
    `RetryPolicy.max_attempts`; once they are used up the event becomes a dead letter.

    Args:
        after: Seconds to wait before the next run; `None` uses the policy's backoff.
        reason: Why, for the logs and the dead letter's error text.
    """

    def __init__(self, after: float | None = None, reason: str = "") -> None:
        if after is not None and (
            isinstance(after, bool)
            or not isinstance(after, int | float)
            or not math.isfinite(after)
            or after < 0
        ):
            raise ValueError(
                f"after must be a finite number of seconds >= 0 or None, got {after!r}"
            )
        self.after = None if after is None else float(after)
        self.reason = reason
        text = "retry asked" + (f" in {after:g} s" if after is not None else "")
        super().__init__(f"{text}: {reason}" if reason else text)


def is_transient(error: BaseException) -> bool:
    """The default test of a transient failure: the network, a timeout, or an HTTP 5xx.

    [`GeweTransportError`][gewe_async.GeweTransportError] (and so
    [`GeweTimeoutError`][gewe_async.GeweTimeoutError]) and a
    [`GeweHTTPStatusError`][gewe_async.GeweHTTPStatusError] with a 5xx status.
    """
    if isinstance(error, GeweTransportError):
        return True
    return isinstance(error, GeweHTTPStatusError) and error.status_code >= 500


def _positive_int(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{attribute.name} must be an int of at least 1, got {value!r}")


def _seconds(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value < 0
    ):
        raise ValueError(f"{attribute.name} must be a finite number of seconds >= 0, got {value!r}")


@attrs.frozen
class RetryPolicy:
    """How the runner retries an event whose handler failed (stamina's knobs, for handlers).

    A failure `on` accepts (by default [`is_transient`][gewe_async.bot.is_transient]: the
    network, timeouts, HTTP 5xx) or a [`Retry`][gewe_async.bot.Retry] is run again after
    `wait_initial * 2 ** (run - 1)` seconds (at most `wait_max`, with jitter, at least an
    HTTP `Retry-After`), up to `max_attempts` runs in all. Any other failure, or the last
    run's, makes the event a dead letter of the journal at once.

    ```python
    dp = Dispatcher(client, retry=RetryPolicy(max_attempts=5, wait_max=120))
    ```
    """

    max_attempts: int = attrs.field(default=3, validator=_positive_int)
    """Runs of the handler in all, the first included (1: never retried)."""
    wait_initial: float = attrs.field(default=1.0, validator=_seconds)
    """Seconds before the second run; each later wait doubles."""
    wait_max: float = attrs.field(default=60.0, validator=_seconds)
    """The longest wait between two runs, in seconds."""
    on: Callable[[BaseException], bool] | tuple[type[BaseException], ...] = is_transient
    """Which failures are transient: a test, or exception classes."""
    jitter: bool = True
    """Wait a random 50-100 % of the backoff, so that many events do not retry in step."""

    def transient(self, error: BaseException) -> bool:
        """Whether `error` is retried (a [`Retry`][gewe_async.bot.Retry] always is)."""
        if isinstance(error, Retry):
            return True
        if isinstance(self.on, tuple):
            return isinstance(error, self.on)
        return self.on(error)

    def delay(self, error: BaseException, run: int) -> float | None:
        """Seconds before run `run + 1` after `error` ended run `run`; `None`: not retried."""
        if run >= self.max_attempts or not self.transient(error):
            return None
        if isinstance(error, Retry) and error.after is not None:
            return error.after
        wait = min(self.wait_max, self.wait_initial * 2.0 ** min(run - 1, 30))
        if self.jitter:
            wait *= random.uniform(0.5, 1.0)  # noqa: S311 - jitter, not a secret
        retry_after = getattr(error, "retry_after", None)
        if isinstance(retry_after, int | float) and math.isfinite(retry_after):
            wait = max(wait, min(float(retry_after), self.wait_max))
        return wait


@attrs.frozen
class Outcome:
    """What one run of an event's handling came to, as the dispatcher reports it."""

    handled: bool
    """Whether a handler took the event (matched and ran)."""
    error: Exception | None = None
    """What the handler or a middleware raised, or `None`."""
    retry_after: float | None = None
    """Seconds after which the runner runs it again; `None`: not retried."""

    @property
    def failed(self) -> bool:
        """Whether the run raised."""
        return self.error is not None


def describe(error: BaseException) -> str:
    """The error as a dead letter keeps it: its class and message, cut to 2,000 characters."""
    text = f"{type(error).__name__}: {error}"
    cause = error.__cause__
    if cause is not None and not isinstance(error, Retry):
        text += f" (from {type(cause).__name__}: {cause})"
    return text if len(text) <= 2000 else text[:1999] + "…"
