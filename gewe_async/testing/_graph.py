"""A fake device's social graph: contacts, groups, labels and friend requests."""

from __future__ import annotations

import attrs


@attrs.define
class SocialGraph:
    """One fake device's contacts, groups and labels."""
