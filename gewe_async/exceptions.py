"""Every error a call can raise, in one tree rooted at `GeweError`.

The tree is organised by cause, so that ``except`` clauses say what went wrong:

```text
GeweError
├── GeweConfigError          the client was set up wrong (also a ValueError)
├── GeweClientClosedError    a call on a client that was closed
├── GeweEventLoopError       a call from one event loop while another still uses the client
├── GeweAPIError             the server answered ``ret != 200``
│   ├── GeweAuthError            token missing, wrong or expired
│   ├── GeweDeviceNotFoundError  unknown or stale appId
│   ├── GeweDeviceOfflineError   the WeChat account on the device is offline
│   ├── GeweAlreadyLoggedInError the account is already logged in
│   └── GeweSeatLimitError       the token's seat limit is reached
├── GeweHTTPStatusError      a non-2xx HTTP status (a proxy's 502 page, ...)
├── GeweTransportError       the request could not be completed on the network
│   └── GeweTimeoutError         ... because a timeout expired
├── GeweLoginExpiredError    a login's QR code expired before the login completed
├── MomentPostError          a Moment helper failed at a step (sns.post_images/post_video)
├── GeweMediaError           a local file or bytes could not be published (``gewe_async.media``)
├── GeweResponseError        a 2xx answer that is not a usable envelope or model
│   └── GeweResponseTooLargeError  ... because it is larger than ``max_answer_size``
├── BudgetExceededError      a call would pass the account's risk budget (refused, unsent)
├── GeweCallbackError        a pushed body that is not a GeWe callback (also a ValueError)
└── JournalFullError         a receiver's journal stayed full: the push is answered 503
```

Bad *input* is not in this tree: it raises `ValueError` or `TypeError`
before any request is sent.

All messages are redacted: the token never appears in them, even when the server
echoes it back. Every error survives `pickle`, `copy` and `copy.deepcopy` with its
attributes (task queues and process pools carry them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from gewe_async.types.sns import UploadedImage, UploadedVideo

__all__ = [
    "BudgetExceededError",
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
    "GeweLoginExpiredError",
    "GeweMediaError",
    "GeweResponseError",
    "GeweResponseTooLargeError",
    "GeweSeatLimitError",
    "GeweTimeoutError",
    "GeweTransportError",
    "JournalFullError",
    "MomentPostError",
]


class GeweError(Exception):
    """Base class of every error raised by gewe-async.

    Attributes:
        endpoint: The endpoint path of the failed call, such as ``"personal/getProfile"``,
            or ``None`` when the error is not tied to a call.
        app_id: The appId the call was made for, when it had one.
        attempts: How many attempts the call made (retries included; 0 when none was made).
    """

    endpoint: str | None
    app_id: str | None
    attempts: int

    def __init__(
        self,
        message: str,
        *,
        endpoint: str | None = None,
        app_id: str | None = None,
        attempts: int = 0,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.endpoint = endpoint
        self.app_id = app_id
        self.attempts = attempts

    def __str__(self) -> str:
        where = ""
        if self.endpoint is not None:
            where = self.endpoint if self.app_id is None else f"{self.endpoint} [{self.app_id}]"
            where += ": "
        tries = f" (after {self.attempts} attempts)" if self.attempts > 1 else ""
        return f"{where}{self.message}{tries}"

    def __reduce__(self) -> tuple[Any, ...]:
        # The subclasses take keyword-only arguments, so the default (``cls(*self.args)``)
        # cannot rebuild them: rebuild from the instance's attributes instead.
        return (_rebuild, (type(self), self.args, self.__dict__.copy()))


def _rebuild(cls: type[GeweError], args: tuple[Any, ...], state: dict[str, Any]) -> GeweError:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class JournalFullError(GeweError):
    """A bot journal cannot take more entries now (its entry or byte bound is reached).

    The receiver answers 503 and GeWe pushes the callback again later. Importable from
    ``gewe_async.bot`` too.
    """


class GeweConfigError(GeweError, ValueError):
    """The client cannot be built as configured, for example no token was given."""


class GeweClientClosedError(GeweError, RuntimeError):
    """A call was made on a client that was already closed."""


class GeweEventLoopError(GeweError, RuntimeError):
    """A call was made from one event loop while the client is still in use on another.

    A client follows the event loop it is used from: once nothing is in flight on the old loop
    (for example a first ``asyncio.run()`` has returned), the next call rebinds its connection
    pool and limits to the new loop. Concurrent use from two loops (two threads) is refused.
    """


class GeweAPIError(GeweError):
    """The server answered, but with ``ret != 200``: the request was refused.

    Attributes:
        ret: The envelope's ``ret`` code (``500`` for every documented failure).
        msg: The envelope's ``msg``, redacted.
        data: The envelope's ``data`` (often ``{"code": "-1", "msg": "..."}``), redacted.
    """

    ret: int
    msg: str
    data: Any

    def __init__(
        self,
        *,
        ret: int,
        msg: str,
        data: Any = None,
        endpoint: str | None = None,
        app_id: str | None = None,
        attempts: int = 0,
    ) -> None:
        self.ret = ret
        self.msg = msg
        self.data = data
        detail = ""
        if isinstance(data, dict) and isinstance(data.get("msg"), str) and data["msg"] != msg:
            detail = f" ({data['msg']})"
        super().__init__(
            f"ret={ret}: {msg}{detail}", endpoint=endpoint, app_id=app_id, attempts=attempts
        )


class GeweAuthError(GeweAPIError):
    """The ``X-GEWE-TOKEN`` is missing, wrong or expired: check it; retrying will not help."""


class GeweDeviceNotFoundError(GeweAPIError):
    """The appId is unknown to the server or no longer valid (``设备不存在``)."""


class GeweDeviceOfflineError(GeweAPIError):
    """The WeChat account on this appId is offline (``微信已离线``): log it in again."""


class GeweAlreadyLoggedInError(GeweAPIError):
    """The account is already logged in on this device (``微信已登录，请勿重复登录``)."""


class GeweSeatLimitError(GeweAPIError):
    """The token has as many accounts logged in as it has paid seats (``已达登录上限``)."""


class GeweHTTPStatusError(GeweError):
    """The HTTP status was not 2xx; GeWe itself answers 200, so this is usually a proxy.

    Attributes:
        status_code: The HTTP status code.
        body: The start of the response body (redacted and size-capped), for diagnosis.
        retry_after: The server's ``Retry-After`` in seconds, when it sent one.
    """

    status_code: int
    body: str
    retry_after: float | None

    def __init__(
        self,
        *,
        status_code: int,
        body: str,
        retry_after: float | None = None,
        endpoint: str | None = None,
        app_id: str | None = None,
        attempts: int = 0,
    ) -> None:
        self.status_code = status_code
        self.body = body
        self.retry_after = retry_after
        excerpt = " ".join(body.split())[:200]
        super().__init__(
            f"HTTP {status_code}: {excerpt!r}", endpoint=endpoint, app_id=app_id, attempts=attempts
        )


class GeweTransportError(GeweError):
    """The request did not complete on the network: refused, reset, dropped or cut short.

    The underlying httpx exception is chained as ``__cause__``.

    Attributes:
        request_sent: ``False`` when the failure came before the request left (connection
            refused, connect timeout, no free connection), so the server cannot have acted
            on it; ``True`` when it may have reached the server.
    """

    request_sent: bool

    def __init__(
        self,
        message: str,
        *,
        request_sent: bool = True,
        endpoint: str | None = None,
        app_id: str | None = None,
        attempts: int = 0,
    ) -> None:
        self.request_sent = request_sent
        super().__init__(message, endpoint=endpoint, app_id=app_id, attempts=attempts)


class GeweTimeoutError(GeweTransportError):
    """A timeout expired: connecting, waiting for the answer, or the call's total deadline."""


