r"""Callback payloads in the documented shapes, for FakeGewe to push and for tests to feed.

Each ``<kind>_payload`` function builds one push as the official callback page (回调消息详解)
documents it (the envelope, ``{"string": ...}`` wrappers, ``"<wxid>:\\n"`` prefixes in groups,
XML in ``Content``), so that [`parse_callback`][gewe_async.callbacks.parse_callback] reads back
the values given. They are pure apart from the ids: every message gets a fresh ``NewMsgId``
above 2**53 unless given one.

```python
from gewe_async.testing import text_payload

push = text_payload("wx_1", "wxid_bot", "wxid_friend", "ping")
push = text_payload("wx_1", "wxid_bot", "wxid_member", "@Bot hi",
                    group="123@chatroom", mentions=("wxid_bot",))
```

[`CallbackBuilders`][gewe_async.testing.CallbackBuilders] adds a ``receive_<kind>`` method per
kind to FakeGewe, which builds the payload for the device's account and pushes it.
"""

from __future__ import annotations

import inspect
import itertools
import warnings
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Concatenate, ParamSpec, Protocol, TypedDict, Unpack, cast
from xml.sax.saxutils import escape, quoteattr

__all__ = [
    "CallbackBuilders",
    "MessageOptions",
    "NoticeOptions",
    "channels_payload",
    "contact_changed_payload",
    "contact_deleted_payload",
    "emoji_payload",
    "file_notice_payload",
    "file_payload",
    "friend_request_payload",
    "group_announcement_payload",
    "group_dissolved_payload",
    "group_info_changed_payload",
    "group_invite_payload",
    "group_member_joined_payload",
    "group_member_removed_payload",
    "group_owner_changed_payload",
    "group_quit_payload",
    "group_renamed_payload",
    "group_todo_payload",
    "image_payload",
    "link_payload",
    "location_payload",
    "mini_program_payload",
    "name_card_payload",
    "offline_payload",
    "pat_payload",
    "quote_payload",
    "red_packet_payload",
    "removed_from_group_payload",
    "revoke_payload",
    "test_payload",
    "text_payload",
    "transfer_payload",
    "video_payload",
    "voice_payload",
]

Payload = dict[str, Any]

# NewMsgId above 2**53 (as real ones are: floats would lose them), below 2**63; MsgId small.
_NEW_MSG_IDS = itertools.count(7_300_000_000_000_000_001, 7919)
_MSG_IDS = itertools.count(1_040_400_001)
_NOW = 1_705_043_418  # the documented examples' time, so that payloads are reproducible

_MSG_SOURCE = (
    "<msgsource>\n\t<tmp_node>\n\t\t<publisher-id></publisher-id>\n\t</tmp_node>\n</msgsource>\n"
)


class NoticeOptions(TypedDict, total=False):
    """Keyword options every builder of a message or notice takes (all optional)."""

    new_msg_id: int | None
    """The ``NewMsgId`` (default: a fresh one above 2**53)."""
    msg_id: int | None
    """The ``MsgId`` (default: a fresh small one)."""
    create_time: datetime | int | None
    """When it was sent (default: a fixed time, so payloads are reproducible)."""
    is_self: bool
    """The account sent it (from its phone: API sends produce no push)."""
    push_content: str | None
    """The notification text (``PushContent``; left out by default)."""


class MessageOptions(NoticeOptions, total=False):
    """Keyword options of the builders of messages a person sends (all optional)."""

    group: str | None
    """The group (``...@chatroom``) the message was posted in; the sender is then a member."""
    mentions: Sequence[str]
    """The wxids mentioned (written to ``MsgSource``'s ``atuserlist``)."""


def _text_el(tag: str, value: object) -> str:
    return f"<{tag}>{escape(str(value))}</{tag}>" if value is not None else f"<{tag} />"


def _attrs(**values: object) -> str:
    return "".join(f" {name}={quoteattr(str(v))}" for name, v in values.items() if v is not None)


def _wrap(value: str | None) -> dict[str, str]:
    return {} if value is None else {"string": value}


def _msg_source(mentions: Iterable[str]) -> str:
    listed = ",".join(mentions)
    if not listed:
        return _MSG_SOURCE
    return f"<msgsource>\n\t<atuserlist>{escape(listed)}</atuserlist>\n</msgsource>\n"


def _message(
    app_id: str,
    wxid: str,
    other: str,
    msg_type: int,
    content: str,
    options: Mapping[str, Any],  # MessageOptions or NoticeOptions
    *,
    notice: bool = False,
    img_buf: Mapping[str, Any] | None = None,
) -> Payload:
    r"""An ``AddMsg`` push; ``other`` is the sender (or, sent by the account, the receiver).

    In a group, a member's message comes from the group with ``"<member>:\\n"`` before its
    content; a system notice (``notice``) with ``"<group>:\\n"`` for XML, nothing for text.
    """
    group = options.get("group")
    is_self = options.get("is_self", False)
    if group is None:
        from_wxid, to_wxid = (wxid, other) if is_self else (other, wxid)
    elif is_self:
        from_wxid, to_wxid = wxid, group
    else:
        from_wxid, to_wxid = group, wxid
        if not notice:
            content = f"{other}:\n{content}"
        elif content.startswith("<"):
            content = f"{group}:\n{content}"
    created = options.get("create_time")
    if isinstance(created, datetime):
        created = int(created.timestamp())
    new_msg_id = options.get("new_msg_id")
    msg_id = options.get("msg_id")
    data: Payload = {
        "MsgId": next(_MSG_IDS) if msg_id is None else msg_id,
        "FromUserName": {"string": from_wxid},
        "ToUserName": {"string": to_wxid},
        "MsgType": msg_type,
        "Content": {"string": content},
        "Status": 4 if notice else 3,
        "ImgStatus": 1,
        "ImgBuf": dict(img_buf) if img_buf is not None else {"iLen": 0},
        "CreateTime": _NOW if created is None else created,
        "MsgSource": _msg_source(options.get("mentions", ())),
    }
    push_content = options.get("push_content")
    if push_content is not None:
        data["PushContent"] = push_content
    data["NewMsgId"] = next(_NEW_MSG_IDS) if new_msg_id is None else new_msg_id
    data["MsgSeq"] = data["MsgId"] % 1_000_000_000
    return {"TypeName": "AddMsg", "Appid": app_id, "Wxid": wxid, "Data": data}


