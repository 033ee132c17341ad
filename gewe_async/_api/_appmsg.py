"""Message XML, built and read with ``xml.etree``: quotes, mentions, media to resend.

User text never meets XML by string concatenation: ElementTree escapes ``<``, ``&`` and
``>`` (so ``]]>`` too). XML 1.0 cannot carry most control characters at all, escaped or not,
so text containing them is refused rather than sent as a message the parser rejects.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any, Final

from gewe_async.types.message import Message, Quoted, SentImage, SentVideo

# Characters XML 1.0 cannot hold (tab, LF and CR are fine), lone surrogates and U+FFFE/U+FFFF.
_NOT_XML: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

#: WeChat separates a mention from the text after it with U+2005 (FOUR-PER-EM SPACE).
MENTION_END: Final = "\u2005"

# A group member's message arrives as "<wxid>:\n<xml>"; the prefix is not part of the XML.
_SENDER_PREFIX: Final = re.compile(r"^\s*[^<\s]+:\s*(?=<)")


def check_xml_text(name: str, value: object) -> str:
    """Refuse a non-str, or text that XML 1.0 cannot carry."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {type(value).__name__} {value!r:.60}")
    bad = _NOT_XML.search(value)
    if bad:
        raise ValueError(
            f"{name} contains {bad.group()!r} at {bad.start()}: control characters cannot be "
            "sent in a message's XML"
        )
    return value


def xml_of(message: Any) -> str:
    """The XML of a received message: the string itself, or its ``content`` attribute.

    The ``"<wxid>:"`` line a group member's message starts with is dropped: it is not XML.
    """
    xml = message if isinstance(message, str) else getattr(message, "content", None)
    if not isinstance(xml, str):
        raise TypeError(
            "expected a message's XML (str) or an object with a `content` str, got "
            f"{type(message).__name__}"
        )
    return _SENDER_PREFIX.sub("", xml, count=1)


def parse(xml: str) -> ET.Element:
    """Parse message XML; refuse what is not XML or carries a DOCTYPE (entity bombs).

    Raises:
        ValueError: ``xml`` is not well-formed XML.
    """
    text = _SENDER_PREFIX.sub("", xml.strip(), count=1)
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise ValueError("message XML must not contain a DOCTYPE or entity declarations")
    try:
        return ET.fromstring(text)  # noqa: S314 - DOCTYPEs refused above: no entity expansion
    except ET.ParseError as exc:
        raise ValueError(f"not well-formed XML ({exc})") from None


def received(message: Message, action: str) -> tuple[str, ET.Element]:
    """The XML of a received message and its parsed root; text messages are refused clearly."""
    xml = xml_of(message)
    try:
        return xml, parse(xml)
    except ValueError as exc:
        raise ValueError(
            f"nothing to {action}: the message's content is not media XML (a text message?): {exc}"
        ) from None


def _serialize(root: ET.Element) -> str:
    # A CR in element text would come back as LF (XML normalises line ends); as a character
    # reference it survives. Every CR in the output is user text: the tags are ours.
    return ET.tostring(root, encoding="unicode").replace("\r", "&#13;")


def _sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    child = ET.SubElement(parent, tag)
    child.text = text
    return child


# -- quote replies (appmsg type 57) -----------------------------------------------------------


