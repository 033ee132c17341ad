"""The default transport: httpx's API on top of aiohttp's HTTP/1.1 connection pool.

Why: measured on loopback at 100 concurrent calls (docs/performance.md), httpcore spends
2-4 ms of CPU per call in pool bookkeeping; aiohttp's pool spends ~0.1 ms. Users still configure
and inject an ``httpx.AsyncClient``; only the bytes on the wire are handled by aiohttp.

Why not the ``httpx-aiohttp`` package: it maps aiohttp's ``ServerDisconnectedError`` (the server
closed the connection after receiving the request) to ``httpx.ConnectTimeout``, which says the
request was never sent, and retrying on that basis would repeat non-idempotent calls; it also
hands aiohttp an ``httpx.Headers`` and streams the answer in chunks, which costs ~40% more CPU
per call here. This module is small, reads whole answers (GeWe's are small JSON documents) up to
a size limit, inflates gzip/deflate itself in bounded steps, and maps each aiohttp failure to the
httpx exception that says what happened.

aiohttp is imported on first use, so that ``import gewe_async`` stays cheap.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import urllib.request
import zlib
from collections.abc import AsyncGenerator, AsyncIterator, Iterable, Sequence
from typing import TYPE_CHECKING, Any, Final

import httpx

from gewe_async.exceptions import GeweEventLoopError, GeweResponseTooLargeError

if TYPE_CHECKING:
    import ssl

    import aiohttp

__all__ = ["DEFAULT_MAX_ANSWER_SIZE", "AiohttpTransport", "Answer"]

_HTTP11: dict[str, Any] = {"http_version": b"HTTP/1.1"}

#: The largest answer read, in bytes after decompression. GeWe answers are JSON documents of a
#: few KB; the largest (contact lists and details of thousands of contacts) stay well under
#: 1 MB, so 32 MiB leaves ample headroom while a broken or hostile server cannot exhaust memory.
DEFAULT_MAX_ANSWER_SIZE: Final = 32 * 1024 * 1024

#: What we accept: the encodings `read_capped` inflates in bounded steps (httpx would inflate a
#: whole chunk at once, and a 1 MB gzip chunk may hold 1 GB).
ACCEPT_ENCODING: Final = "gzip, deflate"

#: Inflate at most this much per step, yielding to the event loop in between.
_INFLATE_STEP: Final = 256 * 1024

#: URLs kept rendered (`AiohttpTransport._target`): a client has one per endpoint it calls.
_TARGET_CACHE: Final = 1024

#: Distinct timeouts kept converted; a client uses a handful, per-call overrides may add more.
_TIMEOUT_CACHE: Final = 64


@functools.cache
def _verified_ssl_context() -> ssl.SSLContext:
    # Loading certifi's bundle costs 25-70 ms of CPU: once per process, as aiohttp does for
    # its own default context, not once per client. An SSLContext is safe to share.
    return httpx.create_ssl_context(verify=True)


class Answer:
    """What the client reads of an HTTP answer: status, body and the raw headers.

    The client's own calls get this instead of an ``httpx.Response``, whose construction
    (headers model, byte stream) costs more CPU than the rest of decoding a call's answer.
    """

    __slots__ = ("content", "raw_headers", "status_code")

    def __init__(
        self, status_code: int, raw_headers: Sequence[tuple[bytes, bytes]], content: bytes
    ) -> None:
        self.status_code = status_code
        self.raw_headers = raw_headers
        self.content = content

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (any case), or ``None``."""
        wanted = name.lower().encode("latin-1")
        for key, value in self.raw_headers:
            if key.lower() == wanted:
                return value.decode("latin-1")
        return None


def _inflater(encoding: str) -> Any:
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(zlib.MAX_WBITS | 16)
    if encoding == "deflate":
        return zlib.decompressobj(zlib.MAX_WBITS | 32)  # zlib or gzip header, detected
    raise httpx.DecodingError(f"unsupported Content-Encoding {encoding!r}")


