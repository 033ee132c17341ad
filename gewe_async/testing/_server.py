"""Serve an ASGI app over real HTTP on loopback with uvicorn (the ``server`` extra)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any


def _uvicorn() -> Any:
    try:
        import uvicorn
    except ImportError:  # pragma: no cover - depends on the install
        raise RuntimeError(
            "serving over TCP needs uvicorn: pip install 'gewe-async[server]'"
        ) from None
    return uvicorn


class _DeliberateFaults(logging.Filter):
    """Drop uvicorn's error records for the fake's deliberate faults.

    Those are answers cut short on purpose, and stalled answers still waiting when the server
    shuts down (uvicorn cancels them and reports each).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, asyncio.CancelledError):
            return False
        if "timeout graceful shutdown exceeded" in record.getMessage():
            return False
        return not (exc is not None and "Too little data for declared Content-Length" in str(exc))


_FILTER = _DeliberateFaults()


def make_server(app: Any, host: str, port: int, *, log_level: str = "warning") -> Any:
    """Build a uvicorn server for ``app`` on the pure-Python h11 protocol.

    h11 is chosen for its predictable handling of the fake's truncated answers. uvicorn is told
    not to configure logging, so that embedding the fake leaves the host's logging alone.
    """
    uvicorn = _uvicorn()
    error_log = logging.getLogger("uvicorn.error")
    if _FILTER not in error_log.filters:
        error_log.addFilter(_FILTER)
    error_log.setLevel(log_level.upper())
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=None,
        log_level=log_level,
        access_log=False,
        http="h11",
        lifespan="on",
        timeout_graceful_shutdown=1,
        interface="asgi3",
    )
    return uvicorn.Server(config)


@asynccontextmanager
async def running_server(app: Any, host: str, port: int) -> AsyncIterator[str]:
    """Run uvicorn in this event loop while the block runs; yield the GeWe base URL."""
    server = make_server(app, host, port)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                # uvicorn reports a failed startup (port in use, ...) with sys.exit().
                failure = task.exception()
                raise RuntimeError(f"the fake server failed to start on {host}:{port}") from (
                    failure if not isinstance(failure, SystemExit) else None
                )
            await asyncio.sleep(0.01)
        bound_host, bound_port = server.servers[0].sockets[0].getsockname()[:2]
        yield f"http://{bound_host}:{bound_port}/v2/api"
    finally:
        server.should_exit = True
        await task
