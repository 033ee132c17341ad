"""Sending to a chat: ``message/post*``, ``message/sendFinderMsg``, quote replies, batches.

Every endpoint here is declared ``sends=True``: it is never repeated once it may have
reached the server, and the account's send pacing applies to it (``_send_pacing``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final, Unpack

import attrs

from gewe_async import _validators as v
from gewe_async._api import _appmsg
from gewe_async._api import _message_checks as c
from gewe_async._api._common import FinderVideo, ToChatRequest, optional
from gewe_async._batch import BatchOptions, BatchResult
from gewe_async._config import RequestOptions
from gewe_async._endpoint import APIGroup, Endpoint, call_options
from gewe_async.media._host import MediaSource
from gewe_async.media._resolve import resolve_media, resolve_voice
from gewe_async.types.message import Quoted, SentImage, SentMessage, SentVideo

# -- requests -----------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class PostTextRequest(ToChatRequest):
    """Body of ``message/postText``."""

    content: str = attrs.field(validator=v.non_empty_text)
    ats: str | None = optional(v.text)


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
class SendFinderMsgRequest(ToChatRequest, FinderVideo):
    """Body of ``message/sendFinderMsg`` (a Channels video, from ``finder`` search results)."""


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
# The page documents no answer data; it sends a Channels video to a chat like any other send.
SEND_FINDER_MSG: Final[Endpoint[None]] = Endpoint(
    "message/sendFinderMsg", SendFinderMsgRequest, None, sends=True
)


class SendingCalls(APIGroup):
    """The ``client.message`` methods that send new messages."""

    __slots__ = ()

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
        self, app_id: str, to_wxid: str, img_url: MediaSource, **options: Unpack[RequestOptions]
    ) -> SentImage:
        """Send the image at ``img_url`` (``message/postImage``).

        ``img_url`` may be a `pathlib.Path` or bytes when the client has a
        [media host][gewe_async.media.MediaHost]. The answer's CDN fields let
        [`resend()`][gewe_async.resources.MessageAPI.resend] send the same image again without
        another upload.

        Raises:
            ValueError: ``to_wxid`` is empty, ``img_url`` is not an http(s) URL, or a local
                image is over the media host's limit.
            GeweMediaError: publishing a local image failed.
        """
        img_url = await resolve_media(self._client, img_url, kind="image")
        request = PostImageRequest(app_id=app_id, to_wxid=to_wxid, img_url=img_url)
        return await self._call(POST_IMAGE, request, options)

    async def post_file(
        self,
        app_id: str,
        to_wxid: str,
        file_url: MediaSource,
        file_name: str,
        **options: Unpack[RequestOptions],
    ) -> SentMessage:
        """Send the file at ``file_url``, shown as ``file_name`` (``message/postFile``).

        ``file_url`` may be a `pathlib.Path` or bytes when the client has a media host.
        """
        file_url = await resolve_media(self._client, file_url, kind="file", name=file_name)
        request = PostFileRequest(
            app_id=app_id, to_wxid=to_wxid, file_url=file_url, file_name=file_name
        )
        return await self._call(POST_FILE, request, options)

    async def post_voice(
        self,
        app_id: str,
        to_wxid: str,
        voice_url: MediaSource,
        voice_duration: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> SentMessage:
        """Send a voice message: a SILK file at ``voice_url``, ``voice_duration`` milliseconds.

        With a media host, ``voice_url`` may be a `pathlib.Path` or bytes of SILK, or of WAV,
        MP3, FLAC or Ogg Vorbis converted to SILK (the ``voice`` extra); the duration is then
        computed when not given.

        Raises:
            ValueError: ``voice_duration`` is missing with a URL or not a positive int of
                milliseconds, or a local voice is of an unknown format or over the limits.
            GeweMediaError: publishing a local voice failed.
        """
        voice_url, voice_duration = await resolve_voice(self._client, voice_url, voice_duration)
        request = PostVoiceRequest(
            app_id=app_id, to_wxid=to_wxid, voice_url=voice_url, voice_duration=voice_duration
        )
        return await self._call(POST_VOICE, request, options)

    async def post_video(
        self,
        app_id: str,
        to_wxid: str,
        video_url: MediaSource,
        thumb_url: MediaSource,
        video_duration: int,
        **options: Unpack[RequestOptions],
    ) -> SentVideo:
        """Send the video at ``video_url`` with a thumbnail, ``video_duration`` seconds long.

        Either may be a `pathlib.Path` or bytes when the client has a media host.
        """
        video_url = await resolve_media(self._client, video_url, kind="video")
        thumb_url = await resolve_media(self._client, thumb_url, kind="thumb")
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

        For quote replies use [`post_quote()`][gewe_async.resources.MessageAPI.post_quote], which
        builds the element.

        Raises:
            ValueError: ``appmsg`` is not a well-formed ``<appmsg>`` element.
        """
        request = PostAppMsgRequest(app_id=app_id, to_wxid=to_wxid, appmsg=appmsg)
        return await self._call(POST_APP_MSG, request, options)

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
        request = PostAppMsgRequest(app_id=app_id, to_wxid=to_wxid, appmsg=appmsg)
        return await self._call(POST_APP_MSG, request, options)

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
        options = call_options(batch)

        async def send(chat: str) -> SentMessage:
            return await self._call(POST_TEXT, requests[chat], options)

        return await self._run_batch(requests, send, batch, concurrency=1)

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

        return await self._run_batch(plans, send, batch)


def _unique(chats: Iterable[str]) -> list[str]:
    chats = list(chats)
    if len(set(chats)) != len(chats):
        raise ValueError("a chat appears twice in the list")
    return chats
