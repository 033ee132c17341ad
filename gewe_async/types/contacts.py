"""Models of the contacts module (``/contacts/*``).

Official pages: ``geweapi/联系人模块/``.
"""

from __future__ import annotations

__all__: list[str] = []
