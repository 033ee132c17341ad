"""The media sends' hook: a URL goes as it is; a path or bytes is published by the client's host.

``post_image``, ``post_file``, ``post_video`` and ``post_voice`` call these first, so every
check (type, size, format, duration) raises before the send's request is made.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Final

from gewe_async.exceptions import GeweConfigError, GeweError, GeweMediaError
from gewe_async.media._host import MediaHost, MediaKind, prepare
from gewe_async.media._silk import to_silk

if TYPE_CHECKING:
    from gewe_async._client import AsyncGeweClient

__all__ = ["check_media", "resolve_media", "resolve_voice"]

_PARAMETER: Final[dict[MediaKind, str]] = {
    "image": "img_url",
    "file": "file_url",
    "video": "video_url",
    "thumb": "thumb_url",
    "voice": "voice_url",
}


def check_media(media: object, token: str) -> MediaHost | None:
    """The client's ``media=`` option, checked: a `MediaHost` whose URLs never hold the token."""
    if media is None:
        return None
    if not isinstance(media, MediaHost):
        raise TypeError(f"media must be a gewe_async.media.MediaHost, got {type(media).__name__}")
    for name in ("public_base_url", "endpoint_url", "prefix"):
        value = getattr(media, name, None)
        if isinstance(value, str) and token in value:
            raise GeweConfigError("the media host's URL contains the GeWe token: remove it")
    return media


def _host(client: AsyncGeweClient, kind: MediaKind) -> MediaHost:
    host = client.media
    if host is None:
        raise GeweConfigError(
            f"{_PARAMETER[kind]} is a local file or bytes: give the client a media host, "
            "AsyncGeweClient(media=ReceiverMediaHost(...)) or S3MediaHost(...) "
            "(gewe_async.media), or pass an http(s) URL"
        )
    return host


def _check_size(kind: MediaKind, size: int, limit: int) -> None:
    if size > limit:
        raise ValueError(
            f"the {kind} is {size} bytes, over the limit of {limit} bytes "
            f"(MediaLimits.{kind} of the client's media host)"
        )


async def _publish(
    host: MediaHost, source: object, name: str | None, content_type: str | None = None
) -> str:
    try:
        return await host.publish(source, name=name, content_type=content_type)  # type: ignore[arg-type]
    except (GeweError, ValueError, TypeError):
        raise
    except Exception as exc:  # a host of the user's that failed its own way
        raise GeweMediaError(f"the media host failed: {type(exc).__name__}") from exc


async def resolve_media(
    client: AsyncGeweClient, source: object, *, kind: MediaKind, name: str | None = None
) -> str:
    """The URL to send for ``source``: itself if a `str`, else published by the client's host.

    Raises:
        TypeError: ``source`` is not a URL, path or bytes.
        ValueError: the file is missing or empty, or over the host's limit for ``kind``.
        GeweConfigError: a path or bytes, and the client has no media host.
        GeweMediaError: the host failed to publish it.
    """
    if isinstance(source, str):
        return source
    prepared = prepare(source, name=name)  # type and existence first, then the host
    host = _host(client, kind)
    _check_size(kind, prepared.size, host.limits.of(kind))
    return await _publish(host, source, name)


async def resolve_voice(
    client: AsyncGeweClient, source: object, duration: int | None
) -> tuple[str, int]:
    """The URL and milliseconds to send for a voice: a local source is converted to SILK.

    A URL needs ``duration``; for a path or bytes it is computed (a given one is kept).

    Raises:
        TypeError: ``source`` is not a URL, path or bytes.
        ValueError: no duration for a URL; an unknown format, broken audio, or over the limits.
        GeweConfigError: no media host, or conversion needed and the ``voice`` extra missing.
        GeweMediaError: the host failed to publish it.
    """
    if isinstance(source, str):
        if duration is None:
            raise ValueError("voice_duration (milliseconds) is required with a voice URL")
        return source, duration
    prepared = prepare(source)
    host = _host(client, "voice")
    _check_size("voice", prepared.size, host.limits.voice)
    data = prepared.data
    if data is None:
        assert prepared.path is not None
        try:
            data = await asyncio.to_thread(prepared.path.read_bytes)
        except OSError as exc:
            raise ValueError(f"cannot read the voice file: {exc.strerror}") from None
    voice = await asyncio.to_thread(to_silk, data, max_duration=host.limits.voice_duration)
    url = await _publish(host, voice.data, "voice.silk", "audio/silk")
    return url, voice.duration if duration is None else duration