def _appmsg(body: str, sender: str | None = None) -> str:
    fromusername = _text_el("fromusername", sender) if sender else ""
    return (
        f'<?xml version="1.0"?>\n<msg>\n\t<appmsg appid="" sdkver="0">{body}</appmsg>'
        f"{fromusername}\n\t<scene>0</scene>\n</msg>\n"
    )


# --- messages -----------------------------------------------------------------------------


def text_payload(
    app_id: str, wxid: str, from_wxid: str, text: str, **options: Unpack[MessageOptions]
) -> Payload:
    """A text message (``MsgType`` 1) from ``from_wxid`` to the account ``wxid``.

    Args:
        app_id: The device (``Appid``).
        wxid: The account logged in on it (``Wxid``).
        from_wxid: Who wrote it (a friend, or a member with ``group``); with ``is_self``, whom
            the account wrote to.
        text: The text.
        **options: See [`MessageOptions`][gewe_async.testing.MessageOptions].
    """
    return _message(app_id, wxid, from_wxid, 1, text, options)


def image_payload(
    app_id: str,
    wxid: str,
    from_wxid: str,
    *,
    md5: str = "2a4cb28868b9d450a135b1a85b5ba3dd",
    size: int = 2998,
    aeskey: str = "9b7011c38d1af088f579eda23e3b9cad",
    cdn_mid_url: str = "3057020100044b3049020100020439047520",
    thumb_base64: str | None = None,
    **options: Unpack[MessageOptions],
) -> Payload:
    """An image (``MsgType`` 3): ``img`` attributes as documented, thumbnail in ``ImgBuf``."""
    xml = (
        '<?xml version="1.0"?>\n<msg>\n\t<img'
        + _attrs(
            aeskey=aeskey,
            encryver=1,
            cdnthumbaeskey=aeskey,
            cdnthumburl=cdn_mid_url,
            cdnthumblength=2146,
            cdnthumbheight=76,
            cdnthumbwidth=120,
            cdnmidimgurl=cdn_mid_url,
            length=size,
            md5=md5,
        )
        + " />\n\t<platform_signature></platform_signature>\n"
        + "\t<imgdatahash></imgdatahash>\n</msg>\n"
    )
    buf = (
        {"iLen": 0} if thumb_base64 is None else {"iLen": len(thumb_base64), "buffer": thumb_base64}
    )
    return _message(app_id, wxid, from_wxid, 3, xml, options, img_buf=buf)


def voice_payload(
    app_id: str,
    wxid: str,
    from_wxid: str,
    *,
    duration_ms: int = 2540,
    size: int = 3600,
    aeskey: str = "e98b50658e7b3153caf2ebaf1caf190a",
    voice_url: str = "3052020100044b304902010002048399cc84",
    voice_base64: str | None = None,
    **options: Unpack[MessageOptions],
) -> Payload:
    """A voice note (``MsgType`` 34); ``voice_base64`` goes to ``ImgBuf`` as GeWe sends it."""
    xml = (
        "<msg><voicemsg"
        + _attrs(
            endflag=1,
            cancelflag=0,
            forwardflag=0,
            voiceformat=4,
            voicelength=duration_ms,
            length=size,
            bufid=0,
            aeskey=aeskey,
            voiceurl=voice_url,
            voicemd5="",
            fromusername=wxid if options.get("is_self") else from_wxid,
        )
        + " /></msg>"
    )
    buf = {"iLen": size} if voice_base64 is None else {"iLen": size, "buffer": voice_base64}
    return _message(app_id, wxid, from_wxid, 34, xml, options, img_buf=buf)


def video_payload(
    app_id: str,
    wxid: str,
    from_wxid: str,
    *,
    duration_s: int = 3,
    size: int = 611755,
    md5: str = "e1c3b99dae0639b4ce4d22b245cff0af",
    aeskey: str = "4b2fe0afbde392ba6df340e127c138bd",
    cdn_video_url: str = "3057020100044b304902010002043904752002032df7",
    **options: Unpack[MessageOptions],
) -> Payload:
    """A video (``MsgType`` 43): ``videomsg`` attributes as documented."""
    xml = (
        '<?xml version="1.0"?>\n<msg>\n\t<videomsg'
        + _attrs(
            aeskey=aeskey,
            cdnvideourl=cdn_video_url,
            cdnthumbaeskey=aeskey,
            cdnthumburl=cdn_video_url,
            length=size,
            playlength=duration_s,
            cdnthumblength=7873,
            cdnthumbwidth=224,
            cdnthumbheight=398,
            fromusername=from_wxid,
            md5=md5,
            newmd5=md5,
            isplaceholder=0,
        )
        + " />\n</msg>\n"
    )
    return _message(app_id, wxid, from_wxid, 43, xml, options)


