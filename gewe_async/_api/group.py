"""The group module (``/group/*``): group chats, members, admins and announcements.

Official pages: ``geweapi/群模块/``.
"""

from __future__ import annotations

from gewe_async._endpoint import APIGroup

__all__ = ["GroupAPI"]


class GroupAPI(APIGroup):
    """``client.group``: group chats, members, admins and announcements."""

    __slots__ = ()
