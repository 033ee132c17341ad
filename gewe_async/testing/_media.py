"""The fake downloads the media of media sends, as GeWe does, so media hosts are tested end to end.

GeWe's servers download ``imgUrl``, ``fileUrl``, ``videoUrl``/``thumbUrl`` and ``voiceUrl``
before sending. The fake does the same for URLs on loopback (``127.0.0.0/8``, ``::1``,
``localhost``): a [`ReceiverMediaHost`][gewe_async.media.ReceiverMediaHost] served by a
receiver under test, or an S3 server such as moto's. URLs of other hosts are never fetched
(tests have no network) and are accepted as before. A download that fails refuses the send,
with a refusal of the fake's own shape (the pages document none): ``ret 500``, ``data.msg``
``下载文件失败: ...``. A ``postVoice`` whose download is not SILK is refused too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final, Protocol
from urllib.parse import urlsplit

import httpx

from gewe_async._client import is_loopback
from gewe_async.media._silk import is_silk

if TYPE_CHECKING:
    from gewe_async.testing._state import FakeDevice

__all__ = ["MEDIA_FIELDS", "fetch_media"]

MEDIA_FIELDS: Final[dict[str, tuple[str, ...]]] = {
    "message/postImage": ("imgUrl",),
    "message/postFile": ("fileUrl",),
    "message/postVideo": ("videoUrl", "thumbUrl"),
    "message/postVoice": ("voiceUrl",),
}
#: The largest download the fake keeps (tests' media are small).
MAX_FETCH: Final = 64 * 1024 * 1024
_TIMEOUT: Final = httpx.Timeout(30.0)


def _on_loopback(url: str) -> bool:
    parts = urlsplit(url)
    host = parts.hostname
    return parts.scheme in ("http", "https") and host is not None and is_loopback(host)


def _refusal(reason: str) -> dict[str, Any]:
    return {"ret": 500, "msg": "操作失败", "data": {"code": "-1", "msg": f"下载文件失败: {reason}"}}


async def _download(url: str) -> bytes | str:
    """The body at ``url``, or why it could not be had."""
    try:
        async with (
            httpx.AsyncClient(trust_env=False, timeout=_TIMEOUT) as http,
            http.stream("GET", url) as response,
        ):
            if response.status_code != 200:
                return f"HTTP {response.status_code}"
            chunks = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > MAX_FETCH:
                    return f"larger than {MAX_FETCH} bytes"
                chunks.append(chunk)
            return b"".join(chunks)
    except httpx.HTTPError as exc:
        return type(exc).__name__


class MediaFake(Protocol):
    """What the download needs of the fake: its token, devices and where downloads go."""

    @property
    def token(self) -> str:
        """The token calls must carry."""

    @property
    def devices(self) -> Mapping[str, FakeDevice]:
        """The devices, by appId."""

    @property
    def fetched_media(self) -> dict[str, bytes]:
        """Where downloads go, by URL."""


async def fetch_media(fake: MediaFake, path: str, token: str, body: Any) -> dict[str, Any] | None:
    """Download a media send's loopback URLs into ``fake.fetched_media``.

    Returns the refusal to answer when one fails, else ``None`` (the send goes on). Only a
    request the server would get to (right token, known device) downloads anything.
    """
    fields = MEDIA_FIELDS.get(path)
    if fields is None or token != fake.token or not isinstance(body, dict):
        return None
    if body.get("appId") not in fake.devices:
        return None
    for field in fields:
        url = body.get(field)
        if not isinstance(url, str) or not _on_loopback(url):
            continue
        got = await _download(url)
        if isinstance(got, str):
            return _refusal(got)
        if field == "voiceUrl" and not is_silk(got):
            return {
                "ret": 500,
                "msg": "操作失败",
                "data": {"code": "-1", "msg": "语音仅支持silk格式"},
            }
        fake.fetched_media[url] = got
    return None
