"""The typed events a callback becomes: one frozen class per documented kind.

The base classes here are the contract the dispatcher and the receiver rely on: every event
has ``app_id``, ``wxid``, ``raw``, ``kind``, ``idempotency_key`` and ``chat_key``; every
message (``AddMsg``) event adds the message fields of
[`MessageEvent`][gewe_async.callbacks.MessageEvent].

Fields read from XML are ``None`` when the XML lacks them, is empty there, or is broken
before them: GeWe's XML varies by client and version, and an event never fails to build
because one of them is missing.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import time
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, Final

import attrs

from gewe_async.callbacks._kinds import CallbackKind

#: The metadata key of a field read from the push's ``Data`` under that name (``ModContacts``).
DATA_KEY: Final = "gewe_async.data_key"


#: The metadata key of a field read from the push's XML at that path: ``"a/b"`` is the text of
#: ``b`` in ``a``, ``"a/@b"`` the attribute ``b`` of ``a``, from the element the kind is told apart
#: by (``appmsg``, ``sysmsg``, or the content's own element such as ``img``).
XML_PATH: Final = "gewe_async.xml_path"


def _xml(path: str) -> Any:
    """A field read by the parser from the XML at ``path``: ``None`` when absent or empty."""
    return attrs.field(default=None, metadata={XML_PATH: path})


#: The fields each event class reads on first access, and how: ``{class: (names, read,
#: locate)}``, filled by the parser from ``KINDS``: ``locate(event)`` finds the element the
#: fields are read from in ``content`` and ``read(element)`` gives every such field's value.
LAZY_FIELDS: Final[dict[type, tuple[frozenset[str], Any, Any]]] = {}


def _data(key: str) -> Any:
    """A field read from ``Data[key]`` by the parser: ``None`` when absent or empty."""
    return attrs.field(default=None, metadata={DATA_KEY: key})


__all__ = [
    "CallbackEvent",
    "ChannelsMessage",
    "ContactChanged",
    "ContactDeleted",
    "EmojiMessage",
    "FileMessage",
    "FileNotice",
    "FriendRequest",
    "GroupAnnouncement",
    "GroupDissolved",
    "GroupInfoChanged",
    "GroupInvite",
    "GroupMember",
    "GroupMemberJoined",
    "GroupMemberRemoved",
    "GroupNotice",
    "GroupOwnerChanged",
    "GroupQuit",
    "GroupRenamed",
    "GroupTodo",
    "ImageMessage",
    "LinkMessage",
    "LocationMessage",
    "MessageEvent",
    "MiniProgramMessage",
    "NameCardMessage",
    "Offline",
    "PatMessage",
    "QuoteMessage",
    "QuotedMessage",
    "RedPacketMessage",
    "RemovedFromGroup",
    "RevokeMessage",
    "TestCallback",
    "TextMessage",
    "TransferMessage",
    "UnknownEvent",
    "UnknownMessage",
    "VideoMessage",
    "VoiceMessage",
]


@attrs.frozen(kw_only=True)
class CallbackEvent:
    """Base of every event: what every push carries, whatever its kind."""

    kind: ClassVar[CallbackKind]
    """What the event is about (a class attribute: one class per kind)."""

    app_id: str
    """The device the push is for (``Appid``): route on it, one URL serves every account."""
    wxid: str | None
    """The account logged in on that device (``Wxid``), or ``None`` when the push omits it."""
    type_name: str
    """The envelope's ``TypeName`` (``AddMsg``, ``ModContacts``, ``DelContacts``, ``Offline``)."""
    raw: Mapping[str, Any] = attrs.field(repr=False, eq=False)
    """The push as received (decoded JSON), for anything the typed fields leave out."""

    @property
    def idempotency_key(self) -> str:
        """A key that is the same for every push of the same event, and differs otherwise.

        Messages are keyed on ``Appid`` + ``NewMsgId``, as the docs advise; other pushes on a
        digest of their canonical JSON. Handlers run at least once: use this key to make
        their side effects idempotent.
        """
        canonical = json.dumps(self.raw, sort_keys=True, ensure_ascii=False, default=str)
        digest = hashlib.blake2b(canonical.encode(), digest_size=16).hexdigest()
        return f"{self.app_id}:{self.type_name}:{digest}"

    @property
    def chat_key(self) -> str:
        """Events with the same key are handled in order; others may run concurrently."""
        return self.app_id


@attrs.frozen(kw_only=True)
class MessageEvent(CallbackEvent):
    """Base of every message event (``TypeName`` ``AddMsg``)."""

    msg_id: int
    """The message's ``MsgId`` (a small per-account counter; not the id to keep)."""
    new_msg_id: int
    """The message's ``NewMsgId``: the id to de-duplicate, quote, revoke and download by."""
    msg_type: int
    """The WeChat ``MsgType`` (1 text, 3 image, 49 app messages, 10002 system, ...)."""
    from_wxid: str
    """``FromUserName``: the sender, or the group for group messages."""
    to_wxid: str
    """``ToUserName``: the receiver, or the group for messages the account sent."""
    create_time: datetime
    """When the message was sent (aware, UTC)."""
    chat_id: str
    """The conversation: the group (``...@chatroom``) for group messages, else the other party."""
    sender_wxid: str | None
    """Who wrote it: the group member in a group, else the sender; ``None`` if unknown."""
    is_group: bool
    """Whether the message was posted in a group."""
    is_self: bool
    """Whether the account itself sent it (from the phone: API sends produce no push)."""
    mentions: tuple[str, ...] = ()
    """The wxids mentioned (``MsgSource``'s ``atuserlist``); ``notify@all`` for everyone."""
    push_content: str | None = None
    """The notification text (``PushContent``), when the push has one."""
    content: str = ""
    """The message content, without the ``"<wxid>:\\n"`` prefix of group messages."""

    if not TYPE_CHECKING:  # type checkers keep refusing unknown attributes

        def __getattr__(self, name: str) -> Any:
            # Reached only for an unset slot: a field the parser leaves to first access (the
            # XML of a kind whose class its MsgType tells). Reading it sets every such field,
            # so repr, equality, hashing, copies and pickles see the values they always did.
            lazy = LAZY_FIELDS.get(type(self))
            if lazy is None or name not in lazy[0]:
                raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
            values = lazy[1](self._lazy_source)
            for key, value in values.items():
                object.__setattr__(self, key, value)
            with contextlib.suppress(AttributeError):
                object.__delattr__(self, "_lazy_source")  # the tree is not needed any more
            return values[name]

    @functools.cached_property
    def _lazy_source(self) -> Any:
        # The element the parser told the kind apart by, kept (a slot, no field: not in repr,
        # equality or pickles) until the fields left to first access are read; found again in
        # ``content`` when not kept (a kind told by its MsgType, a copy, an unpickled event).
        return LAZY_FIELDS[type(self)][2](self)

    @property
    def idempotency_key(self) -> str:
        """``"<Appid>:<NewMsgId>"``: the same for every push of the same message."""
        return f"{self.app_id}:{self.new_msg_id}"

    @property
    def chat_key(self) -> str:
        """``"<Appid>:<chat_id>"``: one chat's messages are handled in order."""
        return f"{self.app_id}:{self.chat_id}"


