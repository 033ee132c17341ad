"""Message XML built for users: hostile text neither breaks nor injects, and round-trips."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gewe_async._api import _appmsg
from gewe_async.types.message import Quoted, SentImage, SentVideo
from tests.helpers import OFFICIAL
from tests.message_calls import TO, A

# Every character XML 1.0 can carry: no C0 controls but tab/LF/CR, no surrogates, no U+FFFE/F.
xml_chars = st.characters(
    blacklist_categories=("Cs",),
    blacklist_characters=[chr(c) for c in range(32) if chr(c) not in "\t\n\r"]
    + ["\ufffe", "\uffff"],
)
xml_text = st.text(xml_chars)
hostile = st.sampled_from(
    ["<", "&", "]]>", "</title><type>1</type><title>", "&amp;", "<![CDATA[x]]>", '"', "'", "\r"]
)
user_text = st.lists(st.one_of(xml_text, hostile), min_size=1).map("".join)


def read(appmsg: str) -> ET.Element:
    return ET.fromstring(appmsg)


@given(
    text=user_text.filter(str.strip),
    name=user_text,
    content=user_text,
    msg_id=st.integers(min_value=0, max_value=2**64 - 1),
)
def test_quote_round_trips_any_text(text, name, content, msg_id):
    """Whatever the text, the parsed quote gives back the same text, ids and quoted content."""
    quoted = Quoted(msg_id, "wxid_a", content, display_name=name, chat_id="1@chatroom", msg_type=49)

    root = read(_appmsg.quote_appmsg(text, quoted))

    assert root.tag == "appmsg"
    assert [child.tag for child in root] == ["title", "type", "refermsg"]
    assert root.findtext("title") == text
    assert root.findtext("type") == "57"
    assert _appmsg.appmsg_type(root) == 57
    assert root.findtext("refermsg/svrid") == str(msg_id)
    assert root.findtext("refermsg/displayname") == name
    assert root.findtext("refermsg/content") == content
    assert root.findtext("refermsg/chatusr") == "wxid_a"
    assert root.findtext("refermsg/fromusr") == "1@chatroom"
    assert root.findtext("refermsg/type") == "49"


def test_carriage_returns_survive_the_round_trip():
    """A CR in the text comes back as a CR, not normalised to LF by the parser."""
    root = read(_appmsg.quote_appmsg("a\r\nb\rc", Quoted(1, "wxid_a", "x")))
    assert root.findtext("title") == "a\r\nb\rc"


@pytest.mark.parametrize("bad", ["\x00", "\x1b[31m", "a\x0bb", "\ud800", "\uffff"])
def test_text_xml_cannot_carry_is_refused(bad):
    """Control characters, lone surrogates and non-characters are refused with a ValueError."""
    with pytest.raises(ValueError, match="cannot be sent"):
        _appmsg.quote_appmsg(f"hi {bad}", Quoted(1, "wxid_a", "x"))
    with pytest.raises(ValueError, match="cannot be sent"):
        _appmsg.quote_appmsg("hi", Quoted(1, "wxid_a", bad))


@pytest.mark.parametrize(
    "quoted",
    [Quoted(True, "wxid_a", "x"), Quoted(1, "", "x"), "not a Quoted"],  # type: ignore[arg-type]
)
def test_malformed_quotes_are_refused(quoted):
    """A bool id, an empty sender or a non-Quoted is refused."""
    with pytest.raises((TypeError, ValueError)):
        _appmsg.quote_appmsg("hi", quoted)


def test_quoted_of_reads_an_event_and_refuses_an_incomplete_one():
    """Quoted.of takes the event's ids, sender, chat and content; a bare object is refused."""

    class Event:
        new_msg_id = 2**60
        from_wxid = "wxid_b"
        chat_id = "9@chatroom"
        content = "hello"
        msg_type = 3

    quoted = Quoted.of(Event(), display_name="Bea")
    assert quoted == Quoted(2**60, "wxid_b", "hello", "Bea", "9@chatroom", 3)
    with pytest.raises(ValueError, match="new_msg_id"):
        Quoted.of(object())


async def test_post_quote_puts_hostile_text_on_the_wire_escaped(api, client):
    """The appmsg sent for a quote of text with XML in it parses to exactly that text."""
    route = api.post("/message/postAppMsg").mock(
        return_value=httpx.Response(200, json=OFFICIAL["message/postAppMsg"]["response_example"])
    )
    text = "</title><type>1</type>]]>&amp;<"

    await client.message.post_quote(A, TO, text, Quoted(5, "wxid_a", "<msg/>"))

    body = json.loads(route.calls.last.request.content)
    assert set(body) == {"appId", "toWxid", "appmsg"}
    root = read(body["appmsg"])
    assert root.findtext("title") == text
    assert _appmsg.appmsg_type(root) == 57
    assert root.findtext("refermsg/content") == "<msg/>"


@given(
    names=st.dictionaries(
        st.from_regex(r"wxid_[a-z0-9]{1,12}", fullmatch=True),
        user_text.filter(str.strip),
        min_size=1,
        max_size=5,
    ),
    text=user_text,
)
def test_mentions_keep_names_and_ats_in_step(names, text):
    """The content starts with one @name per wxid of ats, in the same order."""
    content, ats = _appmsg.mention(text, names)
    assert ats.split(",") == list(names)
    heads = "".join(f"@{name}\u2005" for name in names.values())
    assert content == heads + text


def test_image_xml_from_post_image_answer_carries_its_cdn_fields():
    """The forwardImage XML built from postImage's answer names its CDN id, key, size, md5."""
    sent = SentImage(TO, None, 1, 2, None, "key&<", "fid", 1096, 400, 300, "md5")
    img = read(_appmsg.image_xml(sent)).find("img")
    assert img is not None
    assert img.get("aeskey") == "key&<"
    assert img.get("cdnmidimgurl") == "fid"
    assert img.get("cdnthumburl") == "fid"
    assert img.get("length") == "1096"
    assert img.get("md5") == "md5"
    assert (img.get("cdnthumbwidth"), img.get("cdnthumbheight")) == ("400", "300")


def test_video_xml_needs_a_file_id():
    """A video answer without fileId (forwardVideo's example) cannot be resent."""
    sent = SentVideo(TO, None, 1, 2, None, "key", "fid", 99)
    video = read(_appmsg.video_xml(sent, play_length=7)).find("videomsg")
    assert video is not None
    assert (video.get("cdnvideourl"), video.get("length"), video.get("playlength")) == (
        "fid",
        "99",
        "7",
    )
    with pytest.raises(ValueError, match="file_id"):
        _appmsg.video_xml(SentVideo(TO, None, 1, 2, None, "key", None))


@pytest.mark.parametrize(
    "xml",
    [
        '<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "x">]><msg>&a;</msg>',
        "<msg><img></msg>",
        "",
    ],
)
def test_parse_refuses_doctypes_and_broken_xml(xml):
    """Entity declarations (billion laughs) and malformed XML are refused as ValueError."""
    with pytest.raises(ValueError):  # noqa: PT011 - the message varies with the parser
        _appmsg.parse(xml)


def test_group_messages_lose_their_sender_prefix():
    """A group member's "wxid:\\n<msg>" content is read as the XML after the prefix."""
    assert _appmsg.xml_of("wxid_m:\n<msg><img/></msg>") == "<msg><img/></msg>"
    assert _appmsg.xml_of("<msg><img/></msg>") == "<msg><img/></msg>"
