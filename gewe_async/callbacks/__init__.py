"""Callbacks: what GeWe pushes to the callback URL, turned into typed events.

```python
from gewe_async.callbacks import TextMessage, parse_callback

event = parse_callback(body)          # bytes, str or a decoded mapping
if isinstance(event, TextMessage) and not event.is_self:
    print(event.chat_id, event.text)
```

Every documented kind has its class (the event reference page lists them with their key
fields); a push of a kind this version does not know is an
[`UnknownEvent`][gewe_async.callbacks.UnknownEvent] holding the payload.
"""

from gewe_async.callbacks import _events
from gewe_async.callbacks._events import *  # noqa: F403 - the event classes, as _events lists them
from gewe_async.callbacks._kinds import CallbackKind
from gewe_async.callbacks._parse import parse_callback
from gewe_async.exceptions import GeweCallbackError

__all__ = ["CallbackKind", "GeweCallbackError", "parse_callback"]
__all__ += _events.__all__
