"""Constants and builders shared by the tests."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import httpx

from gewe_async import Retries
from tests.paths import DATA

if TYPE_CHECKING:
    from gewe_async.testing import FakeGewe

TOKEN = "tok-3f9a1c-SECRET"
BASE_URL = "http://api.geweapi.com/gewe/v2/api"

#: Schemas and examples of the official pages (tests/data/extract_spec.py made this file).
OFFICIAL: dict[str, dict[str, Any]] = json.loads(
    (DATA / "official.json").read_text(encoding="utf-8")
)


def envelope(data: Any = None, *, ret: int = 200, msg: str = "操作成功") -> dict[str, Any]:
    """Build a GeWe answer."""
    answer: dict[str, Any] = {"ret": ret, "msg": msg}
    if data is not None:
        answer["data"] = data
    return answer


#: For tests of a single attempt's outcome.
NO_RETRY = Retries(max_retries=0)


#: ``raw_post``'s default: the fake's own token.
_FAKES_TOKEN = object()


async def raw_post(
    fake: FakeGewe, path: str, body: object, token: str | object | None = _FAKES_TOKEN
) -> dict[str, Any]:
    """POST to the fake's ASGI app without the client, to see the exact answer.

    ``token``: the fake's own unless given; ``None`` sends no token header.
    """
    if token is _FAKES_TOKEN:
        token = fake.token
    headers = {"X-GEWE-TOKEN": str(token)} if token is not None else {}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=fake.app), base_url="http://127.0.0.1/v2/api"
    ) as http:
        response = await http.post(f"/{path}", json=body, headers=headers)
    assert response.status_code == 200
    answer: dict[str, Any] = response.json()
    return answer
