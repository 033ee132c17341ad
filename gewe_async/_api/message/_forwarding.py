"""Forwarding received media (``message/forward*``) and revoking sent messages (``revokeMsg``)."""

from __future__ import annotations

from typing import Final, TypeVar, Unpack

import attrs

from gewe_async import _validators as v
from gewe_async._api import _appmsg
from gewe_async._api import _message_checks as c
from gewe_async._api._common import ToChatRequest
from gewe_async._config import RequestOptions
from gewe_async._endpoint import APIGroup, Endpoint
from gewe_async.types.message import Message, SentImage, SentMessage, SentVideo

# -- requests -----------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ForwardImageRequest(ToChatRequest):
    """Body of ``message/forwardImage``."""

    xml: str = attrs.field(validator=c.message_xml("img"))


@attrs.frozen(kw_only=True)
class ForwardVideoRequest(ToChatRequest):
    """Body of ``message/forwardVideo``."""

    xml: str = attrs.field(validator=c.message_xml("videomsg"))


@attrs.frozen(kw_only=True)
class ForwardAppMsgRequest(ToChatRequest):
    """Body of ``message/forwardFile`` and ``message/forwardUrl``."""

    xml: str = attrs.field(validator=c.message_xml("appmsg"))


@attrs.frozen(kw_only=True)
class ForwardMiniAppRequest(ToChatRequest):
    """Body of ``message/forwardMiniApp``."""

    xml: str = attrs.field(validator=c.message_xml("appmsg"))
    cover_img_url: str = attrs.field(validator=v.http_url)


@attrs.frozen(kw_only=True)
class RevokeMsgRequest(ToChatRequest):
    """Body of ``message/revokeMsg``: the ids and time a send returned, as strings."""

    msg_id: str = attrs.field(converter=c.id_text)
    new_msg_id: str = attrs.field(converter=c.id_text)
    create_time: str = attrs.field(converter=c.id_text)


# -- endpoints ----------------------------------------------------------------------------

FORWARD_IMAGE: Final = Endpoint("message/forwardImage", ForwardImageRequest, SentImage, sends=True)
FORWARD_VIDEO: Final = Endpoint("message/forwardVideo", ForwardVideoRequest, SentVideo, sends=True)
FORWARD_FILE: Final = Endpoint("message/forwardFile", ForwardAppMsgRequest, SentMessage, sends=True)
FORWARD_URL: Final = Endpoint("message/forwardUrl", ForwardAppMsgRequest, SentMessage, sends=True)
FORWARD_MINI_APP: Final = Endpoint(
    "message/forwardMiniApp", ForwardMiniAppRequest, SentMessage, sends=True
)
# Retry-safe: the ids name one message, so a repeat cannot revoke another or send anything;
# at worst it is refused because the first attempt already revoked it, which tells the
# caller what a lost answer would have hidden. Not a send: revoking is not paced.
REVOKE_MSG: Final[Endpoint[None]] = Endpoint(
    "message/revokeMsg", RevokeMsgRequest, None, retry_safe=True
)

T = TypeVar("T")

#: The appmsg types of mini-programs, which forwardMiniApp takes.
_MINI_APP_TYPES: Final = (33, 36)


