"""``ReceiverMediaHost``: media served by the bot's own receiver, at ``<base>/media/<token>``."""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import re
import secrets
import shutil
import tempfile
import time
import weakref
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Final
from urllib.parse import quote, urlsplit

import attrs

from gewe_async.exceptions import GeweMediaError
from gewe_async.media._host import MediaHost, MediaLimits, Prepared, prepare

if TYPE_CHECKING:
    from aiohttp import web

__all__ = ["ReceiverMediaHost", "add_media_route", "serve_media"]

Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

#: The path segment before the token: ``<base>/media/<token>``.
SEGMENT: Final = "media"
#: Bytes read from a file per step of a download: the memory one download holds.
CHUNK: Final = 64 * 1024
_TOKEN: Final = re.compile(r"\A([0-9a-f]{32})(\.[a-z0-9]{1,8})?\Z")

#: Every live host of the process: a receiver serves the tokens of any of them.
_HOSTS: weakref.WeakSet[ReceiverMediaHost] = weakref.WeakSet()


@attrs.frozen
class _Entry:
    item: Prepared
    suffix: str
    expires_at: float
    spilled: bool  # data written to the host's temporary folder (removed at expiry)


class ReceiverMediaHost(MediaHost):
    """Media served by the bot's own receiver, on the same server as its callback path.

    A published file or bytes gets the URL ``{public_base_url}/media/{token}`` (plus the
    name's extension, such as ``.jpg``), where the token is 128 random bits, new for each
    publication. The receivers ([`ASGIReceiver`][gewe_async.bot.ASGIReceiver],
    [`AiohttpReceiver`][gewe_async.bot.AiohttpReceiver]) of the same process answer
    ``GET``/``HEAD`` there, without the receiver's secret (the token is the key), until the
    URL expires; then, and for any other token, ``404``. Nothing else can be reached: the
    token names an entry of the host, never a path on disk.

    ```python
    media = ReceiverMediaHost("https://bot.example.com/gewe")
    client = AsyncGeweClient(media=media)
    await client.message.post_image("wx_123", "wxid_friend", Path("chart.png"))
    ```

    Memory is bounded: files are streamed from disk (64 KiB at a time per download), and
    bytes are kept in memory up to ``max_memory`` in all; bytes beyond it are written to a
    private temporary folder, removed when they expire or at
    [`aclose()`][gewe_async.media.ReceiverMediaHost.aclose].
    A file is read when GeWe downloads it, so it must stay in place until then.

    Args:
        public_base_url: The receiver's base URL as GeWe reaches it (the callback URL without
            the secret), such as ``https://bot.example.com/gewe``. Required: GeWe downloads from
            there, so it must be reachable from the internet. Never put the receiver's secret
            in it.
        ttl: Seconds a URL works (default 600). GeWe downloads while the send is in flight.
        max_memory: Bytes of published bytes kept in memory in all (default 32 MiB).
        limits: The largest media published ([`MediaLimits`][gewe_async.media.MediaLimits]).

    Raises:
        ValueError: ``public_base_url`` is not an http(s) URL with a host, or ``ttl`` or
            ``max_memory`` is not positive.
    """

    def __init__(
        self,
        public_base_url: str,
        *,
        ttl: float = 600.0,
        max_memory: int = 32 * 1024 * 1024,
        limits: MediaLimits | None = None,
    ) -> None:
        super().__init__(limits=limits)
        if not isinstance(public_base_url, str):
            raise TypeError(f"public_base_url must be a str, got {type(public_base_url).__name__}")
        parts = urlsplit(public_base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(
                f"public_base_url must be an http(s) URL with a host, got {public_base_url!r}"
            )
        if parts.query or parts.fragment:
            raise ValueError("public_base_url must have no query or fragment")
        if isinstance(ttl, bool) or not isinstance(ttl, int | float):
            raise TypeError(f"ttl must be a number of seconds, got {type(ttl).__name__}")
        if not (math.isfinite(ttl) and ttl > 0):
            raise ValueError(f"ttl must be a finite number of seconds > 0, got {ttl}")
        if isinstance(max_memory, bool) or not isinstance(max_memory, int):
            raise TypeError(f"max_memory must be an int of bytes, got {type(max_memory).__name__}")
        if max_memory < 0:
            raise ValueError(f"max_memory must be >= 0, got {max_memory}")
        self.public_base_url = public_base_url.rstrip("/")
        self.ttl = float(ttl)
        self.max_memory = max_memory
        self._entries: dict[str, _Entry] = {}
        self._in_memory = 0
        self._folder: Path | None = None
        self._cleanup: weakref.finalize[Any, Any] | None = None
        _HOSTS.add(self)

    def __repr__(self) -> str:
        return (
            f"<ReceiverMediaHost {self.public_base_url!r} entries={len(self._entries)} "
            f"in_memory={self._in_memory}>"
        )

    @property
    def memory_used(self) -> int:
        """Bytes of published bytes held in memory now (at most ``max_memory``)."""
        return self._in_memory

    async def publish(
        self,
        source: os.PathLike[str] | bytes,
        *,
        name: str | None = None,
        content_type: str | None = None,
    ) -> str:
        """Serve a file or bytes for ``ttl`` seconds; return its URL.

        Raises:
            TypeError: ``source`` is not a path or bytes.
            ValueError: the file is missing, unreadable or empty.
            GeweMediaError: bytes over ``max_memory`` could not be written to disk.
        """
        item = prepare(source, name=name, content_type=content_type)
        self._purge()
        spilled = False
        if item.data is not None:
            if self._in_memory + item.size > self.max_memory:
                item = await self._spill(item)
                spilled = True
            else:
                self._in_memory += item.size
        token = secrets.token_hex(16)
        suffix = item.suffix
        self._entries[token] = _Entry(item, suffix, time.monotonic() + self.ttl, spilled)
        return f"{self.public_base_url}/{SEGMENT}/{token}{suffix}"

    async def _spill(self, item: Prepared) -> Prepared:
        assert item.data is not None
        try:
            path = await asyncio.to_thread(self._write, item.data)
        except OSError as exc:
            raise GeweMediaError(
                f"could not write {item.size} bytes of media to a temporary file: {exc.strerror}"
            ) from exc
        return attrs.evolve(item, data=None, path=path)

    def _write(self, data: bytes) -> Path:
        if self._folder is None:
            folder = Path(tempfile.mkdtemp(prefix="gewe-media-"))
            self._folder = folder
            self._cleanup = weakref.finalize(self, shutil.rmtree, folder, ignore_errors=True)
        fd, name = tempfile.mkstemp(dir=self._folder)  # mode 0600
        with os.fdopen(fd, "wb") as file:
            file.write(data)
        return Path(name)

    def _drop(self, token: str) -> None:
        entry = self._entries.pop(token)
        if entry.item.data is not None:
            self._in_memory -= entry.item.size
        elif entry.spilled and entry.item.path is not None:
            with contextlib.suppress(OSError):
                entry.item.path.unlink()

    def _purge(self) -> None:
        # Every entry lives `ttl`: the dict's order is the order of expiry.
        now = time.monotonic()
        while self._entries:
            token, entry = next(iter(self._entries.items()))
            if entry.expires_at > now:
                break
            self._drop(token)

    def lookup(self, segment: str) -> Prepared | None:
        """What the last path segment (``<token>`` plus its extension) serves, if it is live."""
        match = _TOKEN.match(segment)
        if match is None:
            return None
        self._purge()
        entry = self._entries.get(match.group(1))
        if entry is None or entry.suffix != (match.group(2) or ""):
            return None
        return entry.item

    async def aclose(self) -> None:
        """Forget every URL (they answer 404 from now on) and remove the temporary files."""
        for token in list(self._entries):
            self._drop(token)
        if self._cleanup is not None:
            await asyncio.to_thread(self._cleanup)
            self._folder = self._cleanup = None


# -- serving ----------------------------------------------------------------------------------


def _find(path: str, base: str | None) -> tuple[bool, Prepared | None]:
    """Whether ``path`` is a media path (under ``base`` when set), and what it serves."""
    parent, _, segment = path.rstrip("/").rpartition("/")
    root, _, media = parent.rpartition("/")
    if media != SEGMENT or (base is not None and root != base.rstrip("/")):
        return False, None
    for host in list(_HOSTS):
        item = host.lookup(segment)
        if item is not None:
            return True, item
    return True, None


def _headers(item: Prepared, size: int) -> list[tuple[bytes, bytes]]:
    headers = [
        (b"content-type", item.content_type.encode("latin-1", "replace")),
        (b"content-length", b"%d" % size),
        (b"cache-control", b"no-store"),
        (b"x-content-type-options", b"nosniff"),
    ]
    if item.name:
        disposition = f"inline; filename*=UTF-8''{quote(item.name, safe='')}"
        headers.append((b"content-disposition", disposition.encode()))
    return headers


def _open(path: Path) -> tuple[BinaryIO, int]:
    file = path.open("rb")
    return file, os.fstat(file.fileno()).st_size


_NOT_FOUND: Final = b"not found"


async def serve_media(base: str | None, scope: MutableMapping[str, Any], send: Send) -> bool:
    """Answer an ASGI ``GET``/``HEAD`` of a media URL; `False` when it is not one (or no host).

    The hook of [`ASGIReceiver`][gewe_async.bot.ASGIReceiver]: ``base`` is its ``path``.
    """
    if not _HOSTS or scope["method"] not in ("GET", "HEAD"):
        return False
    is_media, item = _find(scope["path"], base)
    if not is_media:
        return False
    head = scope["method"] == "HEAD"
    file = None
    if item is not None and item.path is not None:
        try:
            file, size = await asyncio.to_thread(_open, item.path)
        except OSError:
            item = None  # removed since it was published
    if item is None:
        await _start(send, 404, [(b"content-type", b"text/plain"), (b"content-length", b"9")])
        await send({"type": "http.response.body", "body": b"" if head else _NOT_FOUND})
        return True
    if file is None:
        assert item.data is not None
        await _start(send, 200, _headers(item, item.size))
        await send({"type": "http.response.body", "body": b"" if head else item.data})
        return True
    try:
        await _start(send, 200, _headers(item, size))
        remaining = 0 if head else size
        while remaining > 0:
            chunk = await asyncio.to_thread(file.read, min(CHUNK, remaining))
            if not chunk:
                break  # the file shrank: the server closes the connection short
            remaining -= len(chunk)
            await send({"type": "http.response.body", "body": chunk, "more_body": remaining > 0})
        if remaining > 0 or head:
            await send({"type": "http.response.body", "body": b""})
    finally:
        file.close()
    return True


async def _start(send: Send, status: int, headers: list[tuple[bytes, bytes]]) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})


