"""The uvicorn server of ``gewe-async receive``, with limits that protect a bot by default.

uvicorn alone waits forever for a connection that sends nothing or drips its request, and
counts idle connections against its concurrency cap: a few hundred slow clients then make
GeWe's pushes time out, and one dripping client keeps the process from stopping. Here every
request must arrive whole within ``read_timeout`` seconds, idle connections make room for new
ones beyond ``max_connections``, a request head is at most ``MAX_HEAD`` bytes, and shutdown
waits a bounded time for connections.

The guards sit on either of uvicorn's HTTP/1.1 protocols: h11 (pure Python, always there) or
httptools (``uvicorn[standard]``, which also brings uvloop), chosen by ``http``: ``auto``
takes httptools when it is installed; bench/receiver.py measures the difference.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import resource
from collections.abc import Iterator
from typing import Any, Literal

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

try:
    import httptools  # noqa: F401  (only whether it is there)
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # uvicorn without its [standard] extra
    HttpToolsProtocol = None  # type: ignore[assignment,misc]

#: The HTTP/1.1 implementations ``receive --http`` accepts.
HttpChoice = Literal["auto", "h11", "httptools"]

log = logging.getLogger("gewe_async.cli")

#: Connections open at once, unless the open-file limit is lower.
MAX_CONNECTIONS = 512
#: Seconds a request (headers and body) may take to arrive.
READ_TIMEOUT = 10.0
#: Largest request head (request line and headers) h11 buffers, in bytes.
MAX_HEAD = 16 * 1024
#: Seconds an idle keep-alive connection stays open.
KEEP_ALIVE = 5

# The answer to a connection beyond the cap when none can be closed to make room.
_TOO_LARGE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"content-length: 18\r\nconnection: close\r\n\r\nheaders too large\n"
)
_BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"content-length: 5\r\nconnection: close\r\n\r\nbusy\n"
)
_READ = (h11.DONE, h11.MUST_CLOSE, h11.CLOSED, h11.ERROR)


class _Tally:
    """Counts an event and logs the count at most once every ``every`` seconds.

    A flood of slow clients then gives a line now and then, not one per connection.
    """

    def __init__(self, level: int, message: str, every: float = 10.0) -> None:
        self._level = level
        self._message = message
        self._every = every
        self._count = 0
        self._last = -math.inf

    def add(self, now: float, *args: object) -> None:
        self._count += 1
        if now - self._last >= self._every:
            log.log(self._level, self._message, self._count, *args)
            self._count = 0
            self._last = now


_timed_out = _Tally(logging.INFO, "closed %d connections that sent no whole request in %g s")
_busy = _Tally(logging.WARNING, "answered 503 to %d connections: all %d open ones are busy")
_evicted = _Tally(logging.INFO, "closed %d idle connections to make room (cap %d)")


def default_max_connections() -> int:
    """512, or fewer when the open-file limit would not leave room for the journal and logs."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return MAX_CONNECTIONS
    return max(16, min(MAX_CONNECTIONS, soft - 64))


class _Guards:
    """The limits, on top of either uvicorn protocol (the class before it in the bases).

    The protocol says when a request began arriving (`_arm`) and when it arrived whole
    (`_disarm`); the rest is the same for both.
    """

    read_timeout: float = READ_TIMEOUT
    max_connections: int = MAX_CONNECTIONS

    # uvicorn's protocols have these.
    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport
    connections: set[Any]
    cycle: Any

    _deadline: asyncio.TimerHandle | None = None
    _since: float = 0.0

    def _guard_connection(self) -> None:
        self._since = self.loop.time()
        self._arm()  # a connection that sends nothing is closed too
        self._make_room()

    def _arm(self) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(self.read_timeout, self._timed_out)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _timed_out(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            _timed_out.add(self.loop.time(), self.read_timeout)
            # The app, if it was reading the body, sees the client disconnect.
            self.transport.close()

    def _idle(self) -> bool:
        """Whether no request of this connection is in the app's hands (closing loses none)."""
        return self.cycle is None or self.cycle.response_complete

    def _make_room(self) -> None:
        if len(self.connections) <= self.max_connections:
            return
        idle = [
            c
            for c in self.connections
            if c is not self and isinstance(c, _Guards) and c._idle()
            if not c.transport.is_closing()
        ]
        if idle:  # the oldest idle one goes: slow or silent clients cannot hold the slots
            oldest = min(idle, key=lambda c: c._since)
            oldest.transport.close()
            _evicted.add(self.loop.time(), self.max_connections)
            return
        _busy.add(self.loop.time(), len(self.connections) - 1)
        self.transport.write(_BUSY)
        self.transport.close()


class _GuardedH11(_Guards, H11Protocol):
    """uvicorn's h11 protocol with a deadline per request and room made for new connections.

    h11 bounds the head itself (``h11_max_incomplete_event_size``).
    """

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[arg-type]
        self._guard_connection()

    def data_received(self, data: bytes) -> None:
        if self._deadline is None:  # the first bytes of a request on a kept-alive connection
            self._arm()
        super().data_received(data)
        if self.conn.their_state in _READ:  # the request arrived whole: the app has it
            self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)


