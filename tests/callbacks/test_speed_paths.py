"""The parser's fast paths give what the slow ones gave (issue 23 item 2).

- XML fields read on first access: every field of every event is there, equal to what the
  eager parser read, through repr, equality, hashing, copies and pickles;
- orjson (the ``speedups`` extra) and the standard library give equal events, and orjson's
  refusals and inexact ints fall back to the standard library's verdict.
"""

from __future__ import annotations

import copy
import json
import pickle
import re
from collections.abc import Iterator
from typing import Any
from unittest import mock

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gewe_async import callbacks as cb
from gewe_async.callbacks import _parse, parse_callback
from gewe_async.callbacks._events import LAZY_FIELDS
from gewe_async.callbacks._xml import MAX_XML_CHARS, child_text, parse_xml, parse_xml_head
from gewe_async.exceptions import GeweCallbackError
from tests.paths import DATA


def _bodies() -> list[bytes]:
    documented = [path.read_bytes() for path in sorted((DATA / "callbacks").glob("*.json"))]
    wild = json.loads((DATA / "wild-callbacks.json").read_text(encoding="utf-8"))
    return documented + [json.dumps(e["body"], ensure_ascii=False).encode() for e in wild]


BODIES = _bodies()


def _events() -> Iterator[tuple[bytes, cb.CallbackEvent]]:
    for body in BODIES:
        try:
            yield body, parse_callback(body)
        except GeweCallbackError:
            continue


def _values(event: cb.CallbackEvent) -> dict[str, Any]:
    return {field.name: getattr(event, field.name) for field in attrs.fields(type(event))}


def test_every_deferred_kind_is_among_the_bodies() -> None:
    seen = {type(event) for _, event in _events()}
    assert set(LAZY_FIELDS) <= seen | {cb.GroupInvite}, set(LAZY_FIELDS) - seen


def test_every_field_is_set_or_read_on_first_access() -> None:
    for _, event in _events():
        lazy = LAZY_FIELDS.get(type(event), (frozenset(),))[0]
        assert lazy <= {f.name for f in attrs.fields(type(event))}, type(event)
        _values(event)  # an AttributeError here: a field neither set nor deferred


def test_deferred_fields_equal_the_eager_event() -> None:
    """Built again with every value given to __init__, the event is equal field by field."""
    for _, event in _events():
        eager = type(event)(**{f.name: getattr(event, f.name) for f in attrs.fields(type(event))})
        assert _values(eager) == _values(event)
        assert repr(eager) == repr(event)


@pytest.mark.parametrize("use", ["repr", "eq", "hash", "pickle", "copy", "asdict", "evolve"])
def test_untouched_events_behave_as_eager_ones(use: str) -> None:
    for body, _ in _events():
        fresh, reference = parse_callback(body), parse_callback(body)
        expected = _values(reference)
        if use == "repr":
            assert repr(fresh) == repr(reference)
        elif use == "eq":
            assert fresh == reference
        elif use == "hash":
            assert hash(fresh) == hash(reference)
        elif use == "pickle":
            assert _values(pickle.loads(pickle.dumps(fresh))) == expected
        elif use == "copy":
            assert _values(copy.copy(fresh)) == expected
        elif use == "asdict":
            assert attrs.asdict(fresh, recurse=False) == expected
        else:
            assert _values(attrs.evolve(fresh)) == expected
        assert _values(fresh) == expected


def test_the_kept_element_is_dropped_once_read() -> None:
    body = (DATA / "callbacks" / "link.json").read_bytes()
    event = parse_callback(body)
    assert isinstance(event, cb.LinkMessage)
    assert event.title
    with pytest.raises(AttributeError):
        object.__getattribute__(event, "_lazy_source")


def test_unknown_attributes_still_raise() -> None:
    event = parse_callback((DATA / "callbacks" / "image.json").read_bytes())
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        event.nope  # type: ignore[attr-defined]  # noqa: B018


def _image_with(content: str) -> bytes:
    body = json.loads((DATA / "callbacks" / "image.json").read_bytes())
    body["Data"]["Content"] = {"string": content}
    return json.dumps(body).encode()


@pytest.mark.parametrize(
    "content",
    [
        '<!DOCTYPE m [<!ENTITY a "aaaa">]><msg><img md5="&a;" length="1"/></msg>',
        '<msg><img md5="' + "x" * MAX_XML_CHARS + '"/></msg>',
    ],
    ids=["dtd", "oversized"],
)
def test_hostile_xml_is_bounded_at_first_access(content: str) -> None:
    event = parse_callback(_image_with(content))
    assert isinstance(event, cb.ImageMessage)
    assert event.md5 is None
    assert event.size is None