async def read_capped(chunks: AsyncIterator[bytes], encoding: str, limit: int) -> bytes:
    """Read an answer body, inflating gzip/deflate, and refuse it past ``limit`` bytes.

    Inflation goes in steps of at most 256 KiB with a yield to the event loop in between, so a
    compression bomb neither fills memory nor freezes the loop: it costs at most ``limit``
    bytes and is refused with `GeweResponseTooLargeError`.
    """
    inflater = _inflater(encoding)
    out = bytearray()
    async for chunk in chunks:
        if inflater is None:
            out += chunk
            if len(out) > limit:
                raise GeweResponseTooLargeError(limit=limit, body=_start(out))
            continue
        data = chunk
        while data:
            try:
                out += inflater.decompress(data, _INFLATE_STEP)
            except zlib.error as exc:
                raise httpx.DecodingError(
                    f"the answer's {encoding} data is corrupt: {exc}"
                ) from None
            if len(out) > limit:
                raise GeweResponseTooLargeError(limit=limit, body=_start(out))
            data = inflater.unconsumed_tail
            if data:
                await asyncio.sleep(0)
    if inflater is not None:
        out += inflater.flush()
        if len(out) > limit:
            raise GeweResponseTooLargeError(limit=limit, body=_start(out))
    return bytes(out)


def _start(body: bytearray) -> str:
    return body[:256].decode("utf-8", errors="replace")


