"""A callback kind is described once (issue 20, item 1).

``KINDS`` in ``callbacks/_parse.py`` is the one description of every kind: its event class and
where the parser finds it. The parser's tables, the public names and the fake's
``receive_<kind>`` methods all come from it or are checked against it here, so that adding a
kind touches its description (``CallbackKind``, its event class, its row), its parse function,
its builder and its test, and nothing else.
"""

from __future__ import annotations

import inspect
import typing
from typing import Any

import attrs
import pytest

import gewe_async.callbacks as cb
import gewe_async.testing as t
from gewe_async.callbacks import CallbackKind, _events, _parse, parse_callback
from gewe_async.testing import _push

SPECS = {spec.kind: spec for spec in _parse.KINDS}
DESCRIBED = [k for k in CallbackKind if k is not CallbackKind.UNKNOWN]

APP, BOT, FRIEND, GROUP = "wx_1", "wxid_bot", "wxid_friend", "123@chatroom"

#: The arguments each builder needs beyond app_id and wxid (their defaults do the rest).
ARGS: dict[CallbackKind, tuple[Any, ...]] = {
    CallbackKind.TEXT: (FRIEND, "hi"),
    CallbackKind.LINK: (FRIEND, "title", "https://example.com"),
    CallbackKind.FILE_NOTICE: (FRIEND, "a.pdf"),
    CallbackKind.FILE: (FRIEND, "a.pdf"),
    CallbackKind.MINI_PROGRAM: (FRIEND, "card"),
    CallbackKind.QUOTE: (FRIEND, "re", t.text_payload(APP, BOT, FRIEND, "hi")),
    CallbackKind.REVOKE: (FRIEND, t.text_payload(APP, BOT, FRIEND, "hi")),
    CallbackKind.PAT: (FRIEND, BOT),
    CallbackKind.GROUP_MEMBER_JOINED: (GROUP, [("wxid_a", "A")]),
    CallbackKind.GROUP_MEMBER_REMOVED: (GROUP, [("wxid_a", "A")]),
    CallbackKind.GROUP_DISSOLVED: (GROUP, ("wxid_o", "O")),
    CallbackKind.REMOVED_FROM_GROUP: (GROUP, "O"),
    CallbackKind.GROUP_RENAMED: (GROUP, "New"),
    CallbackKind.GROUP_OWNER_CHANGED: (GROUP,),
    CallbackKind.GROUP_ANNOUNCEMENT: (GROUP, "wxid_o", "note"),
    CallbackKind.GROUP_TODO: (GROUP, "wxid_o", "todo", 7),
    CallbackKind.GROUP_INFO_CHANGED: (GROUP,),
    CallbackKind.GROUP_QUIT: (GROUP,),
    CallbackKind.OFFLINE: (),
}
KWARGS: dict[CallbackKind, dict[str, Any]] = {
    CallbackKind.GROUP_INVITE: {"inviter_nickname": "A", "group_name": "G"},
    CallbackKind.NAME_CARD: {"username": "wxid_c", "nickname": "C"},
    CallbackKind.FRIEND_REQUEST: {"from_nickname": "R"},
    CallbackKind.LOCATION: {"latitude": 1.5, "longitude": 2.5},
}


def build(kind: CallbackKind) -> dict[str, Any]:
    if kind is CallbackKind.TEST:
        return t.test_payload()
    builder = getattr(t, f"{kind.value}_payload")
    args = ARGS.get(kind, (FRIEND,))
    payload: dict[str, Any] = builder(APP, BOT, *args, **KWARGS.get(kind, {}))
    return payload


def test_every_kind_has_exactly_one_description() -> None:
    """One row per kind but ``unknown``, and each row's event class is of that kind."""
    kinds = [spec.kind for spec in _parse.KINDS]
    assert sorted(kinds) == sorted(DESCRIBED)
    for kind, spec in SPECS.items():
        assert spec.event.kind is kind
        assert spec.where, kind


def test_every_event_class_is_described() -> None:
    """Every concrete event class of a kind has its row (the base and unknown classes aside)."""
    classes = {
        getattr(_events, name)
        for name in _events.__all__
        if isinstance(getattr(_events, name), type)
        and issubclass(getattr(_events, name), cb.CallbackEvent)
        and "kind" in vars(getattr(_events, name))
    }
    unknown = {cb.UnknownEvent, cb.UnknownMessage}
    assert classes - unknown == {spec.event for spec in _parse.KINDS}


@pytest.mark.parametrize("kind", DESCRIBED, ids=str)
def test_every_kind_is_read_back_from_its_builder(kind: CallbackKind) -> None:
    """The builder's push parses to the described event: builder, row and parse agree."""
    event = parse_callback(build(kind))
    assert type(event) is SPECS[kind].event


