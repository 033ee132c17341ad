"""Models of the Moments module (``/sns/*``).

Official pages: ``geweapi/朋友圈模块/``.
"""

from __future__ import annotations

__all__: list[str] = []
