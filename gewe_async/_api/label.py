"""The label module (``/label/*``): contact labels (tags).

Official pages: ``geweapi/标签模块/``.
"""

from __future__ import annotations

from gewe_async._endpoint import APIGroup

__all__ = ["LabelAPI"]


class LabelAPI(APIGroup):
    """``client.label``: contact labels (tags)."""

    __slots__ = ()
