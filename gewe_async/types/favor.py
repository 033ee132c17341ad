"""Models of the favorites module (``/favor/*``).

Official pages: ``geweapi/收藏夹模块/``.
"""

from __future__ import annotations

__all__: list[str] = []