@attrs.frozen(kw_only=True)
class TextMessage(MessageEvent):
    """A text message (``MsgType`` 1)."""

    kind: ClassVar[CallbackKind] = CallbackKind.TEXT
    """Always ``"text"`` (``CallbackKind.TEXT``)."""
    text: str
    """The text, as typed (``@name`` mentions included)."""


# --- media -------------------------------------------------------------------------------
# ``content`` (the XML) is what message/downloadImage, downloadVoice, downloadVideo,
# downloadFile and the forward* endpoints take; the fields below are what downloadCdn takes
# (aeskey, CDN file id, size) and what a bot checks before downloading (md5, size, length).


@attrs.frozen(kw_only=True)
class ImageMessage(MessageEvent):
    """An image (``MsgType`` 3); pass ``content`` to `message/downloadImage` to fetch it."""

    kind: ClassVar[CallbackKind] = CallbackKind.IMAGE
    """Always ``"image"`` (``CallbackKind.IMAGE``)."""
    md5: str | None = _xml("@md5")
    """The image's MD5 (``img/@md5``)."""
    size: int | None = _xml("@length")
    """The image's size in bytes (``img/@length``)."""
    hd_size: int | None = _xml("@hdlength")
    """The high-definition image's size in bytes (``img/@hdlength``), when there is one."""
    aeskey: str | None = _xml("@aeskey")
    """The key the CDN files are encrypted with (``img/@aeskey``)."""
    cdn_mid_url: str | None = _xml("@cdnmidimgurl")
    """The CDN file id of the normal-size image (``img/@cdnmidimgurl``)."""
    cdn_big_url: str | None = _xml("@cdnbigimgurl")
    """The CDN file id of the high-definition image (``img/@cdnbigimgurl``), when there is one."""
    cdn_thumb_url: str | None = _xml("@cdnthumburl")
    """The CDN file id of the thumbnail (``img/@cdnthumburl``)."""
    cdn_thumb_aeskey: str | None = _xml("@cdnthumbaeskey")
    """The thumbnail's key (``img/@cdnthumbaeskey``)."""
    thumb_size: int | None = _xml("@cdnthumblength")
    """The thumbnail's size in bytes (``img/@cdnthumblength``)."""
    thumb_base64: str | None = None
    """The thumbnail itself, base64-encoded (``ImgBuf.buffer``), when the push carries it."""


@attrs.frozen(kw_only=True)
class VoiceMessage(MessageEvent):
    """A voice note (``MsgType`` 34).

    Pass ``content`` and ``msg_id`` to `message/downloadVoice` to fetch it.
    """

    kind: ClassVar[CallbackKind] = CallbackKind.VOICE
    """Always ``"voice"`` (``CallbackKind.VOICE``)."""
    duration_ms: int | None = _xml("@voicelength")
    """How long it plays, in milliseconds (``voicemsg/@voicelength``)."""
    size: int | None = _xml("@length")
    """Its size in bytes (``voicemsg/@length``)."""
    md5: str | None = _xml("@voicemd5")
    """Its MD5 (``voicemsg/@voicemd5``; often empty, so ``None``)."""
    aeskey: str | None = _xml("@aeskey")
    """The key the CDN file is encrypted with (``voicemsg/@aeskey``)."""
    voice_url: str | None = _xml("@voiceurl")
    """The CDN file id (``voicemsg/@voiceurl``)."""
    voice_format: int | None = _xml("@voiceformat")
    """WeChat's codec number (``voicemsg/@voiceformat``; 4 is SILK)."""
    voice_base64: str | None = None
    """The audio itself, base64-encoded (``ImgBuf.buffer``), when the push carries it."""


@attrs.frozen(kw_only=True)
class VideoMessage(MessageEvent):
    """A video (``MsgType`` 43); pass ``content`` to `message/downloadVideo` to fetch it."""

    kind: ClassVar[CallbackKind] = CallbackKind.VIDEO
    """Always ``"video"`` (``CallbackKind.VIDEO``)."""
    duration_s: int | None = _xml("@playlength")
    """How long it plays, in seconds (``videomsg/@playlength``)."""
    size: int | None = _xml("@length")
    """Its size in bytes (``videomsg/@length``)."""
    md5: str | None = _xml("@md5")
    """Its MD5 (``videomsg/@md5``)."""
    new_md5: str | None = _xml("@newmd5")
    """WeChat's second digest of it (``videomsg/@newmd5``)."""
    aeskey: str | None = _xml("@aeskey")
    """The key the CDN files are encrypted with (``videomsg/@aeskey``)."""
    cdn_video_url: str | None = _xml("@cdnvideourl")
    """The CDN file id of the video (``videomsg/@cdnvideourl``)."""
    cdn_thumb_url: str | None = _xml("@cdnthumburl")
    """The CDN file id of the cover (``videomsg/@cdnthumburl``)."""
    cdn_thumb_aeskey: str | None = _xml("@cdnthumbaeskey")
    """The cover's key (``videomsg/@cdnthumbaeskey``)."""
    thumb_size: int | None = _xml("@cdnthumblength")
    """The cover's size in bytes (``videomsg/@cdnthumblength``)."""


