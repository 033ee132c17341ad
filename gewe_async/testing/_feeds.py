"""A fake device's feeds: its Moments, favorites and Channels follows."""

from __future__ import annotations

import attrs


@attrs.define
class Feeds:
    """One fake device's Moments, favorites and Channels state."""
