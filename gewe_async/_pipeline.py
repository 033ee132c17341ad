"""The request path, written once for every endpoint: encode, send, decode the envelope, structure.

Every failure leaves here as a [`GeweError`][gewe_async.exceptions.GeweError] subclass, redacted.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, Final, TypeVar

import httpx

from gewe_async._batch import CALL_TRACE
from gewe_async._events import CallEvent, EventHook, hook_failed
from gewe_async._transport import ACCEPT_ENCODING, Answer
from gewe_async.exceptions import (
    GeweAlreadyLoggedInError,
    GeweAPIError,
    GeweAuthError,
    GeweClientClosedError,
    GeweDeviceNotFoundError,
    GeweDeviceOfflineError,
    GeweError,
    GeweEventLoopError,
    GeweHTTPStatusError,
    GeweResponseError,
    GeweSeatLimitError,
    GeweTimeoutError,
    GeweTransportError,
)

if TYPE_CHECKING:
    from gewe_async._client import _Core
    from gewe_async._endpoint import Endpoint
    from gewe_async._redact import Redactor
    from gewe_async._retry import Retries

T = TypeVar("T")

#: POSTs a body to a URL with the client's headers and the given timeout phases, and returns
#: the answer, read. Made once per client by ``_client._sender``.
Sender = Callable[[httpx.URL, bytes, dict[str, float | None]], Awaitable[Answer]]

logger: Final = logging.getLogger("gewe_async")

# Refusals the real server sends, recognised from msg and data.msg. The first match
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
    # Only what `_transport.read_capped` inflates in bounded steps.
    "Accept-Encoding": ACCEPT_ENCODING,
}


#: ``json.dumps`` with options builds an encoder per call; this one is built once.
_encoder: Final = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_decode_json: Final = json.JSONDecoder().decode


def encode(endpoint: Endpoint[Any], request: Any) -> bytes:
    """Serialise a request object to the JSON body GeWe expects (camelCase, no nulls)."""
    return _encoder.encode(endpoint.encode(request)).encode()


def loads(raw: bytes) -> Any:
    """``json.loads`` for an answer: UTF-8 read directly, other encodings as json detects them.

    ``json.loads(bytes)`` first sniffs the encoding (BOM, UTF-16/32 by null bytes), which
    costs as much as decoding a small answer; GeWe answers in UTF-8.
    """
    try:
        text = raw.decode()
    except UnicodeDecodeError:
        return json.loads(raw)  # UTF-16/32, or not text at all: json says which
    if text.startswith("\ufeff") or "\x00" in text:
        # A UTF-8 BOM (json.loads(bytes) accepts one, a str must not have it) or UTF-16/32
        # that happened to be valid UTF-8: let json sniff, as before.
        return json.loads(raw)
    return _decode_json(text)


#: httpx's failures that happen before the request leaves: the server cannot have acted on it.
_UNSENT: Final = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


async def send(
    http: Sender,
    url: httpx.URL,
    body: bytes,
    timeout: dict[str, float | None],
    limit: float | None,
) -> Answer:
    """Send once and read the answer within ``limit`` seconds; map every failure to a GeweError.

    ``limit`` bounds the whole attempt, reading the body included: a server that trickles one
    byte at a time never resets it, unlike the per-read timeout. ``None`` when the sender
    bounds the attempt itself (`AiohttpTransport` does, at no extra cost per call).
    """
    attempt = None
    try:
        if limit is None:
            return await http(url, body, timeout)
        async with asyncio.timeout(limit) as attempt:
            return await http(url, body, timeout)
    except TimeoutError:
        if attempt is None or not attempt.expired():
            raise  # not ours: a transport's own bug, left as it is
        raise GeweTimeoutError(
            f"the attempt took longer than {limit:g} s (its pool + connect + read timeouts)",
            request_sent=True,  # it may have reached the server: we cannot tell
        ) from None
    except httpx.TimeoutException as exc:
        why = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        raise GeweTimeoutError(
            f"timed out ({why})", request_sent=not isinstance(exc, _UNSENT)
        ) from exc
    except httpx.DecodingError as exc:
        raise GeweResponseError(f"the answer cannot be decoded: {exc}", body="") from exc
    except httpx.HTTPError as exc:
        raise GeweTransportError(
            f"{type(exc).__name__}: {exc or 'connection failed'}",
            request_sent=not isinstance(exc, _UNSENT),
        ) from exc
    except RuntimeError as exc:
        text = str(exc)
        if "loop" in text:
            # An httpx transport bound to an event loop that ended or is another one's.
            raise GeweEventLoopError(
                f"the connection pool belongs to another event loop ({text}); use one "
                "http_client per event loop"
            ) from exc
        # httpx says "Cannot send a request, as the client has been closed." when a
        # user-supplied http_client was closed under us.
        if "closed" in text:
            raise GeweClientClosedError("the underlying httpx.AsyncClient is closed") from exc
        raise


def attempt_limit(timeout: dict[str, float | None]) -> float:
    """The most one attempt may take: getting a connection, then the whole answer."""
    return (timeout["pool"] or 0.0) + (timeout["connect"] or 0.0) + (timeout["read"] or 0.0)


def decode(endpoint: Endpoint[T], response: Answer, redactor: Redactor) -> T:
    """Turn an HTTP answer into the endpoint's model, or raise the GeweError that explains it."""
    raw = response.content
    status = response.status_code
    if not 200 <= status < 300:
        raise GeweHTTPStatusError(
            status_code=status,
            body=redactor.body(raw),
            retry_after=parse_retry_after(response.header("retry-after")),
        )
    try:
        envelope = loads(raw)
    except ValueError:  # JSONDecodeError and UnicodeDecodeError
        raise GeweResponseError("the answer is not JSON", body=redactor.body(raw)) from None
    except RecursionError:
        raise GeweResponseError(_TOO_DEEP, body=redactor.body(raw)) from None
    if not isinstance(envelope, dict) or type(envelope.get("ret")) is not int:
        raise GeweResponseError(
            "the answer is not a {ret, msg, data} envelope", body=redactor.body(raw)
        )
    if envelope["ret"] != 200:
        try:
            refusal = api_error(envelope, redactor)
        except RecursionError:
            raise GeweResponseError(_TOO_DEEP, body=redactor.body(raw)) from None
        raise refusal
    if endpoint.decode is None:
        return None  # type: ignore[return-value]  # Endpoint[None] declares no data
    try:
        return endpoint.decode(envelope.get("data"))
    # Any failure to fit untrusted data is a bad answer, whatever cattrs raised.
    except Exception as exc:
        from gewe_async import _converter  # loaded with cattrs on first use, as in _endpoint

        raise GeweResponseError(
            f"the answer's data does not fit {getattr(endpoint.response, '__name__', 'the model')}",
            body=redactor.body(raw),
            detail=redactor.text(_converter.explain(exc)),
        ) from None