@attrs.frozen(kw_only=True)
class EmojiMessage(MessageEvent):
    """A sticker (``MsgType`` 47).

    ``md5`` is what `message/postEmoji` and `message/downloadEmojiMd5` take.
    """

    kind: ClassVar[CallbackKind] = CallbackKind.EMOJI
    """Always ``"emoji"`` (``CallbackKind.EMOJI``)."""
    md5: str | None = _xml("@md5")
    """The sticker's MD5 (``emoji/@md5``): send it back by this."""
    size: int | None = _xml("@len")
    """Its size in bytes (``emoji/@len``)."""
    cdn_url: str | None = _xml("@cdnurl")
    """Where the sticker can be fetched (``emoji/@cdnurl``)."""
    encrypt_url: str | None = _xml("@encrypturl")
    """Where the encrypted sticker can be fetched (``emoji/@encrypturl``)."""
    aeskey: str | None = _xml("@aeskey")
    """The key of the encrypted file (``emoji/@aeskey``)."""
    width: int | None = _xml("@width")
    """Its width in pixels (``emoji/@width``)."""
    height: int | None = _xml("@height")
    """Its height in pixels (``emoji/@height``)."""


# --- app messages (MsgType 49, told apart by appmsg/type) ---------------------------------


@attrs.frozen(kw_only=True)
class LinkMessage(MessageEvent):
    """A shared link or article (``MsgType`` 49, ``appmsg/type`` 5).

    Forward it with `message/forwardUrl`, passing ``content``.
    """

    kind: ClassVar[CallbackKind] = CallbackKind.LINK
    """Always ``"link"`` (``CallbackKind.LINK``)."""
    title: str | None = _xml("title")
    """The card's title (``appmsg/title``)."""
    description: str | None = _xml("des")
    """The card's summary (``appmsg/des``)."""
    url: str | None = _xml("url")
    """The link (``appmsg/url``)."""
    thumb_url: str | None = _xml("thumburl")
    """The card's picture (``appmsg/thumburl``)."""
    source_username: str | None = _xml("sourceusername")
    """The official account that published it (``appmsg/sourceusername``, ``gh_...``)."""
    source_display_name: str | None = _xml("sourcedisplayname")
    """That account's name (``appmsg/sourcedisplayname``)."""


@attrs.frozen(kw_only=True)
class FileNotice(MessageEvent):
    """A file upload has started (``appmsg/type`` 74).

    The file itself follows as a [`FileMessage`][gewe_async.callbacks.FileMessage]; this push
    cannot be used to download or forward it.
    """

    kind: ClassVar[CallbackKind] = CallbackKind.FILE_NOTICE
    """Always ``"file_notice"`` (``CallbackKind.FILE_NOTICE``)."""
    file_name: str | None = _xml("title")
    """The file's name (``appmsg/title``)."""
    file_ext: str | None = _xml("appattach/fileext")
    """Its extension, without the dot (``appattach/fileext``)."""
    size: int | None = _xml("appattach/totallen")
    """Its size in bytes (``appattach/totallen``)."""
    md5: str | None = _xml("md5")
    """Its MD5 (``appmsg/md5``)."""


@attrs.frozen(kw_only=True)
class FileMessage(MessageEvent):
    """A file, fully uploaded (``appmsg/type`` 6); pass ``content`` to `message/downloadFile`."""

    kind: ClassVar[CallbackKind] = CallbackKind.FILE
    """Always ``"file"`` (``CallbackKind.FILE``)."""
    file_name: str | None = _xml("title")
    """The file's name (``appmsg/title``)."""
    file_ext: str | None = _xml("appattach/fileext")
    """Its extension, without the dot (``appattach/fileext``)."""
    size: int | None = _xml("appattach/totallen")
    """Its size in bytes (``appattach/totallen``)."""
    md5: str | None = _xml("md5")
    """Its MD5 (``appmsg/md5``)."""
    aeskey: str | None = _xml("appattach/aeskey")
    """The key the CDN file is encrypted with (``appattach/aeskey``)."""
    cdn_attach_url: str | None = _xml("appattach/cdnattachurl")
    """The CDN file id (``appattach/cdnattachurl``)."""
    attach_id: str | None = _xml("appattach/attachid")
    """WeChat's attachment id (``appattach/attachid``)."""
    notice_new_msg_id: int | None = _xml("appattach/overwrite_newmsgid")
    """The ``new_msg_id`` of the [`FileNotice`][gewe_async.callbacks.FileNotice] this completes
    (``appattach/overwrite_newmsgid``)."""


