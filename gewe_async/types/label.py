"""Models of the label module (``/label/*``): the account's contact labels (标签).

Official documentation (doc.geweapi.com): the 标签模块 section.
"""

from __future__ import annotations

import attrs

__all__ = ["Label"]


@attrs.frozen
class Label:
    """A contact label: its id and name."""

    label_id: int
    """The label's id (what ``modify_member_list`` and ``delete`` take)."""
    label_name: str
    """Its name."""


@attrs.frozen
class _LabelList:
    label_list: list[Label] = attrs.field(factory=list)