def emoji_payload(
    app_id: str,
    wxid: str,
    from_wxid: str,
    *,
    md5: str = "cc56728d56c730ddae52baffe941ed86",
    size: int = 211797,
    width: int = 240,
    height: int = 240,
    **options: Unpack[MessageOptions],
) -> Payload:
    """A sticker (``MsgType`` 47), with the spaces around ``=`` GeWe writes."""
    cdn = f"http://wxapp.tc.qq.com/262/20304/stodownload?m={md5}&filekey=30350201&bizid=1023"
    xml = (
        f'<msg><emoji fromusername = {quoteattr(from_wxid)} tousername = {quoteattr(wxid)} type="2"'
        f' md5={quoteattr(md5)} len = "{size}" cdnurl = {quoteattr(cdn)}'
        f' width= "{width}" height= "{height}" ></emoji>'
        ' <gameext type="0" content="0" ></gameext></msg>'
    )
    return _message(app_id, wxid, from_wxid, 47, xml, options)


def link_payload(
    app_id: str,
    wxid: str,
    from_wxid: str,
    title: str,
    url: str,
    *,
    description: str | None = None,
    thumb_url: str | None = None,
    source_username: str | None = None,
    source_display_name: str | None = None,
    **options: Unpack[MessageOptions],
) -> Payload:
    """A shared link (``MsgType`` 49, ``appmsg/type`` 5)."""
    body = (
        _text_el("title", title)
        + _text_el("des", description)
        + "<type>5</type>"
        + _text_el("url", url)
        + "<appattach><totallen>0</totallen></appattach>"
        + _text_el("sourceusername", source_username)
        + _text_el("sourcedisplayname", source_display_name)
        + _text_el("thumburl", thumb_url)
    )
    return _message(app_id, wxid, from_wxid, 49, _appmsg(body, from_wxid), options)


def file_notice_payload(
    app_id: str,
    wxid: str,
    from_wxid: str,
    file_name: str,
    *,
    size: int = 8939,
    md5: str = "84c6737fe9549270c9b3ca4f6fc88f6f",
    **options: Unpack[MessageOptions],
) -> Payload:
    """A file upload has started (``appmsg/type`` 74); the file follows as `file_payload`."""
    ext = file_name.rpartition(".")[2] if "." in file_name else ""
    body = (
        _text_el("title", file_name)
        + "<type>74</type><showtype>0</showtype><appattach>"
        + _text_el("totallen", size)
        + _text_el("fileext", ext)
        + "<status>0</status></appattach>"
        + _text_el("md5", md5)
    )
    sender = _text_el("fromusername", from_wxid)
    xml = f'<msg>\n        <appmsg appid="" sdkver="0">{body}</appmsg>{sender}</msg>'
    return _message(app_id, wxid, from_wxid, 49, xml, options)


def file_payload(
    app_id: str,
    wxid: str,
    from_wxid: str,
    file_name: str,
    *,
    size: int = 8939,
    md5: str = "84c6737fe9549270c9b3ca4f6fc88f6f",
    aeskey: str = "3f28b0cbd65a86c3a980f3e22808c0fe",
    cdn_attach_url: str = "3057020100044b304902010002043904752002032f7e35",
    notice_new_msg_id: int | None = None,
    **options: Unpack[MessageOptions],
) -> Payload:
    """A file, fully uploaded (``appmsg/type`` 6): what `message/downloadFile` takes."""
    ext = file_name.rpartition(".")[2] if "." in file_name else ""
    body = (
        _text_el("title", file_name)
        + "<des /><type>6</type><appattach>"
        + _text_el("totallen", size)
        + _text_el("attachid", f"@cdn_{cdn_attach_url}_{aeskey}_1")
        + _text_el("fileext", ext)
        + _text_el("cdnattachurl", cdn_attach_url)
        + _text_el("aeskey", aeskey)
        + "<encryver>0</encryver>"
        + _text_el("overwrite_newmsgid", notice_new_msg_id)
        + "</appattach>"
        + _text_el("md5", md5)
    )
    return _message(app_id, wxid, from_wxid, 49, _appmsg(body, from_wxid), options)


def mini_program_payload(
    app_id: str,
    wxid: str,
    from_wxid: str,
    title: str,
    *,
    page_path: str = "pages/index/index.html",
    mini_app_id: str = "wx0000000000000000",
    mini_username: str = "gh_44fc2ced7f87@app",
    display_name: str | None = None,
    **options: Unpack[MessageOptions],
) -> Payload:
    """A mini-program card (``appmsg/type`` 33)."""
    body = (
        _text_el("title", title)
        + _text_el("des", title)
        + "<type>33</type>"
        + _text_el("sourceusername", mini_username)
        + _text_el("sourcedisplayname", display_name)
        + "<weappinfo>"
        + _text_el("username", mini_username)
        + _text_el("appid", mini_app_id)
        + "<type>2</type>"
        + _text_el("pagepath", page_path)
        + "</weappinfo>"
    )
    return _message(app_id, wxid, from_wxid, 49, _appmsg(body, from_wxid), options)


