"""The contacts module (``/contacts/*``): friends, look-ups, remarks and the phone address book.

Official pages: ``geweapi/联系人模块/``.
"""

from __future__ import annotations

from gewe_async._endpoint import APIGroup

__all__ = ["ContactsAPI"]


class ContactsAPI(APIGroup):
    """``client.contacts``: friends, look-ups, remarks and the phone address book."""

    __slots__ = ()
