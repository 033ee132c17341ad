"""The favorites module (``/favor/*``): the account's saved items (收藏).

Official documentation (doc.geweapi.com): the 收藏夹模块 section.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Final, Unpack

import attrs

from gewe_async._api import _feeds as f
from gewe_async._api._common import AppIdRequest
from gewe_async._config import RequestOptions
from gewe_async._endpoint import APIGroup, Endpoint, declared
from gewe_async._paging import Page
from gewe_async.types.favor import Favorite, FavoriteSummary, FavoriteSyncPage

__all__ = ["FavorAPI"]


# -- requests -----------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class SyncRequest(AppIdRequest):
    """Body of ``favor/sync`` (``syncKey`` is always sent, ``""`` for the first page)."""

    sync_key: str = attrs.field(validator=f.cursor)


@attrs.frozen(kw_only=True)
class FavIdRequest(AppIdRequest):
    """Body of ``favor/getContent`` and ``favor/delete``."""

    fav_id: int = attrs.field(validator=f.object_id)


# -- endpoints ----------------------------------------------------------------------------

# Reads: repeating one changes nothing.
SYNC: Final = Endpoint("favor/sync", SyncRequest, FavoriteSyncPage, retry_safe=True)
GET_CONTENT: Final = Endpoint("favor/getContent", FavIdRequest, Favorite, retry_safe=True)
# Not retried: a repeat after a lost answer would be refused (the item is gone) and so report
# as failed a deletion that worked.
DELETE: Final[Endpoint[None]] = Endpoint("favor/delete", FavIdRequest, None, retry_safe=False)

ENDPOINTS: Final = declared(globals())


class FavorAPI(APIGroup):
    """``client.favor``: the account's saved items (收藏).

    Every method takes the device's ``app_id`` first, and accepts ``timeout=`` to override the
    client's timeout for that call.
    """

    __slots__ = ()

    async def sync(
        self, app_id: str, sync_key: str = "", **options: Unpack[RequestOptions]
    ) -> FavoriteSyncPage:
        """Fetch one page of saved items (``favor/sync``), deleted ones included.

        Pass ``""`` for the first page, then the ``sync_key`` of the page before.
        [`iter_sync()`][gewe_async.resources.FavorAPI.iter_sync] does the paging for you.
        """
        return await self._call(SYNC, SyncRequest(app_id=app_id, sync_key=sync_key), options)

    def iter_sync(
        self,
        app_id: str,
        *,
        limit: int | None = None,
        include_deleted: bool = False,
        **options: Unpack[RequestOptions],
    ) -> AsyncIterator[FavoriteSummary]:
        """Iterate over the saved items, page after page (``favor/sync``).

        ```python
        async for item in client.favor.iter_sync("wx_123", limit=50):
            favorite = await client.favor.get_content("wx_123", item.fav_id)
        ```

        Args:
            app_id: The device.
            limit: Stop after this many items (``None``: all of them).
            include_deleted: Also yield the entries of deleted items (``flag`` 1).

        Raises:
            ValueError: ``limit`` is negative.
        """
        return self._paged(
            SYNC,
            lambda key: SyncRequest(app_id=app_id, sync_key=key),
            "",
            lambda page: Page(page.items or (), page.sync_key or None),
            limit,
            options,
            keep=None if include_deleted else _exists,
        )

    async def get_content(
        self, app_id: str, fav_id: int, **options: Unpack[RequestOptions]
    ) -> Favorite:
        """Fetch one saved item with its content (``favor/getContent``)."""
        return await self._call(GET_CONTENT, FavIdRequest(app_id=app_id, fav_id=fav_id), options)

    async def delete(self, app_id: str, fav_id: int, **options: Unpack[RequestOptions]) -> None:
        """Delete one saved item (``favor/delete``)."""
        await self._call(DELETE, FavIdRequest(app_id=app_id, fav_id=fav_id), options)


def _exists(item: FavoriteSummary) -> bool:
    return not item.deleted
