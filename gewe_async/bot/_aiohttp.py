"""The receiver as an aiohttp handler."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from gewe_async.bot._receiver import (
    FORBIDDEN,
    HEALTH_SEGMENT,
    SECRET_HEADER,
    TOO_LARGE,
    Receiver,
)
from gewe_async.media._served import add_media_route

__all__ = ["AiohttpReceiver"]


class AiohttpReceiver(Receiver):
    """The receiver as an aiohttp request handler.

    ```python
    receiver = AiohttpReceiver(dp, secret=os.environ["BOT_SECRET"])
    app = web.Application()
    receiver.setup(app, "/gewe")        # callback URL: https://host/gewe/<secret>
    web.run_app(app)
    ```

    The arguments are those of [`Receiver`][gewe_async.bot.Receiver].
    """

    def setup(self, app: web.Application, path: str = "/gewe") -> None:
        """Route POST ``path`` and ``path/{secret}`` here; start and drain with ``app``.

        ``GET path/healthz`` answers the health check (200 or 503, JSON, no secret needed).

        Handlers start with the app and are drained at its cleanup, before the cleanup
        contexts added earlier (such as the one that closes the client) end.
        """
        base = path.rstrip("/")
        app.router.add_get(f"{base}/{HEALTH_SEGMENT}", self.handle_health)
        add_media_route(app, base)  # GET <path>/media/<token>: gewe_async.media
        app.router.add_post(base or "/", self.handle)
        app.router.add_post(base + "/{secret}", self.handle)
        # A cleanup context: contexts added before (a client) outlive the drain.
        app.cleanup_ctx.append(self._running)

    async def _running(self, app: web.Application) -> AsyncIterator[None]:
        await self.start()
        yield
        await self.stop()

    async def handle_health(self, request: web.Request) -> web.Response:
        """Answer the health check: 200 when pushes are stored, else 503; JSON either way."""
        answer = self.health_answer()
        return web.Response(status=answer.status, text=answer.text, content_type="application/json")

    async def handle(self, request: web.Request) -> web.Response:
        """Answer one push (mount it yourself with ``app.router.add_post``)."""
        if not self.authorized(request.path, request.headers.get(SECRET_HEADER)):
            return _text(FORBIDDEN.status, FORBIDDEN.text)
        if request.content_length is not None and request.content_length > self.max_body:
            return _text(TOO_LARGE.status, TOO_LARGE.text)
        chunks: list[bytes] = []
        size = 0
        # Read the stream ourselves, stopping at the cap (request.read() would take it all).
        async for chunk in request.content.iter_any():
            size += len(chunk)
            if size > self.max_body:
                return _text(TOO_LARGE.status, TOO_LARGE.text)
            chunks.append(chunk)
        answer = await self.accept(b"".join(chunks))
        return _text(answer.status, answer.text)


def _text(status: int, text: str) -> web.Response:
    body = text.encode(errors="backslashreplace")
    return web.Response(status=status, body=body, content_type="text/plain", charset="utf-8")
