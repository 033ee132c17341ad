"""Keep the token out of everything a user can see: reprs, logs and error text.

The server echoes the token back in some refusals (``X-GEWE-TOKEN=<token> 不可用或已过期``),
so redaction applies to what comes *in* as well as to what we print.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Final

import attrs

REDACTED: Final = "***"

#: Tokens shorter than this are too short to be real (GeWe issues UUIDs, 36 characters): the
#: client logs a warning for one, and hides it only where it stands as a whole token.
MIN_TOKEN_CHARS: Final = 8

logger: Final = logging.getLogger("gewe_async")

# The characters a token is made of; a short token is hidden only where none of them touches it,
# so that ``t`` hides the word ``t`` and not the letter in ``Cannot``.
_WORD_CHAR: Final = "0-9A-Za-z_-"

# Whatever token the server echoes after the header name is hidden, even one that is not ours
# (a user-supplied http_client may carry another).
_ECHOED_HEADER = re.compile(r"(X-GEWE-TOKEN\s*[=:]\s*)[^\s,;，；]+", re.IGNORECASE)

#: Bodies attached to errors are cut to this many characters.
MAX_BODY_CHARS: Final = 2048


@attrs.frozen(repr=False)
class Secret:
    """A string that never shows itself in ``repr`` or ``str``."""

    value: str

    def __repr__(self) -> str:
        return f"Secret({REDACTED!r})"

    __str__ = __repr__


@attrs.frozen
class Redactor:
    """Replaces the token, and any echoed ``X-GEWE-TOKEN=...``, by ``***``.

    A token of `MIN_TOKEN_CHARS` or more is hidden wherever it appears: so long a random string
    does not occur in prose by chance, and a token glued to other text must not show. A shorter
    one (a placeholder, a test's ``"t"``) is hidden only where it stands as a whole token, so that
    it does not garble the words around it; a warning is logged when such a redactor is made.
    """

    secret: Secret
    _short: re.Pattern[str] | None = attrs.field(init=False, repr=False, eq=False)

    @_short.default
    def _short_pattern(self) -> re.Pattern[str] | None:
        token = self.secret.value
        if len(token) >= MIN_TOKEN_CHARS:
            return None
        logger.warning(
            "the GeWe token is only %d characters long (real ones are UUIDs, 36): check "
            "AsyncGeweClient(token=...) or GEWE_TOKEN; it is hidden in logs only where it "
            "stands as a whole word",
            len(token),
        )
        escaped = re.escape(token)
        return re.compile(rf"(?<![{_WORD_CHAR}]){escaped}(?![{_WORD_CHAR}])")

    def text(self, value: str) -> str:
        """Return ``value`` with every occurrence of the token hidden."""
        token = self.secret.value
        if token and token in value:
            if self._short is None:
                value = value.replace(token, REDACTED)
            else:
                value = self._short.sub(REDACTED, value)
        if "gewe-token" in value.lower():
            value = _ECHOED_HEADER.sub(rf"\g<1>{REDACTED}", value)
        return value

    def short(self, value: str) -> str:
        """Redact a text and cut it to `MAX_BODY_CHARS`, like bodies are."""
        text = self.text(value[: MAX_BODY_CHARS * 32])
        if len(text) > MAX_BODY_CHARS:
            text = text[:MAX_BODY_CHARS] + f"... [{len(value)} characters in all]"
        return text

    def deep(self, value: Any) -> Any:
        """Redact every string inside a decoded JSON value, and cut each to `MAX_BODY_CHARS`.

        Raises:
            RecursionError: The value is nested too deeply.
        """
        if isinstance(value, str):
            return self.short(value)
        if isinstance(value, dict):
            return {self.text(str(k)): self.deep(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.deep(v) for v in value]
        return value

    def body(self, raw: bytes) -> str:
        """Decode, redact and size-cap a response body for attaching to an error."""
        # Redact before cutting, and read far enough past the cut that a token straddling the
        # slice boundary lies beyond what is kept.
        text = self.text(raw[: MAX_BODY_CHARS * 32].decode("utf-8", errors="replace"))
        if len(text) > MAX_BODY_CHARS:
            text = text[:MAX_BODY_CHARS] + f"... [{len(raw)} bytes in all]"
        return text