@attrs.frozen(kw_only=True)
class MiniProgramMessage(MessageEvent):
    """A mini-program card (``appmsg/type`` 33 or 36).

    Forward it with `message/forwardMiniApp`, passing ``content``.
    """

    kind: ClassVar[CallbackKind] = CallbackKind.MINI_PROGRAM
    """Always ``"mini_program"`` (``CallbackKind.MINI_PROGRAM``)."""
    title: str | None = _xml("title")
    """The card's title (``appmsg/title``)."""
    description: str | None = _xml("des")
    """The card's summary (``appmsg/des``)."""
    page_path: str | None = _xml("weappinfo/pagepath")
    """The page the card opens (``weappinfo/pagepath``)."""
    mini_app_id: str | None = _xml("weappinfo/appid")
    """The mini-program's appid (``weappinfo/appid``; not a GeWe device id)."""
    mini_username: str | None = _xml("weappinfo/username")
    """The mini-program's account (``weappinfo/username``, ``gh_...@app``)."""
    display_name: str | None = _xml("sourcedisplayname")
    """The mini-program's name (``appmsg/sourcedisplayname``)."""
    icon_url: str | None = _xml("weappinfo/weappiconurl")
    """The mini-program's icon (``weappinfo/weappiconurl``)."""
    cdn_thumb_url: str | None = _xml("appattach/cdnthumburl")
    """The CDN file id of the card's cover (``appattach/cdnthumburl``)."""
    cdn_thumb_aeskey: str | None = _xml("appattach/cdnthumbaeskey")
    """The cover's key (``appattach/cdnthumbaeskey``)."""


@attrs.frozen(kw_only=True)
class QuotedMessage:
    """What a [`QuoteMessage`][gewe_async.callbacks.QuoteMessage] replies to (``refermsg``)."""

    new_msg_id: int | None
    """The quoted message's ``NewMsgId`` (``refermsg/svrid``)."""
    msg_type: int | None
    """Its ``MsgType`` (``refermsg/type``)."""
    kind: CallbackKind
    """What it is, told apart as pushes are (``unknown`` when its content cannot tell)."""
    sender_wxid: str | None
    """Who sent it (``refermsg/chatusr``; in a group, the member)."""
    chat_id: str | None
    """The conversation it was in (``refermsg/fromusr``: the group, or the private sender)."""
    display_name: str | None
    """The sender's name as shown in the chat (``refermsg/displayname``)."""
    create_time: datetime | None = None
    """When it was sent (``refermsg/createtime``, UTC), when the quote says."""
    content: str | None = None
    """Its content: the text of a text message, else its XML, unescaped."""
    text: str | None = None
    """Its text: a text message's text, an app message's title; ``None`` for media."""


@attrs.frozen(kw_only=True)
class QuoteMessage(MessageEvent):
    """A reply quoting an earlier message (``appmsg/type`` 57)."""

    kind: ClassVar[CallbackKind] = CallbackKind.QUOTE
    """Always ``"quote"`` (``CallbackKind.QUOTE``)."""
    text: str | None = None
    """The reply's own text (``appmsg/title``)."""
    quoted: QuotedMessage | None = None
    """The quoted message, parsed again; ``None`` if the XML has no ``refermsg``."""


@attrs.frozen(kw_only=True)
class TransferMessage(MessageEvent):
    """A money transfer (``appmsg/type`` 2000)."""

    kind: ClassVar[CallbackKind] = CallbackKind.TRANSFER
    """Always ``"transfer"`` (``CallbackKind.TRANSFER``)."""
    pay_subtype: int | None = _xml("wcpayinfo/paysubtype")
    """Its state as WeChat numbers it (``wcpayinfo/paysubtype``; 1: sent, to be received)."""
    fee_desc: str | None = _xml("wcpayinfo/feedesc")
    """The amount as shown (``wcpayinfo/feedesc``, like ``"￥0.10"``)."""
    amount: Decimal | None = None
    """The amount as a number (from ``fee_desc``), in yuan."""
    memo: str | None = _xml("wcpayinfo/pay_memo")
    """The payer's note (``wcpayinfo/pay_memo``)."""
    transaction_id: str | None = _xml("wcpayinfo/transcationid")
    """WeChat Pay's transaction id (``wcpayinfo/transcationid``, sic)."""
    transfer_id: str | None = _xml("wcpayinfo/transferid")
    """The transfer's id (``wcpayinfo/transferid``)."""
    payer_wxid: str | None = _xml("wcpayinfo/payer_username")
    """Who pays (``wcpayinfo/payer_username``; often empty)."""
    receiver_wxid: str | None = _xml("wcpayinfo/receiver_username")
    """Who receives (``wcpayinfo/receiver_username``)."""
    begin_time: datetime | None = _xml("wcpayinfo/begintransfertime")  # noqa: RUF009 - an attrs field
    """When the transfer was made (``wcpayinfo/begintransfertime``, UTC)."""
    invalid_time: datetime | None = _xml("wcpayinfo/invalidtime")  # noqa: RUF009 - an attrs field
    """When it expires if not received (``wcpayinfo/invalidtime``, UTC)."""


@attrs.frozen(kw_only=True)
class RedPacketMessage(MessageEvent):
    """A red packet (``appmsg/type`` 2001)."""

    kind: ClassVar[CallbackKind] = CallbackKind.RED_PACKET
    """Always ``"red_packet"`` (``CallbackKind.RED_PACKET``)."""
    greeting: str | None = _xml("wcpayinfo/receivertitle")
    """The wish written on it (``wcpayinfo/receivertitle``)."""
    scene_text: str | None = _xml("wcpayinfo/scenetext")
    """What kind of red packet (``wcpayinfo/scenetext``, like ``"微信红包"``)."""
    pay_msg_id: str | None = _xml("wcpayinfo/paymsgid")
    """WeChat Pay's id of it (``wcpayinfo/paymsgid``)."""
    url: str | None = _xml("wcpayinfo/url")
    """The web page to open it (``wcpayinfo/url``)."""
    native_url: str | None = _xml("wcpayinfo/nativeurl")
    """The in-app link to open it (``wcpayinfo/nativeurl``)."""
    icon_url: str | None = _xml("wcpayinfo/iconurl")
    """The packet's icon (``wcpayinfo/iconurl``)."""
    invalid_time: datetime | None = _xml("wcpayinfo/invalidtime")  # noqa: RUF009 - an attrs field
    """When it expires (``wcpayinfo/invalidtime``, UTC)."""


