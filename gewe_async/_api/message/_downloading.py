"""Downloading the media of received messages (``message/download*``)."""

from __future__ import annotations

from typing import Final, Unpack

import attrs

from gewe_async import _validators as v
from gewe_async._api import _appmsg
from gewe_async._api import _message_checks as c
from gewe_async._api._common import AppIdRequest
from gewe_async._config import RequestOptions
from gewe_async._endpoint import APIGroup, Endpoint
from gewe_async.types.message import EmojiUrl, FileUrl, Message

# -- requests -----------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class DownloadRequest(AppIdRequest):
    """Body of ``message/downloadVideo`` and ``message/downloadFile``."""

    xml: str = attrs.field(validator=c.message_xml("videomsg", "appmsg"))


@attrs.frozen(kw_only=True)
class DownloadImageRequest(AppIdRequest):
    """Body of ``message/downloadImage``."""

    xml: str = attrs.field(validator=c.message_xml("img"))
    # No default here: the converter omits fields equal to their default, and type is required.
    type: int = attrs.field(validator=c.one_of(1, 2, 3))


@attrs.frozen(kw_only=True)
class DownloadVoiceRequest(AppIdRequest):
    """Body of ``message/downloadVoice``."""

    xml: str = attrs.field(validator=c.message_xml("voicemsg"))
    msg_id: int = attrs.field(validator=c.positive_int)


@attrs.frozen(kw_only=True)
class DownloadEmojiMd5Request(AppIdRequest):
    """Body of ``message/downloadEmojiMd5``."""

    emoji_md5: str = attrs.field(validator=c.md5)


@attrs.frozen(kw_only=True)
class DownloadCdnRequest(AppIdRequest):
    """Body of ``message/downloadCdn``: every field a string, as its schema says."""

    aes_key: str = attrs.field(validator=v.non_empty_text)
    file_id: str = attrs.field(validator=v.non_empty_text)
    type: str = attrs.field(converter=c.number_text, validator=attrs.validators.in_("12345"))
    total_size: str = attrs.field(converter=c.number_text)
    suffix: str = attrs.field(validator=v.text)


# -- endpoints ----------------------------------------------------------------------------

# Downloads are reads: the server answers a fresh URL to the same media each time.
DOWNLOAD_IMAGE: Final = Endpoint(
    "message/downloadImage", DownloadImageRequest, FileUrl, retry_safe=True
)
DOWNLOAD_VOICE: Final = Endpoint(
    "message/downloadVoice", DownloadVoiceRequest, FileUrl, retry_safe=True
)
DOWNLOAD_VIDEO: Final = Endpoint("message/downloadVideo", DownloadRequest, FileUrl, retry_safe=True)
DOWNLOAD_FILE: Final = Endpoint("message/downloadFile", DownloadRequest, FileUrl, retry_safe=True)
DOWNLOAD_EMOJI_MD5: Final = Endpoint(
    "message/downloadEmojiMd5", DownloadEmojiMd5Request, EmojiUrl, retry_safe=True
)
DOWNLOAD_CDN: Final = Endpoint("message/downloadCdn", DownloadCdnRequest, FileUrl, retry_safe=True)


