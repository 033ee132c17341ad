"""Callbacks: what GeWe pushes to the callback URL, turned into typed events.

```python
from gewe_async.callbacks import TextMessage, parse_callback

event = parse_callback(body)          # bytes, str or a decoded mapping
if isinstance(event, TextMessage) and not event.is_self:
    print(event.chat_id, event.text)
```
"""

from gewe_async.callbacks._events import (
    CallbackEvent,
    MessageEvent,
    TestCallback,
    TextMessage,
    UnknownEvent,
)
from gewe_async.callbacks._kinds import CallbackKind
from gewe_async.exceptions import GeweCallbackError

__all__ = [
    "CallbackEvent",
    "CallbackKind",
    "GeweCallbackError",
    "MessageEvent",
    "TestCallback",
    "TextMessage",
    "UnknownEvent",
]
