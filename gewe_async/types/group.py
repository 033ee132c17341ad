"""Models of the group module (``/group/*``).

Official pages: ``geweapi/群模块/``.
"""

from __future__ import annotations

__all__: list[str] = []
