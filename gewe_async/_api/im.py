"""The WeCom module (``/im/*``): WeCom (企业微信) contacts.

Official pages: ``geweapi/联系人模块/``.
"""

from __future__ import annotations

from gewe_async._endpoint import APIGroup

__all__ = ["ImAPI"]


class ImAPI(APIGroup):
    """``client.im``: WeCom (企业微信) contacts."""

    __slots__ = ()
