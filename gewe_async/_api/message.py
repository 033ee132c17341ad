"""The message module (``/message/*``): sending, forwarding, revoking and downloading messages.

Official pages: ``geweapi/消息模块/`` and ``视频号模块/发送视频号消息``. Every endpoint that
sends a message to a chat is declared ``sends=True``: it is never repeated once it may have
reached the server, and the account's send pacing applies to it (``_send_pacing``).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from typing import Final, Unpack

import attrs

from gewe_async import _validators as v
from gewe_async._api import _appmsg
from gewe_async._api import _message_checks as c
from gewe_async._api._appmsg import HasContent
from gewe_async._api._common import AppIdRequest, ToChatRequest
from gewe_async._batch import BatchOptions, BatchResult, run_batch
from gewe_async._config import RequestOptions
from gewe_async._endpoint import APIGroup, Endpoint, declared
from gewe_async.types.message import (
    EmojiUrl,
    FileUrl,
    Quoted,
    SentImage,
    SentMessage,
    SentVideo,
)

__all__ = ["MessageAPI"]

# -- requests -----------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class PostTextRequest(ToChatRequest):
    """Body of ``message/postText``."""

    content: str = attrs.field(validator=v.non_empty_text)
    ats: str | None = attrs.field(default=None, validator=attrs.validators.optional(v.text))


@attrs.frozen(kw_only=True)
class PostImageRequest(ToChatRequest):
    """Body of ``message/postImage``."""

    img_url: str = attrs.field(validator=v.http_url)


@attrs.frozen(kw_only=True)
class PostFileRequest(ToChatRequest):
    """Body of ``message/postFile``."""

    file_url: str = attrs.field(validator=v.http_url)
    file_name: str = attrs.field(validator=v.non_empty_text)


@attrs.frozen(kw_only=True)
class PostVoiceRequest(ToChatRequest):
    """Body of ``message/postVoice``."""

    voice_url: str = attrs.field(validator=v.http_url)
    voice_duration: int = attrs.field(validator=c.positive_int)  # milliseconds


@attrs.frozen(kw_only=True)
class PostVideoRequest(ToChatRequest):
    """Body of ``message/postVideo``."""

    video_url: str = attrs.field(validator=v.http_url)
    thumb_url: str = attrs.field(validator=v.http_url)
    video_duration: int = attrs.field(validator=c.positive_int)  # seconds


@attrs.frozen(kw_only=True)
class PostLinkRequest(ToChatRequest):
    """Body of ``message/postLink``."""

    title: str = attrs.field(validator=v.non_empty_text)
    desc: str = attrs.field(validator=v.text)
    link_url: str = attrs.field(validator=v.http_url)
    thumb_url: str = attrs.field(validator=v.http_url)


@attrs.frozen(kw_only=True)
class PostNameCardRequest(ToChatRequest):
    """Body of ``message/postNameCard``."""

    nick_name: str = attrs.field(validator=v.non_empty_text)
    name_card_wxid: str = attrs.field(validator=v.non_empty_text)


@attrs.frozen(kw_only=True)
class PostEmojiRequest(ToChatRequest):
    """Body of ``message/postEmoji``."""

    emoji_md5: str = attrs.field(validator=c.md5)
    emoji_size: int = attrs.field(validator=c.positive_int)


@attrs.frozen(kw_only=True)
class PostAppMsgRequest(ToChatRequest):
    """Body of ``message/postAppMsg``."""

    appmsg: str = attrs.field(validator=c.appmsg_xml)


@attrs.frozen(kw_only=True)
class PostMiniAppRequest(ToChatRequest):
    """Body of ``message/postMiniApp``."""

    mini_app_id: str = attrs.field(validator=v.non_empty_text)
    display_name: str = attrs.field(validator=v.non_empty_text)
    page_path: str = attrs.field(validator=v.non_empty_text)
    cover_img_url: str = attrs.field(validator=v.http_url)
    title: str = attrs.field(validator=v.non_empty_text)
    user_name: str = attrs.field(validator=v.non_empty_text)


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


@attrs.frozen(kw_only=True)
class SendFinderMsgRequest(ToChatRequest):
    """Body of ``message/sendFinderMsg`` (a Channels video, from ``finder`` search results)."""

    id: int = attrs.field(validator=c.positive_int)
    username: str = attrs.field(validator=v.non_empty_text)
    nickname: str = attrs.field(validator=v.text)
    head_url: str = attrs.field(validator=v.text)
    nonce_id: str = attrs.field(validator=v.non_empty_text)
    media_type: str = attrs.field(converter=c.number_text)
    width: str = attrs.field(converter=c.number_text)
    height: str = attrs.field(converter=c.number_text)
    url: str = attrs.field(validator=v.http_url)
    thumb_url: str = attrs.field(validator=v.http_url)
    thumb_url_token: str = attrs.field(validator=v.text)
    description: str = attrs.field(validator=v.text)
    video_play_len: str = attrs.field(converter=c.number_text)


# -- endpoints ----------------------------------------------------------------------------

# Sends: not retry-safe, a repeated send is a second message in the chat (they are retried
# only when the connection failed before anything left). sends=True: paced per account.
POST_TEXT: Final = Endpoint("message/postText", PostTextRequest, SentMessage, sends=True)
POST_IMAGE: Final = Endpoint("message/postImage", PostImageRequest, SentImage, sends=True)
POST_FILE: Final = Endpoint("message/postFile", PostFileRequest, SentMessage, sends=True)
POST_VOICE: Final = Endpoint("message/postVoice", PostVoiceRequest, SentMessage, sends=True)
POST_VIDEO: Final = Endpoint("message/postVideo", PostVideoRequest, SentVideo, sends=True)
POST_LINK: Final = Endpoint("message/postLink", PostLinkRequest, SentMessage, sends=True)
POST_NAME_CARD: Final = Endpoint(
    "message/postNameCard", PostNameCardRequest, SentMessage, sends=True
)
POST_EMOJI: Final = Endpoint("message/postEmoji", PostEmojiRequest, SentMessage, sends=True)
POST_APP_MSG: Final = Endpoint("message/postAppMsg", PostAppMsgRequest, SentMessage, sends=True)
POST_MINI_APP: Final = Endpoint("message/postMiniApp", PostMiniAppRequest, SentMessage, sends=True)
FORWARD_IMAGE: Final = Endpoint("message/forwardImage", ForwardImageRequest, SentImage, sends=True)
FORWARD_VIDEO: Final = Endpoint("message/forwardVideo", ForwardVideoRequest, SentVideo, sends=True)
FORWARD_FILE: Final = Endpoint("message/forwardFile", ForwardAppMsgRequest, SentMessage, sends=True)
FORWARD_URL: Final = Endpoint("message/forwardUrl", ForwardAppMsgRequest, SentMessage, sends=True)
FORWARD_MINI_APP: Final = Endpoint(
    "message/forwardMiniApp", ForwardMiniAppRequest, SentMessage, sends=True
)
# The page documents no answer data; it sends a Channels video to a chat like any other send.
SEND_FINDER_MSG: Final[Endpoint[None]] = Endpoint(
    "message/sendFinderMsg", SendFinderMsgRequest, None, sends=True
)
# Retry-safe: the ids name one message, so a repeat cannot revoke another or send anything;
# at worst it is refused because the first attempt already revoked it, which tells the
# caller what a lost answer would have hidden. Not a send: revoking is not paced.
REVOKE_MSG: Final[Endpoint[None]] = Endpoint(
    "message/revokeMsg", RevokeMsgRequest, None, retry_safe=True
)
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

ENDPOINTS: Final = declared(globals())

Message = str | HasContent
"""A received message: its XML, or an event whose ``content`` is the XML."""

#: The appmsg types of mini-programs, which forwardMiniApp takes.
_MINI_APP_TYPES: Final = (33, 36)


class MessageAPI(APIGroup):
    """``client.message``: sending, forwarding, revoking and downloading messages.

    Sends are not retried after the request may have reached the server (a timeout or a dropped
    connection could hide a message that was sent); they are retried only when the connection
    failed before anything was sent. The sends of one appId are paced (``send_interval`` of
    [`AsyncGeweClient`][gewe_async.AsyncGeweClient], 1.5 s by default); every send method
    accepts ``send_interval=`` for that call, and ``timeout=``.
    """

    __slots__ = ()

    # -- sending --------------------------------------------------------------------------

    async def post_text(
        self,
        app_id: str,
        to_wxid: str,
        content: str,
        *,
        ats: str | None = None,
        mentions: Mapping[str, str] | None = None,
        **options: Unpack[RequestOptions],
    ) -> SentMessage:
        """Send a text message (``message/postText``).

        To mention members of a group, give ``mentions`` as ``{wxid: display_name}``: the
        ``@name`` heads of the text and the ``ats`` list are built together, so they agree.
        [`MENTION_ALL`][gewe_async.types.message.MENTION_ALL] mentions everyone (for owners
        and admins):

        ```python
        room = "123@chatroom"
        await client.message.post_text("wx_1", room, "lunch?", mentions={"wxid_a": "Alice"})
        await client.message.post_text("wx_1", room, "meeting", mentions={MENTION_ALL: "所有人"})
        ```

        ``ats`` is the raw field (comma-separated wxids), for text you composed yourself.

        Raises:
            ValueError: ``to_wxid`` or ``content`` is empty; ``ats`` and ``mentions`` are both
                given; a mention is malformed.
        """
        if mentions is not None:
            if ats is not None:
                raise ValueError("give either mentions or ats, not both")
            content, ats = _appmsg.mention(content, mentions)
        request = PostTextRequest(app_id=app_id, to_wxid=to_wxid, content=content, ats=ats)
        return await self._call(POST_TEXT, request, options)

    async def post_image(
        self, app_id: str, to_wxid: str, img_url: str, **options: Unpack[RequestOptions]
    ) -> SentImage:
        """Send the image at ``img_url`` (``message/postImage``).

        The answer's CDN fields let [`resend()`][gewe_async.MessageAPI.resend] send the same
        image again without another upload.

        Raises:
            ValueError: ``to_wxid`` is empty or ``img_url`` is not an http(s) URL.
        """
        return await self._call(
            POST_IMAGE, PostImageRequest(app_id=app_id, to_wxid=to_wxid, img_url=img_url), options
        )

    async def post_file(
        self,
        app_id: str,
        to_wxid: str,
        file_url: str,
        file_name: str,
        **options: Unpack[RequestOptions],
    ) -> SentMessage:
        """Send the file at ``file_url``, shown as ``file_name`` (``message/postFile``)."""
        request = PostFileRequest(
            app_id=app_id, to_wxid=to_wxid, file_url=file_url, file_name=file_name
        )
        return await self._call(POST_FILE, request, options)

    async def post_voice(
        self,
        app_id: str,
        to_wxid: str,
        voice_url: str,
        voice_duration: int,
        **options: Unpack[RequestOptions],
    ) -> SentMessage:
        """Send a voice message: a SILK file at ``voice_url``, ``voice_duration`` milliseconds.

        Raises:
            ValueError: ``voice_duration`` is not a positive int of milliseconds.
        """
        request = PostVoiceRequest(
            app_id=app_id, to_wxid=to_wxid, voice_url=voice_url, voice_duration=voice_duration
        )
        return await self._call(POST_VOICE, request, options)

    async def post_video(
        self,
        app_id: str,
        to_wxid: str,
        video_url: str,
        thumb_url: str,
        video_duration: int,
        **options: Unpack[RequestOptions],
    ) -> SentVideo:
        """Send the video at ``video_url`` with a thumbnail, ``video_duration`` seconds long."""
        request = PostVideoRequest(
            app_id=app_id,
            to_wxid=to_wxid,
            video_url=video_url,
            thumb_url=thumb_url,
            video_duration=video_duration,
        )
        return await self._call(POST_VIDEO, request, options)

    async def post_link(
        self,
        app_id: str,
        to_wxid: str,
        title: str,
        desc: str,
        link_url: str,
        thumb_url: str,
        **options: Unpack[RequestOptions],
    ) -> SentMessage:
        """Send a link card (``message/postLink``)."""
        request = PostLinkRequest(
            app_id=app_id,
            to_wxid=to_wxid,
            title=title,
            desc=desc,
            link_url=link_url,
            thumb_url=thumb_url,
        )
        return await self._call(POST_LINK, request, options)

    async def post_name_card(
        self,
        app_id: str,
        to_wxid: str,
        nick_name: str,
        name_card_wxid: str,
        **options: Unpack[RequestOptions],
    ) -> SentMessage:
        """Send the contact card of ``name_card_wxid``, titled ``nick_name``."""
        request = PostNameCardRequest(
            app_id=app_id, to_wxid=to_wxid, nick_name=nick_name, name_card_wxid=name_card_wxid
        )
        return await self._call(POST_NAME_CARD, request, options)

    async def post_emoji(
        self,
        app_id: str,
        to_wxid: str,
        emoji_md5: str,
        emoji_size: int,
        **options: Unpack[RequestOptions],
    ) -> SentMessage:
        """Send an emoji by its MD5 and size (both in a received emoji's XML)."""
        request = PostEmojiRequest(
            app_id=app_id, to_wxid=to_wxid, emoji_md5=emoji_md5, emoji_size=emoji_size
        )
        return await self._call(POST_EMOJI, request, options)

    async def post_app_msg(
        self, app_id: str, to_wxid: str, appmsg: str, **options: Unpack[RequestOptions]
    ) -> SentMessage:
        """Send an ``<appmsg>`` element (music, Channels, quotes, ...) (``message/postAppMsg``).

        For quote replies use [`post_quote()`][gewe_async.MessageAPI.post_quote], which
        builds the element.

        Raises:
            ValueError: ``appmsg`` is not a well-formed ``<appmsg>`` element.
        """
        return await self._call(
            POST_APP_MSG, PostAppMsgRequest(app_id=app_id, to_wxid=to_wxid, appmsg=appmsg), options
        )

    async def post_mini_app(
        self,
        app_id: str,
        to_wxid: str,
        *,
        mini_app_id: str,
        display_name: str,
        page_path: str,
        cover_img_url: str,
        title: str,
        user_name: str,
        **options: Unpack[RequestOptions],
    ) -> SentMessage:
        """Send a mini-program card (``message/postMiniApp``)."""
        request = PostMiniAppRequest(
            app_id=app_id,
            to_wxid=to_wxid,
            mini_app_id=mini_app_id,
            display_name=display_name,
            page_path=page_path,
            cover_img_url=cover_img_url,
            title=title,
            user_name=user_name,
        )
        return await self._call(POST_MINI_APP, request, options)

    async def send_finder_msg(
        self,
        app_id: str,
        to_wxid: str,
        *,
        id: int,
        username: str,
        nickname: str,
        head_url: str,
        nonce_id: str,
        media_type: str | int,
        width: str | int,
        height: str | int,
        url: str,
        thumb_url: str,
        thumb_url_token: str,
        description: str,
        video_play_len: str | int,
        **options: Unpack[RequestOptions],
    ) -> None:
        """Send a Channels (视频号) video to a chat (``message/sendFinderMsg``).

        The fields come from a Channels video found with the ``finder`` module.
        """
        request = SendFinderMsgRequest(
            app_id=app_id,
            to_wxid=to_wxid,
            id=id,
            username=username,
            nickname=nickname,
            head_url=head_url,
            nonce_id=nonce_id,
            media_type=media_type,
            width=width,
            height=height,
            url=url,
            thumb_url=thumb_url,
            thumb_url_token=thumb_url_token,
            description=description,
            video_play_len=video_play_len,
        )
        await self._call(SEND_FINDER_MSG, request, options)

    # -- quote replies ----------------------------------------------------------------------

    async def post_quote(
        self,
        app_id: str,
        to_wxid: str,
        text: str,
        quoted: Quoted,
        **options: Unpack[RequestOptions],
    ) -> SentMessage:
        """Reply with ``text``, quoting a received message (an appmsg of type 57).

        ```python
        quoted = Quoted.of(event, display_name="Alice")
        await client.message.post_quote(app_id, event.chat_id, "agreed", quoted)
        ```

        ``text`` may hold anything a user types, ``<``, ``&`` and ``]]>`` included: the XML is
        built with escaping, never by pasting text in.

        Raises:
            ValueError: ``text`` is empty or holds control characters XML cannot carry.
        """
        appmsg = _appmsg.quote_appmsg(text, quoted)
        return await self._call(
            POST_APP_MSG, PostAppMsgRequest(app_id=app_id, to_wxid=to_wxid, appmsg=appmsg), options
        )

    # -- forwarding ---------------------------------------------------------------------------

    async def forward_image(
        self, app_id: str, to_wxid: str, xml: Message, **options: Unpack[RequestOptions]
    ) -> SentImage:
        """Forward a received image: its XML, or its event (``message/forwardImage``)."""
        request = ForwardImageRequest(app_id=app_id, to_wxid=to_wxid, xml=_appmsg.xml_of(xml))
        return await self._call(FORWARD_IMAGE, request, options)

    async def forward_video(
        self, app_id: str, to_wxid: str, xml: Message, **options: Unpack[RequestOptions]
    ) -> SentVideo:
        """Forward a received video: its XML, or its event (``message/forwardVideo``)."""
        request = ForwardVideoRequest(app_id=app_id, to_wxid=to_wxid, xml=_appmsg.xml_of(xml))
        return await self._call(FORWARD_VIDEO, request, options)

    async def forward_file(
        self, app_id: str, to_wxid: str, xml: Message, **options: Unpack[RequestOptions]
    ) -> SentMessage:
        """Forward a received file: its XML, or its event (``message/forwardFile``)."""
        request = ForwardAppMsgRequest(app_id=app_id, to_wxid=to_wxid, xml=_appmsg.xml_of(xml))
        return await self._call(FORWARD_FILE, request, options)

    async def forward_url(
        self, app_id: str, to_wxid: str, xml: Message, **options: Unpack[RequestOptions]
    ) -> SentMessage:
        """Forward a received link: its XML, or its event (``message/forwardUrl``)."""
        request = ForwardAppMsgRequest(app_id=app_id, to_wxid=to_wxid, xml=_appmsg.xml_of(xml))
        return await self._call(FORWARD_URL, request, options)

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
        xml, root = _received(message, "forward")
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

    # -- revoking ---------------------------------------------------------------------------

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

        Takes the ids and time the send returned; [`revoke()`][gewe_async.MessageAPI.revoke]
        takes the answer itself.
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

    # -- downloading --------------------------------------------------------------------------

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
        xml, root = _received(message, "download")
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

    # -- many chats -------------------------------------------------------------------------

    async def post_text_to_many(
        self,
        app_id: str,
        chats: Iterable[str],
        content: str,
        **batch: Unpack[BatchOptions],
    ) -> BatchResult[SentMessage]:
        """Send one text from one account to many chats; one outcome per chat.

        Each outcome's ``app_id`` holds the chat's id. The sends go one after the other at
        the account's pace (``concurrency`` defaults to 1: a queue of paced sends would
        otherwise spend their ``total_timeout`` waiting):

        ```python
        result = await client.message.post_text_to_many("wx_1", chats, "hello", deadline=600)
        for outcome in result.failed:
            print(outcome.app_id, outcome.error)
        ```

        Takes the keyword arguments of [`run_batch()`][gewe_async.run_batch] and ``timeout=``.

        Raises:
            ValueError: ``content`` is empty, or a chat is empty or given twice (before
                anything is sent).
        """
        requests = {
            chat: PostTextRequest(app_id=app_id, to_wxid=chat, content=content)
            for chat in _unique(chats)
        }
        options: RequestOptions = {"timeout": batch["timeout"]} if "timeout" in batch else {}

        async def send(chat: str) -> SentMessage:
            return await self._call(POST_TEXT, requests[chat], options)

        return await run_batch(
            requests,
            send,
            concurrency=batch.get("concurrency", 1),
            on_progress=batch.get("on_progress"),
            fail_fast=batch.get("fail_fast", False),
            deadline=batch.get("deadline"),
        )

    async def post_text_fleet(
        self,
        chats_by_app_id: Mapping[str, Iterable[str]],
        content: str,
        **batch: Unpack[BatchOptions],
    ) -> BatchResult[BatchResult[SentMessage]]:
        """Send one text from many accounts, each to its own chats; accounts run at once.

        The outer result has one outcome per appId, whose result has one outcome per chat:

        ```python
        result = await client.message.post_text_fleet({"wx_1": chats1, "wx_2": chats2}, "hi")
        for account in result.succeeded:
            print(account.app_id, len(account.result.failed), "chats failed")
        ```

        ``on_progress`` is called per account; ``deadline`` and ``timeout`` apply to every
        account's batch; ``concurrency`` is how many accounts send at once.
        """
        plans = {app_id: list(chats) for app_id, chats in chats_by_app_id.items()}
        for app_id, chats in plans.items():
            for chat in _unique(chats):
                PostTextRequest(
                    app_id=app_id, to_wxid=chat, content=content
                )  # refuse bad input before any send
        inner: BatchOptions = {}
        if "deadline" in batch:
            inner["deadline"] = batch["deadline"]
        if "timeout" in batch:
            inner["timeout"] = batch["timeout"]

        async def send(app_id: str) -> BatchResult[SentMessage]:
            return await self.post_text_to_many(app_id, plans[app_id], content, **inner)

        return await run_batch(
            plans,
            send,
            concurrency=batch.get("concurrency", self._client.limits.max_in_flight),
            on_progress=batch.get("on_progress"),
            fail_fast=batch.get("fail_fast", False),
            deadline=batch.get("deadline"),
        )


def _received(message: Message, action: str) -> tuple[str, ET.Element]:
    """The XML of a received message and its parsed root; text messages are refused clearly."""
    xml = _appmsg.xml_of(message)
    try:
        return xml, _appmsg.parse(xml)
    except ValueError as exc:
        raise ValueError(
            f"nothing to {action}: the message's content is not media XML (a text message?): {exc}"
        ) from None


def _unique(chats: Iterable[str]) -> list[str]:
    chats = list(chats)
    if len(set(chats)) != len(chats):
        raise ValueError("a chat appears twice in the list")
    return chats