@attrs.frozen(kw_only=True)
class ChannelsMessage(MessageEvent):
    """A shared Channels (视频号) post (``appmsg/type`` 51)."""

    kind: ClassVar[CallbackKind] = CallbackKind.CHANNELS
    """Always ``"channels"`` (``CallbackKind.CHANNELS``)."""
    object_id: int | None = _xml("finderFeed/objectId")
    """The post's id (``finderFeed/objectId``; above 2**63 at times)."""
    object_nonce_id: str | None = _xml("finderFeed/objectNonceId")
    """The nonce the finder endpoints take with it (``finderFeed/objectNonceId``)."""
    feed_type: int | None = _xml("finderFeed/feedType")
    """The post's type (``finderFeed/feedType``; 4 is a video)."""
    username: str | None = _xml("finderFeed/username")
    """The author's Channels account (``finderFeed/username``, ``...@finder``)."""
    nickname: str | None = _xml("finderFeed/nickname")
    """The author's name (``finderFeed/nickname``)."""
    avatar_url: str | None = _xml("finderFeed/avatar")
    """The author's picture (``finderFeed/avatar``)."""
    description: str | None = _xml("finderFeed/desc")
    """The post's text (``finderFeed/desc``)."""
    media_count: int | None = _xml("finderFeed/mediaCount")
    """How many media the post has (``finderFeed/mediaCount``)."""
    media_url: str | None = _xml("finderFeed/mediaList/media/url")
    """The first medium (``mediaList/media/url``)."""
    cover_url: str | None = _xml("finderFeed/mediaList/media/coverUrl")
    """The first medium's cover (``mediaList/media/coverUrl``)."""
    thumb_url: str | None = _xml("finderFeed/mediaList/media/thumbUrl")
    """The first medium's thumbnail (``mediaList/media/thumbUrl``)."""


@attrs.frozen(kw_only=True)
class GroupInvite(MessageEvent):
    """An invitation card to join a group (``appmsg/type`` 5 with an invitation link).

    Told apart from a [`LinkMessage`][gewe_async.callbacks.LinkMessage] by its URL
    (``addchatroombyinvite``) or its title (``邀请你加入群聊``, which varies with the phone's
    language). Accept it with `group/agreeJoinRoom`, passing ``invite_url``.
    """

    kind: ClassVar[CallbackKind] = CallbackKind.GROUP_INVITE
    """Always ``"group_invite"`` (``CallbackKind.GROUP_INVITE``)."""
    invite_url: str | None = _xml("url")
    """The invitation link (``appmsg/url``)."""
    inviter_wxid: str | None = None
    """Who sent the invitation (the message's sender)."""
    inviter_nickname: str | None = None
    """The inviter's name, read from the card's text (Chinese only)."""
    group_name: str | None = None
    """The group's name, read from the card's text (Chinese only)."""
    title: str | None = _xml("title")
    """The card's title (``appmsg/title``)."""
    description: str | None = _xml("des")
    """The card's text (``appmsg/des``)."""
    thumb_url: str | None = _xml("thumburl")
    """The group's picture (``appmsg/thumburl``)."""


# --- other messages -----------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class NameCardMessage(MessageEvent):
    """A contact card (``MsgType`` 42).

    To add the carded contact, pass ``username`` as ``v3``, ``antispam_ticket`` as ``v4`` and
    ``scene`` to `contacts/addContacts`.
    """

    kind: ClassVar[CallbackKind] = CallbackKind.NAME_CARD
    """Always ``"name_card"`` (``CallbackKind.NAME_CARD``)."""
    username: str | None = _xml("@username")
    """The carded account: its wxid, or a ``v3_...@stranger`` ticket (``msg/@username``)."""
    nickname: str | None = _xml("@nickname")
    """Its name (``msg/@nickname``)."""
    alias: str | None = _xml("@alias")
    """Its WeChat ID, if it set one (``msg/@alias``)."""
    sex: int | None = _xml("@sex")
    """0 unknown, 1 male, 2 female (``msg/@sex``)."""
    province: str | None = _xml("@province")
    """``msg/@province``."""
    city: str | None = _xml("@city")
    """``msg/@city``."""
    region_code: str | None = _xml("@regionCode")
    """``msg/@regionCode``, like ``"CN"``."""
    signature: str | None = _xml("@sign")
    """Its profile's signature (``msg/@sign``)."""
    big_head_img_url: str | None = _xml("@bigheadimgurl")
    """Its large avatar (``msg/@bigheadimgurl``)."""
    small_head_img_url: str | None = _xml("@smallheadimgurl")
    """Its small avatar (``msg/@smallheadimgurl``)."""
    antispam_ticket: str | None = _xml("@antispamticket")
    """The ``v4_...`` ticket `contacts/addContacts` takes (``msg/@antispamticket``)."""
    scene: int | None = _xml("@scene")
    """The add scene to pass with it (``msg/@scene``; 17 is a shared card)."""


