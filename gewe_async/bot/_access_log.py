"""Keeping the callback secret out of servers' access logs.

The secret is the last segment of the callback URL's path, and every access log prints the
path: `uvicorn mybot:app` would write it to stdout for each push. `redact_secret_in_logs`
masks it in what the usual servers log.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any, Final
from urllib.parse import quote

__all__ = ["ACCESS_LOGGERS", "SecretRedactor", "redact_secret_in_logs"]

#: The loggers of the access logs of uvicorn, hypercorn, gunicorn and aiohttp, and uvicorn's
#: error log (which may quote a request line).
ACCESS_LOGGERS: Final = (
    "uvicorn.access",
    "uvicorn.error",
    "hypercorn.access",
    "gunicorn.access",
    "aiohttp.access",
)

MASK: Final = "***"


class SecretRedactor(logging.Filter):
    """A logging filter that replaces a secret by ``***`` in each record's message and arguments.

    The record is kept (the filter returns ``True``); only its text changes. The secret is
    masked as written and as it appears percent-encoded in a logged URL.
    """

    def __init__(self, secret: str) -> None:
        """Make the filter.

        Args:
            secret: The text to mask; it must not be empty.

        Raises:
            TypeError: ``secret`` is not a ``str``.
            ValueError: ``secret`` is empty.
        """
        if not isinstance(secret, str):
            raise TypeError(f"the secret must be a str, not {type(secret).__name__}")
        if not secret:
            raise ValueError("the secret to redact must not be empty")
        super().__init__()
        forms = {secret, quote(secret, safe=""), quote(secret)}
        self._forms = sorted(forms, key=len, reverse=True)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"  # never the secret

    def _mask(self, value: Any) -> Any:
        if isinstance(value, str):
            for form in self._forms:
                value = value.replace(form, MASK)
        elif isinstance(value, bytes):
            for form in self._forms:
                value = value.replace(form.encode(), MASK.encode())
        return value

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask the secret in ``record``; always keep it."""
        record.msg = self._mask(record.msg)
        args = record.args
        if isinstance(args, tuple):
            record.args = tuple(self._mask(a) for a in args)
        elif isinstance(args, dict):
            record.args = {k: self._mask(v) for k, v in args.items()}
        return True


def redact_secret_in_logs(secret: str, loggers: Iterable[str] = ACCESS_LOGGERS) -> SecretRedactor:
    """Mask ``secret`` in what the named loggers log (by default the usual access logs).

    Call it in the bot's module, next to the receiver, so that `uvicorn mybot:app` (which
    configures its logging before importing the module) never prints the secret:

    ```python
    app = ASGIReceiver(dp, secret=os.environ["GEWE_CALLBACK_SECRET"])
    redact_secret_in_logs(os.environ["GEWE_CALLBACK_SECRET"])
    ```

    Args:
        secret: The callback secret.
        loggers: The names of the loggers to filter.

    Returns:
        The filter added to each logger (``logger.removeFilter`` takes it off).
    """
    redactor = SecretRedactor(secret)
    for name in loggers:
        logging.getLogger(name).addFilter(redactor)
    return redactor