# --- the JSON readers ----------------------------------------------------------------------


@pytest.fixture
def stdlib_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_parse, "_FAST_LOADS", None)


def _parsed(body: bytes) -> object:
    try:
        event = parse_callback(body)
    except GeweCallbackError as exc:
        return ("refused", str(exc))
    return type(event), _values(event), event.raw


@pytest.fixture
def with_orjson(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("orjson")
    monkeypatch.setattr(_parse, "_FAST_LOADS", _parse._UNRESOLVED)


ODD = [
    b'{"TypeName": "X", "Appid": "a", "Data": {"n": 123456789012345678901234}}',
    b'{"TypeName": "X", "Appid": "a", "Data": {"n": [-98765432109876543210987]}}',
    b'{"TypeName": "X", "Appid": "a", "Data": {"n": 1.5, "m": 1e400}}',
    b'{"TypeName": "X", "Appid": "a", "Data": {"n": NaN}}',
    b'{"TypeName": "X", "Appid": "a", "Data": "\\ud800"}',
    b'{"TypeName": "X", "Appid": "a", "Data": "\xed\xa0\x80"}',
    b'\xef\xbb\xbf{"TypeName": "X", "Appid": "a"}',
    b'{"TypeName": "X", "Appid": "a"} extra',
    b'{"TypeName": "X", "Appid": "a", "Data": "\xff"}',
    '{"TypeName": "X", "Appid": "a", "Data": 123456789012345678901234}'.encode("utf-16"),
    b"[1, 2]",
    b"",
]


@pytest.mark.parametrize("body", BODIES + ODD)
def test_orjson_and_the_standard_library_agree(
    body: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("orjson")
    monkeypatch.setattr(_parse, "_FAST_LOADS", None)
    slow = _parsed(body)
    monkeypatch.setattr(_parse, "_FAST_LOADS", _parse._resolve_fast_loads())
    assert _parse._FAST_LOADS is not None
    assert _parsed(body) == slow


def test_long_ints_stay_exact(with_orjson: None) -> None:
    event = parse_callback(ODD[0])
    assert event.raw["Data"]["n"] == 123456789012345678901234
    assert type(event.raw["Data"]["n"]) is int


def test_without_orjson_the_standard_library_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def blocked(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "orjson":
            raise ImportError("blocked")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", blocked)
    monkeypatch.setattr(_parse, "_FAST_LOADS", _parse._UNRESOLVED)
    event = parse_callback(BODIES[0])
    assert _parse._FAST_LOADS is None
    assert event == parse_callback(BODIES[0])


# --- mentions read without a tree ----------------------------------------------------------


def _mentions_by_tree(msg_source: str) -> tuple[str, ...]:
    listed = child_text(parse_xml(msg_source), "atuserlist")
    if not listed:
        return ()
    return tuple(dict.fromkeys(w for w in (part.strip() for part in listed.split(",")) if w))


_PIECES = [
    "<msgsource>",
    "</msgsource>",
    "<atuserlist>",
    "</atuserlist>",
    "<atuserlist/>",
    "<atuserlistx>",
    "</atuserlistx>",
    "<![CDATA[",
    "]]>",
    "]",
    "<pua>",
    "</pua>",
    "<a b='1'>",
    "</a>",
    "<alnode>",
    "</alnode>",
    "&amp;",
    "&#44;",
    "&x;",
    " ",
    "\t",
    "\n",
    "\r",
    "\x0b",
    "\x00",
    "wxid_a",
    "wxid_b",
    ",",
    ">",
    "<",
    "é",
    "\ud800",
    "<!DOCTYPE m>",
    "<!-- c -->",
    '<?xml version="1.0"?>',
    "<?pi x?>",
    "notify@all",
    "<a:b>",
    "</ a>",
    "</pua >",
]


@given(st.lists(st.sampled_from(_PIECES), max_size=24))
@settings(max_examples=600, deadline=None)
def test_mentions_scan_gives_the_trees_answer(pieces: list[str]) -> None:
    msg_source = "".join(pieces)
    assert _parse._mentions(msg_source) == _mentions_by_tree(msg_source)


_NAME_PIECES = ["wxid_a", "wxid_b", ",", " ", "\n", "notify@all", "\r", "&amp;", "]", "é", "\x0b"]


@given(
    st.lists(st.sampled_from(_NAME_PIECES), max_size=8),
    st.sampled_from(
        ["", "<pua>1</pua>", "\n\t<alnode>\n</alnode>", "<a>x</a>\n", "<a>\r</a>", "\x0b"]
    ),
    st.booleans(),
    st.sampled_from(["", "<silence>0</silence>", "<broken", "</msgsource>", "&bad;"]),
)
@settings(max_examples=400, deadline=None)
def test_mentions_scan_on_msgsource_shapes(
    names: list[str], before: str, cdata: bool, after: str
) -> None:
    listed = "".join(names)
    inner = f"<![CDATA[{listed}]]>" if cdata else listed
    msg_source = f"<msgsource>{before}<atuserlist>{inner}</atuserlist>{after}"
    assert _parse._mentions(msg_source) == _mentions_by_tree(msg_source)


def test_mentions_scan_gives_the_trees_answer_on_every_body() -> None:
    for body in BODIES:
        data = json.loads(body).get("Data")
        source = data.get("MsgSource") if isinstance(data, dict) else None
        if isinstance(source, str):
            assert _parse._mentions(source) == _mentions_by_tree(source)


# --- kinds told apart by the head of their XML ---------------------------------------------

_XML_PIECES = [
    "<msg>",
    "</msg>",
    "<appmsg>",
    "</appmsg>",
    "<appmsg appid=''>",
    "<type>",
    "</type>",
    "<type/>",
    "5",
    "57",
    "6",
    " 2000 ",
    " ",
    "\n",
    "\r",
    "<title>",
    "</title>",
    "<![CDATA[",
    "]]>",
    "<!--",
    "-->",
    "&amp;",
    "&x;",
    "&#53;",
    '<sysmsg type="pat">',
    "<sysmsg type='a>b'>",
    '<sysmsg type="revokemsg" type="x">',
    "</sysmsg>",
    "<sysmsg>",
    '<?xml version="1.0"?>',
    "<!DOCTYPE x>",
    "\ud800",
    "é",
    "<weappinfo>",
    "</weappinfo>",
    "<x/>",
    "\x00",
    ">",
    "<",
    "text",
    "<a:b>",
    "</ type>",
]


@given(st.lists(st.sampled_from(_XML_PIECES), max_size=20))
@settings(max_examples=800, deadline=None)
def test_a_head_tells_the_kind_the_whole_document_tells(pieces: list[str]) -> None:
    text = "".join(pieces)
    whole = parse_xml(text)
    head = parse_xml_head(text, "</type>")
    subtype = _parse._appmsg_of(head)[1]
    if subtype is not None:
        assert subtype == _parse._appmsg_of(whole)[1]
    head = parse_xml_head(text, ">")
    if head is not None:
        assert whole is not None
        assert (head.tag, head.attrib) == (whole.tag, whole.attrib)


def test_heads_tell_every_body_as_the_whole_document() -> None:
    for body in BODIES:
        data = json.loads(body).get("Data")
        content = data.get("Content") if isinstance(data, dict) else None
        text = content.get("string") if isinstance(content, dict) else None
        if not isinstance(text, str):
            continue
        head = parse_xml_head(text, "</type>")
        if _parse._appmsg_of(head)[1] is not None:
            assert _parse._appmsg_of(head)[1] == _parse._appmsg_of(parse_xml(text))[1]
        head = parse_xml_head(text, ">")
        if head is not None:
            whole = parse_xml(text)
            assert whole is not None
            assert (head.tag, head.attrib) == (whole.tag, whole.attrib)


@given(
    st.sampled_from(["", '<?xml version="1.0"?>', "<!DOCTYPE x>", "<!-- c -->", "junk", "\ud800"]),
    st.sampled_from(
        ["<msg>", "<appmsg>", '<sysmsg type="pat">', "<sysmsg type='a>b'>", "<a:b>", "<msg a='>'>"]
    ),
    st.lists(st.sampled_from(_XML_PIECES), max_size=6),
    st.sampled_from(
        [
            "<appmsg><type>5</type>",
            "<type>57</type>",
            "<type> 6 </type>",
            "<type><![CDATA[57]]></type>",
            "<type>5<!-- </type> -->7</type>",
            "<type>5<![CDATA[</type>]]>7</type>",
            "<type>&#53;7</type>",
            "<type></type>",
            "<type>5<x/>7</type>",
            "<type a='</type>'>5</type>",
        ]
    ),
    st.lists(st.sampled_from(_XML_PIECES), max_size=6),
)
@settings(max_examples=800, deadline=None)
def test_a_head_tells_the_kind_of_appmsg_shapes(
    prolog: str, root: str, middle: list[str], type_element: str, rest: list[str]
) -> None:
    text = prolog + root + "".join(middle) + type_element + "".join(rest)
    whole = parse_xml(text)
    subtype = _parse._appmsg_of(parse_xml_head(text, "</type>"))[1]
    if subtype is not None:
        assert subtype == _parse._appmsg_of(whole)[1]
    head = parse_xml_head(text, ">")
    if head is not None:
        assert whole is not None
        assert (head.tag, head.attrib) == (whole.tag, whole.attrib)


def _message_with(msg_type: int, content: str) -> dict[str, Any]:
    return {
        "TypeName": "AddMsg",
        "Appid": "wx_a",
        "Wxid": "wxid_me",
        "Data": {
            "MsgId": 1,
            "NewMsgId": 2,
            "MsgType": msg_type,
            "FromUserName": {"string": "wxid_b"},
            "ToUserName": {"string": "wxid_me"},
            "CreateTime": 1700000000,
            "Content": {"string": content},
        },
    }


def _slow_parse(body: Any) -> object:
    """`parse_callback` with every head reading off: each document parsed whole, as before."""
    never = re.compile(r"(?!)")
    with (
        mock.patch.object(_parse, "_APPMSG_HEAD", never),
        mock.patch.object(_parse, "_SYSMSG_HEAD", never),
        mock.patch.object(_parse, "parse_xml_head", return_value=None),
        mock.patch.object(_parse, "_SIMPLE_MENTIONS", never),
    ):
        event = parse_callback(body)
    return type(event), _values(event)


_APPMSG_SHAPES = st.tuples(
    st.sampled_from(["", '<?xml version="1.0"?>\n', "<!DOCTYPE x>", "\ud800", "<!-- c -->"]),
    st.sampled_from(["<msg>", "<msg>\n\t", "<msg a='1'>", "<appmsg>", "<msg><x/>"]),
    st.sampled_from(
        [
            "<appmsg>",
            '<appmsg appid="" sdkver="0">',
            '<appmsg a="1" a="2">',
            '<appmsg a="x"y">',
            '<appmsg a="\x01">',
            "<appmsg a='1'>",
        ]
    ),
    st.lists(
        st.sampled_from(
            [
                "<title>hi</title>",
                "<des><![CDATA[x]]></des>",
                "<a />",
                "<type/>",
                "\n\t",
                "<title>&amp;</title>",
                "<des>\x0b</des>",
                "<b>]]></b>",
                "<type >6</type>",
                "<weappinfo><type>1</type></weappinfo>",
                "<title>\r</title>",
                "<c></d>",
            ]
        ),
        max_size=4,
    ),
    st.sampled_from(
        [
            "<type>57</type>",
            "<type>6</type>",
            "<type>2000</type>",
            "<type>5</type>",
            "<type>33</type>",
            "<type>x</type>",
            "<type> 6 </type>",
            "<type>74</type>",
        ]
    ),
    st.sampled_from(
        [
            "",
            "</appmsg></msg>",
            "<refermsg><type>1</type></refermsg>",
            "<broken",
            "&bad;",
            "<url>addchatroombyinvite</url>",
            "\ud800",
        ]
    ),
)


@given(_APPMSG_SHAPES)
@settings(max_examples=500, deadline=None)
def test_app_messages_read_by_their_head_equal_the_whole_parse(shape: tuple[Any, ...]) -> None:
    prolog, root, appmsg, leaves, type_element, rest = shape
    content = prolog + root + appmsg + "".join(leaves) + type_element + rest
    body = _message_with(49, content)
    event = parse_callback(body)
    assert (type(event), _values(event)) == _slow_parse(body)


@given(
    st.sampled_from(["", "wxid_b:\n", "<!DOCTYPE x>", "\ud800", '<?xml version="1.0"?>']),
    st.sampled_from(
        [
            '<sysmsg type="revokemsg">',
            '<sysmsg type="pat">',
            '<sysmsg type="roomtoolstips">',
            '<sysmsg type="mmchatroombarannouncememt">',
            '<sysmsg type="sysmsgtemplate">',
            '<sysmsg type="other">',
            '<sysmsg type="pat" type="x">',
            "<sysmsg type='pat'>",
            '<sysmsg type="pat" >',
            "<sysmsg>",
        ]
    ),
    st.sampled_from(
        [
            "",
            "<revokemsg><newmsgid>5</newmsgid></revokemsg></sysmsg>",
            "<pat><fromusername>a</fromusername></pat></sysmsg>",
            "<broken",
            "&x;",
            "\x00",
        ]
    ),
)
@settings(max_examples=300, deadline=None)
def test_system_messages_read_by_their_head_equal_the_whole_parse(
    prolog: str, root: str, rest: str
) -> None:
    body = _message_with(10002, prolog + root + rest)
    event = parse_callback(body)
    assert (type(event), _values(event)) == _slow_parse(body)


def test_every_body_equals_its_whole_parse() -> None:
    for body, event in _events():
        assert (type(event), _values(event)) == _slow_parse(body)