def quote_payload(
    app_id: str,
    wxid: str,
    from_wxid: str,
    text: str,
    quoted: Mapping[str, Any],
    *,
    quoted_display_name: str | None = None,
    **options: Unpack[MessageOptions],
) -> Payload:
    """A reply quoting ``quoted`` (a payload of these builders, or a push received).

    The quoted message's type, ``NewMsgId``, conversation, sender and content (escaped XML
    inside the XML, as GeWe sends it) are taken from ``quoted``.
    """
    data = quoted["Data"]
    quoted_from = data["FromUserName"]["string"]
    quoted_content = data["Content"]["string"]
    sender, chat = quoted_from, quoted_from
    if quoted_from.endswith("@chatroom"):
        head, sep, rest = quoted_content.partition(":\n")
        if sep and "<" not in head:
            sender, quoted_content = head, rest
    body = (
        _text_el("title", text)
        + "<des /><type>57</type><appattach><totallen>0</totallen></appattach><refermsg>"
        + _text_el("type", data["MsgType"])
        + _text_el("svrid", data["NewMsgId"])
        + _text_el("fromusr", chat)
        + _text_el("chatusr", sender)
        + _text_el("displayname", quoted_display_name)
        + _text_el("content", quoted_content)
        + _text_el("createtime", data.get("CreateTime"))
        + "</refermsg>"
    )
    return _message(app_id, wxid, from_wxid, 49, _appmsg(body, from_wxid), options)


def transfer_payload(
    app_id: str,
    wxid: str,
    from_wxid: str,
    *,
    fee_desc: str = "￥0.10",
    memo: str | None = None,
    transfer_id: str = "1000050001202401120020624149917",
    transaction_id: str = "53010000124165202401122702555054",
    pay_subtype: int = 1,
    **options: Unpack[MessageOptions],
) -> Payload:
    """A money transfer (``appmsg/type`` 2000) to the account."""
    created = _NOW
    body = (
        "<title>微信转账</title>"
        + _text_el("des", f"收到转账{fee_desc.lstrip('￥')}元。")
        + "<type>2000</type><wcpayinfo>"
        + _text_el("paysubtype", pay_subtype)
        + _text_el("feedesc", fee_desc)
        + _text_el("transcationid", transaction_id)
        + _text_el("transferid", transfer_id)
        + _text_el("invalidtime", created + 86400)
        + _text_el("begintransfertime", created)
        + _text_el("pay_memo", memo)
        + _text_el("receiver_username", wxid)
        + "<payer_username></payer_username></wcpayinfo>"
    )
    return _message(app_id, wxid, from_wxid, 49, _appmsg(body), options)


def red_packet_payload(
    app_id: str,
    wxid: str,
    from_wxid: str,
    *,
    greeting: str = "恭喜发财，大吉大利",
    pay_msg_id: str = "1000039901202401127291056629415",
    **options: Unpack[MessageOptions],
) -> Payload:
    """A red packet (``appmsg/type`` 2001)."""
    url = f"https://wxapp.tenpay.com/mmpayhb/wxhb_personalreceive?sendid={pay_msg_id}&ver=6"
    body = (
        "<des>我给你发了一个红包，赶紧去拆!</des>"
        + _text_el("url", url)
        + "<type>2001</type><title>微信红包</title><wcpayinfo>"
        + _text_el("url", url)
        + _text_el("receivertitle", greeting)
        + _text_el("sendertitle", greeting)
        + "<scenetext>微信红包</scenetext>"
        + _text_el("paymsgid", pay_msg_id)
        + _text_el("invalidtime", _NOW + 86400)
        + "</wcpayinfo>"
    )
    return _message(app_id, wxid, from_wxid, 49, _appmsg(body, from_wxid), options)


def channels_payload(
    app_id: str,
    wxid: str,
    from_wxid: str,
    *,
    object_id: int = 14264358459626428566,
    object_nonce_id: str = "8046877030770906689_0_0_0_0_0",
    nickname: str = "国风锦鲤",
    description: str | None = None,
    username: str = "v2_060000231003b20faec8cae08b19c7d2@finder",
    **options: Unpack[MessageOptions],
) -> Payload:
    """A shared Channels post (``appmsg/type`` 51); ``object_id`` may exceed 2**63."""
    body = (
        "<title>当前微信版本不支持展示该内容，请升级至最新版本。</title><type>51</type><finderFeed>"
        + _text_el("objectId", object_id)
        + "<feedType>4</feedType>"
        + _text_el("nickname", nickname)
        + _text_el("desc", description)
        + "<mediaCount>1</mediaCount>"
        + _text_el("objectNonceId", object_nonce_id)
        + _text_el("username", username)
        + "<mediaList><media><mediaType>4</mediaType><url>http://wxapp.tc.qq.com/251/20302/"
        "stodownload?a=1&amp;bizid=1023</url></media></mediaList></finderFeed>"
    )
    return _message(app_id, wxid, from_wxid, 49, _appmsg(body, from_wxid), options)


def group_invite_payload(
    app_id: str,
    wxid: str,
    inviter_wxid: str,
    *,
    inviter_nickname: str,
    group_name: str,
    invite_url: str = "https://support.weixin.qq.com/cgi-bin/mmsupport-bin/addchatroombyinvite?ticket=AXsLYmiiEo2srduLzYSmog%3D%3D",
    **options: Unpack[MessageOptions],
) -> Payload:
    """An invitation card to join a group (``appmsg/type`` 5, title 邀请你加入群聊)."""
    des = f'"{inviter_nickname}"邀请你加入群聊"{group_name}"，进入可查看详情。'
    xml = (
        '<msg><appmsg appid="" sdkver=""><title>邀请你加入群聊</title>'
        + _text_el("des", des)
        + "<action>view</action><type>5</type><showtype>0</showtype><content></content>"
        + _text_el("url", invite_url)
        + "<appattach><totallen>0</totallen></appattach></appmsg>"
        "<appinfo><version></version><appname></appname></appinfo></msg>"
    )
    return _message(app_id, wxid, inviter_wxid, 49, xml, options)