_TOO_DEEP: Final = "the answer is nested too deeply to read"


def api_error(envelope: dict[str, Any], redactor: Redactor) -> GeweAPIError:
    """Build the GeweAPIError subclass that names the cause of a ``ret != 200`` answer.

    Raises:
        RecursionError: The answer is nested too deeply to redact.
    """
    msg = envelope.get("msg")
    msg = redactor.short(msg if isinstance(msg, str) else json.dumps(msg, ensure_ascii=False))
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


async def run(
    core: _Core,
    endpoint: Endpoint[T],
    request: Any,
    *,
    timeout: dict[str, float | None],
    retries: Retries,
    max_retries: int,
    total_timeout: float | None,
    hooks: Sequence[EventHook],
    send_interval: float | None = None,
) -> T:
    """Run one call from request object to model, with its turn, retries and total timeout.

    Every failure leaves as a redacted GeweError carrying the endpoint, appId and attempts.
    """
    app_id = getattr(request, "app_id", None) or None  # "" asks for a new device: no slot
    trace = CALL_TRACE.get()  # a batch's record of how far this call got
    if trace is not None:
        trace.endpoint = endpoint.path
    body = encode(endpoint, request)
    url = core.url(endpoint.path)
    limiter = core.limiter
    limit = None if core.bounds_attempts else attempt_limit(timeout)
    attempt = 0
    running: float | None = None  # when the attempt in progress started
    last: GeweError | None = None
    deadline = asyncio.timeout(total_timeout)
    try:
        async with deadline:
            if endpoint.sends and send_interval:  # send pacing: see _send_pacing
                async with core.send_pacer.turn(app_id, send_interval):
                    await limiter.acquire(app_id)
            else:
                await limiter.acquire(app_id)
            holds_global = True
            try:
                while True:
                    attempt += 1
                    if trace is not None:
                        trace.sent = True
                    running = started = time.perf_counter()
                    try:
                        result = decode(
                            endpoint,
                            await send(core.send, url, body, timeout, limit),
                            core.redactor,
                        )
                    except GeweError as exc:
                        last = error = _in_context(exc, endpoint.path, app_id, attempt, core)
                    else:
                        running = None
                        _report(hooks, endpoint.path, app_id, attempt, started, None, None)
                        return result
                    running = None
                    wait = None
                    if attempt <= max_retries and retries.should_retry(error, endpoint):
                        wait = retries.delay(attempt, error)
                    _report(hooks, endpoint.path, app_id, attempt, started, error, wait)
                    if wait is None:
                        raise error
                    # Sleep without a global slot, so that other accounts' calls go on; the
                    # appId's own slot is kept: its next call must not overtake this one.
                    limiter.release_global()
                    holds_global = False
                    await asyncio.sleep(wait)
                    await limiter.acquire_global()
                    holds_global = True
            finally:
                limiter.release(app_id, holds_global=holds_global)
    except TimeoutError:
        if not deadline.expired():  # not ours: a transport's own bug, left as it is
            raise
        error = GeweTimeoutError(
            f"the call's total timeout of {total_timeout:g} s passed",
            request_sent=attempt > 0,
            endpoint=endpoint.path,
            app_id=app_id,
            attempts=attempt,
        )
        if running is not None:  # the attempt it cut off is reported like any other
            _report(hooks, endpoint.path, app_id, attempt, running, error, None)
        else:
            logger.info("%s", error)
        raise error from last


