"""The label module: the exact JSON each method sends, its answers, and input refused."""

from __future__ import annotations

import jsonschema
import pytest

from gewe_async.types.label import Label
from tests.helpers import OFFICIAL
from tests.social_calls import LABEL as WIRE
from tests.wire import call_and_capture


@pytest.mark.parametrize("path", WIRE)
async def test_sends_the_exact_json_and_parses_the_official_answer(api, client, path):
    """Each label method posts exactly its documented body and parses the page's answer."""
    call, body = WIRE[path]
    sent, _ = await call_and_capture(api, client, path, call)
    assert sent == body
    jsonschema.validate(sent, OFFICIAL[path]["request_schema"])


def test_every_label_endpoint_is_covered():
    """The wire table covers every /label/ page."""
    assert set(WIRE) == {p for p in OFFICIAL if p.startswith("label/")}


async def test_answers_become_labels(api, client):
    """label/add and label/list give Label objects with int ids."""
    _, added = await call_and_capture(api, client, "label/add", WIRE["label/add"][0])
    assert added == Label(31, "testtest")
    _, listed = await call_and_capture(api, client, "label/list", WIRE["label/list"][0])
    assert listed == [Label(1, "朋友")]


async def test_modify_member_list_may_clear_every_label(api, client):
    """An empty label list is sent as "" (the contacts keep no label)."""
    sent, _ = await call_and_capture(
        api,
        client,
        "label/modifyMemberList",
        lambda c: c.label.modify_member_list("wx_1", [], ["wxid_a"]),
    )
    assert sent == {"appId": "wx_1", "labelIds": "", "wxIds": ["wxid_a"]}


BAD_INPUT = [
    (lambda c: c.label.add("wx_1", ""), ValueError, "empty"),
    (lambda c: c.label.add("wx_1", "a\x00"), ValueError, "control"),
    (lambda c: c.label.delete("wx_1", []), ValueError, "at least one"),
    (lambda c: c.label.delete("wx_1", "31"), TypeError, "list of int"),
    (lambda c: c.label.delete("wx_1", [float("nan")]), ValueError, "NaN"),
    (lambda c: c.label.delete("wx_1", [True]), TypeError, "int id"),
    (lambda c: c.label.modify_member_list("wx_1", [1], []), ValueError, "at least 1"),
    (lambda c: c.label.add_members("wx_1", 1.0, ["wxid_a"]), TypeError, "int id"),
]


@pytest.mark.parametrize(("call", "error", "match"), BAD_INPUT)
async def test_bad_input_is_refused_before_sending(api, client, call, error, match):
    """Empty names or lists, NaN or bool ids, control characters: refused, nothing sent."""
    with pytest.raises(error, match=match):
        await call(client)
    assert not api.calls
