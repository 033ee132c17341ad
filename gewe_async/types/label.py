"""Models of the label module (``/label/*``).

Official pages: ``geweapi/标签模块/``.
"""

from __future__ import annotations

__all__: list[str] = []
