"""The models of every API group: what calls return, and the enums they take.

One module per group of the API, named as the path's first segment:

```python
from gewe_async.types.personal import Profile
from gewe_async.types.message import SentMessage
```

The top-level package keeps the client, its configuration and the errors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gewe_async._lazy import lazy_attributes

if TYPE_CHECKING:
    from gewe_async.types import (
        contacts,
        favor,
        finder,
        group,
        im,
        label,
        login,
        message,
        personal,
        sns,
    )

__all__ = [
    "contacts",
    "favor",
    "finder",
    "group",
    "im",
    "label",
    "login",
    "message",
    "personal",
    "sns",
]


# ``gewe_async.types.sns`` without importing it first, yet without loading all ten groups'
# models when only one is used.
__getattr__, __dir__ = lazy_attributes(__name__, {name: f"{__name__}.{name}" for name in __all__})