def name_card_payload(
    app_id: str,
    wxid: str,
    from_wxid: str,
    *,
    username: str,
    nickname: str,
    alias: str | None = None,
    antispam_ticket: str | None = None,
    scene: int = 17,
    **options: Unpack[MessageOptions],
) -> Payload:
    """A contact card (``MsgType`` 42): everything in attributes of ``<msg>``."""
    xml = (
        '<?xml version="1.0"?>\n<msg'
        + _attrs(
            username=username,
            nickname=nickname,
            alias=alias or "",
            imagestatus=4,
            scene=scene,
            sex=0,
            certflag=0,
            antispamticket=antispam_ticket,
        )
        + " />\n"
    )
    return _message(app_id, wxid, from_wxid, 42, xml, options)


def friend_request_payload(
    app_id: str,
    wxid: str,
    requester_wxid: str,
    *,
    from_nickname: str,
    greeting: str = "",
    v3: str | None = None,
    v4: str | None = None,
    scene: int = 6,
    **options: Unpack[MessageOptions],
) -> Payload:
    """A friend request (``MsgType`` 37) from ``fmessage``, details in attributes of ``<msg>``."""
    v3 = v3 or f"v3_020b3826fd03010000000000{requester_wxid.encode().hex()}@stranger"
    v4 = v4 or f"v4_000b708f0b040000010000000000{requester_wxid.encode().hex()}@stranger"
    xml = (
        "<msg"
        + _attrs(
            fromusername=requester_wxid,
            encryptusername=v3,
            fromnickname=from_nickname,
            content=greeting,
            scene=scene,
            ticket=v4,
            opcode=2,
        )
        + '><brandlist count="0" ver="640356091"></brandlist></msg>'
    )
    return _message(app_id, wxid, "fmessage", 37, xml, {**options, "group": None})


def location_payload(
    app_id: str,
    wxid: str,
    from_wxid: str,
    *,
    latitude: float,
    longitude: float,
    label: str = "",
    poi_name: str = "",
    scale: int = 15,
    **options: Unpack[MessageOptions],
) -> Payload:
    """A shared location (``MsgType`` 48)."""
    xml = (
        '<?xml version="1.0"?>\n<msg>\n\t<location'
        + _attrs(
            x=f"{latitude:.6f}",
            y=f"{longitude:.6f}",
            scale=scale,
            label=label,
            maptype="roadmap",
            poiname=poi_name,
            poiid="",
        )
        + " />\n</msg>\n"
    )
    return _message(app_id, wxid, from_wxid, 48, xml, options)


# --- system messages ----------------------------------------------------------------------


def revoke_payload(
    app_id: str,
    wxid: str,
    from_wxid: str,
    revoked: Mapping[str, Any],
    *,
    replace_text: str | None = None,
    **options: Unpack[MessageOptions],
) -> Payload:
    """``from_wxid`` recalled ``revoked`` (a payload or a push received): ``sysmsg`` revokemsg."""
    data = revoked["Data"]
    session = options.get("group") or from_wxid
    text = replace_text if replace_text is not None else f'"{from_wxid}" 撤回了一条消息'
    xml = (
        '<sysmsg type="revokemsg"><revokemsg>'
        + _text_el("session", session)
        + _text_el("msgid", data["MsgId"])
        + _text_el("newmsgid", data["NewMsgId"])
        + _text_el("replacemsg", text)
        + "</revokemsg></sysmsg>"
    )
    # In a group, like the other documented system messages: "<group>:\n" before the XML.
    return _message(app_id, wxid, from_wxid, 10002, xml, options, notice=True)


def pat_payload(
    app_id: str,
    wxid: str,
    patter_wxid: str,
    patted_wxid: str,
    **options: Unpack[MessageOptions],
) -> Payload:
    """``patter_wxid`` patted ``patted_wxid`` (拍一拍; ``sysmsg`` pat), in a group or not."""
    chat = options.get("group") or patter_wxid
    xml = (
        '<sysmsg type="pat">\n<pat>\n  '
        + _text_el("fromusername", patter_wxid)
        + _text_el("chatusername", chat)
        + _text_el("pattedusername", patted_wxid)
        + "<patsuffix></patsuffix><patsuffixversion>0</patsuffixversion>"
        + _text_el("template", f'"${{{patter_wxid}}}" 拍了拍 "${{{patted_wxid}}}"')
        + "\n</pat>\n</sysmsg>"
    )
    return _message(app_id, wxid, patter_wxid, 10002, xml, options, notice=True)


def _members(members: Iterable[tuple[str, str]]) -> str:
    return "".join(
        f"<member>{_text_el('username', w)}{_text_el('nickname', n)}</member>" for w, n in members
    )


def _template(template: str, links: Mapping[str, Iterable[tuple[str, str]]]) -> str:
    link_xml = "".join(
        f'<link name={quoteattr(name)} type="link_profile"><memberlist>{_members(members)}'
        "</memberlist></link>"
        for name, members in links.items()
    )
    return (
        '<sysmsg type="sysmsgtemplate">\n\t<sysmsgtemplate>\n\t\t'
        '<content_template type="tmpl_type_profile">\n\t\t\t<plain></plain>\n\t\t\t'
        + _text_el("template", template)
        + f"<link_list>{link_xml}</link_list>\n\t\t</content_template>\n\t</sysmsgtemplate>\n"
        "</sysmsg>\n"
    )


