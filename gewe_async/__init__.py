"""gewe-async: the async, typed client for the GeWe API.

```python
from gewe_async import AsyncGeweClient

async with AsyncGeweClient(token="...") as client:
    profile = await client.personal.get_profile("wx_123")
```
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gewe_async._api import API_CLASSES
from gewe_async._batch import (
    BatchOptions,
    BatchResult,
    Outcome,
    ProgressCallback,
    iter_batch,
    run_batch,
)
from gewe_async._client import AsyncGeweClient, GeweInsecureTransportWarning
from gewe_async._config import (
    DEFAULT_BASE_URL,
    DEFAULT_TIMEOUT,
    DEFAULT_TOTAL_TIMEOUT,
    RequestOptions,
    TimeoutTypes,
)
from gewe_async._events import CallEvent, EventHook
from gewe_async._lazy import lazy_attributes
from gewe_async._limits import Limits
from gewe_async._retry import Retries
from gewe_async._transport import AiohttpTransport
from gewe_async.exceptions import (
    GeweAlreadyLoggedInError,
    GeweAPIError,
    GeweAuthError,
    GeweCallbackError,
    GeweClientClosedError,
    GeweConfigError,
    GeweDeviceNotFoundError,
    GeweDeviceOfflineError,
    GeweError,
    GeweEventLoopError,
    GeweHTTPStatusError,
    GeweLoginExpiredError,
    GeweResponseError,
    GeweResponseTooLargeError,
    GeweSeatLimitError,
    GeweTimeoutError,
    GeweTransportError,
)

if TYPE_CHECKING:
    # Type checkers still resolve the deprecated names below.
    from gewe_async.resources import (  # noqa: F401
        ContactsAPI,
        FavorAPI,
        FinderAPI,
        GroupAPI,
        ImAPI,
        LabelAPI,
        LoginAPI,
        MessageAPI,
        PersonalAPI,
        SnsAPI,
    )

__version__ = "0.1.0.dev0"
"""The version of this gewe-async."""

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_TIMEOUT",
    "DEFAULT_TOTAL_TIMEOUT",
    "AiohttpTransport",
    "AsyncGeweClient",
    "BatchOptions",
    "BatchResult",
    "CallEvent",
    "EventHook",
    "GeweAPIError",
    "GeweAlreadyLoggedInError",
    "GeweAuthError",
    "GeweCallbackError",
    "GeweClientClosedError",
    "GeweConfigError",
    "GeweDeviceNotFoundError",
    "GeweDeviceOfflineError",
    "GeweError",
    "GeweEventLoopError",
    "GeweHTTPStatusError",
    "GeweInsecureTransportWarning",
    "GeweLoginExpiredError",
    "GeweResponseError",
    "GeweResponseTooLargeError",
    "GeweSeatLimitError",
    "GeweTimeoutError",
    "GeweTransportError",
    "Limits",
    "Outcome",
    "ProgressCallback",
    "RequestOptions",
    "Retries",
    "TimeoutTypes",
    "__version__",
    "iter_batch",
    "run_batch",
]

#: The API group classes moved to `gewe_async.resources`: the old names still resolve, with
#: a warning, and are loaded only when named (they cost most of an eager import).
__getattr__, __dir__ = lazy_attributes(
    __name__, {name: f"gewe_async.resources:{name}" for name in API_CLASSES}, moved=True
)
