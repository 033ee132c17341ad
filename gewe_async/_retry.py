"""When a failed call is tried again, and how long to wait first.

Why not stamina or tenacity: both were measured. Entering ``stamina.retry_context`` costs
~35 us per call even when the first attempt succeeds, a fifth of the client's whole CPU per
call at high concurrency (docs/performance.md). And what matters here is not the loop but the
decision: whether the request may have reached the server, whether the endpoint is safe to
repeat, and the server's ``Retry-After`` with a cap; that is GeWe-specific either way.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any, Final

import attrs

from gewe_async import _validators as v
from gewe_async.exceptions import GeweError, GeweHTTPStatusError, GeweTransportError

if TYPE_CHECKING:
    from gewe_async._endpoint import Endpoint

__all__ = ["RETRYABLE_STATUSES", "Retries"]

#: Answers from proxies in front of GeWe that say "try later": too many requests, bad gateway,
#: unavailable, gateway timeout.
RETRYABLE_STATUSES: Final = frozenset({429, 502, 503, 504})


def _non_negative_int(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{attribute.name} must be an int of at least 0, got {value!r}")


@attrs.frozen
class Retries:
    """How failed calls are retried: how often, and how long to wait in between.

    What is retried (see docs/reliability.md):

    - failures before the request was sent (connection refused, connect timeout): always;
    - timeouts, dropped connections and HTTP 429/502/503/504 after sending: only for endpoints
      safe to repeat (reads, idempotent setters), never for sends;
    - a GeWe refusal (``ret != 200``) or a malformed answer: never.

    The wait before retry *n* (1, 2, ...) is ``initial_delay * 2 ** (n - 1)``, capped at
    ``max_delay`` and shortened at random by up to a quarter (jitter), unless the server sent
    ``Retry-After``: that is waited for instead, up to ``max_retry_after``; a longer one is not
    waited for, and the error is raised with ``retry_after`` on it.

    ```python
    AsyncGeweClient(retries=Retries(max_retries=5, max_delay=30))
    await client.personal.get_profile("wx_1", max_retries=0)   # this call: no retry
    ```

    >>> Retries(max_retries=-1)
    Traceback (most recent call last):
    ...
    ValueError: max_retries must be an int of at least 0, got -1
    """

    max_retries: int = attrs.field(default=2, validator=_non_negative_int)
    """Retries after the first attempt (``0``: never retry)."""
    initial_delay: float = attrs.field(default=0.5, validator=v.positive_finite)
    """Seconds before the first retry."""
    max_delay: float = attrs.field(default=8.0, validator=v.positive_finite)
    """The longest wait between attempts."""
    max_retry_after: float = attrs.field(default=60.0, validator=v.positive_finite)
    """The longest ``Retry-After`` that is honoured."""

    def should_retry(self, error: GeweError, endpoint: Endpoint[Any]) -> bool:
        """Whether ``error`` from a call to ``endpoint`` is worth another attempt."""
        if isinstance(error, GeweTransportError):
            return not error.request_sent or endpoint.retry_safe
        if isinstance(error, GeweHTTPStatusError):
            return error.status_code in RETRYABLE_STATUSES and endpoint.retry_safe
        return False

    def delay(self, retry: int, error: GeweError) -> float | None:
        """Seconds to wait before retry number ``retry``; ``None`` if the server asks too much."""
        retry_after = error.retry_after if isinstance(error, GeweHTTPStatusError) else None
        if retry_after is not None:
            return retry_after if retry_after <= self.max_retry_after else None
        backoff = min(self.max_delay, self.initial_delay * 2.0 ** (retry - 1))
        return backoff * (1 - 0.25 * random.random())  # noqa: S311 - jitter, not secrets