def group_member_joined_payload(
    app_id: str,
    wxid: str,
    group: str,
    members: Sequence[tuple[str, str]],
    *,
    inviter: tuple[str, str] | None = None,
    as_text: bool = False,
    **options: Unpack[NoticeOptions],
) -> Payload:
    """``members`` joined ``group``: a ``sysmsgtemplate`` notice (``MsgType`` 10002).

    Args:
        app_id: The account's device.
        wxid: The account's wxid.
        group: The group (``...@chatroom``).
        members: The ``(wxid, nickname)`` pairs who joined.
        inviter: Who invited them, ``(wxid, nickname)``; `None`: the account (``你邀请...``).
        as_text: The ``MsgType`` 10000 sentence other clients get instead
            (``你邀请"A"、"B"加入了群聊``: names only).
        **options: The [`NoticeOptions`][gewe_async.testing.NoticeOptions].
    """
    if as_text:
        who = _who(None if inviter is None else inviter[1])
        names = '"、"'.join(nickname for _, nickname in members)
        return _group_notice(app_id, wxid, group, f'{who}邀请"{names}"加入了群聊', options)
    if inviter is None:
        xml = _template('你邀请"$names$"加入了群聊', {"names": members})
    else:
        xml = _template(
            '"$username$"邀请"$names$"加入了群聊', {"username": [inviter], "names": members}
        )
    return _message(app_id, wxid, group, 10002, xml, _in_group(group, options), notice=True)


def group_member_removed_payload(
    app_id: str,
    wxid: str,
    group: str,
    members: Sequence[tuple[str, str]],
    **options: Unpack[NoticeOptions],
) -> Payload:
    """The account removed ``members`` from ``group`` (``你将...移出了群聊``)."""
    xml = _template('你将"$kickoutname$"移出了群聊', {"kickoutname": members})
    return _message(app_id, wxid, group, 10002, xml, _in_group(group, options), notice=True)


def group_dissolved_payload(
    app_id: str,
    wxid: str,
    group: str,
    owner: tuple[str, str],
    **options: Unpack[NoticeOptions],
) -> Payload:
    """``owner`` (``(wxid, nickname)``) dissolved ``group`` (``sysmsgtemplate``)."""
    xml = _template('群主"$identity$"已解散该群聊', {"identity": [owner]})
    return _message(app_id, wxid, group, 10002, xml, _in_group(group, options), notice=True)


def group_announcement_payload(
    app_id: str,
    wxid: str,
    group: str,
    publisher_wxid: str,
    text: str,
    **options: Unpack[NoticeOptions],
) -> Payload:
    """``publisher_wxid`` published ``text`` in ``group``: From the publisher, To the group."""
    announcement_id = f"{publisher_wxid}_{group}_{_NOW}_2028281562"
    inner = (
        '<group_notice_item type="18"><source sourcetype="6">'
        + _text_el("fromusr", publisher_wxid)
        + _text_el("tousr", group)
        + "</source>"
        + _text_el("announcement_id", announcement_id)
        + "</group_notice_item>"
    )
    xml = (
        '<sysmsg type="mmchatroombarannouncememt">\n    <mmchatroombarannouncememt>\n        '
        + _text_el("content", text)
        + _text_el("xmlcontent", inner)
        + _text_el("announcement_id", announcement_id)
        + "\n    </mmchatroombarannouncememt>\n</sysmsg>"
    )
    # From the publisher, To the group (set below), and no prefix: this notice runs backwards.
    payload = _message(app_id, wxid, publisher_wxid, 10002, xml, options)
    payload["Data"]["FromUserName"] = {"string": publisher_wxid}
    payload["Data"]["ToUserName"] = {"string": group}
    return payload


def group_todo_payload(
    app_id: str,
    wxid: str,
    group: str,
    operator_wxid: str,
    title: str,
    related_new_msg_id: int,
    *,
    creator_wxid: str | None = None,
    **options: Unpack[NoticeOptions],
) -> Payload:
    """``operator_wxid`` set message ``related_new_msg_id`` as a group to-do (``roomtoolstips``)."""
    creator = creator_wxid or operator_wxid
    xml = (
        '<sysmsg type="roomtoolstips">\n<todo>\n  <op>0</op>'
        + _text_el("todoid", f"related_msgid_{related_new_msg_id}")
        + "<username>roomannouncement@app.origin</username>"
        + _text_el("time", _NOW)
        + _text_el("title", title)
        + _text_el("creator", creator)
        + _text_el("related_msgid", related_new_msg_id)
        + _text_el("manager", operator_wxid)
        + "<nreply>0</nreply><scene>altertodo_set</scene>"
        + _text_el("oper", operator_wxid)
        + _text_el("template", f"${{{operator_wxid}}}将你的消息设置为群待办")
        + "\n</todo>\n</sysmsg>"
    )
    return _message(app_id, wxid, group, 10002, xml, _in_group(group, options), notice=True)


def _in_group(group: str, options: NoticeOptions) -> MessageOptions:
    # mypy cannot yet type a TypedDict spread into a wider one: the keys are a subset.
    return cast("MessageOptions", {**options, "group": group})


def _who(nickname: str | None) -> str:
    """Who did it, in a notice: ``"nickname"`` quoted, or ``你`` (the account) for `None`."""
    return "你" if nickname is None else f'"{nickname}"'


def _group_notice(app_id: str, wxid: str, group: str, text: str, options: NoticeOptions) -> Payload:
    return _message(app_id, wxid, group, 10000, text, _in_group(group, options), notice=True)


