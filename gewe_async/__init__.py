"""gewe-async: the async, typed client for the GeWe API.

::

    from gewe_async import AsyncGeweClient

    async with AsyncGeweClient(token="...") as client:
        profile = await client.personal.get_profile("wx_123")
"""

from gewe_async._api.login import (
    AccountLogin,
    DeviceType,
    DialogLogin,
    LoginAPI,
    LoginCheck,
    LoginInfo,
    LoginQrCode,
    LoginStatus,
    Region,
)
from gewe_async._api.login_flow import LoggedIn, LoginState, LoginUpdate
from gewe_async._api.message import MessageAPI, SentMessage
from gewe_async._api.personal import (
    LoginRecord,
    PersonalAPI,
    PrivacyOption,
    Profile,
    QrCode,
    SafetyInfo,
    Sex,
)
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
    GeweClientClosedError,
    GeweConfigError,
    GeweDeviceNotFoundError,
    GeweDeviceOfflineError,
    GeweError,
    GeweHTTPStatusError,
    GeweLoginExpiredError,
    GeweResponseError,
    GeweSeatLimitError,
    GeweTimeoutError,
    GeweTransportError,
)

__version__ = "0.1.0.dev0"

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_TIMEOUT",
    "DEFAULT_TOTAL_TIMEOUT",
    "AccountLogin",
    "AiohttpTransport",
    "AsyncGeweClient",
    "BatchOptions",
    "BatchResult",
    "CallEvent",
    "DeviceType",
    "DialogLogin",
    "EventHook",
    "GeweAPIError",
    "GeweAlreadyLoggedInError",
    "GeweAuthError",
    "GeweClientClosedError",
    "GeweConfigError",
    "GeweDeviceNotFoundError",
    "GeweDeviceOfflineError",
    "GeweError",
    "GeweHTTPStatusError",
    "GeweInsecureTransportWarning",
    "GeweLoginExpiredError",
    "GeweResponseError",
    "GeweSeatLimitError",
    "GeweTimeoutError",
    "GeweTransportError",
    "Limits",
    "LoggedIn",
    "LoginAPI",
    "LoginCheck",
    "LoginInfo",
    "LoginQrCode",
    "LoginRecord",
    "LoginState",
    "LoginStatus",
    "LoginUpdate",
    "MessageAPI",
    "Outcome",
    "PersonalAPI",
    "PrivacyOption",
    "Profile",
    "ProgressCallback",
    "QrCode",
    "Region",
    "RequestOptions",
    "Retries",
    "SafetyInfo",
    "SentMessage",
    "Sex",
    "TimeoutTypes",
    "__version__",
    "iter_batch",
    "run_batch",
]
