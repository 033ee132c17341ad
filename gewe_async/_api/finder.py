"""The Channels module (``/finder/*``): WeChat Channels (视频号).

Official pages: ``geweapi/视频号模块/``.
"""

from __future__ import annotations

from gewe_async._endpoint import APIGroup

__all__ = ["FinderAPI"]


class FinderAPI(APIGroup):
    """``client.finder``: WeChat Channels (视频号)."""

    __slots__ = ()
