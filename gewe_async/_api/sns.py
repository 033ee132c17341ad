"""The Moments module (``/sns/*``): posting, listing, liking and commenting on Moments.

Official pages: ``geweapi/朋友圈模块/``.
"""

from __future__ import annotations

from gewe_async._endpoint import APIGroup

__all__ = ["SnsAPI"]


class SnsAPI(APIGroup):
    """``client.sns``: posting, listing, liking and commenting on Moments."""

    __slots__ = ()