@attrs.frozen(kw_only=True)
class FriendRequest(MessageEvent):
    """Someone asks to be a friend (``MsgType`` 37, from ``fmessage``).

    Accept with `contacts/addContacts`: ``option=3``, ``scene=event.scene``, ``v3=event.v3``,
    ``v4=event.v4``.
    """

    kind: ClassVar[CallbackKind] = CallbackKind.FRIEND_REQUEST
    """Always ``"friend_request"`` (``CallbackKind.FRIEND_REQUEST``)."""
    v3: str | None = _xml("@encryptusername")
    """The requester's ``v3_...`` ticket (``msg/@encryptusername``)."""
    v4: str | None = _xml("@ticket")
    """The request's ``v4_...`` ticket (``msg/@ticket``)."""
    scene: int | None = _xml("@scene")
    """How they found the account (``msg/@scene``): pass it back when accepting."""
    greeting: str | None = _xml("@content")
    """The note they wrote (``msg/@content``)."""
    requester_wxid: str | None = _xml("@fromusername")
    """The requester's wxid (``msg/@fromusername``)."""
    from_nickname: str | None = _xml("@fromnickname")
    """The requester's name (``msg/@fromnickname``)."""
    alias: str | None = _xml("@alias")
    """Their WeChat ID, if they set one (``msg/@alias``)."""
    sex: int | None = _xml("@sex")
    """0 unknown, 1 male, 2 female (``msg/@sex``)."""
    signature: str | None = _xml("@sign")
    """Their profile's signature (``msg/@sign``)."""
    country: str | None = _xml("@country")
    """``msg/@country``."""
    province: str | None = _xml("@province")
    """``msg/@province``."""
    city: str | None = _xml("@city")
    """``msg/@city``."""
    big_head_img_url: str | None = _xml("@bigheadimgurl")
    """Their large avatar (``msg/@bigheadimgurl``)."""
    small_head_img_url: str | None = _xml("@smallheadimgurl")
    """Their small avatar (``msg/@smallheadimgurl``)."""
    chatroom_wxid: str | None = _xml("@chatroomusername")
    """The group they found the account in, for scene 14 (``msg/@chatroomusername``)."""
    share_card_wxid: str | None = _xml("@sharecardusername")
    """Whose card they found it on, for scene 17 (``msg/@sharecardusername``)."""


@attrs.frozen(kw_only=True)
class LocationMessage(MessageEvent):
    """A shared location (``MsgType`` 48)."""

    kind: ClassVar[CallbackKind] = CallbackKind.LOCATION
    """Always ``"location"`` (``CallbackKind.LOCATION``)."""
    latitude: float | None = _xml("@x")
    """Degrees north (``location/@x``)."""
    longitude: float | None = _xml("@y")
    """Degrees east (``location/@y``)."""
    scale: int | None = _xml("@scale")
    """The map's zoom level (``location/@scale``)."""
    label: str | None = _xml("@label")
    """The address (``location/@label``)."""
    poi_name: str | None = _xml("@poiname")
    """The place's name (``location/@poiname``)."""
    poi_id: str | None = _xml("@poiid")
    """The place's id on the map service (``location/@poiid``)."""


# --- system messages (MsgType 10002 by sysmsg/@type, 10000 by text) -----------------------


@attrs.frozen(kw_only=True)
class RevokeMessage(MessageEvent):
    """A message was recalled (``sysmsg/@type`` ``revokemsg``).

    The notice's own ``new_msg_id`` may be small; the recalled message's ids are below.
    """

    kind: ClassVar[CallbackKind] = CallbackKind.REVOKE
    """Always ``"revoke"`` (``CallbackKind.REVOKE``)."""
    revoked_msg_id: int | None = _xml("revokemsg/msgid")
    """The recalled message's ``MsgId`` (``revokemsg/msgid``)."""
    revoked_new_msg_id: int | None = _xml("revokemsg/newmsgid")
    """The recalled message's ``NewMsgId`` (``revokemsg/newmsgid``): the one to look up."""
    session: str | None = _xml("revokemsg/session")
    """The conversation it was in (``revokemsg/session``)."""
    replace_text: str | None = _xml("revokemsg/replacemsg")
    """What WeChat shows instead (``revokemsg/replacemsg``, like ``"X" 撤回了一条消息``)."""


@attrs.frozen(kw_only=True)
class PatMessage(MessageEvent):
    """Someone patted someone (拍一拍; ``sysmsg/@type`` ``pat``)."""

    kind: ClassVar[CallbackKind] = CallbackKind.PAT
    """Always ``"pat"`` (``CallbackKind.PAT``)."""
    patter_wxid: str | None = _xml("pat/fromusername")
    """Who patted (``pat/fromusername``)."""
    patted_wxid: str | None = _xml("pat/pattedusername")
    """Who was patted (``pat/pattedusername``)."""
    pat_chat_id: str | None = _xml("pat/chatusername")
    """The conversation it happened in (``pat/chatusername``)."""
    suffix: str | None = _xml("pat/patsuffix")
    """The patted one's custom suffix (``pat/patsuffix``)."""
    template: str | None = _xml("pat/template")
    """WeChat's sentence, with ``${wxid}`` placeholders (``pat/template``)."""


@attrs.frozen(kw_only=True)
class GroupNotice(MessageEvent):
    """Base of the notices about a group (members, name, owner, announcement, to-dos)."""

    @property
    def group_id(self) -> str:
        """The group (``...@chatroom``)."""
        return self.chat_id


@attrs.frozen(kw_only=True)
class GroupMember:
    """A member named by a group notice; either part may be missing from the notice."""

    wxid: str | None
    """The member's wxid."""
    nickname: str | None
    """The member's name as the notice shows it."""


@attrs.frozen(kw_only=True)
class GroupMemberJoined(GroupNotice):
    """Members joined a group.

    Sent as ``sysmsg/@type`` ``delchatroommember`` (Mac logins, despite the name) or
    ``sysmsgtemplate`` (``"X"邀请"Y"加入了群聊``), or as a ``MsgType`` 10000 text.
    """

    kind: ClassVar[CallbackKind] = CallbackKind.GROUP_MEMBER_JOINED
    """Always ``"group_member_joined"`` (``CallbackKind.GROUP_MEMBER_JOINED``)."""
    members: tuple[GroupMember, ...] = ()
    """Who joined (wxids when the notice lists them, names when its text does)."""
    inviter_wxid: str | None = None
    """Who invited them, when known (the account's wxid for ``你邀请...``)."""
    inviter_nickname: str | None = None
    """The inviter's name, when the text shows it."""
    text: str | None = None
    """WeChat's sentence (``plain``/``template``, or the 10000 text)."""


@attrs.frozen(kw_only=True)
class GroupMemberRemoved(GroupNotice):
    """Members were removed from a group (``sysmsgtemplate``: ``你将"X"移出了群聊``)."""

    kind: ClassVar[CallbackKind] = CallbackKind.GROUP_MEMBER_REMOVED
    """Always ``"group_member_removed"`` (``CallbackKind.GROUP_MEMBER_REMOVED``)."""
    members: tuple[GroupMember, ...] = ()
    """Who was removed."""
    operator_wxid: str | None = None
    """Who removed them, when known (the account's wxid for ``你将...``)."""
    text: str | None = None
    """WeChat's template sentence, with ``$name$`` placeholders."""


