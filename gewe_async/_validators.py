"""attrs validators for request fields: bad input fails here, before anything is sent."""

from __future__ import annotations

import base64
import binascii
import math
import re
from enum import IntEnum
from typing import Any, Final, TypeVar
from urllib.parse import urlsplit

import attrs

E = TypeVar("E", bound=IntEnum)


#: Control characters other than tab, newline and carriage return: never meant in a text field.
CONTROL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_UINT64_LIMIT: Final = 2**64


def describe(value: Any) -> str:
    """Name a refused value in an error message: its type and a short repr."""
    return f"{type(value).__name__} {value!r:.60}"


def no_control(name: str, value: str) -> None:
    """Refuse control characters (tab, newline and carriage return are fine) in one wording."""
    if CONTROL.search(value):
        raise ValueError(f"{name} must not contain control characters, got {value!r:.60}")


def free_text(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Check free text: a str without control characters (newlines and tabs are fine)."""
    text(_, attribute, value)
    no_control(attribute.name, value)


def digits(value: object, *, empty: bool = False) -> str:
    """An id or size the pages type as a string (``"2000"``): an int or a string of digits.

    Ints from 0 to 2**64 - 1 are sent as their digits; ``""`` passes only where ``empty`` says
    the field may be blank.
    """
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < _UINT64_LIMIT:
        return str(value)
    if isinstance(value, str) and ((empty and value == "") or value.isdecimal()):
        return value
    raise TypeError(f"expected a non-negative int or a string of digits, got {describe(value)}")


def app_id(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Check that an appId is a non-empty string without surrounding whitespace.

    Control characters (newlines, tabs, escapes, ...) are refused too: an appId goes into log
    lines and error messages, where a newline would forge a line.
    """
    if not isinstance(value, str):
        raise TypeError(f"{attribute.name} must be a str, got {describe(value)}")
    if not value or value.strip() != value:
        raise ValueError(
            f"{attribute.name} must be a non-empty appId without surrounding spaces, got {value!r}"
        )
    if not value.isprintable():
        raise ValueError(f"{attribute.name} must not contain control characters, got {value!r}")


def count(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Check for an ``int`` of at least 1 (``2.5`` or ``True`` are not counts): a ValueError."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{attribute.name} must be an int of at least 1, got {value!r}")


def positive_or_inf(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Check for a positive number; infinity is allowed (it means "no limit"), NaN is not."""
    number(attribute.name, value, allow_inf=True)


def positive_finite(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Check for a positive, finite number (NaN and infinity refused)."""
    number(attribute.name, value, allow_inf=False)


def number(name: str, value: object, *, allow_inf: bool) -> float:
    """Return ``value`` as a positive float, or raise the error that says what is wrong with it.

    NaN is always refused (it compares false with everything, so it would disable a limit
    silently); infinity only where ``allow_inf`` says it means "no limit".
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a number of seconds, got {describe(value)}")
    if math.isnan(value):
        raise ValueError(f"{name} must be a number, got nan")
    if math.isinf(value) and not allow_inf:
        raise ValueError(f"{name} must be finite, got {value}")
    if value <= 0:
        raise ValueError(f"{name} must be positive, got {value}")
    return float(value)


def text(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Check that a field is a string."""
    if not isinstance(value, str):
        raise TypeError(f"{attribute.name} must be a str, got {describe(value)}")


def non_empty_text(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Check that a field is a string with something in it."""
    text(instance, attribute, value)
    if not value.strip():
        raise ValueError(f"{attribute.name} must not be empty")


def boolean(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Check for a real ``bool``: ``1`` or ``"true"`` would go out as something else."""
    if not isinstance(value, bool):
        raise TypeError(f"{attribute.name} must be a bool, got {describe(value)}")


def http_url(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Check for an absolute ``http://`` or ``https://`` URL with a host."""
    if not isinstance(value, str):
        raise TypeError(f"{attribute.name} must be a str URL, got {describe(value)}")
    try:
        parts = urlsplit(value)
    except ValueError as exc:
        raise ValueError(f"{attribute.name} is not a valid URL: {value!r:.100} ({exc})") from None
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or value != value.strip()
        or not value.isprintable()
    ):
        raise ValueError(f"{attribute.name} must be an http(s) URL with a host, got {value!r:.100}")


def to_int_enum(enum: type[E], value: object) -> E:
    """Return the member of ``enum`` for an int or member; refuse anything else.

    Used in attrs *converters*, so that the field always holds the enum member.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected a {enum.__name__} or int, got {describe(value)}")
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(f"{m.value} ({m.name})" for m in enum)
        raise ValueError(f"{value} is not a valid {enum.__name__}; use one of {allowed}") from None


def decode_image(value: str) -> bytes:
    """Decode a base64 image, bare or as a data URL (deployments send either)."""
    _, comma, payload = value.partition(",")
    return base64.b64decode(payload if comma else value, validate=True)


def base64_image(_: Any, attribute: attrs.Attribute[Any], value: str) -> None:
    """Check that an answer's image field really is base64 (bare or a data URL)."""
    try:
        decode_image(value)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"{attribute.name} is not base64 image data ({exc})") from None


def optional_app_id(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Like `app_id`, but ``""`` is allowed: it asks the server for a new device."""
    if value != "":
        app_id(instance, attribute, value)


def region_id(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Check a login region: the six-digit code of a province (see ``Region``)."""
    if not isinstance(value, str):
        raise TypeError(f"{attribute.name} must be a str such as '320000', got {describe(value)}")
    if not (len(value) == 6 and value.isdigit()):
        raise ValueError(f"{attribute.name} must be a six-digit region code, got {value!r}")
