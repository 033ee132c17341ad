"""The fake's ``/message/*`` endpoints: sends go to the device's outbox, in the documented shapes.

Where a page's schema and its example disagree (postVoice's ``type`` is an integer in the
schema, ``null`` in the example), the answer follows the schema, which the tests check it
against; where the schema itself says ``null`` (postVideo's ``createTime``), it is ``null``.
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from enum import IntEnum
from typing import Any

from gewe_async.testing._outbox import REVOKE_WINDOW, OutboxMessage
from gewe_async.testing._refusal import FakeRefusal
from gewe_async.testing._routes._registry import FakeServer, route, text
from gewe_async.testing._state import FakeDevice


class MsgType(IntEnum):
    """The ``MsgType`` of what the device sends, as its recipients receive it."""

    TEXT = 1
    IMAGE = 3
    VOICE = 34
    NAME_CARD = 42
    VIDEO = 43
    EMOJI = 47
    APP = 49


def _sent(message: OutboxMessage, type: int | None, *, timed: bool = True) -> dict[str, Any]:
    return {
        "toWxid": message.to_wxid,
        "createTime": message.create_time if timed else None,
        "msgId": message.msg_id,
        "newMsgId": message.new_msg_id,
        "type": type,
    }


def _digest(value: str) -> str:
    return hashlib.md5(value.encode(), usedforsecurity=False).hexdigest()


def _file_id(message: OutboxMessage) -> str:
    # Shaped like the real ones: long hex, unique per upload.
    return f"3052020100044b30490201000204{message.new_msg_id:x}{_digest(message.content)}"


def _xml(body: dict[str, Any], name: str = "xml") -> ET.Element:
    """Parse a body's message XML as the server does: a ``<msg>``, or a refusal."""
    raw = text(body, name).strip()
    if "<!DOCTYPE" in raw:
        raise FakeRefusal.failed("xml格式错误")
    try:
        return ET.fromstring(raw)  # noqa: S314 - DOCTYPEs refused above
    except ET.ParseError:
        raise FakeRefusal.failed("xml格式错误") from None


def _message(body: dict[str, Any], child: str) -> ET.Element:
    root = _xml(body)
    element = root.find(child) if root.tag == "msg" else None
    if element is None:
        raise FakeRefusal.failed(f"xml不是{child}消息")
    return element


def _appmsg_type(appmsg: ET.Element | None) -> int | None:
    value = None if appmsg is None else appmsg.findtext("type")
    return int(value) if value is not None and value.strip().isdigit() else None


def _app_message(body: dict[str, Any], *types: int) -> int:
    kind = _appmsg_type(_message(body, "appmsg"))
    if kind is None or kind not in types:
        raise FakeRefusal.failed(f"appmsg类型{kind}不支持")
    return kind


def _send(
    device: FakeDevice,
    endpoint: str,
    body: dict[str, Any],
    type: int,
    content: str,
    appmsg_type: int | None = None,
) -> OutboxMessage:
    return device.outbox.record(
        f"message/{endpoint}", text(body, "toWxid"), type, content, body, appmsg_type
    )


def _int(value: Any, name: str) -> int:
    if type(value) is not int or value <= 0:
        raise FakeRefusal.invalid(f"{name} 格式错误")
    return value


# -- sends ------------------------------------------------------------------------------------