def removed_from_group_payload(
    app_id: str,
    wxid: str,
    group: str,
    operator_nickname: str,
    **options: Unpack[NoticeOptions],
) -> Payload:
    """The account was removed from ``group`` (``MsgType`` 10000: ``你被"X"移出群聊``)."""
    return _group_notice(app_id, wxid, group, f'你被"{operator_nickname}"移出群聊', options)


def group_renamed_payload(
    app_id: str,
    wxid: str,
    group: str,
    new_name: str,
    *,
    operator_nickname: str | None = None,
    **options: Unpack[NoticeOptions],
) -> Payload:
    """``group`` was renamed (``MsgType`` 10000); without ``operator_nickname``, by the account."""
    who = _who(operator_nickname)
    return _group_notice(app_id, wxid, group, f"{who}修改群名为“{new_name}”", options)


def group_owner_changed_payload(
    app_id: str,
    wxid: str,
    group: str,
    *,
    new_owner_nickname: str | None = None,
    **options: Unpack[NoticeOptions],
) -> Payload:
    """``group`` has a new owner (``MsgType`` 10000); without a nickname, the account."""
    who = _who(new_owner_nickname)
    return _group_notice(app_id, wxid, group, f"{who}已成为新群主", options)


# --- contacts and the device --------------------------------------------------------------


def _contact(
    app_id: str, wxid: str, username: str, nickname: str | None, extra: Mapping[str, Any]
) -> Payload:
    data: Payload = {
        "UserName": {"string": username},
        "NickName": _wrap(nickname),
        "PyInitial": {},
        "QuanPin": {},
        "Sex": 0,
        "ImgBuf": {"iLen": 0},
        "BitMask": 4294967295,
        "BitVal": 3,
        "ImgFlag": 1,
        "Remark": {},
        "RemarkPyinitial": {},
        "RemarkQuanPin": {},
        "ContactType": 0,
        "RoomInfoCount": 0,
        "DomainList": [{}],
        "ChatRoomNotify": 0,
        "AddContactScene": 0,
        "SnsUserInfo": {"SnsFlag": 0, "SnsBgobjectId": 0, "SnsFlagEx": 0},
        "CustomizedInfo": {"BrandFlag": 0},
        "AdditionalContactList": {"LinkedinContactItem": {}},
        "DeleteFlag": 0,
        "Description": '\b\u0000\u0018\u0000"\u0000(\u00008\u0000',
        "Extflag": 0,
        **extra,
    }
    return {"TypeName": "ModContacts", "Appid": app_id, "Wxid": wxid, "Data": data}


def contact_changed_payload(
    app_id: str,
    wxid: str,
    contact_wxid: str,
    *,
    nickname: str | None = None,
    remark: str | None = None,
    alias: str | None = None,
    sex: int = 0,
    signature: str | None = None,
    v3: str | None = None,
) -> Payload:
    """A friend was added or changed their profile (``ModContacts`` for a wxid)."""
    extra: Payload = {"Remark": _wrap(remark), "Sex": sex}
    if alias is not None:
        extra["Alias"] = alias
    if signature is not None:
        extra["Signature"] = signature
    if v3 is not None:
        extra["EncryptUserName"] = v3
    return _contact(app_id, wxid, contact_wxid, nickname, extra)


def group_info_changed_payload(
    app_id: str,
    wxid: str,
    group: str,
    *,
    name: str | None = None,
    owner_wxid: str | None = None,
) -> Payload:
    """A group's details changed, or the account joined it (``ModContacts`` for a group)."""
    extra: Payload = {"ChatroomMaxCount": 700000019, "ChatroomStatus": 27}
    if owner_wxid is not None:
        extra["ChatRoomOwner"] = owner_wxid
    return _contact(app_id, wxid, group, name, extra)


def contact_deleted_payload(app_id: str, wxid: str, contact_wxid: str) -> Payload:
    """A friend was deleted (``DelContacts``)."""
    data = {"UserName": {"string": contact_wxid}, "DeleteContactScen": 0}
    return {"TypeName": "DelContacts", "Appid": app_id, "Wxid": wxid, "Data": data}


def group_quit_payload(app_id: str, wxid: str, group: str) -> Payload:
    """The account left ``group`` (``DelContacts`` for ``...@chatroom``)."""
    return contact_deleted_payload(app_id, wxid, group)


def offline_payload(app_id: str, wxid: str) -> Payload:
    """The account on ``app_id`` went offline (``Offline``: no ``Data``)."""
    return {"TypeName": "Offline", "Appid": app_id, "Wxid": wxid}


def test_payload(token: str | None = None) -> Payload:  # noqa: PT028 - a builder, not a test
    """The test push setting the callback URL sends.

    Only its text is documented; clients in the wild read it from ``testMsg``, next to the
    token (pass ``token`` to include one).
    """
    payload: Payload = {"testMsg": "验证回调地址是否可用"}
    if token is not None:
        payload["token"] = token
    return payload


test_payload.__test__ = False  # type: ignore[attr-defined]  # a builder, not a pytest test


# --- FakeGewe's side: build for the device's account, and push -----------------------------


class _Account(Protocol):
    @property
    def wxid(self) -> str: ...


_P = ParamSpec("_P")