def quote_appmsg(text: str, quoted: Quoted) -> str:
    """The ``<appmsg>`` of a quote reply: ``text``, quoting ``quoted``.

    Raises:
        ValueError: ``text`` is empty, or some text holds characters XML cannot carry.
    """
    check_xml_text("text", text)
    if not text.strip():
        raise ValueError("text must not be empty")
    if not isinstance(quoted, Quoted):
        raise TypeError(f"quoted must be a Quoted (see Quoted.of), got {type(quoted).__name__}")
    if isinstance(quoted.new_msg_id, bool) or not isinstance(quoted.new_msg_id, int):
        raise TypeError(f"quoted.new_msg_id must be an int, got {quoted.new_msg_id!r}")
    for name in ("sender_wxid", "content", "display_name"):
        check_xml_text(f"quoted.{name}", getattr(quoted, name))
    if not quoted.sender_wxid.strip():
        raise ValueError("quoted.sender_wxid must not be empty")
    appmsg = ET.Element("appmsg", appid="", sdkver="0")
    _sub(appmsg, "title", text)
    _sub(appmsg, "type", "57")
    refer = _sub(appmsg, "refermsg")
    _sub(refer, "type", str(quoted.msg_type))
    _sub(refer, "svrid", str(quoted.new_msg_id))
    # fromusr is the chat, chatusr who wrote in it; in a private chat both are the sender.
    _sub(refer, "fromusr", quoted.chat_id or quoted.sender_wxid)
    _sub(refer, "chatusr", quoted.sender_wxid)
    _sub(refer, "displayname", quoted.display_name)
    _sub(refer, "content", quoted.content)
    return _serialize(appmsg)


def appmsg_type(root: ET.Element) -> int | None:
    """``msg/appmsg/type`` (not the first ``<type>``: quotes hold others), or ``None``."""
    appmsg = root if root.tag == "appmsg" else root.find("appmsg")
    value = None if appmsg is None else appmsg.findtext("type")
    try:
        return None if value is None else int(value.strip())
    except ValueError:
        return None


# -- mentions --------------------------------------------------------------------------------


def mention(text: str, mentions: Mapping[str, str]) -> tuple[str, str]:
    """``(content, ats)`` of a text that mentions ``{wxid: display_name}`` before ``text``.

    Each mention is ``@name`` followed by WeChat's U+2005 separator, in the mapping's order,
    so that the names shown and the wxids in ``ats`` always agree. ``MENTION_ALL`` as a wxid
    mentions everyone.

    Raises:
        ValueError: A wxid is empty or holds a comma, or a name is empty.
    """
    if not mentions:
        raise ValueError("mentions must name at least one member")
    heads = []
    for wxid, name in mentions.items():
        check_xml_text("a mentioned wxid", wxid)
        check_xml_text(f"the display name of {wxid!r}", name)
        if not wxid.strip() or "," in wxid or wxid != wxid.strip():
            raise ValueError(f"mentioned wxid {wxid!r} must be a non-empty wxid without commas")
        if not name.strip():
            raise ValueError(f"the display name of {wxid!r} must not be empty")
        heads.append(f"@{name}{MENTION_END}")
    return "".join(heads) + text, ",".join(mentions)


# -- media to resend from the CDN fields of an earlier send ----------------------------------


def image_xml(sent: SentImage) -> str:
    """The ``<msg><img/></msg>`` that forwardImage takes, from what postImage returned."""
    img = ET.Element("img")
    img.set("aeskey", sent.aes_key)
    img.set("encryver", "1")
    img.set("cdnthumbaeskey", sent.aes_key)
    img.set("cdnthumburl", sent.file_id)
    img.set("cdnmidimgurl", sent.file_id)
    img.set("length", str(sent.length or 0))
    if sent.width is not None and sent.height is not None:
        img.set("cdnthumbwidth", str(sent.width))
        img.set("cdnthumbheight", str(sent.height))
    img.set("md5", sent.md5 or "")
    root = ET.Element("msg")
    root.append(img)
    return _serialize(root)


def video_xml(sent: SentVideo, *, play_length: int = 0) -> str:
    """The ``<msg><videomsg/></msg>`` that forwardVideo takes, from what postVideo returned.

    Raises:
        ValueError: ``sent`` has no ``file_id`` (forwardVideo's own answer may lack it).
    """
    if not sent.file_id:
        raise ValueError("this video answer carries no file_id: resend from postVideo's answer")
    video = ET.Element("videomsg")
    video.set("aeskey", sent.aes_key)
    video.set("cdnvideourl", sent.file_id)
    video.set("cdnthumbaeskey", sent.aes_key)
    video.set("cdnthumburl", sent.file_id)
    video.set("length", str(sent.length or 0))
    video.set("playlength", str(play_length))
    root = ET.Element("msg")
    root.append(video)
    return _serialize(root)
