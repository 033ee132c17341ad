"""`parse_callback`: one pushed body in, one typed event out.

How kinds are told apart (the official callback page, 回调消息详解, and pushes seen from
real servers):

- ``TypeName``: ``AddMsg`` (messages), ``ModContacts`` / ``DelContacts`` (a friend or, for
  ``...@chatroom``, a group), ``Offline``.
- ``AddMsg`` by ``MsgType``; 49 by ``msg/appmsg/type`` (never the first ``<type>`` in the
  document: quotes and mini-programs hold others), 10002 by ``sysmsg/@type``, 10000 by its
  (Chinese) text.
- Anything else with an envelope is an unknown event that keeps the payload; only a body that
  is not a callback at all raises `GeweCallbackError`.

Every kind is described once, in `KINDS` at the end of this module: its event class, where in
a push it is found, and the function that reads it there. The dispatch tables are made from
it. XML is read as late as it can be: the kind from the start of a document (a bounded match
of its plain shape, else the head parsed up to what tells it), the fields on first access of
one of them (`LAZY_FIELDS`); a quote's quoted content is a document of its own.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Final
from xml.etree.ElementTree import Element

import attrs

from gewe_async.callbacks._events import (
    DATA_KEY,
    LAZY_FIELDS,
    XML_PATH,
    CallbackEvent,
    ChannelsMessage,
    ContactChanged,
    ContactDeleted,
    EmojiMessage,
    FileMessage,
    FileNotice,
    FriendRequest,
    GroupAnnouncement,
    GroupDissolved,
    GroupInfoChanged,
    GroupInvite,
    GroupMember,
    GroupMemberJoined,
    GroupMemberRemoved,
    GroupOwnerChanged,
    GroupQuit,
    GroupRenamed,
    GroupTodo,
    ImageMessage,
    LinkMessage,
    LocationMessage,
    MessageEvent,
    MiniProgramMessage,
    NameCardMessage,
    Offline,
    PatMessage,
    QuotedMessage,
    QuoteMessage,
    RedPacketMessage,
    RemovedFromGroup,
    RevokeMessage,
    TestCallback,
    TextMessage,
    TransferMessage,
    UnknownEvent,
    UnknownMessage,
    VideoMessage,
    VoiceMessage,
)
from gewe_async.callbacks._kinds import CallbackKind
from gewe_async.callbacks._xml import (
    MAX_XML_CHARS,
    child_int,
    child_text,
    parse_xml,
    parse_xml_head,
    parses_whole,
    to_int,
)
from gewe_async.exceptions import GeweCallbackError

__all__ = ["parse_callback"]

#: What the test push contains (the official subscription page, 消息订阅).
TEST_PHRASE = "验证回调地址是否可用"

# "<wxid>:\n" before a group message's content (or "<chatroom>:\n" before a system notice).
_SENDER_PREFIX = re.compile(r"([^\s:<>]{1,128}):\n")
_CHATROOM = "@chatroom"

Fields = dict[str, Any]


def parse_callback(body: bytes | str | Mapping[str, Any]) -> CallbackEvent:
    """Turn one pushed body into its typed event.

    A pure function: the same body always gives an equal event, and nothing is stored.

    Args:
        body: The request body as received (``bytes`` or ``str`` of JSON), or the JSON already
            decoded to a mapping.

    Returns:
        The event of the push's kind (the event reference lists them all). A push with
        a GeWe envelope (``Appid`` and ``TypeName``) of a kind this version does not know is an
        [`UnknownEvent`][gewe_async.callbacks.UnknownEvent] (an
        [`UnknownMessage`][gewe_async.callbacks.UnknownMessage] for messages) holding the
        payload; XML that is broken gives its kind with the fields read before the break.

    Raises:
        GeweCallbackError: The body is not a callback: not JSON, not a JSON object, or an
            object without ``Appid`` and ``TypeName`` that is not the test push either.

    ```python
    event = parse_callback(b'{"TypeName": "Offline", "Appid": "wx_1", "Wxid": "wxid_a"}')
    assert event.kind == "offline"
    ```
    """
    payload = _decode(body)
    type_name = payload.get("TypeName")
    app_id = payload.get("Appid")
    if not isinstance(type_name, str) or not isinstance(app_id, str):
        lower = _lower_case_envelope(payload)
        if lower is None:
            return _checked(_without_envelope(payload), body)
        payload, type_name, app_id = lower
    wxid = _string(payload.get("Wxid"))
    build = _BY_TYPE_NAME.get(type_name)
    if build is not None:
        event = build(payload, app_id, wxid, type_name)
        if event is not None:
            return event if isinstance(event, MessageEvent) else _checked(event, body)
    event = UnknownEvent(app_id=app_id, wxid=wxid, type_name=type_name, raw=payload)
    return _checked(event, body)


#: The deepest JSON a push that is not a message may have. GeWe's are 4 levels deep; the
#: idempotency key of such a push is a digest of its JSON, and encoding a document nested
#: near the recursion limit could raise RecursionError later, in the receiver.
MAX_DEPTH = 32


def _checked(event: CallbackEvent, body: object) -> CallbackEvent:
    if isinstance(body, str):
        brackets = body.count("{") + body.count("[")
    elif isinstance(body, bytes | bytearray):
        # Every encoding json reads (UTF-8, -16, -32) holds the byte of "{" or "[" in each
        # bracket: the count bounds the depth from above, whatever the encoding.
        brackets = body.count(b"{") + body.count(b"[")
    else:
        brackets = MAX_DEPTH
    if brackets < MAX_DEPTH:
        return event  # each level needs its own bracket: too few to nest too deeply
    # Level by level, keeping only containers: a scalar ends its branch. The concrete types
    # are tested first, as an isinstance against the Mapping ABC costs ten times as much and
    # a contact push holds dozens of values (this walk was half of its parse).
    level: list[Any] = [event.raw]
    for _ in range(MAX_DEPTH):
        values: list[Any] = []
        for container in level:
            if type(container) is dict or isinstance(container, Mapping):
                values.extend(container.values())
            else:
                values.extend(container)
        if not values:
            return event
        level = [
            value
            for value in values
            if (kind := type(value)) is dict
            or kind is list
            or (kind not in _SCALARS and isinstance(value, Mapping | list))
        ]
    raise GeweCallbackError(f"the body is nested more than {MAX_DEPTH} levels deep")


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _decode(body: object) -> Mapping[str, Any]:
    # Concrete types first: an isinstance against the Mapping ABC is slow, and bodies are bytes.
    if type(body) is not bytes and not isinstance(body, str | bytearray):
        if isinstance(body, Mapping):
            return body
        raise GeweCallbackError(
            f"a callback body is bytes, str or a mapping, not {type(body).__name__}"
        )
    fast = _FAST_LOADS if _FAST_LOADS is not _UNRESOLVED else _resolve_fast_loads()
    if fast is not None and (type(body) is bytes or type(body) is bytearray):
        try:
            payload = fast[0](body)
        except fast[1]:
            pass  # refused (or not UTF-8 JSON): the standard library gives its verdict below
        else:
            # orjson refuses lone surrogates: nothing left to check, but for its floats.
            if type(payload) is dict and not (_may_hold_long_int(body) and _holds_float(payload)):
                return payload
    try:
        payload = _loads(body)
    except RecursionError:
        raise GeweCallbackError("the body is JSON nested too deeply to be a callback") from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
        raise GeweCallbackError(f"the body is not JSON: {exc}") from None
    if not isinstance(payload, dict):
        raise GeweCallbackError(f"the body is JSON but not an object ({type(payload).__name__})")
    if _may_hold_surrogate(body):
        _refuse_lone_surrogates(payload)
    return payload


# What a lone surrogate may come from: a "\udXXX" escape (a valid pair is two of them), a
# surrogate encoded as UTF-8 (ED A0..BF, read with "surrogatepass" as json does), or one in a
# str body. Only a body that may hold one is checked value by value, as pairs are legitimate
# (emoji sent with ensure_ascii) and most bodies hold neither.
_ESCAPE = re.compile(r"\\u[dD][89abcdefABCDEF]")
_BYTES_ESCAPE = re.compile(rb"\\u[dD][89abcdefABCDEF]")
_ENCODED = re.compile(rb"\xed[\xa0-\xbf]")
_IN_STR = re.compile("[\ud800-\udfff]")


#: The faster JSON reader, ``(loads, its error)``: orjson, when the ``speedups`` extra is
#: installed, else ``None`` (the standard library alone). Imported on the first body, not at
#: ``import gewe_async``: loading it costs more than most processes parse.
_UNRESOLVED: Final = object()
_FAST_LOADS: Any = _UNRESOLVED


def _resolve_fast_loads() -> tuple[Callable[[Any], Any], type[Exception]] | None:
    global _FAST_LOADS  # resolved once, on the first body
    try:
        import orjson  # optional (the speedups extra), and costly to import
    except ImportError:
        _FAST_LOADS = None
    else:
        _FAST_LOADS = (orjson.loads, orjson.JSONDecodeError)
    return _FAST_LOADS  # type: ignore[no-any-return]


# orjson reads an int past 64 bits as a float, where json keeps it exact: a body that may
# hold one (20 digits after ":", "," or "[", whitespace and "-" aside) goes to json. One C
# pass over a copy: digits become "0", the three separators ":", all else "x".
_LONG_INT_TABLE = bytes(
    ord("0") if chr(byte).isdigit() and byte < 128 else ord(":") if chr(byte) in ":,[" else ord("x")
    for byte in range(256)
)
_LONG_INT = b":" + b"0" * 20


def _may_hold_long_int(body: bytes | bytearray) -> bool:
    return _LONG_INT in body.translate(_LONG_INT_TABLE, b" \t\n\r-")


def _holds_float(payload: dict[str, Any]) -> bool:
    """Whether a float is anywhere in ``payload`` (where orjson may have read a long int)."""
    level: list[Any] = [payload]
    while level:
        values = [
            value
            for container in level
            for value in (container.values() if type(container) is dict else container)
        ]
        if any(type(value) is float for value in values):
            return True
        level = [value for value in values if type(value) is dict or type(value) is list]
    return False


def _may_hold_surrogate(body: object) -> bool:
    if type(body) is bytes or type(body) is bytearray:
        if body[:1] != b"{":  # another encoding, or a BOM: check the values
            return True
        return _BYTES_ESCAPE.search(body) is not None or (
            b"\xed" in body and _ENCODED.search(body) is not None
        )
    if type(body) is str:
        return _ESCAPE.search(body) is not None or _IN_STR.search(body) is not None
    return False


def _refuse_lone_surrogates(payload: Mapping[str, Any]) -> None:
    """Refuse a body with a lone surrogate: no key, journal or handler could encode it."""
    try:
        json.dumps(payload, ensure_ascii=False).encode("utf-8")
    except RecursionError:
        raise GeweCallbackError("the body is JSON nested too deeply to be a callback") from None
    except UnicodeEncodeError:
        raise GeweCallbackError(
            "the body holds a lone UTF-16 surrogate (an unpaired \\ud800-\\udfff escape): "
            "not text any encoder can write"
        ) from None


_DECODER = json.JSONDecoder()
_JSON_SPACE = " \t\n\r"


def _loads(body: bytes | str | bytearray) -> Any:
    """``json.loads(body)``, without its Python wrappers for the bodies GeWe sends.

    Bytes that start with ``{`` and no NUL after it are UTF-8 by json's own detection: they
    are decoded as json.loads decodes them and scanned directly (json.loads spends 2 us in
    Python around the scanner), raising its errors in its words. A document followed by more
    than whitespace goes to json.loads for its "Extra data" error, as does any body that does
    not start so.
    """
    if type(body) is bytes and body[:1] == b"{" and body[1:2] != b"\x00":
        text = body.decode("utf-8", "surrogatepass")
    elif type(body) is str and body[:1] == "{":
        text = body
    else:
        return json.loads(body)
    payload, end = _DECODER.raw_decode(text)
    if end != len(text) and text[end:].strip(_JSON_SPACE):
        return json.loads(body)
    return payload


def _lower_case_envelope(
    payload: Mapping[str, Any],
) -> tuple[Mapping[str, Any], str, str] | None:
    """The envelope of Gewechat's 2025-03 docker builds, as the documented one.

    Those builds sent ``appid``, ``type_name`` and ``data`` in lower case (keeping ``Wxid``);
    the same pushes otherwise. The events are built from a copy under the documented names,
    so they are equal to those of the documented envelope.
    """
    type_name = payload.get("type_name")
    app_id = payload.get("appid")
    if not isinstance(type_name, str) or not isinstance(app_id, str):
        return None
    renamed = {_DOCUMENTED_KEYS.get(key, key): value for key, value in payload.items()}
    return renamed, type_name, app_id


_DOCUMENTED_KEYS = {"appid": "Appid", "type_name": "TypeName", "data": "Data", "wxid": "Wxid"}


def _without_envelope(payload: Mapping[str, Any]) -> CallbackEvent:
    """The two documented pushes that lack the envelope; anything else is refused."""
    app_id = payload.get("Appid")
    app_id = app_id if isinstance(app_id, str) else ""
    wxid = _string(payload.get("Wxid"))
    if _mentions_test_phrase(payload, depth=3):
        return TestCallback(app_id=app_id, wxid=wxid, type_name="", raw=payload)
    # The official callback page shows, under 群聊邀请, a body of another service's shape
    # (wcId/data/messageType) as sent for Mac logins: kept as an unknown event, not refused.
    if isinstance(payload.get("wcId"), str) and "messageType" in payload:
        return UnknownEvent(app_id=app_id, wxid=payload["wcId"], type_name="", raw=payload)
    missing = [key for key in ("Appid", "TypeName") if not isinstance(payload.get(key), str)]
    raise GeweCallbackError(f"not a GeWe callback: no {' or '.join(missing)} string")


def _mentions_test_phrase(value: Any, depth: int) -> bool:
    if isinstance(value, str):
        return TEST_PHRASE in value
    if depth and isinstance(value, Mapping):
        return any(_mentions_test_phrase(item, depth - 1) for item in value.values())
    return False


# --- envelope values ----------------------------------------------------------------------


# The type checks below test the JSON decoder's own types first: an ``isinstance`` against
# the ``Mapping`` ABC costs ten times as much, and these run twenty times per callback.


def _string(value: Any) -> str | None:
    """A string field, plain or wrapped as ``{"string": ...}``; ``None`` if absent or ``{}``."""
    if type(value) is str:
        return value
    if type(value) is dict or isinstance(value, Mapping):
        inner = value.get("string")
        if type(inner) is str:
            return inner
    return None


def _int(value: Any) -> int | None:
    """An exact int (JSON ints are exact in Python); digit strings too, bools and floats not."""
    if type(value) is int:
        return value
    if type(value) is str:
        return to_int(value)
    return None


def _time(value: int | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None


# --- AddMsg -------------------------------------------------------------------------------


def _add_msg(
    payload: Mapping[str, Any], app_id: str, wxid: str | None, type_name: str
) -> CallbackEvent | None:
    data = payload.get("Data")
    if type(data) is not dict and not isinstance(data, Mapping):
        return None
    # JSON's own types inline (a call each would be a tenth of this function's time).
    get = data.get
    msg_type = value if type(value := get("MsgType")) is int else _int(value)
    new_msg_id = value if type(value := get("NewMsgId")) is int else _int(value)
    msg_id = value if type(value := get("MsgId")) is int else _int(value)
    from_wxid = _string(get("FromUserName"))
    to_wxid = _string(get("ToUserName"))
    create_time = _time(value if type(value := get("CreateTime")) is int else _int(value))
    if (
        msg_type is None
        or new_msg_id is None
        or msg_id is None
        or not from_wxid
        or not to_wxid
        or create_time is None
    ):
        return None  # not a message this version can read: an unknown event keeps it

    content = _string(data.get("Content")) or ""
    sender: str | None = from_wxid
    if from_wxid.endswith(_CHATROOM):
        chat_id = from_wxid
        prefix = _SENDER_PREFIX.match(content)
        if prefix is not None:
            content = content[prefix.end() :]
            sender = prefix.group(1) if prefix.group(1) != from_wxid else None
        else:
            sender = None
        is_group = True
    elif to_wxid.endswith(_CHATROOM):
        chat_id, is_group = to_wxid, True
    else:
        chat_id = to_wxid if from_wxid == wxid else from_wxid
        is_group = False

    msg_source = get("MsgSource")
    push_content = _string(get("PushContent"))
    fields: Fields = {
        "app_id": app_id,
        "wxid": wxid,
        "type_name": type_name,
        "raw": payload,
        "msg_id": msg_id,
        "new_msg_id": new_msg_id,
        "msg_type": msg_type,
        "from_wxid": from_wxid,
        "to_wxid": to_wxid,
        "create_time": create_time,
        "chat_id": chat_id,
        "sender_wxid": sender,
        "is_group": is_group,
        "is_self": wxid is not None and (from_wxid == wxid or sender == wxid),
        "mentions": _mentions(msg_source)
        if type(msg_source) is str and "atuserlist" in msg_source
        else (_mentions(msg_source) if isinstance(msg_source, str) else ()),
        "push_content": push_content,
        "content": content,
    }
    build = _BY_MSG_TYPE.get(msg_type)
    if build is None:
        return UnknownMessage(**fields)
    return build(fields, data)


# The shape most MsgSource documents have up to their list: a root without attributes, leaf
# children of plain text, then ``<atuserlist>`` of plain text or one CDATA section. Such a
# prefix is read as the tree reads it (expat reports the list's end before any later fault),
# so a match gives the tree's answer without a tree. Anything else (entities, CR, control
# characters, "]", attributes, another list first) does not match and is parsed.
_XML_TEXT = r"[^<&\]\r\x00-\x08\x0b\x0c\x0e-\x1f]*"
_XML_SPACE = r"[ \t\n]*"
_SIMPLE_MENTIONS = re.compile(
    rf"[^<]*<[A-Za-z_]\w*>(?:{_XML_SPACE}<(?!atuserlist>)([A-Za-z_]\w*)>{_XML_TEXT}</\1>)*"
    rf"{_XML_SPACE}<atuserlist>(?:<!\[CDATA\[({_XML_TEXT})\]\]>|({_XML_TEXT}))</atuserlist>"
)


def _mentions(msg_source: str) -> tuple[str, ...]:
    if "atuserlist" not in msg_source:  # most messages: skip parsing MsgSource at all
        return ()
    simple = (
        _SIMPLE_MENTIONS.match(msg_source)
        if msg_source.isascii()  # no surrogate, no non-ASCII whitespace or name character
        and len(msg_source) <= MAX_XML_CHARS
        and "<!DOCTYPE" not in msg_source  # parse_xml refuses the whole document
        else None
    )
    if simple is not None:
        listed: str | None = simple.group(2) if simple.group(2) is not None else simple.group(3)
    else:
        listed = child_text(parse_xml(msg_source), "atuserlist")
    if not listed:
        return ()
    return tuple(dict.fromkeys(w for w in (part.strip() for part in listed.split(",")) if w))


def _text(fields: Fields, data: Mapping[str, Any]) -> MessageEvent:
    return TextMessage(text=fields["content"], **fields)


def _buffer(data: Mapping[str, Any]) -> str | None:
    buf = data.get("ImgBuf")
    if isinstance(buf, Mapping):
        value = buf.get("buffer")
        if isinstance(value, str) and value:
            return value
    return None


_new = object.__new__
_set = object.__setattr__


def _lazy(event: type[MessageEvent], fields: Fields) -> MessageEvent:
    """``event(**fields)`` with its XML fields left unset: read on first access.

    Only the kinds `_content` registers are built so (`LAZY_FIELDS`); their fields carry no
    converter or validator, so setting them as ``__init__`` would is all it does.
    """
    built = _new(event)
    for name, value in fields.items():
        _set(built, name, value)
    return built


def _content(event: type[MessageEvent], tag: str, buffer: str = "") -> Reader:
    """The reader of a kind of its own ``MsgType``: its fields at their paths from ``tag``.

    ``tag`` is the content's element the paths start at (``""``: its root, ``<msg>``);
    ``buffer`` the field that holds the media the push carries (``ImgBuf``), if any. The
    class is known from the ``MsgType`` alone, so the XML is parsed when a field of it is first
    read, not at parse time: a bot that routes on the kind and ids never pays for it.
    """

    def locate(built: MessageEvent) -> Element | None:
        return _find(parse_xml(built.content), tag)

    _defer(event, _fields_at(event), locate)

    def read(fields: Fields, data: Mapping[str, Any]) -> MessageEvent:
        built = _lazy(event, fields)
        if buffer:
            _set(built, buffer, _buffer(data))
        return built

    return read


def _defer(
    event: type[MessageEvent],
    read: Callable[[Element | None], Fields],
    locate: Callable[[Any], Element | None],
) -> None:
    """Leave the fields ``read`` gives to first access (`LAZY_FIELDS`)."""
    LAZY_FIELDS[event] = (frozenset(read(None)), read, locate)


def _fields_at(event: type[MessageEvent]) -> Callable[[Element | None], Fields]:
    """The event's XML fields at their paths (``XML_PATH``) from an element."""
    plan = _plan(event)

    def read(element: Element | None) -> Fields:
        return _from_xml(element, plan)

    return read


def _located(built: MessageEvent) -> Element | None:
    """The element an app or system message was told apart by, found again in ``content``."""
    root = parse_xml(built.content)
    if built.msg_type == _APP:
        return _appmsg_of(root)[0]
    return root if root is not None and root.tag == "sysmsg" else None


def _at(
    event: type[MessageEvent], read: Callable[[Element | None], Fields] | None = None
) -> Callable[[Fields, Element | None], MessageEvent]:
    """The reader of a kind told apart by an element, which holds its fields.

    The fields (``read``; by default those at their paths from it) are read from the element
    on first access, not at parse time; the element is kept until then.
    """
    _defer(event, read or _fields_at(event), _located)

    def build(fields: Fields, element: Element | None) -> MessageEvent:
        built = _lazy(event, fields)
        if element is not None:  # None: found in the text, not parsed (read on first access)
            _set(built, "_lazy_source", element)
        return built

    _DEFERRED.add(build)
    return build


#: The readers that read nothing from their element at parse time (made by `_at`): a head of
#: the document is enough for them.
_DEFERRED: set[Reader] = set()


#: A field read from XML: its name, the tags down to its element, then the attribute
#: (``@name``) or child tag there, and how its text becomes the field's value.
_Step = tuple[str, tuple[str, ...], str, bool, Callable[[str | None], Any]]

_CONVERTERS: dict[str, Callable[[str | None], Any]] = {
    "str | None": lambda text: text,
    "int | None": to_int,
    "float | None": lambda text: _float(text),
    "datetime | None": lambda text: _time(to_int(text)),
}


def _plan(event: type[CallbackEvent]) -> tuple[_Step, ...]:
    """How to read the event's fields that name an XML path (its ``XML_PATH`` metadata)."""
    steps = []
    for field in attrs.fields(event):
        path = field.metadata.get(XML_PATH)
        if path is None:
            continue
        *parents, leaf = path.split("/")
        convert = _CONVERTERS[str(field.type)]  # a KeyError here: a type with no converter
        steps.append((field.name, tuple(parents), leaf.lstrip("@"), leaf[:1] == "@", convert))
    return tuple(steps)


def _from_xml(element: Element | None, plan: tuple[_Step, ...]) -> Fields:
    values: Fields = {}
    parents: dict[tuple[str, ...], Element | None] = {(): element}
    for name, tags, leaf, is_attribute, convert in plan:
        if tags in parents:
            node = parents[tags]
        else:
            node = element
            for tag in tags:  # plain tags, each looked up in C (a path would be in Python)
                node = None if node is None else node.find(tag)
            parents[tags] = node
        if node is None:
            text = None
        elif is_attribute:
            text = node.get(leaf) or None
        else:
            child = node.find(leaf)
            text = None if child is None else child.text or None
        values[name] = convert(text)
    return values


def _path(elem: Element | None, *tags: str) -> Element | tuple[()]:
    """The element at ``tags`` (plain tags, looked up in C), or ``()`` to iterate over."""
    for tag in tags:
        if elem is None:
            return ()
        elem = elem.find(tag)
    return () if elem is None else elem


def _find(root: Element | None, tag: str) -> Element | None:
    """``root`` itself when ``tag`` is empty or its own tag, else its child ``tag``."""
    if root is None or not tag or root.tag == tag:
        return root
    return root.find(tag)


def _float(value: str | None) -> float | None:
    if value is None or len(value) > 32:
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if number - number == 0 else None  # finite only


# --- MsgType 49: app messages, told apart by appmsg/type ----------------------------------

_INVITE_TITLES = frozenset({"邀请你加入群聊"})
_INVITE_URL = "addchatroombyinvite"
_LINK = "5"  # a link, or a group invitation: told apart by its URL or title


def _appmsg_of(root: Element | None) -> tuple[Element | None, str | None]:
    appmsg = _find(root, "appmsg")
    kind = child_text(appmsg, "type")
    return appmsg, kind.strip() if kind else None


def _appmsg_kind(appmsg: Element | None, subtype: str | None) -> CallbackKind:
    if subtype == _LINK:
        url = child_text(appmsg, "url") or ""
        if _INVITE_URL in url or child_text(appmsg, "title") in _INVITE_TITLES:
            return CallbackKind.GROUP_INVITE
        return CallbackKind.LINK
    if subtype is None:
        return CallbackKind.UNKNOWN
    return _APPMSG_KINDS.get(subtype, CallbackKind.UNKNOWN)


def _app_message(fields: Fields, data: Mapping[str, Any]) -> MessageEvent:
    # appmsg/type comes early in the document: the head up to the first </type> tells the
    # kind (a link or an invitation needs its url and title: the whole document then).
    content = fields["content"]
    plain = _APPMSG_HEAD.match(content)
    if plain is not None and _distinct(plain.group(1)) and parses_whole(content):
        appmsg, subtype = None, plain.group(3)  # found, and its fields read on first access
    else:
        appmsg, subtype = _appmsg_of(parse_xml_head(content, "</type>"))
    whole = subtype is None or subtype == _LINK
    if whole:
        appmsg, subtype = _appmsg_of(parse_xml(content))
    kind = _appmsg_kind(appmsg, subtype)
    build = _BY_APPMSG_KIND.get(kind)
    event = None if (appmsg is None and whole) or build is None else build(fields, appmsg)
    if not isinstance(event, MessageEvent):
        return UnknownMessage(subtype=subtype, **fields)
    if not whole:
        _unkeep(event)
    return event


# The shape most app messages start with, read as expat reads it: an optional XML
# declaration, <msg>, <appmsg> with distinct plain attributes (checked after the match),
# leaf children of plain text or one CDATA section, then <type>. The tree would give the same
# appmsg/type; anything else does not match and is parsed.
_TEXT = r"[^<&\]\r\x00-\x08\x0b\x0c\x0e-\x1f]*"
_SPACE = r"[ \t\n]*"
_NAME = r"[A-Za-z_]\w*"
_VALUE = r'[^<&"\]\r\x00-\x08\x0b\x0c\x0e-\x1f]*'
_APPMSG_HEAD = re.compile(
    rf"[^<]*(?:<\?xml version=\"1\.0\"\?>{_SPACE})?<msg>{_SPACE}"
    rf"<appmsg((?: {_NAME}=\"{_VALUE}\")*){_SPACE}>"
    rf"(?:{_SPACE}(?:<(?!type[ />])({_NAME})>(?:{_TEXT}|<!\[CDATA\[{_TEXT}\]\]>)</\2>"
    rf"|<(?!type[ />]){_NAME}{_SPACE}/>))*"
    rf"{_SPACE}<type>([0-9]{{1,9}})</type>"
)


_ATTRIBUTE_NAME = re.compile(rf" ({_NAME})=")


def _distinct(attributes: str) -> bool:
    """Whether no attribute is given twice (expat refuses the element, and the tree stops)."""
    names = _ATTRIBUTE_NAME.findall(attributes)
    return len(names) == len(set(names))


def _unkeep(event: MessageEvent) -> None:
    """Drop the element a head was read into: the fields are read from the whole document."""
    with contextlib.suppress(AttributeError):
        object.__delattr__(event, "_lazy_source")


_INVITE_TEXT = re.compile(r'"(.+?)"邀请你加入群聊"(.*)"')

#: The longest notice text the notice patterns read. GeWe's notices name a few people and a
#: group (well under 1 KiB); the patterns' lazy groups backtrack on text that repeats their
#: literals, so reading longer text would cost time quadratic in its length on the event
#: loop. Longer text is not a known notice: it is kept, as an unknown message.
NOTICE_TEXT_MAX = 4096


def _notice_text(text: str | None) -> str:
    return text if text is not None and len(text) <= NOTICE_TEXT_MAX else ""


def _group_invite(fields: Fields, appmsg: Element) -> MessageEvent:
    event = _INVITE(fields, appmsg)
    _set(event, "inviter_wxid", fields["sender_wxid"])
    return event


def _invite_fields(appmsg: Element | None) -> Fields:
    read = _from_xml(appmsg, _plan(GroupInvite))
    words = _INVITE_TEXT.match(_notice_text(read["description"]))
    read["inviter_nickname"] = words.group(1) if words else None
    read["group_name"] = (words.group(2) or None) if words else None
    return read


_INVITE = _at(GroupInvite, _invite_fields)


def _quote_fields(appmsg: Element | None) -> Fields:
    refer = None if appmsg is None else appmsg.find("refermsg")
    quoted = None if refer is None else _quoted(refer)
    return {"text": child_text(appmsg, "title"), "quoted": quoted}


def _quoted(refer: Element) -> QuotedMessage:
    # fromusr is the conversation (the group, or the sender of a private message) and
    # chatusr the sender; a group message's content may keep its "<sender>:\n" prefix.
    msg_type = child_int(refer, "type")
    sender = child_text(refer, "chatusr")
    content = child_text(refer, "content")
    if content is not None and sender is not None and content.startswith(f"{sender}:\n"):
        content = content[len(sender) + 2 :]
    text: str | None = None
    if msg_type == 1:
        kind, text = CallbackKind.TEXT, content
    elif msg_type == 49 and content is not None:
        appmsg, subtype = _appmsg_of(parse_xml(content))  # XML inside XML: parsed again
        kind, text = _appmsg_kind(appmsg, subtype), child_text(appmsg, "title")
    else:
        kind = _KIND_OF_MSG_TYPE.get(msg_type or 0, CallbackKind.UNKNOWN)
    return QuotedMessage(
        new_msg_id=child_int(refer, "svrid"),
        msg_type=msg_type,
        kind=kind,
        sender_wxid=sender,
        chat_id=child_text(refer, "fromusr"),
        display_name=child_text(refer, "displayname"),
        create_time=_time(child_int(refer, "createtime")),
        content=content,
        text=text,
    )


def _transfer_fields(appmsg: Element | None) -> Fields:
    read = _from_xml(appmsg, _plan(TransferMessage))
    read["amount"] = _amount(read["fee_desc"])
    return read


def _amount(fee_desc: str | None) -> Decimal | None:
    if not fee_desc or len(fee_desc) > 32:
        return None
    try:
        amount = Decimal(fee_desc.strip().lstrip("￥¥").replace(",", ""))
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


# --- MsgType 10002: system messages, told apart by sysmsg/@type ---------------------------


def _system_message(fields: Fields, data: Mapping[str, Any]) -> MessageEvent:
    # sysmsg/@type is on the root's start tag: the head up to the first ">" tells the kind,
    # unless the kind is told by more (a template's text) or the head cannot say.
    content = fields["content"]
    plain = _SYSMSG_HEAD.match(content)
    if plain is not None and parses_whole(content):
        subtype: str | None = plain.group(1)
        build = _BY_SYSMSG_TYPE.get(subtype or "")
        if build in _DEFERRED:  # found, and its fields read on first access
            event = build(fields, None) if build is not None else None
            return event if isinstance(event, MessageEvent) else UnknownMessage(**fields)
        root = None  # told by more than its type (a template's text): parsed whole
    else:
        root = parse_xml_head(content, ">")
        build = _sysmsg_reader(root)
    whole = root is None or build not in _DEFERRED
    if whole:
        root = parse_xml(content)
        build = _sysmsg_reader(root)
    subtype = root.get("type") if root is not None and root.tag == "sysmsg" else None
    event = None if root is None or build is None else build(fields, root)
    if not isinstance(event, MessageEvent):
        return UnknownMessage(subtype=subtype, **fields)
    if not whole:
        _unkeep(event)
    return event


# The start tag most system messages begin with: the tree would give the same root and type.
_SYSMSG_HEAD = re.compile(r'[^<]*<sysmsg type="([A-Za-z_]\w*)"[ \t\n]*>')


def _sysmsg_reader(root: Element | None) -> Reader | None:
    subtype = root.get("type") if root is not None and root.tag == "sysmsg" else None
    return _BY_SYSMSG_TYPE.get(subtype or "")


def _announcement(fields: Fields, sysmsg: Element | None) -> MessageEvent:
    event = _ANNOUNCEMENT(fields, sysmsg)
    _set(event, "publisher_wxid", fields["sender_wxid"])
    return event


_ANNOUNCEMENT = _at(GroupAnnouncement)
_DEFERRED.add(_announcement)


_QUOTED_NAMES = re.compile(r'"(.+?)"')


def _names(text: str | None) -> list[str]:
    return _QUOTED_NAMES.findall(_notice_text(text))


def _mac_join(fields: Fields, sysmsg: Element) -> MessageEvent:
    """A join as Mac logins report it (``delchatroommember``, despite the name)."""
    node = sysmsg.find("delchatroommember")
    text = (child_text(node, "plain") or child_text(node, "text") or "").strip() or None
    wxids = [u.text for u in _path(node, "link", "memberlist") if u.tag == "username"]
    names = _names(text)
    inviter_nickname = None
    if text is not None and not text.startswith("你") and len(names) > 1:
        inviter_nickname, names = names[0], names[1:]
    if len(names) != len(wxids):
        names = []
    members = tuple(
        GroupMember(wxid=wxid or None, nickname=names[i] if names else None)
        for i, wxid in enumerate(wxids)
    )
    return GroupMemberJoined(
        members=members,
        inviter_wxid=fields["wxid"] if text is not None and text.startswith("你") else None,
        inviter_nickname=inviter_nickname,
        text=text,
        **fields,
    )


# Links of a sysmsgtemplate that name who acted, not whom it was done to.
_ACTOR_LINKS = frozenset({"username", "from", "identity"})


def _template(fields: Fields, sysmsg: Element) -> MessageEvent | None:
    """Kick, dissolve and join notices: one template each, told apart by its text."""
    template_node = sysmsg.find("sysmsgtemplate")
    tmpl = None if template_node is None else template_node.find("content_template")
    template = child_text(tmpl, "template") or ""
    links: dict[str, tuple[GroupMember, ...]] = {}
    for link in _path(tmpl, "link_list"):
        links[link.get("name") or ""] = tuple(
            GroupMember(
                wxid=child_text(member, "username"), nickname=child_text(member, "nickname")
            )
            for member in _path(link, "memberlist")
            if member.tag == "member"
        )
    by_self = template.startswith("你")
    actors = [m for name, ms in links.items() if name in _ACTOR_LINKS for m in ms]
    others = tuple(
        m for name, ms in links.items() if name not in _ACTOR_LINKS and name != "others" for m in ms
    )
    actor = actors[0] if actors else None
    if "解散" in template:
        return GroupDissolved(
            owner_wxid=actor.wxid if actor else None,
            owner_nickname=actor.nickname if actor else None,
            text=template or None,
            **fields,
        )
    if "移出" in template:
        return GroupMemberRemoved(
            members=others,
            operator_wxid=fields["wxid"] if by_self else (actor.wxid if actor else None),
            text=template or None,
            **fields,
        )
    if "加入" in template:
        inviter = actor
        if "二维码" in template:  # "$adder$" joined by scanning "$from$"'s QR code
            members = links.get("adder", ())
            sharers = links.get("from", ())
            inviter = sharers[0] if sharers else None
        elif "邀请你" in template:
            members = (GroupMember(wxid=fields["wxid"], nickname=None),)
        else:
            members = others
        return GroupMemberJoined(
            members=members,
            inviter_wxid=fields["wxid"] if by_self else (inviter.wxid if inviter else None),
            inviter_nickname=None if by_self or inviter is None else inviter.nickname,
            text=template or None,
            **fields,
        )
    return None


# --- MsgType 10000: group notices, told apart by their (Chinese) text ---------------------

_REMOVED = re.compile(r'你被"(.+)"移出群聊')
_RENAMED = re.compile(r'(?:你|"(.+?)")修改群名为“(.*)”')
_NEW_OWNER = re.compile(r'(?:你|"(.+?)")已成为新群主')
_JOINED = re.compile(r'(?:你|"(.+?)")邀请"(.+)"加入了群聊')
_JOINED_BY_QR = re.compile(r'"(.+?)"通过扫描(?:你|"(.+?)")分享的二维码加入群聊')


def _notice(fields: Fields, data: Mapping[str, Any]) -> MessageEvent:
    text: str = fields["content"]
    account = fields["wxid"]
    if not fields["is_group"] or len(text) > NOTICE_TEXT_MAX:
        return UnknownMessage(**fields)
    if words := _REMOVED.match(text):
        return RemovedFromGroup(operator_nickname=words.group(1), **fields)
    if words := _RENAMED.match(text):
        return GroupRenamed(
            new_name=words.group(2) or None,
            operator_wxid=None if words.group(1) else account,
            operator_nickname=words.group(1),
            **fields,
        )
    if words := _NEW_OWNER.match(text):
        return GroupOwnerChanged(
            new_owner_wxid=None if words.group(1) else account,
            new_owner_nickname=words.group(1),
            **fields,
        )
    if words := _JOINED.match(text):
        joined = words.group(2).split('"、"')
        return GroupMemberJoined(
            members=tuple(GroupMember(wxid=None, nickname=name) for name in joined),
            inviter_wxid=None if words.group(1) else account,
            inviter_nickname=words.group(1),
            text=text,
            **fields,
        )
    if words := _JOINED_BY_QR.match(text):
        return GroupMemberJoined(
            members=(GroupMember(wxid=None, nickname=words.group(1)),),
            inviter_wxid=None if words.group(2) else account,
            inviter_nickname=words.group(2),
            text=text,
            **fields,
        )
    return UnknownMessage(**fields)


# --- ModContacts, DelContacts, Offline ----------------------------------------------------


def _mod_contacts(
    payload: Mapping[str, Any], app_id: str, wxid: str | None, type_name: str
) -> CallbackEvent | None:
    data = payload.get("Data")
    if not isinstance(data, Mapping):
        return None
    username = _string(data.get("UserName"))
    if not username:
        return None
    common: Fields = {"app_id": app_id, "wxid": wxid, "type_name": type_name, "raw": payload}
    if username.endswith(_CHATROOM):
        return GroupInfoChanged(group_id=username, **_from_data(data, _GROUP_DATA), **common)
    return ContactChanged(contact_wxid=username, **_from_data(data, _CONTACT_DATA), **common)


def _data_fields(event: type[CallbackEvent]) -> tuple[tuple[str, str, bool], ...]:
    """``(field, Data key, is a number)`` of each field the event reads from ``Data``."""
    return tuple(
        (field.name, field.metadata[DATA_KEY], field.type == "int | None")
        for field in attrs.fields(event)
        if DATA_KEY in field.metadata
    )


_CONTACT_DATA = _data_fields(ContactChanged)
_GROUP_DATA = _data_fields(GroupInfoChanged)


def _from_data(data: Mapping[str, Any], fields: tuple[tuple[str, str, bool], ...]) -> Fields:
    return {
        name: _int(data.get(key)) if number else (_string(data.get(key)) or None)
        for name, key, number in fields
    }


def _del_contacts(
    payload: Mapping[str, Any], app_id: str, wxid: str | None, type_name: str
) -> CallbackEvent | None:
    data = payload.get("Data")
    username = _string(data.get("UserName")) if isinstance(data, Mapping) else None
    if not username:
        return None
    if username.endswith(_CHATROOM):
        return GroupQuit(
            group_id=username, app_id=app_id, wxid=wxid, type_name=type_name, raw=payload
        )
    return ContactDeleted(
        contact_wxid=username, app_id=app_id, wxid=wxid, type_name=type_name, raw=payload
    )


def _offline(
    payload: Mapping[str, Any], app_id: str, wxid: str | None, type_name: str
) -> CallbackEvent:
    return Offline(app_id=app_id, wxid=wxid, type_name=type_name, raw=payload)


# --- the kinds, described once -------------------------------------------------------------

#: What reads a push into its event: the envelope readers take the payload, app id, wxid and
#: type name; the message readers the message fields and ``Data`` (or the element the kind
#: is told apart by); a reader may find the push is not its kind and give ``None``.
Reader = Callable[..., CallbackEvent | None]

_ADD_MSG = "AddMsg"
_APP = 49
_SYSTEM = 10002
_NOTICE_TYPE = 10000


@attrs.frozen
class Where:
    """Where the parser finds a kind in a push, and the function that reads it there."""

    type_name: str
    """The envelope's ``TypeName`` (``""``: a push without one, the test push)."""
    msg_type: int | None = None
    """``AddMsg``'s ``MsgType``."""
    subtype: str | None = None
    """What tells kinds of one ``MsgType`` apart: ``appmsg/type`` (49), ``sysmsg/@type`` (10002)."""
    read: Reader | None = None
    """The function that reads the push there (``None``: read where it is told apart)."""


@attrs.frozen
class KindSpec:
    """One kind, described once: its event class and where the parser finds it."""

    event: type[CallbackEvent]
    """The event class; its ``kind`` is the kind described."""
    where: tuple[Where, ...]
    """Every place the kind is found (a join, for one, is pushed three ways)."""

    @property
    def kind(self) -> CallbackKind:
        """The kind described."""
        return self.event.kind


def _spec(event: type[CallbackEvent], *where: Where) -> KindSpec:
    return KindSpec(event, where)


def _message(msg_type: int, read: Reader) -> Where:
    return Where(_ADD_MSG, msg_type, read=read)


def _app(subtype: str, read: Reader) -> Where:
    return Where(_ADD_MSG, _APP, subtype, read)


def _sys(subtype: str, read: Reader) -> Where:
    return Where(_ADD_MSG, _SYSTEM, subtype, read)


def _envelope(type_name: str, read: Reader) -> Where:
    return Where(type_name, read=read)


_NOTICE = _message(_NOTICE_TYPE, _notice)  # told apart by its text
_MINI_PROGRAM = _at(MiniProgramMessage)

#: Every kind but ``unknown``, described once; the dispatch tables below are made from it.
KINDS: Final[tuple[KindSpec, ...]] = (
    _spec(TextMessage, _message(1, _text)),
    _spec(ImageMessage, _message(3, _content(ImageMessage, "img", "thumb_base64"))),
    _spec(VoiceMessage, _message(34, _content(VoiceMessage, "voicemsg", "voice_base64"))),
    _spec(VideoMessage, _message(43, _content(VideoMessage, "videomsg"))),
    _spec(EmojiMessage, _message(47, _content(EmojiMessage, "emoji"))),
    _spec(NameCardMessage, _message(42, _content(NameCardMessage, ""))),
    _spec(FriendRequest, _message(37, _content(FriendRequest, ""))),
    _spec(LocationMessage, _message(48, _content(LocationMessage, "location"))),
    _spec(LinkMessage, _app(_LINK, _at(LinkMessage))),
    _spec(GroupInvite, _app(_LINK, _group_invite)),
    _spec(FileNotice, _app("74", _at(FileNotice))),
    _spec(FileMessage, _app("6", _at(FileMessage))),
    _spec(MiniProgramMessage, _app("33", _MINI_PROGRAM), _app("36", _MINI_PROGRAM)),
    _spec(QuoteMessage, _app("57", _at(QuoteMessage, _quote_fields))),
    _spec(TransferMessage, _app("2000", _at(TransferMessage, _transfer_fields))),
    _spec(RedPacketMessage, _app("2001", _at(RedPacketMessage))),
    _spec(ChannelsMessage, _app("51", _at(ChannelsMessage))),
    _spec(RevokeMessage, _sys("revokemsg", _at(RevokeMessage))),
    _spec(PatMessage, _sys("pat", _at(PatMessage))),
    _spec(GroupTodo, _sys("roomtoolstips", _at(GroupTodo))),
    _spec(GroupAnnouncement, _sys("mmchatroombarannouncememt", _announcement)),
    _spec(
        GroupMemberJoined,
        _sys("delchatroommember", _mac_join),
        _sys("sysmsgtemplate", _template),
        _NOTICE,
    ),
    _spec(GroupMemberRemoved, _sys("sysmsgtemplate", _template)),
    _spec(GroupDissolved, _sys("sysmsgtemplate", _template)),
    _spec(RemovedFromGroup, _NOTICE),
    _spec(GroupRenamed, _NOTICE),
    _spec(GroupOwnerChanged, _NOTICE),
    _spec(ContactChanged, _envelope("ModContacts", _mod_contacts)),
    _spec(GroupInfoChanged, _envelope("ModContacts", _mod_contacts)),
    _spec(ContactDeleted, _envelope("DelContacts", _del_contacts)),
    _spec(GroupQuit, _envelope("DelContacts", _del_contacts)),
    _spec(Offline, _envelope("Offline", _offline)),
    _spec(TestCallback, Where("")),  # no envelope: told by its text (_without_envelope)
)


@attrs.frozen
class _Dispatch:
    """The parser's tables, made from `KINDS`."""

    by_type_name: dict[str, Reader] = attrs.field(factory=dict)
    by_msg_type: dict[int, Reader] = attrs.field(factory=dict)
    by_appmsg_kind: dict[CallbackKind, Reader] = attrs.field(factory=dict)
    appmsg_kinds: dict[str, CallbackKind] = attrs.field(factory=dict)
    by_sysmsg_type: dict[str, Reader] = attrs.field(factory=dict)
    kind_of_msg_type: dict[int, CallbackKind] = attrs.field(factory=dict)


def _put(table: dict[Any, Any], key: object, value: object) -> None:
    if table.setdefault(key, value) != value:
        raise AssertionError(f"KINDS reads {key!r} two ways: {table[key]!r} and {value!r}")


def _dispatch(kinds: Iterable[KindSpec]) -> _Dispatch:
    tables = _Dispatch(
        by_type_name={_ADD_MSG: _add_msg},
        by_msg_type={_APP: _app_message, _SYSTEM: _system_message},
    )
    claims: dict[int, set[CallbackKind]] = {}
    for spec in kinds:
        for where in spec.where:
            if where.read is None:
                continue  # found before any table is read (the test push)
            if where.type_name != _ADD_MSG:
                _put(tables.by_type_name, where.type_name, where.read)
            elif where.msg_type == _APP and where.subtype is not None:
                _put(tables.by_appmsg_kind, spec.kind, where.read)
                if where.subtype != _LINK:  # a link or an invitation: see _appmsg_kind
                    _put(tables.appmsg_kinds, where.subtype, spec.kind)
            elif where.msg_type == _SYSTEM and where.subtype is not None:
                _put(tables.by_sysmsg_type, where.subtype, where.read)
            elif where.msg_type is not None:
                _put(tables.by_msg_type, where.msg_type, where.read)
                claims.setdefault(where.msg_type, set()).add(spec.kind)
    # A quoted message is told apart by its type alone: only the types that are one kind.
    for msg_type, claimed in claims.items():
        if len(claimed) == 1:
            tables.kind_of_msg_type[msg_type] = next(iter(claimed))
    return tables


_TABLES = _dispatch(KINDS)
#: How each event class reads its fields from XML, made once from its fields' metadata.
_PLANS: Final = {spec.event: _plan(spec.event) for spec in KINDS}
_BY_TYPE_NAME: Final = _TABLES.by_type_name
_BY_MSG_TYPE: Final = _TABLES.by_msg_type
_BY_APPMSG_KIND: Final = _TABLES.by_appmsg_kind
_APPMSG_KINDS: Final = _TABLES.appmsg_kinds
_BY_SYSMSG_TYPE: Final = _TABLES.by_sysmsg_type
_KIND_OF_MSG_TYPE: Final = _TABLES.kind_of_msg_type
