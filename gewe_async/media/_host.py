"""What every media host shares: the limits, the sources it takes, and its interface."""

from __future__ import annotations

import abc
import mimetypes
import os
import re
import stat
from pathlib import Path
from typing import Final, Literal, Self, TypeAlias

import attrs

__all__ = ["MediaHost", "MediaKind", "MediaLimits", "MediaSource"]

MediaKind: TypeAlias = Literal["image", "file", "video", "thumb", "voice"]
"""What a published medium is for: the parameter of the send that takes it."""

MediaSource: TypeAlias = str | os.PathLike[str] | bytes | bytearray | memoryview
"""What the four media sends take: an http(s) URL (a `str`, sent as it is), a local file
(a `pathlib.Path` or other path-like, never a plain `str`), or the bytes themselves."""

MiB: Final = 1024 * 1024
GiB: Final = 1024 * MiB

_SUFFIX: Final = re.compile(r"\.[A-Za-z0-9]{1,8}\Z")


def _size(_: object, attribute: attrs.Attribute[int], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{attribute.name} must be an int of bytes, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{attribute.name} must be at least 1, got {value}")


@attrs.frozen
class MediaLimits:
    """The largest media a host publishes: a larger one raises `ValueError` before any request.

    GeWe's pages (``message/postImage``, ``postFile``, ``postVideo``, ``postVoice`` and the
    guides) document no size limit. The defaults are WeChat's own limits where its apps state
    them (a file up to 1 GiB, a voice message up to 60 s) and, for images and videos, caps
    that ordinary chat media stay far below. Raise them if your account sends more:

    ```python
    MediaLimits(video=200 * 1024 * 1024)
    ```
    """

    image: int = attrs.field(default=25 * MiB, validator=_size)
    """Bytes of an image (``post_image``)."""
    file: int = attrs.field(default=1 * GiB, validator=_size)
    """Bytes of a file (``post_file``)."""
    video: int = attrs.field(default=100 * MiB, validator=_size)
    """Bytes of a video (``post_video``)."""
    thumb: int = attrs.field(default=2 * MiB, validator=_size)
    """Bytes of a video's thumbnail image."""
    voice: int = attrs.field(default=16 * MiB, validator=_size)
    """Bytes of a voice source before conversion (a SILK file, or a WAV, MP3, ...)."""
    voice_duration: int = attrs.field(default=60_000, validator=_size)
    """Milliseconds of a voice message (WeChat records at most 60 s)."""

    def of(self, kind: MediaKind) -> int:
        """The byte limit of ``kind``."""
        limit: int = getattr(self, kind)
        return limit


@attrs.frozen
class Prepared:
    """A source, checked and measured: bytes in memory, or a regular file on disk."""

    size: int
    data: bytes | None = None
    path: Path | None = None
    name: str | None = None
    content_type: str = "application/octet-stream"

    @property
    def suffix(self) -> str:
        """The name's extension (``.jpg``), when it is a short plain one, else ``""``."""
        name = self.name or (self.path.name if self.path is not None else "")
        match = _SUFFIX.search(name)
        return match.group(0).lower() if match else ""


def prepare(
    source: object, *, name: str | None = None, content_type: str | None = None
) -> Prepared:
    """Check a local source (path-like or bytes) and measure it, without reading a file.

    Raises:
        TypeError: ``source`` is neither path-like nor bytes (a `str` is a URL, never a path).
        ValueError: the path is not a readable regular file, or the bytes are empty.
    """
    if name is not None and not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__}")
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        if not data:
            raise ValueError("the media bytes are empty")
        return Prepared(len(data), data=data, name=name, content_type=_type(name, content_type))
    if isinstance(source, os.PathLike):
        raw = os.fspath(source)
        if not isinstance(raw, str):
            raise TypeError("a media path must be a str path, not bytes")
        try:
            path = Path(raw).resolve(strict=True)
            info = path.stat()
        except OSError as exc:
            raise ValueError(f"cannot read the media file {raw!r}: {exc.strerror}") from None
        if not stat.S_ISREG(info.st_mode):
            raise ValueError(f"the media path {raw!r} is not a regular file")
        if not os.access(path, os.R_OK):
            raise ValueError(f"the media file {raw!r} is not readable")
        if info.st_size == 0:
            raise ValueError(f"the media file {raw!r} is empty")
        label = name if name is not None else path.name
        return Prepared(
            info.st_size, path=path, name=label, content_type=_type(label, content_type)
        )
    if isinstance(source, str):
        raise TypeError(
            f"a media str must be an http(s) URL, got {source[:80]!r}; "
            "pass a pathlib.Path for a local file"
        )
    raise TypeError(
        "media must be an http(s) URL (str), a path (pathlib.Path) or bytes, "
        f"got {type(source).__name__}"
    )


def _type(name: str | None, given: str | None) -> str:
    if given is not None:
        if not isinstance(given, str) or not given or not given.isprintable():
            raise ValueError(f"content_type must be a printable str, got {given!r}")
        return given
    guessed = mimetypes.guess_type(name)[0] if name else None
    return guessed or "application/octet-stream"


class MediaHost(abc.ABC):
    """Where local files and bytes are published, so that GeWe can download them by URL.

    GeWe's media sends take only URLs, which its servers download. Give a host to the client
    (``AsyncGeweClient(media=host)``) and ``post_image``, ``post_file``, ``post_video`` and
    ``post_voice`` accept a `pathlib.Path` or bytes as well: the host publishes them at an
    unguessable URL that expires, and the send carries that URL.

    Two hosts come with the library:
    [`ReceiverMediaHost`][gewe_async.media.ReceiverMediaHost] (served by the bot's own
    receiver) and [`S3MediaHost`][gewe_async.media.S3MediaHost] (S3-compatible storage).
    Another host subclasses this class and implements
    [`publish()`][gewe_async.media.MediaHost.publish].

    Args:
        limits: The largest media published (default:
            [`MediaLimits()`][gewe_async.media.MediaLimits]).
    """

    def __init__(self, *, limits: MediaLimits | None = None) -> None:
        if limits is not None and not isinstance(limits, MediaLimits):
            raise TypeError(f"limits must be a MediaLimits, got {type(limits).__name__}")
        self.limits: MediaLimits = limits if limits is not None else MediaLimits()

    @abc.abstractmethod
    async def publish(
        self,
        source: os.PathLike[str] | bytes,
        *,
        name: str | None = None,
        content_type: str | None = None,
    ) -> str:
        """Publish a file or bytes; return the URL GeWe downloads it from.

        Args:
            source: A path to a regular file, or the bytes.
            name: The file name shown or implied (its extension may end the URL).
            content_type: The ``Content-Type`` served (default: guessed from ``name``).

        Raises:
            TypeError: ``source`` is not a path or bytes.
            ValueError: the file is missing, unreadable or empty.
            GeweMediaError: storing or uploading it failed.
        """

    async def aclose(self) -> None:  # noqa: B027 - a host with nothing to release keeps it
        """Release what the host holds (connections, temporary files); idempotent."""

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