if HttpToolsProtocol is not None:

    class _GuardedHttpTools(_Guards, HttpToolsProtocol):
        """uvicorn's httptools protocol with the same guards, and a bound on the head.

        httptools (llhttp) buffers a head of any size: the bytes of an unfinished head are
        counted here, and past ``MAX_HEAD`` the client gets a 431 and the connection closes.
        """

        _in_head: bool = True
        _head_bytes: int = 0

        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            super().connection_made(transport)  # type: ignore[arg-type]
            self._guard_connection()

        def data_received(self, data: bytes) -> None:
            if self._deadline is None:  # the first bytes of a request on a kept-alive one
                self._arm()
            if self._in_head:
                self._head_bytes += len(data)
            super().data_received(data)
            if self._in_head and self._head_bytes > MAX_HEAD and not self.transport.is_closing():
                self.transport.write(_TOO_LARGE)
                self.transport.close()

        def on_headers_complete(self) -> None:
            self._in_head = False
            self._head_bytes = 0
            super().on_headers_complete()

        def on_message_complete(self) -> None:
            super().on_message_complete()
            self._disarm()  # the request arrived whole: the app has it
            self._in_head = True  # what comes next is the head of the next request

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)


def resolve_http(http: HttpChoice = "auto") -> Literal["h11", "httptools"]:
    """The protocol ``http`` names: ``auto`` is httptools when installed, else h11.

    Raises:
        ValueError: ``httptools`` was asked for and is not installed.
    """
    if http == "auto":
        return "h11" if HttpToolsProtocol is None else "httptools"
    if http == "httptools" and HttpToolsProtocol is None:
        raise ValueError("--http httptools needs httptools: pip install 'uvicorn[standard]'")
    if http not in ("h11", "httptools"):
        raise ValueError(f"http must be auto, h11 or httptools, not {http!r}")
    return http


def guarded_protocol(
    *, read_timeout: float, max_connections: int, http: HttpChoice = "h11"
) -> type[asyncio.Protocol]:
    """The protocol class with these limits (uvicorn's ``http`` option).

    Raises:
        ValueError: ``http`` is unknown, or httptools when it is not installed.
    """
    name = resolve_http(http)
    base: type[_Guards] = _GuardedH11 if name == "h11" else _GuardedHttpTools
    return type(
        "GuardedH11Protocol" if name == "h11" else "GuardedHttpToolsProtocol",
        (base,),
        {"read_timeout": read_timeout, "max_connections": max_connections},
    )


class Server(uvicorn.Server):
    """uvicorn's server without its own signal handlers: ``receive`` counts the signals."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """Leave the signals to the caller (uvicorn would raise them again at exit)."""
        yield

    def close_connections(self) -> int:
        """Close every open connection now; how many were open.

        A request still arriving sees the client disconnect and ends on its own, which
        uvicorn's ``force_exit`` would not wait for (the loop would then cancel it, and log
        a traceback for each).
        """
        connections = list(self.server_state.connections)
        for connection in connections:
            transport = getattr(connection, "transport", None)
            if transport is not None and not transport.is_closing():
                transport.close()
        return len(connections)


def server_config(
    app: Any,
    *,
    read_timeout: float,
    max_connections: int,
    access_log: bool,
    http: HttpChoice = "auto",
) -> uvicorn.Config:
    """The uvicorn configuration of ``receive``: its limits, no lifespan (the CLI runs it).

    uvicorn's event loop is its ``auto``: uvloop when installed.

    Raises:
        ValueError: ``http`` is unknown, or httptools when it is not installed.
    """
    protocol = guarded_protocol(
        read_timeout=read_timeout, max_connections=max_connections, http=http
    )
    return uvicorn.Config(
        app,
        lifespan="off",
        access_log=access_log,
        http=protocol,
        ws="none",
        timeout_keep_alive=KEEP_ALIVE,
        # Requests in flight are bounded by the read timeout and then only stored in the
        # journal: past this, uvicorn cancels what is left so the journal still closes.
        timeout_graceful_shutdown=math.ceil(read_timeout) + 5,
        h11_max_incomplete_event_size=MAX_HEAD,
    )
