"""The models of every API group: what calls return, and the enums they take.

One module per group of the API, named as the path's first segment:

```python
from gewe_async.types.personal import Profile
from gewe_async.types.message import SentMessage
```

The top-level package keeps the client, its configuration and the errors.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

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


def __getattr__(name: str) -> object:
    # ``gewe_async.types.sns`` without importing it first, yet without loading all ten
    # groups' models when only one is used.
    if name in __all__:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