class GeweLoginExpiredError(GeweError):
    """A login's QR code expired before the account was logged in: start again (same appId)."""


class GeweResponseError(GeweError):
    """The server answered 2xx with a body that is not a usable GeWe envelope.

    Raised when the body is not JSON, is not a ``{ret, msg, data}`` envelope, or its
    ``data`` does not fit the response model.

    Attributes:
        body: The raw response body (redacted and size-capped).
        detail: Why it was rejected; for model mismatches, cattrs' explanation per field.
    """

    body: str
    detail: str

    def __init__(
        self,
        message: str,
        *,
        body: str,
        detail: str = "",
        endpoint: str | None = None,
        app_id: str | None = None,
        attempts: int = 0,
    ) -> None:
        self.body = body
        self.detail = detail
        text = f"{message}: {detail}" if detail else message
        super().__init__(text, endpoint=endpoint, app_id=app_id, attempts=attempts)


class GeweResponseTooLargeError(GeweResponseError):
    """The answer is larger than the client's ``max_answer_size`` (after decompression).

    Reading stops at the limit, so a hostile or broken server cannot exhaust memory; ``body``
    holds the start of the answer.

    Attributes:
        limit: The limit that was exceeded, in bytes.
    """

    limit: int

    def __init__(
        self,
        *,
        limit: int,
        body: str = "",
        endpoint: str | None = None,
        app_id: str | None = None,
        attempts: int = 0,
    ) -> None:
        self.limit = limit
        super().__init__(
            f"the answer is larger than max_answer_size ({limit} bytes)",
            body=body,
            endpoint=endpoint,
            app_id=app_id,
            attempts=attempts,
        )


