"""The WeCom module (``/im/*``): WeCom (企业微信) contacts of a WeChat account.

Official documentation (doc.geweapi.com): the 联系人模块 section (企微 pages).
"""

from __future__ import annotations

from typing import Any, Final, Unpack

import attrs

from gewe_async import _validators as v
from gewe_async._api._common import AppIdRequest
from gewe_async._api._social import clean_text, wxid
from gewe_async._config import RequestOptions
from gewe_async._endpoint import APIGroup, Endpoint, declared
from gewe_async.types.contacts import ContactSearchResult
from gewe_async.types.im import WeComContact, WeComContactDetail, WeComSearchScene

__all__ = ["ImAPI"]


def _ticket(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    v.non_empty_text(_, attribute, value)
    if any(c.isspace() for c in value):
        raise ValueError(f"{attribute.name} must be a ticket without spaces, got {value!r:.60}")


def _scene(value: object) -> WeComSearchScene:
    return v.to_int_enum(WeComSearchScene, value)


@attrs.frozen(kw_only=True)
class AddRequest(AppIdRequest):
    """Body of ``im/add``."""

    v3: str = attrs.field(validator=_ticket)
    v4: str = attrs.field(validator=_ticket)


@attrs.frozen(kw_only=True)
class DetailRequest(AppIdRequest):
    """Body of ``im/detail``."""

    to_user_name: str = attrs.field(validator=wxid)


@attrs.frozen(kw_only=True)
class SearchRequest(AppIdRequest):
    """Body of ``im/search``."""

    scene: WeComSearchScene = attrs.field(converter=_scene)
    content: str = attrs.field(validator=[v.non_empty_text, clean_text])


# Sends a friend request: a repeat asks twice.
ADD: Final[Endpoint[None]] = Endpoint("im/add", AddRequest, None)
# Reads.
DETAIL: Final = Endpoint("im/detail", DetailRequest, WeComContactDetail, retry_safe=True)
SEARCH: Final = Endpoint("im/search", SearchRequest, ContactSearchResult, retry_safe=True)
SYNC: Final = Endpoint("im/sync", AppIdRequest, list[WeComContact], retry_safe=True)

ENDPOINTS: Final = declared(globals())


class ImAPI(APIGroup):
    """``client.im``: WeCom (企业微信) contacts: find them, add them, list them."""

    __slots__ = ()

    async def add(self, app_id: str, v3: str, v4: str, **options: Unpack[RequestOptions]) -> None:
        """Send a friend request to a WeCom user (``im/add``).

        ``v3``/``v4`` come from [`search()`][gewe_async.resources.ImAPI.search].
        """
        await self._call(ADD, AddRequest(app_id=app_id, v3=v3, v4=v4), options)

    async def detail(
        self, app_id: str, to_user_name: str, **options: Unpack[RequestOptions]
    ) -> WeComContactDetail:
        """A WeCom contact's profile and company (``im/detail``)."""
        request = DetailRequest(app_id=app_id, to_user_name=to_user_name)
        return await self._call(DETAIL, request, options)

    async def search(
        self,
        app_id: str,
        content: str,
        scene: WeComSearchScene | int = WeComSearchScene.QR_CODE,
        **options: Unpack[RequestOptions],
    ) -> ContactSearchResult:
        """Find a WeCom user by the content of their QR code (``im/search``)."""
        request = SearchRequest(app_id=app_id, scene=scene, content=content)
        return await self._call(SEARCH, request, options)

    async def sync(self, app_id: str, **options: Unpack[RequestOptions]) -> list[WeComContact]:
        """Every WeCom contact of the account (``im/sync``)."""
        return await self._call(SYNC, AppIdRequest(app_id=app_id), options)
