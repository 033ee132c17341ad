"""The WeCom module: the exact JSON each method sends, its answers, and input refused."""

from __future__ import annotations

import jsonschema
import pytest

from gewe_async.types.im import (
    ContactSearchResult,
    WeComContact,
    WeComContactDetail,
)
from tests.helpers import OFFICIAL
from tests.social_calls import IM as WIRE
from tests.social_calls import QR
from tests.wire import call_and_capture


@pytest.mark.parametrize("path", WIRE)
async def test_sends_the_exact_json_and_parses_the_official_answer(api, client, path):
    """Each im method posts exactly its documented body and parses the page's answer."""
    call, body = WIRE[path]
    sent, _ = await call_and_capture(api, client, path, call)
    assert sent == body
    jsonschema.validate(sent, OFFICIAL[path]["request_schema"])


def test_every_im_endpoint_is_covered():
    """The wire table covers every /im/ page."""
    assert set(WIRE) == {p for p in OFFICIAL if p.startswith("im/")}


async def test_answers_become_typed_models(api, client):
    """detail, search and sync give the WeCom models."""
    _, detail = await call_and_capture(api, client, "im/detail", WIRE["im/detail"][0])
    assert isinstance(detail, WeComContactDetail)
    assert detail.wording_quanpin == "hui**an"
    _, found = await call_and_capture(api, client, "im/search", WIRE["im/search"][0])
    assert isinstance(found, ContactSearchResult)
    assert found.v3 == "2598***20@openim"
    _, synced = await call_and_capture(api, client, "im/sync", WIRE["im/sync"][0])
    assert isinstance(synced[0], WeComContact)
    assert synced[0].remark == ""


BAD_INPUT = [
    (lambda c: c.im.add("wx_1", "", "v4"), ValueError, "v3"),
    (lambda c: c.im.add("wx_1", "a b", "v4"), ValueError, "spaces"),
    (lambda c: c.im.detail("wx_1", "not valid"), ValueError, "not a wxid"),
    (lambda c: c.im.search("wx_1", QR, 2), ValueError, "WeComSearchScene"),
    (lambda c: c.im.search("wx_1", ""), ValueError, "empty"),
]


@pytest.mark.parametrize(("call", "error", "match"), BAD_INPUT)
async def test_bad_input_is_refused_before_sending(api, client, call, error, match):
    """Empty tickets, malformed usernames, unknown scenes: refused, nothing sent."""
    with pytest.raises(error, match=match):
        await call(client)
    assert not api.calls
