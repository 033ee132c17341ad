"""The favorites module (``/favor/*``): the account's saved items.

Official pages: ``geweapi/收藏夹模块/``.
"""

from __future__ import annotations

from gewe_async._endpoint import APIGroup

__all__ = ["FavorAPI"]


class FavorAPI(APIGroup):
    """``client.favor``: the account's saved items."""

    __slots__ = ()