class GeweCallbackError(GeweError, ValueError):
    """A body pushed to the callback URL is not a GeWe callback (not JSON, no envelope).

    Raised by `gewe_async.callbacks.parse_callback`; the receiver answers such
    a body with HTTP 400.
    """


class MomentPostError(GeweError):
    """A Moment helper (``post_images``, ``post_video``) failed; `step` says where.

    - ``step == "upload"``: nothing was posted; retrying the whole helper is safe.
    - ``step == "send"``: the media are uploaded (`uploaded`); the Moment may or may not exist
      if the answer was lost. Check ``sns_list`` before sending again with ``send_img_sns`` /
      ``send_video_sns`` and `uploaded` (no need to upload again).

    The error that stopped the step is `error` (also ``__cause__``): catch this class around
    the helper, then look at `error` for the reason (offline device, timeout, ...).

    Attributes:
        step: ``"upload"`` or ``"send"``.
        error: The `GeweError` the step raised.
        uploaded: What the upload step returned, when it succeeded.
    """

    def __init__(
        self,
        step: Literal["upload", "send"],
        error: GeweError,
        uploaded: tuple[UploadedImage, ...] | UploadedVideo | None = None,
    ) -> None:
        super().__init__(
            f"posting the Moment failed at the {step} step: {error.message}",
            endpoint=error.endpoint,
            app_id=error.app_id,
            attempts=error.attempts,
        )
        self.step: Literal["upload", "send"] = step
        self.error = error
        self.uploaded = uploaded


class GeweMediaError(GeweError):
    """A local file or bytes could not be published for GeWe to download; nothing was sent.

    Raised by the media hosts of `gewe_async.media` (an upload to S3 that failed, a file that
    could not be read or stored), with the underlying error as ``__cause__``. Importable from
    ``gewe_async.media`` too.
    """


class BudgetExceededError(GeweError):
    """A call would pass its account's risk budget, so it was not sent.

    Raised before any request when the client's
    [`Budgets`][gewe_async.fleet.Budgets] say ``on_exceeded="refuse"``: nothing was sent,
    trying again after `retry_after` seconds is safe. Importable from ``gewe_async.fleet`` too.

    Attributes:
        budget: The budget spent (``"friend_requests"``, ``"chats_per_minute"``, ...).
        limit: How many actions its window holds.
        per: The window, in seconds.
        retry_after: Seconds until the budget allows one more.
    """

    budget: str
    limit: int
    per: float
    retry_after: float

    def __init__(
        self,
        *,
        budget: str,
        limit: int,
        per: float,
        retry_after: float,
        endpoint: str | None = None,
        app_id: str | None = None,
        attempts: int = 0,
    ) -> None:
        self.budget = budget
        self.limit = limit
        self.per = per
        self.retry_after = retry_after
        super().__init__(
            f"the {budget} budget ({limit} per {per:g} s) is spent; "
            f"one more is allowed in {retry_after:.0f} s",
            endpoint=endpoint,
            app_id=app_id,
            attempts=attempts,
        )
