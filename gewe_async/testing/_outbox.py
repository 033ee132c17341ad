"""What a fake device sent: the message log that tests query (``/message/*``).

```python
sent = fake.devices["wx_1"].outbox
assert [m.content for m in sent.to("123@chatroom", type=1)] == ["hello"]
sent.advance(121)  # two minutes later: too late to revoke
```
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from typing import Any, Final

import attrs

__all__ = ["Outbox", "OutboxMessage"]

#: Revoking works for two minutes after a send, as in WeChat.
REVOKE_WINDOW: Final = 120.0

# Shared by every device: ids are unique across the fake, and above 2**53 like the real
# server's, so that a client storing them as floats would fail its tests.
_NEW_MSG_IDS: Final = itertools.count(2**62 + 1_000_003, 7_919)
_MSG_IDS: Final = itertools.count(769_500_000)


@attrs.frozen
class OutboxMessage:
    """One message a fake device sent."""

    to_wxid: str
    """The chat it went to."""
    type: int
    """Its WeChat message type: 1 text, 3 image, 34 voice, 43 video, 47 emoji, 42 name card,
    49 app message (links, files, mini-programs, quotes)."""
    content: str
    """The text, the media's URL, or the XML sent."""
    new_msg_id: int
    """Its unique id (above 2**53)."""
    msg_id: int
    """The small per-server counter."""
    create_time: int
    """Unix seconds, by the outbox's clock."""
    endpoint: str
    """The endpoint that sent it, such as ``message/postText``."""
    body: dict[str, Any] = attrs.field(factory=dict, eq=False, repr=False)
    """The request body as received."""
    appmsg_type: int | None = None
    """For type 49, the ``appmsg/type`` (5 link, 6 file, 33 mini-program, 57 quote)."""


@attrs.define
class Outbox:
    """The messages one fake device sent, in order, with the clock that dates them.

    The clock is the wall clock plus an offset that tests move with
    `advance()`.
    """

    messages: list[OutboxMessage] = attrs.field(factory=list)
    """Every message sent, in order (revoked ones included)."""
    revoked: set[int] = attrs.field(factory=set)
    """The ``new_msg_id`` of every revoked message."""
    media: dict[str, str] = attrs.field(factory=dict)
    """What the device can download: CDN id or emoji MD5 -> URL."""
    offset: float = 0.0
    """Seconds added to the wall clock."""

    def now(self) -> float:
        """The device's current time, in Unix seconds."""
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        """Move the device's clock forward (to test the 2-minute revoke window)."""
        self.offset += seconds

    def record(
        self,
        endpoint: str,
        to_wxid: str,
        type: int,
        content: str,
        body: dict[str, Any],
        appmsg_type: int | None = None,
    ) -> OutboxMessage:
        """Log a message as sent now, with fresh ids."""
        message = OutboxMessage(
            to_wxid=to_wxid,
            type=type,
            content=content,
            new_msg_id=next(_NEW_MSG_IDS),
            msg_id=next(_MSG_IDS),
            create_time=int(self.now()),
            endpoint=endpoint,
            body=body,
            appmsg_type=appmsg_type,
        )
        self.messages.append(message)
        return message

    def know_media(self, key: str, url: str) -> None:
        """Let the device download the media with this CDN id (or emoji MD5) as ``url``."""
        self.media[key] = url

    def find(self, new_msg_id: int) -> OutboxMessage | None:
        """The message with this id, if this device sent it."""
        return next((m for m in self.messages if m.new_msg_id == new_msg_id), None)

    def to(self, chat: str, *, type: int | None = None) -> list[OutboxMessage]:
        """The messages sent to ``chat`` (of one ``type``, if given), revoked ones excluded."""
        return [m for m in self.live() if m.to_wxid == chat and (type is None or m.type == type)]

    def of_type(self, type: int) -> list[OutboxMessage]:
        """The messages of one type, revoked ones excluded."""
        return [m for m in self.live() if m.type == type]

    def live(self) -> list[OutboxMessage]:
        """The messages not revoked."""
        return [m for m in self.messages if m.new_msg_id not in self.revoked]

    def texts(self, chat: str | None = None) -> list[str]:
        """The text messages' contents (to ``chat`` only, if given), revoked ones excluded."""
        return [m.content for m in self.live() if m.type == 1 and chat in (None, m.to_wxid)]

    def text_pairs(self) -> list[tuple[str, str]]:
        """``(to_wxid, text)`` of every text message sent, revoked ones excluded."""
        return [(m.to_wxid, m.content) for m in self.live() if m.type == 1]

    def __iter__(self) -> Iterator[OutboxMessage]:
        return iter(self.messages)

    def __len__(self) -> int:
        return len(self.messages)