def test_the_parser_tables_are_made_from_the_description() -> None:
    """Every reader in the parser's tables is one the description names (or a family's)."""
    readers = {where.read for spec in _parse.KINDS for where in spec.where if where.read}
    families = {_parse._add_msg, _parse._app_message, _parse._system_message}
    tables = (
        _parse._BY_TYPE_NAME,
        _parse._BY_MSG_TYPE,
        _parse._BY_APPMSG_KIND,
        _parse._BY_SYSMSG_TYPE,
    )
    for table in tables:
        assert set(table.values()) <= readers | families
    assert set(_parse._APPMSG_KINDS.values()) <= set(SPECS)
    assert _parse._KIND_OF_MSG_TYPE[1] is CallbackKind.TEXT
    assert 10000 not in _parse._KIND_OF_MSG_TYPE  # several kinds: told apart by text


def test_a_place_read_two_ways_is_refused() -> None:
    """Two rows that read one place with different functions are a mistake, caught at import."""
    rows = (
        _parse.KindSpec(
            cb.RevokeMessage, (_parse._sys("revokemsg", _parse._at(cb.RevokeMessage)),)
        ),
        _parse.KindSpec(cb.PatMessage, (_parse._sys("revokemsg", _parse._at(cb.PatMessage)),)),
    )
    with pytest.raises(AssertionError, match="revokemsg"):
        _parse._dispatch(rows)


def test_every_kind_has_one_builder_and_one_receive_method() -> None:
    """``<kind>_payload`` and ``receive_<kind>`` for each described kind, and no others."""
    builders = {n.removesuffix("_payload") for n in _push.__all__ if n.endswith("_payload")}
    receivers = {
        n.removeprefix("receive_") for n in vars(t.CallbackBuilders) if n.startswith("receive_")
    }
    described = {k.value for k in DESCRIBED}
    assert builders == described
    assert receivers == described


@pytest.mark.parametrize("kind", [k for k in DESCRIBED if k is not CallbackKind.TEST], ids=str)
def test_each_receive_method_is_made_from_its_builder(kind: CallbackKind) -> None:
    """Its name, signature (the builder's without ``wxid``) and docs come from the builder."""
    builder = getattr(t, f"{kind.value}_payload")
    method = getattr(t.CallbackBuilders, f"receive_{kind.value}")
    assert method.__name__ == f"receive_{kind.value}"
    wanted = list(inspect.signature(builder).parameters)
    got = list(inspect.signature(method).parameters)
    assert got == ["self", wanted[0], *wanted[2:]]
    assert f"gewe_async.testing.{builder.__name__}" in method.__doc__


def test_receive_methods_are_typed_as_their_builders() -> None:
    """The annotations mypy reads carry the builder's parameters (a ParamSpec, not Any)."""
    hints = typing.get_type_hints(_push._receiver)
    assert "Concatenate" in str(hints["builder"])
    assert "Concatenate" in str(hints["return"])


def test_public_names_have_one_source() -> None:
    """The packages' ``__all__`` extend their modules' (listed once, in the module)."""
    assert set(cb.__all__) == {
        "CallbackKind",
        "GeweCallbackError",
        "parse_callback",
        *_events.__all__,
    }
    assert set(_push.__all__) <= set(t.__all__)
    assert len(t.__all__) == len(set(t.__all__))


def test_fields_read_from_data_name_their_key() -> None:
    """ModContacts fields carry their Data key as metadata, and the parser reads by it."""
    keys = {f.name: f.metadata.get(_events.DATA_KEY) for f in attrs.fields(cb.ContactChanged)}
    assert keys["nickname"] == "NickName"
    assert keys["v3"] == "EncryptUserName"
    event = parse_callback(
        t.contact_changed_payload(APP, BOT, "wxid_c", nickname="C", sex=2, v3="v3_x")
    )
    assert isinstance(event, cb.ContactChanged)
    assert (event.nickname, event.sex, event.v3) == ("C", 2, "v3_x")


def test_fields_read_from_xml_name_their_path() -> None:
    """Each XML field names its path once, as metadata, and the parser reads it from there."""
    paths = {f.name: f.metadata.get(_events.XML_PATH) for f in attrs.fields(cb.RevokeMessage)}
    assert paths["revoked_new_msg_id"] == "revokemsg/newmsgid"
    for spec in _parse.KINDS:
        named = [f for f in attrs.fields(spec.event) if _events.XML_PATH in f.metadata]
        assert len(_parse._PLANS[spec.event]) == len(named), spec.kind
    event = parse_callback(build(CallbackKind.CHANNELS))
    assert isinstance(event, cb.ChannelsMessage)
    assert (event.object_id, event.nickname) == (14264358459626428566, "国风锦鲤")
    assert event.media_url is not None
    assert event.media_url.startswith("http://wxapp.tc.qq.com")


def test_a_field_type_without_a_converter_is_refused() -> None:
    """A new XML field of a type the parser cannot convert fails when the plan is made."""

    @attrs.frozen(kw_only=True)
    class Odd(cb.MessageEvent):
        blob: bytes | None = attrs.field(default=None, metadata={_events.XML_PATH: "a/b"})

    with pytest.raises(KeyError, match="bytes"):
        _parse._plan(Odd)