class ForwardingCalls(APIGroup):
    """The ``client.message`` methods that forward and revoke messages."""

    __slots__ = ()

    async def forward_image(
        self, app_id: str, to_wxid: str, xml: Message, **options: Unpack[RequestOptions]
    ) -> SentImage:
        """Forward a received image: its XML, or its event (``message/forwardImage``)."""
        return await self._forward(FORWARD_IMAGE, app_id, to_wxid, xml, options)

    async def forward_video(
        self, app_id: str, to_wxid: str, xml: Message, **options: Unpack[RequestOptions]
    ) -> SentVideo:
        """Forward a received video: its XML, or its event (``message/forwardVideo``)."""
        return await self._forward(FORWARD_VIDEO, app_id, to_wxid, xml, options)

    async def forward_file(
        self, app_id: str, to_wxid: str, xml: Message, **options: Unpack[RequestOptions]
    ) -> SentMessage:
        """Forward a received file: its XML, or its event (``message/forwardFile``)."""
        return await self._forward(FORWARD_FILE, app_id, to_wxid, xml, options)

    async def forward_url(
        self, app_id: str, to_wxid: str, xml: Message, **options: Unpack[RequestOptions]
    ) -> SentMessage:
        """Forward a received link: its XML, or its event (``message/forwardUrl``)."""
        return await self._forward(FORWARD_URL, app_id, to_wxid, xml, options)

    async def _forward(
        self,
        endpoint: Endpoint[T],
        app_id: str,
        to_wxid: str,
        xml: Message,
        options: RequestOptions,
    ) -> T:
        # The body of the four forwards whose request is the chat and the received XML alone:
        # the endpoint names its request class, which checks the XML's root element.
        request = endpoint.request(app_id=app_id, to_wxid=to_wxid, xml=_appmsg.xml_of(xml))
        return await self._call(endpoint, request, options)

    async def forward_mini_app(
        self,
        app_id: str,
        to_wxid: str,
        xml: Message,
        cover_img_url: str,
        **options: Unpack[RequestOptions],
    ) -> SentMessage:
        """Forward a received mini-program with a cover image (``message/forwardMiniApp``)."""
        request = ForwardMiniAppRequest(
            app_id=app_id, to_wxid=to_wxid, xml=_appmsg.xml_of(xml), cover_img_url=cover_img_url
        )
        return await self._call(FORWARD_MINI_APP, request, options)

    async def forward(
        self,
        app_id: str,
        to_wxid: str,
        message: Message,
        *,
        cover_img_url: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> SentMessage:
        """Forward a received image, video, file, link or mini-program, whichever it is.

        ```python
        await client.message.forward(app_id, "filehelper", event)
        ```

        Raises:
            ValueError: The message is of none of those kinds, or is a mini-program and
                ``cover_img_url`` is missing.
        """
        xml, root = _appmsg.received(message, "forward")
        if root.find("img") is not None:
            return await self.forward_image(app_id, to_wxid, xml, **options)
        if root.find("videomsg") is not None:
            return await self.forward_video(app_id, to_wxid, xml, **options)
        kind = _appmsg.appmsg_type(root)
        if kind == 6:
            return await self.forward_file(app_id, to_wxid, xml, **options)
        if kind == 5:
            return await self.forward_url(app_id, to_wxid, xml, **options)
        if kind in _MINI_APP_TYPES:
            if cover_img_url is None:
                raise ValueError("forwarding a mini-program needs cover_img_url")
            return await self.forward_mini_app(app_id, to_wxid, xml, cover_img_url, **options)
        raise ValueError(
            "only images, videos, files, links and mini-programs can be forwarded; "
            f"this message is <{root.tag}> (appmsg type {kind})"
        )

    async def resend(
        self,
        app_id: str,
        to_wxid: str,
        sent: SentImage | SentVideo,
        *,
        play_length: int = 0,
        **options: Unpack[RequestOptions],
    ) -> SentImage | SentVideo:
        """Send an image or video again from the CDN fields an earlier send returned.

        As the postImage page suggests, this forwards the uploaded media instead of uploading
        it again, so it is much faster for one image sent to many chats:

        ```python
        first = await client.message.post_image(app_id, chats[0], url)
        for chat in chats[1:]:
            await client.message.resend(app_id, chat, first)
        ```

        ``play_length`` is the video's duration in seconds (the answer does not carry it).

        Raises:
            TypeError: ``sent`` is neither a `SentImage` nor a `SentVideo`.
        """
        if isinstance(sent, SentImage):
            return await self.forward_image(app_id, to_wxid, _appmsg.image_xml(sent), **options)
        if isinstance(sent, SentVideo):
            xml = _appmsg.video_xml(sent, play_length=play_length)
            return await self.forward_video(app_id, to_wxid, xml, **options)
        raise TypeError(f"resend takes what post_image or post_video returned, got {sent!r:.80}")

    async def revoke_msg(
        self,
        app_id: str,
        to_wxid: str,
        msg_id: int | str,
        new_msg_id: int | str,
        create_time: int | str,
        **options: Unpack[RequestOptions],
    ) -> None:
        """Revoke a message this account sent, within WeChat's 2 minutes (``message/revokeMsg``).

        Takes the ids and time the send returned;
        [`revoke()`][gewe_async.resources.MessageAPI.revoke] takes the answer itself.
        """
        request = RevokeMsgRequest(
            app_id=app_id,
            to_wxid=to_wxid,
            msg_id=msg_id,
            new_msg_id=new_msg_id,
            create_time=create_time,
        )
        await self._call(REVOKE_MSG, request, options)

    async def revoke(
        self, app_id: str, sent: SentMessage, **options: Unpack[RequestOptions]
    ) -> None:
        """Revoke the message a ``post_*`` or ``forward_*`` call sent, from its answer.

        ```python
        sent = await client.message.post_text(app_id, chat, "oops")
        await client.message.revoke(app_id, sent)
        ```

        Raises:
            ValueError: The answer carries no ``create_time`` (the video and emoji pages show
                ``null``); call `revoke_msg` with the time you sent it.
        """
        if sent.create_time is None:
            raise ValueError(
                "this answer has no create_time, which revokeMsg needs: call revoke_msg() with "
                "the Unix time of the send"
            )
        request = RevokeMsgRequest(
            app_id=app_id,
            to_wxid=sent.to_wxid,
            msg_id=sent.msg_id,
            new_msg_id=sent.new_msg_id,
            create_time=sent.create_time,
        )
        await self._call(REVOKE_MSG, request, options)
