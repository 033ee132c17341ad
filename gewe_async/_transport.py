"""The default transport: httpx's API on top of aiohttp's HTTP/1.1 connection pool.

Why: measured on loopback at 100 concurrent calls (docs/performance.md), httpcore spends
2-4 ms of CPU per call in pool bookkeeping; aiohttp's pool spends ~0.1 ms. Users still configure
and inject an ``httpx.AsyncClient``; only the bytes on the wire are handled by aiohttp.

Why not the ``httpx-aiohttp`` package: it maps aiohttp's ``ServerDisconnectedError`` (the server
closed the connection after receiving the request) to ``httpx.ConnectTimeout``, which says the
request was never sent, and retrying on that basis would repeat non-idempotent calls; it also
hands aiohttp an ``httpx.Headers`` and streams the answer in chunks, which costs ~40% more CPU
per call here. This module is small, reads whole answers (GeWe's are small JSON documents) and
maps each aiohttp failure to the httpx exception that says what happened.

aiohttp is imported on first use, so that ``import gewe_async`` stays cheap.
"""

from __future__ import annotations

import asyncio
import urllib.request
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    import ssl

    import aiohttp

__all__ = ["AiohttpTransport"]

_HTTP11: dict[str, Any] = {"http_version": b"HTTP/1.1"}


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
    enforced (request bodies here are small). HTTP/2 is not supported.

    Args:
        limits: ``max_connections`` (``None`` for no limit) and ``keepalive_expiry`` are used.
        verify: Verify TLS certificates: ``True`` (certifi, as httpx does), ``False``, or an
            `ssl.SSLContext`.
        trust_env: Read proxy settings from the environment, as httpx does by default.
    """

    def __init__(
        self,
        *,
        limits: httpx.Limits | None = None,
        verify: ssl.SSLContext | bool = True,
        trust_env: bool = True,
    ) -> None:
        limits = httpx.Limits() if limits is None else limits
        self._max_connections = limits.max_connections
        self._keepalive_expiry = limits.keepalive_expiry
        self._verify = verify
        self._trust_env = trust_env
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[tuple[str, str | None], str | None] = {}
        self._timeouts: dict[tuple[Any, ...], aiohttp.ClientTimeout] = {}
        self._closed = False

    def _open(self) -> aiohttp.ClientSession:
        # Made on first use, inside the running event loop that aiohttp binds it to.
        import aiohttp

        verify = self._verify
        ssl_context = httpx.create_ssl_context(verify=verify) if verify is True else verify
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

            pool, connect, read = key
            # aiohttp's `connect` covers the wait for a pooled connection plus connecting.
            timeout = aiohttp.ClientTimeout(
                total=None,
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

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send one request and return the whole answer (httpx calls this)."""
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw]
        return await self.exchange(
            request.method,
            request.url,
            headers,
            await request.aread(),
            request.extensions.get("timeout", {}),
            request=request,
        )

    async def exchange(
        self,
        method: str,
        url: httpx.URL,
        headers: list[tuple[str, str]],
        body: bytes,
        timeout: dict[str, float | None],
        *,
        request: httpx.Request | None = None,
    ) -> httpx.Response:
        """Send one request given as parts and return the whole answer.

        The client's own calls come here directly: building an ``httpx.Request`` only to take
        it apart again costs more than the rest of our code path.
        """
        if self._closed:
            raise RuntimeError("Cannot send a request, as the transport has been closed.")
        session = self._session or self._open()
        try:
            async with session.request(
                method,
                str(url),
                headers=headers,
                data=body or None,
                allow_redirects=False,  # httpx follows redirects itself, if asked
                timeout=self._timeout(timeout),
                server_hostname=request.extensions.get("sni_hostname") if request else None,
                proxy=self._proxy(url) if self._trust_env else None,
            ) as answer:
                content = await answer.read()
        except Exception as exc:
            mapped = _to_httpx(exc, request)
            if mapped is None:
                raise
            raise mapped from exc
        extensions = _HTTP11
        if answer.reason:
            extensions = {**_HTTP11, "reason_phrase": answer.reason.encode("latin-1")}
        return httpx.Response(
            answer.status,
            headers=answer.raw_headers,
            content=content,
            request=request,
            extensions=extensions,
        )

    async def aclose(self) -> None:
        """Close aiohttp's connection pool."""
        self._closed = True
        if self._session is not None:
            await self._session.close()


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
