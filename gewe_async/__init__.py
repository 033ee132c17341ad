"""gewe-async: the async, typed client for the GeWe API.

```python
from gewe_async import AsyncGeweClient

async with AsyncGeweClient(token="...") as client:
    profile = await client.personal.get_profile("wx_123")
```
"""

from gewe_async._api.contacts import ContactsAPI
from gewe_async._api.favor import FavorAPI
from gewe_async._api.finder import FinderAPI
from gewe_async._api.group import GroupAPI
from gewe_async._api.im import ImAPI
from gewe_async._api.label import LabelAPI
from gewe_async._api.login import LoginAPI
from gewe_async._api.message import MessageAPI
from gewe_async._api.personal import PersonalAPI
from gewe_async._api.sns import SnsAPI
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

__version__ = "0.1.0.dev0"

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_TIMEOUT",
    "DEFAULT_TOTAL_TIMEOUT",
    "AiohttpTransport",
    "AsyncGeweClient",
    "BatchOptions",
    "BatchResult",
    "CallEvent",
    "ContactsAPI",
    "EventHook",
    "FavorAPI",
    "FinderAPI",
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
    "GroupAPI",
    "ImAPI",
    "LabelAPI",
    "Limits",
    "LoginAPI",
    "MessageAPI",
    "Outcome",
    "PersonalAPI",
    "ProgressCallback",
    "RequestOptions",
    "Retries",
    "SnsAPI",
    "TimeoutTypes",
    "__version__",
    "iter_batch",
    "run_batch",
]