def _receiver(
    builder: Callable[Concatenate[str, str, _P], Payload],
) -> Callable[Concatenate[CallbackBuilders, str, _P], Coroutine[Any, Any, Payload]]:
    """``receive_<kind>``, made from ``<kind>_payload``: its signature without ``wxid``.

    One definition for every kind, so that a builder's parameters are the method's, typed
    (mypy and IDEs see them through the ParamSpec), and its docstring names the builder.
    """

    async def receive(
        self: CallbackBuilders, app_id: str, /, *args: _P.args, **kwargs: _P.kwargs
    ) -> Payload:
        payload = builder(app_id, self.account_wxid(app_id), *args, **kwargs)
        await self._push(payload)
        return payload

    name = builder.__name__
    kind = name.removesuffix("_payload")
    receive.__name__ = f"receive_{kind}"
    receive.__qualname__ = f"CallbackBuilders.receive_{kind}"
    summary = (builder.__doc__ or "").strip().splitlines()[0]
    receive.__doc__ = (
        f"Push a ``{kind}`` callback for the device's account, and return it.\n\n"
        f"Takes the arguments of [`{name}`][gewe_async.testing.{name}] but ``wxid`` "
        f"(the device's): {summary}"
    )
    # For help() and the docs: the builder's parameters, as the method takes them.
    signature = inspect.signature(builder)
    app_id, _wxid, *rest = signature.parameters.values()
    first = inspect.Parameter.POSITIONAL_ONLY
    receive.__dict__["__signature__"] = signature.replace(
        parameters=[inspect.Parameter("self", first), app_id.replace(kind=first), *rest]
    )
    return receive


class CallbackBuilders:
    """``receive_<kind>`` for every documented kind, around one push function.

    Each takes the device's ``app_id`` and the arguments of its ``<kind>_payload`` builder
    (without ``wxid``: the device's account is used), hands the payload to ``push``, and
    returns it, so that a test can quote or revoke it later.
    [`FakeGewe`][gewe_async.testing.FakeGewe] is one, whose ``push`` is its
    [`deliver()`][gewe_async.testing.FakeGewe.deliver]:

    ```python
    fake.add_device("wx_bot")
    ping = await fake.receive_text("wx_bot", "wxid_friend", "ping")
    await fake.receive_revoke("wx_bot", "wxid_friend", ping)
    ```

    Each method is made from its builder: ``receive_text = _receiver(text_payload)`` takes
    what [`text_payload`][gewe_async.testing.text_payload] takes, but ``wxid``.

    Args:
        devices: The devices by appId (anything with a ``wxid``): whose account a push is for.
        push: What is done with each payload built (awaited; its result is ignored).
    """

    # Set by __init__; a subclass of the old mixin (which gave ``devices`` and ``deliver``
    # instead of calling it) finds them unset, and is served, with a DeprecationWarning.
    _accounts: Mapping[str, _Account] | None = None
    _push_to: Callable[[Payload], Awaitable[object]] | None = None

    def __init__(
        self,
        devices: Mapping[str, _Account],
        push: Callable[[Payload], Awaitable[object]],
    ) -> None:
        self._accounts = devices
        self._push_to = push

    def account_wxid(self, app_id: str) -> str:
        """The wxid of the account on ``app_id``.

        Raises:
            ValueError: The device is unknown.
        """
        accounts = self._accounts
        if accounts is None:
            accounts = self._mixed_in("devices")
        device = accounts.get(app_id)
        if device is None:
            raise ValueError(f"no device {app_id!r}: add_device() it first")
        return device.wxid

    async def _push(self, payload: Payload) -> None:
        push = self._push_to
        if push is None:
            push = self._mixed_in("deliver")
        await push(payload)

    def _mixed_in(self, name: str) -> Any:
        warnings.warn(
            "CallbackBuilders as a mixin (devices and deliver on the subclass) is deprecated: "
            "call CallbackBuilders.__init__(self, devices, push)",
            DeprecationWarning,
            stacklevel=4,
        )
        return getattr(self, name)

    receive_text = _receiver(text_payload)
    receive_image = _receiver(image_payload)
    receive_voice = _receiver(voice_payload)
    receive_video = _receiver(video_payload)
    receive_emoji = _receiver(emoji_payload)
    receive_link = _receiver(link_payload)
    receive_file_notice = _receiver(file_notice_payload)
    receive_file = _receiver(file_payload)
    receive_name_card = _receiver(name_card_payload)
    receive_friend_request = _receiver(friend_request_payload)
    receive_contact_changed = _receiver(contact_changed_payload)
    receive_mini_program = _receiver(mini_program_payload)
    receive_quote = _receiver(quote_payload)
    receive_transfer = _receiver(transfer_payload)
    receive_red_packet = _receiver(red_packet_payload)
    receive_channels = _receiver(channels_payload)
    receive_revoke = _receiver(revoke_payload)
    receive_pat = _receiver(pat_payload)
    receive_location = _receiver(location_payload)
    receive_group_invite = _receiver(group_invite_payload)
    receive_group_member_joined = _receiver(group_member_joined_payload)
    receive_removed_from_group = _receiver(removed_from_group_payload)
    receive_group_member_removed = _receiver(group_member_removed_payload)
    receive_group_dissolved = _receiver(group_dissolved_payload)
    receive_group_renamed = _receiver(group_renamed_payload)
    receive_group_owner_changed = _receiver(group_owner_changed_payload)
    receive_group_info_changed = _receiver(group_info_changed_payload)
    receive_group_announcement = _receiver(group_announcement_payload)
    receive_group_todo = _receiver(group_todo_payload)
    receive_contact_deleted = _receiver(contact_deleted_payload)
    receive_group_quit = _receiver(group_quit_payload)
    receive_offline = _receiver(offline_payload)

    async def receive_test(self, token: str | None = None) -> Payload:
        """Push the test push; see [`test_payload`][gewe_async.testing.test_payload]."""
        payload = test_payload(token)
        await self._push(payload)
        return payload