class DownloadingCalls(APIGroup):
    """The ``client.message`` methods that download received media."""

    __slots__ = ()

    async def download_image(
        self, app_id: str, xml: Message, type: int = 2, **options: Unpack[RequestOptions]
    ) -> str:
        """The URL of a received image (``message/downloadImage``); valid for 7 days.

        Args:
            app_id: The device that received it.
            xml: The message's XML, or its event.
            type: 1 high definition, 2 regular (the default), 3 thumbnail.
        """
        request = DownloadImageRequest(app_id=app_id, xml=_appmsg.xml_of(xml), type=type)
        return (await self._call(DOWNLOAD_IMAGE, request, options)).file_url

    async def download_voice(
        self, app_id: str, xml: Message, msg_id: int, **options: Unpack[RequestOptions]
    ) -> str:
        """The URL of a received voice message (SILK); ``msg_id`` is the callback's ``MsgId``."""
        request = DownloadVoiceRequest(app_id=app_id, xml=_appmsg.xml_of(xml), msg_id=msg_id)
        return (await self._call(DOWNLOAD_VOICE, request, options)).file_url

    async def download_video(
        self, app_id: str, xml: Message, **options: Unpack[RequestOptions]
    ) -> str:
        """The URL of a received video (``message/downloadVideo``); valid for 7 days."""
        request = DownloadRequest(app_id=app_id, xml=_appmsg.xml_of(xml))
        return (await self._call(DOWNLOAD_VIDEO, request, options)).file_url

    async def download_file(
        self, app_id: str, xml: Message, **options: Unpack[RequestOptions]
    ) -> str:
        """The URL of a received file (``message/downloadFile``); valid for 7 days.

        A file arrives twice (appmsg type 74 when the upload starts, then 6): download from
        the second.
        """
        request = DownloadRequest(app_id=app_id, xml=_appmsg.xml_of(xml))
        return (await self._call(DOWNLOAD_FILE, request, options)).file_url

    async def download_emoji_md5(
        self, app_id: str, emoji_md5: str, **options: Unpack[RequestOptions]
    ) -> str:
        """The URL of the emoji with this MD5 (``message/downloadEmojiMd5``)."""
        request = DownloadEmojiMd5Request(app_id=app_id, emoji_md5=emoji_md5)
        return (await self._call(DOWNLOAD_EMOJI_MD5, request, options)).url

    async def download_cdn(
        self,
        app_id: str,
        *,
        aes_key: str,
        file_id: str,
        type: int | str,
        total_size: int | str,
        suffix: str,
        **options: Unpack[RequestOptions],
    ) -> str:
        """Download any CDN object by its key and id (``message/downloadCdn``).

        ``type``: 1 HD image, 2 image, 3 thumbnail, 4 video, 5 file (give ``suffix``, such as
        ``"doc"``, for files).
        """
        request = DownloadCdnRequest(
            app_id=app_id,
            aes_key=aes_key,
            file_id=file_id,
            type=type,
            total_size=total_size,
            suffix=suffix,
        )
        return (await self._call(DOWNLOAD_CDN, request, options)).file_url

    async def download(
        self,
        app_id: str,
        message: Message,
        *,
        image_type: int = 2,
        msg_id: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> str:
        """The URL of a received image, voice, video, file or emoji, whichever it is.

        ```python
        url = await client.message.download(app_id, event)
        ```

        ``message`` is the XML or an event with ``content``; for a voice message the endpoint
        needs the callback's ``MsgId``: given as ``msg_id``, or read from the event's
        ``msg_id``.

        Raises:
            ValueError: The message carries no media (text, links, ...), or a voice message
                has no ``msg_id``.
        """
        xml, root = _appmsg.received(message, "download")
        if root.find("img") is not None:
            return await self.download_image(app_id, xml, image_type, **options)
        if root.find("voicemsg") is not None:
            msg_id = msg_id if msg_id is not None else getattr(message, "msg_id", None)
            if msg_id is None:
                raise ValueError("downloading a voice message needs its msg_id (the MsgId)")
            return await self.download_voice(app_id, xml, msg_id, **options)
        if root.find("videomsg") is not None:
            return await self.download_video(app_id, xml, **options)
        emoji = root.find("emoji")
        if emoji is not None:
            return await self.download_emoji_md5(app_id, emoji.get("md5", ""), **options)
        if _appmsg.appmsg_type(root) == 6:
            return await self.download_file(app_id, xml, **options)
        raise ValueError(
            f"this message (<{root.tag}>, appmsg type {_appmsg.appmsg_type(root)}) has no "
            "media to download"
        )
