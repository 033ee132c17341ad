"""Request pieces that many groups share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from gewe_async import _validators as v


@attrs.frozen(kw_only=True)
class AppIdRequest:
    """A request body with only the device's appId."""

    app_id: str = attrs.field(validator=v.app_id)


@attrs.frozen(kw_only=True)
class ToChatRequest(AppIdRequest):
    """A request body sent to one chat: the device's appId and the chat's ``toWxid``."""

    to_wxid: str = attrs.field(validator=v.non_empty_text)


def optional(validator: Callable[[Any, attrs.Attribute[Any], Any], Any]) -> Any:
    """An attrs field left out unless given (``None``), else checked by ``validator``."""
    return attrs.field(default=None, validator=attrs.validators.optional(validator))


def built(cls: type[Any], app_id: str, **fields: Any) -> Any:
    """Build one request of a batch, naming the appId if its input is refused."""
    try:
        return cls(app_id=app_id, **fields)
    except (ValueError, TypeError) as exc:
        raise type(exc)(f"appId {app_id!r}: {exc}") from None
