"""Property-based tests of the decoding boundary (hypothesis)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gewe_async import GeweError
from gewe_async._api.message import POST_TEXT
from gewe_async._api.personal import GET_PROFILE, GET_QR_CODE, GET_SAFETY_INFO, UPDATE_HEAD_IMG
from gewe_async._pipeline import decode
from gewe_async._redact import Redactor, Secret
from gewe_async._transport import Answer
from gewe_async.testing import FakeGewe
from gewe_async.types.personal import Profile
from tests.helpers import TOKEN

ENDPOINTS = [GET_PROFILE, GET_QR_CODE, GET_SAFETY_INFO, UPDATE_HEAD_IMG, POST_TEXT]
REDACTOR = Redactor(Secret(TOKEN))

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text()
    | st.sampled_from(["", "null", TOKEN, "微信已离线", "设备不存在"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=12,
)
#: Envelopes that reach the structuring step: ret 200 (or other codes) and any data.
envelopes = st.fixed_dictionaries(
    {"ret": st.sampled_from([200, 500, 404]), "data": json_values},
    optional={"msg": json_values},
)


def outcome(endpoint: Any, body: bytes, status: int = 200) -> object:
    try:
        return decode(endpoint, Answer(status, [], body), REDACTOR)
    except GeweError as exc:
        return exc


@given(st.sampled_from(ENDPOINTS), json_values | envelopes)
def test_any_json_answer_gives_a_model_or_a_gewe_error(endpoint, value):
    """Whatever JSON arrives, decoding returns the endpoint's model or raises a GeweError."""
    result = outcome(endpoint, json.dumps(value).encode())
    expected = type(None) if endpoint.response is None else endpoint.response
    assert isinstance(result, GeweError | expected)
    assert TOKEN not in str(result)


@given(st.sampled_from(ENDPOINTS), st.binary(max_size=64), st.integers(100, 599))
def test_any_bytes_and_status_give_a_model_or_a_gewe_error(endpoint, body, status):
    """Arbitrary bytes with any status never escape as anything but a GeweError."""
    result = outcome(endpoint, body, status)
    expected = type(None) if endpoint.response is None else endpoint.response
    assert isinstance(result, GeweError | expected)


optional_text = st.none() | st.text(max_size=30)
profiles = st.fixed_dictionaries(
    {
        "nick_name": st.text(min_size=1, max_size=30),
        "alias": optional_text,
        "mobile": optional_text,
        "signature": optional_text,
        "country": optional_text,
        "province": optional_text,
        "city": optional_text,
        "big_head_img_url": optional_text,
        "small_head_img_url": optional_text,
        "reg_country": optional_text,
        "sns_bg_img": optional_text,
        "sex": st.integers(0, 2),
        "uin": st.integers(-(2**63), 2**63 - 1),
    }
)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(profiles)
def test_any_profile_the_fake_holds_round_trips_unchanged(fields):
    """A profile stored in the fake comes back from get_profile field for field."""

    async def fetch() -> Profile:
        fake = FakeGewe()
        fake.add_device("wx_1", **fields)
        async with fake.client() as client:
            return await client.personal.get_profile("wx_1")

    profile = asyncio.run(fetch())
    assert {name: getattr(profile, name) for name in fields} == fields
    assert profile.wxid == "wxid_wx_1"


def _nest(depth: int, kind: str, leaf: Any) -> Any:
    for _ in range(depth):
        leaf = [leaf] if kind == "list" else {"msg": leaf}
    return leaf


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(ENDPOINTS),
    # Around the interpreter's recursion limit (1000 frames) is where decoders give way.
    st.integers(1, 3000) | st.integers(450, 1100),
    st.sampled_from(["list", "dict"]),
    st.sampled_from([200, 500]),
    st.booleans(),
)
def test_any_nesting_depth_gives_a_model_or_a_gewe_error(endpoint, depth, kind, ret, in_msg):
    """However deep the answer is nested, in data or msg, decoding never escapes a GeweError."""
    nested = _nest(depth, kind, TOKEN)
    envelope = {"ret": ret, "msg": nested if in_msg else "x", "data": nested}
    body = json.dumps(envelope).encode() if depth < 900 else _dumps_deep(envelope)
    result = outcome(endpoint, body)
    assert isinstance(result, GeweError | (endpoint.response or type(None)))
    assert TOKEN not in str(result)


def _dumps_deep(value: Any) -> bytes:
    # json.dumps itself recurses: build deep documents as text.
    depth = 0
    inner = value["data"]
    while isinstance(inner, list | dict):
        inner = inner[0] if isinstance(inner, list) else inner["msg"]
        depth += 1
    opened, closed = (
        ("[" * depth, "]" * depth)
        if isinstance(value["data"], list)
        else (
            '{"msg":' * depth,
            "}" * depth,
        )
    )
    doc = f"{opened}{json.dumps(inner)}{closed}"
    msg = doc if not isinstance(value["msg"], str) else json.dumps(value["msg"])
    return f'{{"ret":{value["ret"]},"msg":{msg},"data":{doc}}}'.encode()