@attrs.frozen(kw_only=True)
class GroupDissolved(GroupNotice):
    """The owner dissolved a group (``sysmsgtemplate``: ``群主"X"已解散该群聊``)."""

    kind: ClassVar[CallbackKind] = CallbackKind.GROUP_DISSOLVED
    """Always ``"group_dissolved"`` (``CallbackKind.GROUP_DISSOLVED``)."""
    owner_wxid: str | None = None
    """The owner who dissolved it."""
    owner_nickname: str | None = None
    """The owner's name."""
    text: str | None = None
    """WeChat's template sentence, with ``$name$`` placeholders."""


@attrs.frozen(kw_only=True)
class RemovedFromGroup(GroupNotice):
    """The account was removed from a group (``MsgType`` 10000: ``你被"X"移出群聊``)."""

    kind: ClassVar[CallbackKind] = CallbackKind.REMOVED_FROM_GROUP
    """Always ``"removed_from_group"`` (``CallbackKind.REMOVED_FROM_GROUP``)."""
    operator_nickname: str | None = None
    """The name of who removed the account."""


@attrs.frozen(kw_only=True)
class GroupRenamed(GroupNotice):
    """A group was renamed (``MsgType`` 10000: ``你修改群名为“X”`` / ``"A"修改群名为“X”``)."""

    kind: ClassVar[CallbackKind] = CallbackKind.GROUP_RENAMED
    """Always ``"group_renamed"`` (``CallbackKind.GROUP_RENAMED``)."""
    new_name: str | None = None
    """The group's new name."""
    operator_wxid: str | None = None
    """Who renamed it, when known (the account's wxid for ``你修改...``)."""
    operator_nickname: str | None = None
    """The name of who renamed it, when the text shows it."""


@attrs.frozen(kw_only=True)
class GroupOwnerChanged(GroupNotice):
    """A group has a new owner (``MsgType`` 10000: ``你已成为新群主`` / ``"X"已成为新群主``)."""

    kind: ClassVar[CallbackKind] = CallbackKind.GROUP_OWNER_CHANGED
    """Always ``"group_owner_changed"`` (``CallbackKind.GROUP_OWNER_CHANGED``)."""
    new_owner_wxid: str | None = None
    """The new owner, when known (the account's wxid for ``你已成为新群主``)."""
    new_owner_nickname: str | None = None
    """The new owner's name, when the text shows it."""


@attrs.frozen(kw_only=True)
class GroupAnnouncement(GroupNotice):
    """A group announcement was published (``sysmsg/@type`` ``mmchatroombarannouncememt``, sic).

    This push runs backwards: ``from_wxid`` is the publisher and ``to_wxid`` the group.
    """

    kind: ClassVar[CallbackKind] = CallbackKind.GROUP_ANNOUNCEMENT
    """Always ``"group_announcement"`` (``CallbackKind.GROUP_ANNOUNCEMENT``)."""
    text: str | None = _xml("mmchatroombarannouncememt/content")
    """The announcement (``mmchatroombarannouncememt/content``)."""
    publisher_wxid: str | None = None
    """Who published it."""
    announcement_id: str | None = _xml("mmchatroombarannouncememt/announcement_id")
    """Its id (``announcement_id``)."""


@attrs.frozen(kw_only=True)
class GroupTodo(GroupNotice):
    """A message was set (or unset) as a group to-do (``sysmsg/@type`` ``roomtoolstips``)."""

    kind: ClassVar[CallbackKind] = CallbackKind.GROUP_TODO
    """Always ``"group_todo"`` (``CallbackKind.GROUP_TODO``)."""
    todo_id: str | None = _xml("todo/todoid")
    """The to-do's id (``todo/todoid``)."""
    title: str | None = _xml("todo/title")
    """Its title (``todo/title``)."""
    op: int | None = _xml("todo/op")
    """WeChat's operation number (``todo/op``; 0 when set)."""
    scene: str | None = _xml("todo/scene")
    """What happened (``todo/scene``, like ``altertodo_set``)."""
    creator_wxid: str | None = _xml("todo/creator")
    """Who wrote the message (``todo/creator``)."""
    operator_wxid: str | None = _xml("todo/oper")
    """Who made it a to-do (``todo/oper``)."""
    related_new_msg_id: int | None = _xml("todo/related_msgid")
    """The ``NewMsgId`` of the message it is about (``todo/related_msgid``)."""
    template: str | None = _xml("todo/template")
    """WeChat's sentence, with ``${wxid}`` placeholders (``todo/template``)."""


# --- contacts (ModContacts / DelContacts) and the device --------------------------------


@attrs.frozen(kw_only=True)
class ContactChanged(CallbackEvent):
    """A friend was added or their profile changed (``ModContacts`` for a wxid).

    Ordered with that contact's private chat: ``chat_key`` is ``"<Appid>:<contact_wxid>"``.
    """

    kind: ClassVar[CallbackKind] = CallbackKind.CONTACT_CHANGED
    """Always ``"contact_changed"`` (``CallbackKind.CONTACT_CHANGED``)."""
    contact_wxid: str
    """The contact (``UserName``)."""
    nickname: str | None = _data("NickName")
    """Their name (``NickName``)."""
    remark: str | None = _data("Remark")
    """The account's note on them (``Remark``)."""
    alias: str | None = _data("Alias")
    """Their WeChat ID, if they set one (``Alias``)."""
    sex: int | None = _data("Sex")
    """0 unknown, 1 male, 2 female (``Sex``)."""
    signature: str | None = _data("Signature")
    """Their profile's signature (``Signature``)."""
    country: str | None = _data("Country")
    """``Country``."""
    province: str | None = _data("Province")
    """``Province``."""
    city: str | None = _data("City")
    """``City``."""
    big_head_img_url: str | None = _data("BigHeadImgUrl")
    """Their large avatar (``BigHeadImgUrl``)."""
    small_head_img_url: str | None = _data("SmallHeadImgUrl")
    """Their small avatar (``SmallHeadImgUrl``)."""
    v3: str | None = _data("EncryptUserName")
    """Their ``v3_...`` ticket (``EncryptUserName``)."""

    @property
    def chat_key(self) -> str:
        """``"<Appid>:<contact_wxid>"``: in order with that contact's messages."""
        return f"{self.app_id}:{self.contact_wxid}"


