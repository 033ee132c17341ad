"""Models of the Channels module (``/finder/*``).

Official pages: ``geweapi/视频号模块/``.
"""

from __future__ import annotations

__all__: list[str] = []