@route("message/postText", required=("appId", "toWxid", "content"))
def _post_text(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    return _sent(_send(device, "postText", body, MsgType.TEXT, text(body, "content")), MsgType.TEXT)


@route("message/postImage", required=("appId", "toWxid", "imgUrl"))
def _post_image(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    sent = _send(device, "postImage", body, MsgType.IMAGE, text(body, "imgUrl"))
    file_id = _file_id(sent)
    device.outbox.know_media(file_id, sent.content)
    return {
        **_sent(sent, None),
        "aesKey": _digest(file_id),
        "fileId": file_id,
        "length": 1096,
        "width": 400,
        "height": 400,
        "md5": _digest(sent.content),
    }


@route("message/postFile", required=("appId", "toWxid", "fileName", "fileUrl"))
def _post_file(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    text(body, "fileName")
    return _sent(_send(device, "postFile", body, MsgType.APP, text(body, "fileUrl"), 6), 6)


@route("message/postVoice", required=("appId", "toWxid", "voiceUrl", "voiceDuration"))
def _post_voice(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    _int(body["voiceDuration"], "voiceDuration")
    return _sent(
        _send(device, "postVoice", body, MsgType.VOICE, text(body, "voiceUrl")), MsgType.VOICE
    )


@route("message/postVideo", required=("appId", "toWxid", "videoUrl", "thumbUrl", "videoDuration"))
def _post_video(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    _int(body["videoDuration"], "videoDuration")
    sent = _send(device, "postVideo", body, MsgType.VIDEO, text(body, "videoUrl"))
    file_id = _file_id(sent)
    device.outbox.know_media(file_id, sent.content)
    answer = _sent(sent, None, timed=False)
    return {**answer, "aesKey": _digest(file_id), "fileId": file_id, "length": 1315979}


@route("message/postLink", required=("appId", "toWxid", "title", "linkUrl", "thumbUrl"))
def _post_link(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    return _sent(_send(device, "postLink", body, MsgType.APP, text(body, "linkUrl"), 5), 5)


@route("message/postNameCard", required=("appId", "toWxid", "nickName", "nameCardWxid"))
def _post_name_card(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    card = text(body, "nameCardWxid")
    return _sent(_send(device, "postNameCard", body, MsgType.NAME_CARD, card), MsgType.NAME_CARD)


@route("message/postEmoji", required=("appId", "toWxid", "emojiMd5", "emojiSize"))
def _post_emoji(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    _int(body["emojiSize"], "emojiSize")
    md5 = text(body, "emojiMd5")
    device.outbox.media.setdefault(md5, f"http://wxapp.tc.qq.com/262/20304/stodownload?m={md5}")
    return _sent(_send(device, "postEmoji", body, MsgType.EMOJI, md5), MsgType.EMOJI)


@route("message/postAppMsg", required=("appId", "toWxid", "appmsg"))
def _post_app_msg(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    appmsg = _xml(body, "appmsg")
    if appmsg.tag != "appmsg":
        raise FakeRefusal.failed("appmsg格式错误")
    sent = _send(device, "postAppMsg", body, MsgType.APP, body["appmsg"], _appmsg_type(appmsg))
    return _sent(sent, 0)  # the page's example answers type 0, whatever the appmsg's type


@route(
    "message/postMiniApp",
    required=(
        "appId",
        "toWxid",
        "miniAppId",
        "userName",
        "title",
        "coverImgUrl",
        "pagePath",
        "displayName",
    ),
)
def _post_mini_app(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    return _sent(_send(device, "postMiniApp", body, MsgType.APP, text(body, "pagePath"), 33), 33)


@route("message/sendFinderMsg", required=("appId", "toWxid", "id", "username", "url"))
def _send_finder_msg(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    _send(device, "sendFinderMsg", body, MsgType.APP, text(body, "url"), 51)
    return None


# -- forwards: the XML of a received message, refused when it is not one -----------------------


def _number(element: ET.Element, name: str) -> int:
    """An attribute of the forwarded XML as a number, ``0`` when it has none."""
    return int(element.get(name, "0") or 0)


def _forward_medium(
    device: FakeDevice,
    body: dict[str, Any],
    endpoint: str,
    type: MsgType,
    child: str,
    *file_ids: str,
    timed: bool = True,
) -> tuple[ET.Element, dict[str, Any]]:
    """Forward the medium the XML's ``child`` holds; the element, and the answer with its CDN copy.

    The file id is the first of the ``file_ids`` attributes the element sets.
    """
    medium = _message(body, child)
    sent = _send(device, endpoint, body, type, body["xml"])
    return medium, {
        **_sent(sent, None, timed=timed),
        "aesKey": medium.get("aeskey", ""),
        "fileId": next(filter(None, map(medium.get, file_ids)), ""),
        "length": _number(medium, "length"),
    }


@route("message/forwardImage", required=("appId", "toWxid", "xml"))
def _forward_image(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    img, answer = _forward_medium(
        device, body, "forwardImage", MsgType.IMAGE, "img", "cdnmidimgurl", "cdnthumburl"
    )
    return {
        **answer,
        "width": _number(img, "cdnthumbwidth"),
        "height": _number(img, "cdnthumbheight"),
        "md5": img.get("md5", ""),
    }


@route("message/forwardVideo", required=("appId", "toWxid", "xml"))
def _forward_video(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    _, answer = _forward_medium(
        device, body, "forwardVideo", MsgType.VIDEO, "videomsg", "cdnvideourl", timed=False
    )
    return answer


@route("message/forwardFile", required=("appId", "toWxid", "xml"))
def _forward_file(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    kind = _app_message(body, 6)
    return _sent(_send(device, "forwardFile", body, MsgType.APP, body["xml"], kind), kind)


@route("message/forwardUrl", required=("appId", "toWxid", "xml"))
def _forward_url(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    kind = _app_message(body, 5)
    return _sent(_send(device, "forwardUrl", body, MsgType.APP, body["xml"], kind), kind)


@route("message/forwardMiniApp", required=("appId", "toWxid", "xml", "coverImgUrl"))
def _forward_mini_app(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    kind = _app_message(body, 33, 36)
    return _sent(_send(device, "forwardMiniApp", body, MsgType.APP, body["xml"], kind), kind)


# -- revoke -----------------------------------------------------------------------------------


def _id(body: dict[str, Any], name: str) -> int:
    value = body[name]
    # The schema types the ids as strings; accept numbers too, as a lenient server would.
    if isinstance(value, str) and value.isdigit():
        return int(value)
    if type(value) is int:
        return value
    raise FakeRefusal.invalid(f"{name} 格式错误")


@route("message/revokeMsg", required=("appId", "toWxid", "msgId", "newMsgId", "createTime"))
def _revoke_msg(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    outbox = device.outbox
    message = outbox.find(_id(body, "newMsgId"))
    _id(body, "createTime")
    if message is None or message.to_wxid != body["toWxid"] or message.msg_id != _id(body, "msgId"):
        raise FakeRefusal.failed("撤回失败，消息不存在")
    if message.new_msg_id in outbox.revoked:
        raise FakeRefusal.failed("撤回失败，消息已撤回")
    if outbox.now() - message.create_time > REVOKE_WINDOW:
        raise FakeRefusal.failed("撤回失败，消息发送已超过2分钟")
    outbox.revoked.add(message.new_msg_id)
    return None


# -- downloads: URLs of the media the device knows --------------------------------------------


def _media_url(device: FakeDevice, key: str | None) -> dict[str, Any]:
    url = device.outbox.media.get(key or "")
    if url is None:
        raise FakeRefusal.failed("下载失败，文件不存在或已过期")
    return {"fileUrl": url}


@route("message/downloadImage", required=("appId", "xml", "type"))
def _download_image(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    if body["type"] not in (1, 2, 3):
        raise FakeRefusal.invalid("type 格式错误")
    img = _message(body, "img")
    return _media_url(device, img.get("cdnmidimgurl") or img.get("cdnthumburl"))


@route("message/downloadVoice", required=("appId", "xml", "msgId"))
def _download_voice(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    _int(body["msgId"], "msgId")
    return _media_url(device, _message(body, "voicemsg").get("voiceurl"))


@route("message/downloadVideo", required=("appId", "xml"))
def _download_video(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    return _media_url(device, _message(body, "videomsg").get("cdnvideourl"))


@route("message/downloadFile", required=("appId", "xml"))
def _download_file(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    _app_message(body, 6)
    root = _xml(body)
    return _media_url(device, root.findtext("appmsg/appattach/cdnattachurl"))


@route("message/downloadEmojiMd5", required=("appId", "emojiMd5"))
def _download_emoji(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    return {"url": _media_url(device, text(body, "emojiMd5"))["fileUrl"]}


@route(
    "message/downloadCdn",
    required=("appId", "aesKey", "totalSize", "type", "fileId"),
)
def _download_cdn(fake: FakeServer, device: FakeDevice, body: dict[str, Any]) -> Any:
    if body["type"] not in ("1", "2", "3", "4", "5"):
        raise FakeRefusal.invalid("type 格式错误")
    return _media_url(device, text(body, "fileId"))
