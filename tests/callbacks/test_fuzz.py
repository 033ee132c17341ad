"""Fuzzing parse_callback: whatever comes in, an event or GeweCallbackError comes out."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gewe_async.callbacks import CallbackEvent, GeweCallbackError, parse_callback
from gewe_async.callbacks._parse import _loads
from gewe_async.callbacks._xml import parse_xml
from tests.paths import DATA

FIXTURES = {
    path.stem: json.loads(path.read_text(encoding="utf-8"))
    for path in sorted((DATA / "callbacks").glob("*.json"))
}

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=25,
)
envelope_keys = st.sampled_from(
    ["TypeName", "Appid", "Wxid", "Data", "MsgType", "NewMsgId", "Content", "FromUserName"]
)


def outcome(body: Any) -> CallbackEvent | None:
    """The event, or None for GeweCallbackError; anything else raised fails the test."""
    try:
        event = parse_callback(body)
    except GeweCallbackError:
        return None
    assert isinstance(event, CallbackEvent)
    hash(event)  # frozen and hashable, whatever it holds
    assert isinstance(event.idempotency_key, str)
    assert isinstance(event.chat_key, str)
    return event


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes(body: bytes) -> None:
    """Arbitrary bytes: an event or GeweCallbackError."""
    outcome(body)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_any_json(value: Any) -> None:
    """Any JSON value, as text and as decoded: an event or GeweCallbackError."""
    outcome(json.dumps(value))
    outcome(value if isinstance(value, dict) else json.dumps(value))


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(envelope_keys, json_values, max_size=6),
    st.sampled_from(["AddMsg", "ModContacts", "DelContacts", "Offline", "X"]),
)
def test_envelopes_with_random_contents(body: dict[str, Any], type_name: str) -> None:
    """An envelope with random Data: always an event, never an error."""
    body = {**body, "TypeName": type_name, "Appid": "wx"}
    assert outcome(body) is not None


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += paths(item, (*prefix, i))
    return found


def set_at(value: Any, path: tuple[Any, ...], new: Any, *, delete: bool = False) -> None:
    for key in path[:-1]:
        value = value[key]
    if delete:
        del value[path[-1]]
    else:
        value[path[-1]] = new


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(FIXTURES)), st.data())
def test_mutated_fixtures(kind: str, data: st.DataObject) -> None:
    """Documented examples with a field removed or of the wrong type: never a crash."""
    body = copy.deepcopy(FIXTURES[kind])
    for _ in range(data.draw(st.integers(1, 3))):
        where = paths(body)
        if not where:
            break
        path = data.draw(st.sampled_from(where))
        if data.draw(st.booleans()):
            set_at(body, path, None, delete=True)
        else:
            set_at(body, path, data.draw(json_values))
    event = outcome(body)
    if "TypeName" in body and "Appid" in body and isinstance(body["Appid"], str):
        assert event is not None or not isinstance(body["TypeName"], str)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(sorted(FIXTURES)), st.data())
def test_truncated_and_corrupted_xml(kind: str, data: st.DataObject) -> None:
    """XML content cut anywhere or with a character changed keeps the kind."""
    body = copy.deepcopy(FIXTURES[kind])
    content = (body.get("Data") or {}).get("Content")
    if not isinstance(content, dict) or "<" not in content.get("string", ""):
        return
    text: str = content["string"]
    cut = data.draw(st.integers(0, len(text)))
    if data.draw(st.booleans()):
        text = text[:cut]
    else:
        text = (
            text[:cut]
            + data.draw(st.sampled_from(["<", ">", "&", '"', "\x00", "]]>"]))
            + text[cut:]
        )
    content["string"] = text
    event = outcome(body)
    assert event is not None
    if kind not in (
        "link",
        "file",
        "file_notice",
        "mini_program",
        "quote",
        "transfer",
        "red_packet",
        "channels",
        "group_invite",
        "revoke",
        "pat",
        "group_todo",
        "group_announcement",
        "group_member_joined",
        "group_member_removed",
        "group_dissolved",
    ):
        # Kinds told by MsgType alone keep their class however broken the XML is.
        assert event.kind == kind


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_parse_xml_never_raises(text: str) -> None:
    """Any text: a tree, a partial tree or None."""
    parse_xml(text)
    parse_xml("<msg>" + text)


def json_outcome(decode: Any, body: Any) -> tuple[str, str]:
    """What decoding gives: the value's repr, or the exception's type and message."""
    try:
        return "value", repr(decode(body))
    except (ValueError, RecursionError) as exc:
        return type(exc).__name__, str(exc)


tails = st.sampled_from(["", "\n", " \t\r\n", " x", "\x0b", "\u00a0", "}", "{}"])


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(max_size=8), json_values, max_size=4), tails, st.booleans())
def test_short_json_path_matches_json_loads_on_objects(
    value: dict[str, Any], tail: str, as_bytes: bool
) -> None:
    """Objects with any trailing text decode (or fail, same words) exactly as json.loads."""
    text = json.dumps(value, ensure_ascii=False) + tail
    body: Any = text.encode("utf-8", "surrogatepass") if as_bytes else text
    assert json_outcome(_loads, body) == json_outcome(json.loads, body)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=60))
def test_short_json_path_matches_json_loads_on_any_bytes(tail: bytes) -> None:
    """Bytes after "{" (NULs, bad UTF-8, surrogates) decode or fail exactly as json.loads."""
    for body in (b"{" + tail, b'{"a": "' + tail + b'"}', b"{}" + tail):
        assert json_outcome(_loads, body) == json_outcome(json.loads, body)
        text = body.decode("utf-8", "surrogatepass") if body.isascii() else None
        if text is not None:
            assert json_outcome(_loads, text) == json_outcome(json.loads, text)
