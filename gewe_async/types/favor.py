"""Models of the favorites module (``/favor/*``): the account's saved items (收藏).

Official documentation (doc.geweapi.com): the 收藏夹模块 section.
"""

from __future__ import annotations

from datetime import datetime

import attrs

from gewe_async._converter import WIRE_NAME

__all__ = ["Favorite", "FavoriteSummary", "FavoriteSyncPage"]


@attrs.frozen
class FavoriteSummary:
    """One entry of ``favor/sync``: a saved item's id and state, without its content.

    The sync lists deleted items too (``flag`` 1, see `deleted`).
    """

    fav_id: int
    """The item's id; pass it to ``get_content`` or ``delete``."""
    flag: int
    """1: the item was deleted; 0: it exists."""
    type: int
    """The kind of content (1 text, 2 image, ... as WeChat numbers them)."""
    update_time: datetime
    """When it was saved or last changed (UTC)."""

    @property
    def deleted(self) -> bool:
        """Whether the item was deleted (``flag == 1``, as the page notes)."""
        return self.flag == 1


@attrs.frozen
class FavoriteSyncPage:
    """One page of ``favor/sync``: the entries and the key of the next page."""

    items: list[FavoriteSummary] | None = attrs.field(default=None, metadata={WIRE_NAME: "list"})
    """The entries (``data.list`` on the wire); ``None`` or empty when nothing is left."""
    sync_key: str = ""
    """Pass it as ``sync_key`` to get the next page."""


@attrs.frozen
class Favorite:
    """A saved item with its content, as ``favor/getContent`` returns it."""

    fav_id: int
    """The item's id."""
    content: str
    """The item as WeChat's ``<favitem>`` XML."""
    flag: int
    """1: deleted; 0: it exists."""
    status: int
    """The item's status, as the server reports it."""
    update_time: datetime
    """When it was last changed (UTC)."""