def _in_context(
    exc: GeweError, path: str, app_id: str | None, attempt: int, core: _Core
) -> GeweError:
    exc.endpoint, exc.app_id, exc.attempts = path, app_id, attempt
    exc.message = core.redactor.text(exc.message)
    exc.args = (exc.message,)
    return exc


def _report(
    hooks: Sequence[EventHook],
    path: str,
    app_id: str | None,
    attempt: int,
    started: float,
    error: GeweError | None,
    retry_in: float | None,
) -> None:
    """Log one attempt and tell the event hooks about it."""
    duration = time.perf_counter() - started
    if error is None:
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("%s [%s] attempt %d ok in %.1f ms", path, app_id, attempt, duration * 1e3)
    elif retry_in is not None:
        logger.info(
            "%s [%s] attempt %d failed in %.1f ms: %s; retrying in %.2f s",
            path,
            app_id,
            attempt,
            duration * 1e3,
            error.message,
            retry_in,
        )
    else:
        logger.info(
            "%s [%s] failed after %d attempt(s), the last in %.1f ms: %s",
            path,
            app_id,
            attempt,
            duration * 1e3,
            error.message,
        )
    if hooks:
        event = CallEvent(path, app_id, attempt, duration, error, retry_in)
        for hook in hooks:
            try:
                hook(event)
            except Exception as exc:  # a metrics bug must not change what the caller sees
                hook_failed(hook, exc)
