"""attrs validators and converters of the message requests (kept apart from ``_validators``)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import datetime
from typing import Any, Final

import attrs

from gewe_async import _validators as v
from gewe_async._api import _appmsg

_MD5: Final = re.compile(r"[0-9a-fA-F]{32}")


def positive_int(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Check for an int above 0 (``True``, ``2.0`` and NaN are refused)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{attribute.name} must be an int, got {v.describe(value)}")
    if value <= 0:
        raise ValueError(f"{attribute.name} must be positive, got {value}")


def md5(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Check for 32 hex digits."""
    if not isinstance(value, str):
        raise TypeError(f"{attribute.name} must be a str, got {v.describe(value)}")
    if not _MD5.fullmatch(value):
        raise ValueError(f"{attribute.name} must be an MD5 (32 hex digits), got {value!r:.60}")


def xml_text(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Check for a string XML can carry (no control characters)."""
    _appmsg.check_xml_text(attribute.name, value)


def one_of(*allowed: int) -> Callable[[Any, attrs.Attribute[Any], Any], None]:
    """Check for one of ``allowed`` ints."""

    def check(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        positive_int(instance, attribute, value)
        if value not in allowed:
            raise ValueError(f"{attribute.name} must be one of {allowed}, got {value}")

    return check


def _parsed(attribute: attrs.Attribute[Any], value: Any, what: str) -> ET.Element:
    # The XML checks' common start: a str that parses, else an error naming what was expected.
    if not isinstance(value, str):
        raise TypeError(f"{attribute.name} must be a str, got {v.describe(value)}")
    try:
        return _appmsg.parse(value)
    except ValueError as exc:
        raise ValueError(f"{attribute.name} is not {what}: {exc}") from None


def message_xml(*children: str) -> Callable[[Any, attrs.Attribute[Any], Any], None]:
    """Check for well-formed message XML: ``<msg>`` holding one of ``children``."""

    def check(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        root = _parsed(attribute, value, "a message's XML")
        if root.tag != "msg" or not any(root.find(child) is not None for child in children):
            want = " or ".join(f"<{c}>" for c in children)
            raise ValueError(
                f"{attribute.name} must be a <msg> holding {want}, got <{root.tag}>: pass the "
                "XML of a received message of that kind"
            )

    return check


def appmsg_xml(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Check for a well-formed ``<appmsg>`` element (postAppMsg's ``appmsg``)."""
    root = _parsed(attribute, value, "an <appmsg> element")
    if root.tag != "appmsg":
        raise ValueError(f"{attribute.name} must be an <appmsg> element, got <{root.tag}>")


def id_text(value: object) -> str:
    """An id or time as the decimal string revokeMsg wants (ints, digit strings, datetimes)."""
    if isinstance(value, datetime):
        value = int(value.timestamp())
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return value
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return str(value)
    raise ValueError(f"expected a non-negative integer id, got {v.describe(value)}")


def number_text(value: object) -> str:
    """A count the schema types as string (``"1000"``): an int or a digit string."""
    return id_text(value)
