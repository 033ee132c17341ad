"""What a fake device sent: the message log that tests query (``/message/*``)."""

from __future__ import annotations

import attrs


@attrs.define
class Outbox:
    """The messages one fake device sent, in order."""
