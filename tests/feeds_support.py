"""Shared by the Moments, favorites and Channels tests: official schemas, the mock, the fake.

The documented answers and the wire helper are tests/wire.py's (``answer_for`` is its
``documented_answer``, under the name these tests knew).
"""

from __future__ import annotations

import copy
import json
from typing import Any

import httpx
import jsonschema

from gewe_async import AsyncGeweClient
from gewe_async.testing import FakeGewe
from tests.helpers import OFFICIAL
from tests.wire import Call
from tests.wire import documented_answer as answer_for

__all__ = [
    "Recording",
    "answer_for",
    "fake_client",
    "fits_request_schema",
    "request_schema",
    "response_schema",
    "through_the_fake",
]


def _loosen(schema: dict[str, Any], *path: str, to: list[str]) -> None:
    node = schema
    for key in path:
        node = node["items"] if key == "[]" else node["properties"][key]
    node["type"] = to


def response_schema(path: str) -> dict[str, Any]:
    """The page's response schema, with the deviations its own example documents."""
    schema = copy.deepcopy(OFFICIAL[path]["response_schema"])
    if path in ("sns/snsList", "sns/contactsSnsList"):
        # The schema types the lists null; the contactsSnsList example fills them.
        for name in ("commentList", "likeList", "withUserList"):
            _loosen(schema, "data", "snsList", "[]", name, to=["array", "null"])
    if path == "finder/comment":
        _loosen(schema, "data", "commentId", to=["integer", "null"])
    if path == "finder/search":
        # The example's search results lack two fields the schema requires.
        box = schema["properties"]["data"]["properties"]["data"]["items"]
        item = box["properties"]["subBoxes"]["items"]["properties"]["items"]["items"]
        item["required"] = [
            r for r in item["required"] if r not in ("report_iteminfo_list_str", "likeNum")
        ]
    if path == "finder/followList":
        # The example's extInfo has only sex.
        contact = schema["properties"]["data"]["properties"]["contactList"]["items"]
        contact["properties"]["extInfo"]["required"] = ["sex"]
    return schema


def request_schema(path: str) -> dict[str, Any]:
    """The page's request schema, with the deviations its own example documents."""
    schema = copy.deepcopy(OFFICIAL[path]["request_schema"])
    if path == "sns/commentSns":
        # commentId: the schema says string, the example sends 0 (we follow the example).
        _loosen(schema, "commentId", to=["integer"])
    if path == "sns/uploadSnsImage":
        # The schema bounds each URL to 1..9 characters; the example sends ten long URLs.
        # Read as: one URL or more, of any length.
        item = schema["properties"]["imgUrls"]["items"]
        del item["minLength"], item["maxLength"]
        schema["properties"]["imgUrls"]["minItems"] = 1
    return schema


class Recording(httpx.AsyncBaseTransport):
    """A transport to the fake that keeps every raw answer, to check it against the schemas."""

    def __init__(self, fake: FakeGewe) -> None:
        self.inner = httpx.ASGITransport(app=fake.app)
        self.answers: list[Any] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        body = await response.aread()
        self.answers.append(json.loads(body))
        return httpx.Response(response.status_code, headers=response.headers, content=body)


def fake_client(fake: FakeGewe) -> tuple[AsyncGeweClient, Recording]:
    """A client of the fake whose transport records the raw answers."""
    recording = Recording(fake)
    client = AsyncGeweClient(
        token=fake.token, base_url="http://127.0.0.1/v2/api", transport=recording
    )
    return client, recording


async def through_the_fake(fake: FakeGewe, path: str, call: Call) -> Any:
    """Run ``call`` on the fake; check its raw answer against the official response schema."""
    client, recording = fake_client(fake)
    async with client:
        result = await call(client)
    assert fake.requests[-1].endpoint == path
    answer = recording.answers[-1]
    assert answer["ret"] == 200, answer
    jsonschema.validate(answer, response_schema(path))
    return result


def fits_request_schema(path: str, body: dict[str, Any]) -> None:
    """Check a body we send against the page's request schema."""
    jsonschema.validate(body, request_schema(path))
