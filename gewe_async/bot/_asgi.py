"""The receiver as an ASGI app: uvicorn, hypercorn, granian, or mounted in FastAPI/Starlette."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from typing import Any, Unpack

from gewe_async.bot._dispatcher import Dispatcher
from gewe_async.bot._receiver import (
    FORBIDDEN,
    HEALTH_SEGMENT,
    SECRET_HEADER,
    TOO_LARGE,
    Answer,
    Receiver,
    ReceiverOptions,
)
from gewe_async.media._served import serve_media

__all__ = ["ASGIReceiver"]

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

_SECRET_HEADER = SECRET_HEADER.encode()


class ASGIReceiver(Receiver):
    """The receiver as an ASGI application.

    Served on its own (its lifespan starts the handlers and drains them at shutdown):

    ```python
    app = ASGIReceiver(dp, secret=os.environ["BOT_SECRET"])   # uvicorn bot:app --no-access-log
    ```

    Mounted in FastAPI, whose lifespan must run the receiver's (Starlette does not run the
    lifespan of mounted apps):

    ```python
    receiver = ASGIReceiver(dp, secret=os.environ["BOT_SECRET"])
    app = FastAPI(lifespan=receiver.lifespan)
    app.mount("/gewe", receiver)           # callback URL: https://host/gewe/<secret>
    ```
    """

    def __init__(
        self,
        dispatcher: Dispatcher,
        *,
        path: str | None = None,
        **options: Unpack[ReceiverOptions],
    ) -> None:
        """Make the app; ``path``, when set, is the only path served (else any path).

        The other arguments are those of [`Receiver`][gewe_async.bot.Receiver].
        """
        super().__init__(dispatcher, **options)
        self.path = path.rstrip("/") if path else None

    @asynccontextmanager
    async def lifespan(self, app: Any = None) -> AsyncIterator[None]:
        """Start the handlers, and drain them on exit: pass it as FastAPI's ``lifespan``."""
        await self.start()
        try:
            yield
        finally:
            await self.stop()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI connection."""
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        if await serve_media(self.path, scope, send):  # GET <path>/media/<token>: gewe_async.media
            return
        content_type = b"text/plain; charset=utf-8"
        if scope["method"] in ("GET", "HEAD") and _is_health(scope["path"], self.path):
            answer = self.health_answer()
            content_type = b"application/json"
        else:
            answer = await self._serve(scope, receive)
        body = answer.text.encode(errors="backslashreplace")
        await send(
            {
                "type": "http.response.start",
                "status": answer.status,
                "headers": [
                    (b"content-type", content_type),
                    (b"content-length", b"%d" % len(body)),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def _serve(self, scope: Scope, receive: Receive) -> Answer:
        path: str = scope["path"]
        if self.path is not None and path.rstrip("/") != self.path:
            parent = path.rstrip("/").rpartition("/")[0]
            if parent != self.path:
                return Answer(404, "not found")
        if scope["method"] != "POST":
            return Answer(405, "method not allowed")
        header = None
        length = None
        for name, value in scope["headers"]:
            if name == _SECRET_HEADER:
                header = value
            elif name == b"content-length":
                length = value
        if not self.authorized(path, header):
            return FORBIDDEN
        if length is not None and length.isdigit() and int(length) > self.max_body:
            return TOO_LARGE
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return Answer(400, "disconnected")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                return TOO_LARGE
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        return await self.accept(b"".join(chunks))

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.start()
                except Exception as exc:
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return


def _is_health(path: str, base: str | None) -> bool:
    parent, _, last = path.rstrip("/").rpartition("/")
    return last == HEALTH_SEGMENT and (base is None or parent == base)
