"""The request path, written once for every endpoint: encode, send, decode the envelope, structure.

Every failure leaves here as a :class:`~gewe_async.exceptions.GeweError` subclass, redacted.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, Final, TypeVar

import httpx

from gewe_async import _converter
from gewe_async.exceptions import (
    GeweAlreadyLoggedInError,
    GeweAPIError,
    GeweAuthError,
    GeweClientClosedError,
    GeweDeviceNotFoundError,
    GeweDeviceOfflineError,
    GeweError,
    GeweHTTPStatusError,
    GeweResponseError,
    GeweSeatLimitError,
    GeweTimeoutError,
    GeweTransportError,
)

if TYPE_CHECKING:
    from gewe_async._endpoint import Endpoint
    from gewe_async._redact import Redactor

T = TypeVar("T")

#: POSTs a body to a URL with the client's headers and the given timeout phases, and returns
#: the answer, read. Made once per client by ``_client._sender``.
Sender = Callable[[httpx.URL, bytes, dict[str, float | None]], Awaitable[httpx.Response]]

logger: Final = logging.getLogger("gewe_async")

# Documented refusals (FIELD-NOTES section 1), recognised from msg and data.msg. The first match
# wins: a token problem is reported as such even if the text mentions the device too.
_CAUSES: Final[tuple[tuple[type[GeweAPIError], tuple[str, ...]], ...]] = (
    (GeweAuthError, ("不可用或已过期", "X-GEWE-TOKEN 不可为空", "X-GEWE-TOKEN不可为空")),
    (GeweDeviceNotFoundError, ("设备不存在",)),
    (GeweDeviceOfflineError, ("微信已离线",)),
    (GeweAlreadyLoggedInError, ("微信已登录",)),
    (GeweSeatLimitError, ("已达登录上限", "已达到最大客户端数量")),
)

JSON_HEADERS: Final = {
    "Content-Type": "application/json; charset=utf-8",
    "User-Agent": "gewe-async/0.1",
}


def encode(endpoint: Endpoint[Any], request: Any) -> bytes:
    """Serialise a request object to the JSON body GeWe expects (camelCase, no nulls)."""
    return json.dumps(endpoint.encode(request), ensure_ascii=False, separators=(",", ":")).encode()


async def send(
    http: Sender, url: httpx.URL, body: bytes, timeout: dict[str, float | None]
) -> httpx.Response:
    """Send once and read the answer; map every httpx failure to a GeweError."""
    try:
        return await http(url, body, timeout)
    except httpx.TimeoutException as exc:
        raise GeweTimeoutError(f"timed out ({type(exc).__name__})") from exc
    except httpx.HTTPError as exc:
        raise GeweTransportError(f"{type(exc).__name__}: {exc or 'connection failed'}") from exc
    except RuntimeError as exc:
        # httpx says "Cannot send a request, as the client has been closed." when a user-supplied
        # http_client was closed under us.
        if "closed" in str(exc):
            raise GeweClientClosedError("the underlying httpx.AsyncClient is closed") from exc
        raise


def decode(endpoint: Endpoint[T], response: httpx.Response, redactor: Redactor) -> T:
    """Turn an HTTP answer into the endpoint's model, or raise the GeweError that explains it."""
    raw = response.content
    status = response.status_code
    if not 200 <= status < 300:
        raise GeweHTTPStatusError(
            status_code=status,
            body=redactor.body(raw),
            retry_after=parse_retry_after(response.headers.get("retry-after")),
        )
    try:
        envelope = json.loads(raw)
    except ValueError:  # JSONDecodeError and UnicodeDecodeError
        raise GeweResponseError("the answer is not JSON", body=redactor.body(raw)) from None
    if not isinstance(envelope, dict) or type(envelope.get("ret")) is not int:
        raise GeweResponseError(
            "the answer is not a {ret, msg, data} envelope", body=redactor.body(raw)
        )
    if envelope["ret"] != 200:
        raise api_error(envelope, redactor)
    if endpoint.decode is None:
        return None  # type: ignore[return-value]  # Endpoint[None] declares no data
    try:
        return endpoint.decode(envelope.get("data"))
    # Any failure to fit untrusted data is a bad answer, whatever cattrs raised.
    except Exception as exc:
        raise GeweResponseError(
            f"the answer's data does not fit {getattr(endpoint.response, '__name__', 'the model')}",
            body=redactor.body(raw),
            detail=redactor.text(_converter.explain(exc)),
        ) from None


def api_error(envelope: dict[str, Any], redactor: Redactor) -> GeweAPIError:
    """Build the GeweAPIError subclass that names the cause of a ``ret != 200`` answer."""
    msg = envelope.get("msg")
    msg = redactor.text(msg if isinstance(msg, str) else json.dumps(msg, ensure_ascii=False))
    data = redactor.deep(envelope.get("data"))
    inner = data.get("msg") if isinstance(data, dict) else None
    text = f"{msg} {inner}" if isinstance(inner, str) else msg
    cls = next((c for c, marks in _CAUSES if any(m in text for m in marks)), GeweAPIError)
    return cls(ret=envelope["ret"], msg=msg, data=data)


def parse_retry_after(value: str | None) -> float | None:
    """Read ``Retry-After`` as seconds (it may be a number or an HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


async def execute(
    *,
    http: Sender,
    url: httpx.URL,
    redactor: Redactor,
    timeout: dict[str, float | None],
    endpoint: Endpoint[T],
    request: Any,
) -> T:
    """Run one call from request object to model; every failure is a redacted GeweError."""
    app_id = getattr(request, "app_id", None)
    body = encode(endpoint, request)
    started = time.perf_counter()
    try:
        response = await send(http, url, body, timeout)
        result = decode(endpoint, response, redactor)
    except GeweError as exc:
        exc.endpoint, exc.app_id, exc.attempts = endpoint.path, app_id, 1
        exc.message = redactor.text(exc.message)
        exc.args = (exc.message,)
        if logger.isEnabledFor(logging.INFO):
            logger.info(
                "%s [%s] failed after %.1f ms: %s",
                endpoint.path,
                app_id,
                (time.perf_counter() - started) * 1000,
                exc,
            )
        raise
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug(
            "%s [%s] ok in %.1f ms", endpoint.path, app_id, (time.perf_counter() - started) * 1000
        )
    return result