def without_encoding(headers: Iterable[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The answer's headers once `read_capped` has inflated its body."""
    return [(k, v) for k, v in headers if k.lower() not in (b"content-encoding", b"content-length")]


class AiohttpTransport(httpx.AsyncBaseTransport):
    """An httpx transport that sends requests through an `aiohttp.ClientSession`.

    It is what [`AsyncGeweClient`][gewe_async.AsyncGeweClient] uses by default. Use it yourself to
    keep the
    speed when injecting your own ``httpx.AsyncClient``:

    ```python
    pool = httpx.Limits(max_connections=64)
    http = httpx.AsyncClient(transport=AiohttpTransport(limits=pool), limits=pool)
    client = AsyncGeweClient(http_client=http)
    ```

    Each phase of an ``httpx.Timeout`` is honoured: ``pool`` (waiting for a connection),
    ``connect``, and ``read`` (each wait for the answer's bytes); ``write`` is not separately
    enforced (request bodies here are small). The whole exchange, reading the body included,
    ends within ``pool + connect + read`` seconds. HTTP/2 is not supported.

    Answers are read whole, up to ``max_answer_size`` bytes after decompression (gzip and
    deflate are inflated here in bounded steps); a larger one raises
    [`GeweResponseTooLargeError`][gewe_async.exceptions.GeweResponseTooLargeError].

    The connection pool belongs to the event loop it was opened in. Used from another loop
    while nothing is in flight (a second ``asyncio.run()``), the transport opens a new pool
    there; a pool left on a loop that ended is closed when that loop shuts down.

    Args:
        limits: ``max_connections`` (``None`` for no limit) and ``keepalive_expiry`` are used.
        verify: Verify TLS certificates: ``True`` (certifi, as httpx does), ``False``, or an
            `ssl.SSLContext`.
        trust_env: Read proxy settings from the environment, as httpx does by default.
        max_answer_size: The largest answer read, in bytes (32 MiB by default).
    """

    def __init__(
        self,
        *,
        limits: httpx.Limits | None = None,
        verify: ssl.SSLContext | bool = True,
        trust_env: bool = True,
        max_answer_size: int = DEFAULT_MAX_ANSWER_SIZE,
    ) -> None:
        limits = httpx.Limits() if limits is None else limits
        self._max_connections = limits.max_connections
        self._keepalive_expiry = limits.keepalive_expiry
        self._verify = verify
        self._trust_env = trust_env
        self._max_answer_size = max_answer_size
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closer: AsyncGenerator[None, None] | None = None
        self._in_flight = 0
        self._proxies: dict[tuple[str, str | None], str | None] = {}
        self._targets: dict[int, tuple[httpx.URL, str, str | None]] = {}
        self._timeouts: dict[tuple[Any, ...], aiohttp.ClientTimeout] = {}
        self._closed = False

    async def _session_for(self, loop: asyncio.AbstractEventLoop) -> aiohttp.ClientSession:
        """The pool of this event loop: the current one, or a new one if the loop changed."""
        if self._session is not None:
            if self._loop is loop:
                return self._session
            old = self._loop
            assert old is not None
            if not old.is_closed() and (old.is_running() or self._in_flight):
                raise GeweEventLoopError(
                    "this client is in use on another event loop; use one client per loop "
                    "(or per thread)"
                )
            # Nothing can be in flight on the old loop: let go of its pool. Its connections
            # belong to that loop; if it still exists, they close when it runs again.
            self._retire()
        session = self._open()
        self._loop = loop
        # An async generator is closed by the loop's shutdown (asyncio.run() does it while the
        # loop still runs): the one place to close this loop's pool when the user does not.
        self._closer = _close_at_loop_shutdown(session)
        await anext(self._closer)
        return session

    def _open(self) -> aiohttp.ClientSession:
        # Made inside the running event loop that aiohttp binds it to.
        import aiohttp

        verify = self._verify
        ssl_context = _verified_ssl_context() if verify is True else verify
        connector = aiohttp.TCPConnector(
            limit=self._max_connections or 0,
            keepalive_timeout=self._keepalive_expiry,
            ssl=ssl_context,
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            auto_decompress=False,  # httpx decodes Content-Encoding itself
            # aiohttp's own trust_env consults the environment in a thread on every request
            # (about 4x the CPU of the request itself); _proxy() reads it once per host.
            trust_env=False,
            cookie_jar=aiohttp.DummyCookieJar(),  # httpx keeps the cookies
        )
        return self._session

    def _timeout(self, phases: dict[str, float | None]) -> aiohttp.ClientTimeout:
        key = (phases.get("pool"), phases.get("connect"), phases.get("read"))
        timeout = self._timeouts.get(key)
        if timeout is None:
            import aiohttp

            if len(self._timeouts) >= _TIMEOUT_CACHE:
                self._timeouts.clear()

            pool, connect, read = key
            # aiohttp's `connect` covers the wait for a pooled connection plus connecting, and
            # its `total` the whole attempt, reading the body included: the attempt deadline.
            timeout = aiohttp.ClientTimeout(
                total=None if None in key else pool + connect + read,  # type: ignore[operator]
                connect=None if pool is None or connect is None else pool + connect,
                sock_connect=connect,
                sock_read=read,
            )
            self._timeouts[key] = timeout
        return timeout

    def _proxy(self, url: httpx.URL) -> str | None:
        key = (url.scheme, url.host)
        if key not in self._proxies:
            proxy = urllib.request.getproxies().get(url.scheme)
            if proxy and urllib.request.proxy_bypass(url.host):
                proxy = None
            self._proxies[key] = proxy
        return self._proxies[key]

    def _target(self, url: httpx.URL) -> tuple[str, str | None]:
        """The URL as aiohttp takes it, and its proxy: worked out once per URL object.

        The client keeps one ``httpx.URL`` per endpoint, so keying on its identity saves
        rendering it (and hashing that string) on every call.
        """
        known = self._targets.get(id(url))
        if known is not None and known[0] is url:
            return known[1], known[2]
        if len(self._targets) >= _TARGET_CACHE:
            self._targets.clear()
        text, proxy = str(url), self._proxy(url) if self._trust_env else None
        self._targets[id(url)] = (url, text, proxy)
        return text, proxy

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send one request and return the whole answer (httpx calls this)."""
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw]
        status, raw_headers, content, reason = await self._exchange(
            request.method,
            request.url,
            headers,
            await request.aread(),
            request.extensions.get("timeout", {}),
            request,
            None,
        )
        extensions = _HTTP11
        if reason:
            extensions = {**_HTTP11, "reason_phrase": reason.encode("latin-1")}
        return httpx.Response(
            status, headers=raw_headers, content=content, request=request, extensions=extensions
        )

    async def answer(
        self,
        url: httpx.URL,
        headers: list[tuple[str, str]],
        body: bytes,
        timeout: dict[str, float | None],
        max_size: int | None = None,
    ) -> Answer:
        """POST ``body`` and return the whole answer: the client's own calls come here.

        Building an ``httpx.Request`` only to take it apart again, and an ``httpx.Response``
        only to read its status and body, would cost more than the rest of our code path.
        """
        status, raw_headers, content, _ = await self._exchange(
            "POST", url, headers, body, timeout, None, max_size
        )
        return Answer(status, raw_headers, content)

    async def _exchange(
        self,
        method: str,
        url: httpx.URL,
        headers: list[tuple[str, str]],
        body: bytes,
        timeout: dict[str, float | None],
        request: httpx.Request | None,
        max_size: int | None,
    ) -> tuple[int, Sequence[tuple[bytes, bytes]], bytes, str | None]:
        if self._closed:
            raise RuntimeError("Cannot send a request, as the transport has been closed.")
        session = self._session
        loop = asyncio.get_running_loop()
        if session is None or self._loop is not loop:
            session = await self._session_for(loop)
        limit = self._max_answer_size if max_size is None else max_size
        headers_out = raw_headers = None
        target, proxy = self._target(url)
        self._in_flight += 1
        try:
            async with session.request(
                method,
                target,
                headers=headers,
                data=body or None,
                allow_redirects=False,  # httpx follows redirects itself, if asked
                timeout=self._timeout(timeout),
                server_hostname=request.extensions.get("sni_hostname") if request else None,
                proxy=proxy,
            ) as answer:
                raw_headers = answer.raw_headers
                encoding = answer.headers.get("Content-Encoding", "")
                length = answer.content_length
                if not encoding and length is not None and length <= limit:
                    content = await answer.read()  # the usual answer: small, declared, plain
                else:
                    if not encoding and length is not None:
                        raise GeweResponseTooLargeError(limit=limit)
                    content = await read_capped(answer.content.iter_any(), encoding, limit)
                    headers_out = without_encoding(raw_headers)
        except Exception as exc:
            mapped = _to_httpx(exc, request)
            if mapped is None:
                raise
            raise mapped from exc
        finally:
            self._in_flight -= 1
        return (
            answer.status,
            raw_headers if headers_out is None else headers_out,
            content,
            answer.reason,
        )

    def _retire(self) -> None:
        """Let go of the pool without awaiting anything (its loop may be gone)."""
        closer, self._closer, self._session = self._closer, None, None
        if closer is not None:
            # Runs the closer's (synchronous) finally; a finished closer just stops.
            with contextlib.suppress(StopIteration):
                closer.aclose().send(None)

    async def aclose(self) -> None:
        """Close aiohttp's connection pool."""
        self._closed = True
        session = self._session
        if session is not None and self._loop is asyncio.get_running_loop():
            await session.close()  # gracefully, on its own loop
        self._retire()
        self._session = session  # closed now; kept so that it can be inspected


async def _close_at_loop_shutdown(session: aiohttp.ClientSession) -> AsyncGenerator[None, None]:
    try:
        yield
    finally:
        _let_go(session)


def _let_go(session: aiohttp.ClientSession) -> None:
    """Close a pool's connections and the pool without a running event loop."""
    connector = session.connector
    session.detach()  # the session counts as closed: no "unclosed session" warning
    if connector is not None:
        connector._close()  # the synchronous part of close()


def _to_httpx(exc: Exception, request: httpx.Request | None) -> httpx.TransportError | None:
    """The httpx exception that says what happened, so that callers can tell sent from unsent."""
    import aiohttp

    text = str(exc) or type(exc).__name__
    cls: type[httpx.TransportError]
    # Before anything was sent: safe to retry any call.
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        cls = httpx.ConnectTimeout
    elif isinstance(exc, aiohttp.ClientConnectorError | aiohttp.ClientProxyConnectionError):
        cls = httpx.ConnectError
    elif isinstance(exc, aiohttp.InvalidURL):
        cls = httpx.UnsupportedProtocol
    # The request may have reached the server.
    elif type(exc) is TimeoutError:  # aiohttp's `total`, our attempt deadline
        return httpx.ReadTimeout(
            "the attempt took longer than its pool + connect + read timeouts", request=request
        )
    elif isinstance(exc, aiohttp.SocketTimeoutError | asyncio.TimeoutError):
        cls = httpx.ReadTimeout
    elif isinstance(
        exc,
        aiohttp.ServerDisconnectedError | aiohttp.ClientPayloadError | aiohttp.ClientResponseError,
    ):
        cls = httpx.RemoteProtocolError  # as httpcore says for a cut-off or malformed answer
    elif isinstance(exc, aiohttp.ClientOSError):
        cls = httpx.ReadError
    elif isinstance(exc, aiohttp.ClientError):
        cls = httpx.TransportError
    else:
        return None
    return cls(text, request=request)
