"""Request pieces that many groups share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from gewe_async import _validators as v
from gewe_async._api import _feeds as f


@attrs.frozen(kw_only=True)
class AppIdRequest:
    """A request body with only the device's appId."""

    app_id: str = attrs.field(validator=v.app_id)


@attrs.frozen(kw_only=True)
class ToChatRequest(AppIdRequest):
    """A request body sent to one chat: the device's appId and the chat's ``toWxid``."""

    to_wxid: str = attrs.field(validator=v.non_empty_text)


def digits(value: object) -> str:
    """A size or media type the pages type as a string (``"2000"``); an int is as clear."""
    return v.digits(value)


# Without slots: each request that takes these fields has a slotted base of its own already.
@attrs.frozen(kw_only=True, slots=False)
class FinderVideo:
    """A Channels video as ``finder`` search results give it, to send on or share.

    ``message/sendFinderMsg`` and ``sns/sendFinderSns`` take the same 13 fields; they are
    checked here once, so that one bad value gets the same error from both.
    """

    id: int = attrs.field(validator=f.object_id)
    username: str = attrs.field(validator=f.name)
    nickname: str = attrs.field(validator=f.content)
    head_url: str = attrs.field(validator=v.http_url)
    nonce_id: str = attrs.field(validator=f.name)
    media_type: str = attrs.field(converter=digits)
    width: str = attrs.field(converter=digits)
    height: str = attrs.field(converter=digits)
    url: str = attrs.field(validator=v.http_url)
    thumb_url: str = attrs.field(validator=v.http_url)
    thumb_url_token: str = attrs.field(validator=f.cursor)
    description: str = attrs.field(validator=f.content)
    video_play_len: str = attrs.field(converter=digits)


def optional(validator: Callable[[Any, attrs.Attribute[Any], Any], Any]) -> Any:
    """An attrs field left out unless given (``None``), else checked by ``validator``."""
    return attrs.field(default=None, validator=attrs.validators.optional(validator))


def built(cls: type[Any], app_id: str, **fields: Any) -> Any:
    """Build one request of a batch, naming the appId if its input is refused."""
    try:
        return cls(app_id=app_id, **fields)
    except (ValueError, TypeError) as exc:
        raise type(exc)(f"appId {app_id!r}: {exc}") from None