def add_media_route(app: web.Application, base: str) -> None:
    """Route ``GET``/``HEAD`` ``<base>/media/<token>`` of an aiohttp app to the media hosts.

    The hook of [`AiohttpReceiver.setup`][gewe_async.bot.AiohttpReceiver.setup].
    """
    app.router.add_get(f"{base.rstrip('/')}/{SEGMENT}/{{segment}}", _aiohttp_media)


async def _aiohttp_media(request: web.Request) -> web.StreamResponse:
    from aiohttp import web

    _, item = _find(request.path, None)
    file = None
    if item is not None and item.path is not None:
        try:
            file, size = await asyncio.to_thread(_open, item.path)
        except OSError:
            item = None
    if item is None:
        return web.Response(status=404, text="not found")
    if file is None:
        assert item.data is not None
        size = item.size
    headers = {k.decode(): v.decode("latin-1") for k, v in _headers(item, size)}
    try:
        response = web.StreamResponse(status=200, headers=headers)
        response.content_length = size
        await response.prepare(request)
        if request.method == "HEAD":
            return response
        if file is None:
            assert item.data is not None
            await response.write(item.data)
        else:
            remaining = size
            while remaining > 0:
                chunk = await asyncio.to_thread(file.read, min(CHUNK, remaining))
                if not chunk:
                    break
                remaining -= len(chunk)
                await response.write(chunk)
        await response.write_eof()
        return response
    finally:
        if file is not None:
            file.close()
