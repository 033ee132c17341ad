"""Request pieces the social-graph groups share (contacts, im, group, label): wxids and chatrooms.

A wxid is checked for its shape before sending: a typo, a nickname or a stray space would
otherwise come back as an unclear server failure, or worse, go out inside a comma-joined list.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any, Final

import attrs

from gewe_async import _validators as v
from gewe_async._api._common import AppIdRequest

#: wxid_..., user-chosen ids (letters, digits, ``_`` ``-``), gh_..., and suffixed ids such as
#: ``123@chatroom`` or ``2598...@openim``.
_WXID: Final = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]{0,63}(@[A-Za-z0-9_]{1,32})?")


def check_wxid(value: Any, name: str = "wxid") -> str:
    """Return ``value`` if it is a well-formed wxid, else raise TypeError/ValueError."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str wxid, got {v.describe(value)}")
    if not _WXID.fullmatch(value):
        raise ValueError(
            f"{name} is not a wxid (such as 'wxid_abc123' or '123@chatroom'): {value!r:.80}"
        )
    return value


def wxid(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Attrs validator: a well-formed wxid."""
    check_wxid(value, attribute.name)


def chatroom_id(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Attrs validator: a group's id, ``<digits>@chatroom``."""
    check_wxid(value, attribute.name)
    if not value.endswith("@chatroom"):
        raise ValueError(
            f"{attribute.name} must be a group id ending in '@chatroom', got {value!r}"
        )


clean_text = v.free_text


def wxid_list(items: Any, name: str = "wxids", *, minimum: int = 1) -> tuple[str, ...]:
    """Check a list of wxids: a list or tuple (not one string), long enough, each well-formed."""
    if isinstance(items, str | bytes) or not isinstance(items, Iterable):
        raise TypeError(f"{name} must be a list of wxids, got {v.describe(items)}")
    checked = tuple(check_wxid(item, f"{name}[{i}]") for i, item in enumerate(items))
    if len(checked) < minimum:
        raise ValueError(f"{name} needs at least {minimum} wxid(s), got {len(checked)}")
    return checked


def at_most(items: tuple[str, ...], maximum: int, name: str) -> tuple[str, ...]:
    """Refuse more than the endpoint's documented maximum, pointing at the chunking helper."""
    if len(items) > maximum:
        raise ValueError(
            f"{name} takes at most {maximum} wxids per call, got {len(items)}; "
            f"use {name}_many() to send any number in chunks"
        )
    return items


def to_wxids(value: Any) -> list[str]:
    """Attrs converter: a list of at least one wxid."""
    return list(wxid_list(value))


def to_comma_wxids(value: Any) -> str:
    """Attrs converter: wxids joined by commas, as inviteMember and removeMember send them."""
    return ",".join(wxid_list(value))


def to_int_id(value: Any, name: str) -> int:
    """A positive int id; floats (NaN, 1.5) and bools are refused."""
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and math.isnan(value):
            raise ValueError(f"{name} is NaN")
        raise TypeError(f"{name} must be an int id, got {v.describe(value)}")
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value}")
    return value


@attrs.frozen(kw_only=True)
class WxidsRequest(AppIdRequest):
    """Body of the look-ups by a list of wxids (``getBriefInfo``, ``checkRelation``, ...)."""

    wxids: list[str] = attrs.field(converter=to_wxids)


@attrs.frozen(kw_only=True)
class WxidRequest(AppIdRequest):
    """Body of the calls about one contact: appId and ``wxid``."""

    wxid: str = attrs.field(validator=wxid)


@attrs.frozen(kw_only=True)
class ChatroomRequest(AppIdRequest):
    """Body of the calls about one group: appId and ``chatroomId``."""

    chatroom_id: str = attrs.field(validator=chatroom_id)
