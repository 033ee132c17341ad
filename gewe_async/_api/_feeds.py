"""Checks the Moments, favorites and Channels requests share.

Ids of these groups (``snsId``, ``objectId``, comment ids) are unsigned 64-bit numbers: many
exceed 2**53 and some 2**63, so they are Python ints, sent as JSON integers, never floats.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

import attrs

from gewe_async import _validators as v

_CONTROL: Final = v.CONTROL
_UINT64_MAX: Final = 2**64 - 1


def uint64(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Check an id: an int (not a bool, not a float) between 0 and 2**64 - 1."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{attribute.name} must be an int, got {v.describe(value)}")
    if not 0 <= value <= _UINT64_MAX:
        raise ValueError(f"{attribute.name} must be between 0 and 2**64 - 1, got {value}")


def object_id(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Check the id of an existing item: a `uint64` that is not 0."""
    uint64(instance, attribute, value)
    if value == 0:
        raise ValueError(f"{attribute.name} must name an item, got 0")


def small_int(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Check a count or offset: an int (not a bool) from 0 to 2**31 - 1."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{attribute.name} must be an int, got {v.describe(value)}")
    if not 0 <= value < 2**31:
        raise ValueError(f"{attribute.name} must be between 0 and 2**31 - 1, got {value}")


content = v.free_text


def non_empty_content(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Like `content`, and not blank."""
    content(instance, attribute, value)
    if not value.strip():
        raise ValueError(f"{attribute.name} must not be empty")


def name(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Check a wxid, username, key or token: a non-empty str without spaces or control chars."""
    if not isinstance(value, str):
        raise TypeError(f"{attribute.name} must be a str, got {v.describe(value)}")
    if not value or any(c.isspace() for c in value) or _CONTROL.search(value):
        raise ValueError(
            f"{attribute.name} must be non-empty, without spaces or control characters, "
            f"got {value!r:.60}"
        )


def cursor(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Check a continuation key (``""`` on the first page): a str without spaces."""
    if not isinstance(value, str):
        raise TypeError(f"{attribute.name} must be a str, got {v.describe(value)}")
    if any(c.isspace() for c in value) or _CONTROL.search(value):
        raise ValueError(f"{attribute.name} must not contain spaces, got {value!r:.60}")


def names(value: Any) -> tuple[str, ...]:
    """Converter: a list of wxids or tag ids, as a tuple; refuses a bare string."""
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise TypeError(f"expected a list of str, got {v.describe(value)}")
    return tuple(value)


def each_name(instance: Any, attribute: attrs.Attribute[Any], value: tuple[Any, ...]) -> None:
    """Check every entry of a `names` list."""
    for entry in value:
        name(instance, attribute, entry)


def url_list(instance: Any, attribute: attrs.Attribute[Any], value: tuple[Any, ...]) -> None:
    """Check a non-empty list of http(s) URLs."""
    if not value:
        raise ValueError(f"{attribute.name} must have at least one URL")
    for entry in value:
        v.http_url(instance, attribute, entry)


def name_list() -> Any:
    """An attrs field: a list of wxids or tag ids (sent as a JSON array, empty included)."""
    return attrs.field(converter=names, validator=each_name)