@attrs.frozen(kw_only=True)
class GroupInfoChanged(CallbackEvent):
    """A group's details changed, or the account joined it (``ModContacts`` for ``...@chatroom``).

    Ordered with that group's messages: ``chat_key`` is ``"<Appid>:<group_id>"``.
    """

    kind: ClassVar[CallbackKind] = CallbackKind.GROUP_INFO_CHANGED
    """Always ``"group_info_changed"`` (``CallbackKind.GROUP_INFO_CHANGED``)."""
    group_id: str
    """The group (``UserName``)."""
    name: str | None = _data("NickName")
    """The group's name (``NickName``)."""
    owner_wxid: str | None = _data("ChatRoomOwner")
    """The group's owner (``ChatRoomOwner``)."""
    remark: str | None = _data("Remark")
    """The account's note on the group (``Remark``)."""
    big_head_img_url: str | None = _data("BigHeadImgUrl")
    """The group's large picture (``BigHeadImgUrl``)."""
    small_head_img_url: str | None = _data("SmallHeadImgUrl")
    """The group's small picture (``SmallHeadImgUrl``)."""
    max_member_count: int | None = _data("ChatroomMaxCount")
    """``ChatroomMaxCount`` as sent (WeChat packs flags into it; not a plain number)."""

    @property
    def chat_key(self) -> str:
        """``"<Appid>:<group_id>"``: in order with the group's messages."""
        return f"{self.app_id}:{self.group_id}"


@attrs.frozen(kw_only=True)
class ContactDeleted(CallbackEvent):
    """A friend was deleted (``DelContacts`` for a wxid)."""

    kind: ClassVar[CallbackKind] = CallbackKind.CONTACT_DELETED
    """Always ``"contact_deleted"`` (``CallbackKind.CONTACT_DELETED``)."""
    contact_wxid: str
    """The deleted contact (``UserName``)."""

    @property
    def chat_key(self) -> str:
        """``"<Appid>:<contact_wxid>"``: in order with that contact's messages."""
        return f"{self.app_id}:{self.contact_wxid}"


@attrs.frozen(kw_only=True)
class GroupQuit(CallbackEvent):
    """The account left a group (``DelContacts`` for ``...@chatroom``)."""

    kind: ClassVar[CallbackKind] = CallbackKind.GROUP_QUIT
    """Always ``"group_quit"`` (``CallbackKind.GROUP_QUIT``)."""
    group_id: str
    """The group (``UserName``)."""

    @property
    def chat_key(self) -> str:
        """``"<Appid>:<group_id>"``: in order with the group's messages."""
        return f"{self.app_id}:{self.group_id}"


@attrs.frozen(kw_only=True)
class Offline(CallbackEvent):
    """The account on the device went offline (``Offline``): log it in again to resume."""

    kind: ClassVar[CallbackKind] = CallbackKind.OFFLINE
    """Always ``"offline"`` (``CallbackKind.OFFLINE``)."""

    DEDUPE_SLOT: ClassVar[float] = 300.0
    """Pushes of ``Offline`` for one account within one slot of this many seconds are one."""

    @property
    def idempotency_key(self) -> str:
        """``"<Appid>:Offline:<slot>"``: the push names no id and is the same JSON every time.

        A key made of its content would make the account's next disconnection, a day
        later, a duplicate of this one, and the journal would drop it. Repeats within
        `DEDUPE_SLOT` seconds of the clock share a key; a repeat that straddles two slots
        is handled twice (harmless for an alert, unlike a lost one).
        """
        return f"{self.app_id}:{self.type_name}:{int(time.time() // self.DEDUPE_SLOT)}"


@attrs.frozen(kw_only=True)
class TestCallback(CallbackEvent):
    """The test push GeWe sends when the callback URL is set ("验证回调地址是否可用").

    It concerns the token, not a device: ``app_id`` is ``""`` unless the push names one.
    Its ``raw`` may hold the token: do not log it.
    """

    __test__: ClassVar[bool] = False  # not a pytest test class, despite the name
    kind: ClassVar[CallbackKind] = CallbackKind.TEST
    """Always ``"test"`` (``CallbackKind.TEST``)."""


@attrs.frozen(kw_only=True)
class UnknownEvent(CallbackEvent):
    """A push of a kind this version does not know; ``raw`` holds all of it."""

    kind: ClassVar[CallbackKind] = CallbackKind.UNKNOWN
    """Always ``"unknown"`` (``CallbackKind.UNKNOWN``)."""


@attrs.frozen(kw_only=True)
class UnknownMessage(MessageEvent, UnknownEvent):
    """A message of a type this version does not know (a new ``MsgType``, app message or notice).

    It is an [`UnknownEvent`][gewe_async.callbacks.UnknownEvent] that keeps the message fields,
    so it is de-duplicated and ordered like any message.
    """

    kind: ClassVar[CallbackKind] = CallbackKind.UNKNOWN
    """Always ``"unknown"`` (``CallbackKind.UNKNOWN``)."""
    subtype: str | None = None
    """What told it apart, when there was something: ``appmsg/type`` for ``MsgType`` 49,
    ``sysmsg/@type`` for 10002."""
