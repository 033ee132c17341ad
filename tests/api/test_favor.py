"""client.favor: the exact JSON sent, the documented answers parsed, the fake, the paging."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from gewe_async import GeweAPIError
from gewe_async.testing import FakeGewe
from gewe_async.types.favor import Favorite, FavoriteSyncPage
from tests.feeds_support import fits_request_schema, through_the_fake
from tests.helpers import envelope
from tests.wire import call_and_capture

# path -> (call, the exact body it sends)
CALLS = {
    "favor/sync": (lambda c: c.favor.sync("wx_1"), {"appId": "wx_1", "syncKey": ""}),
    "favor/getContent": (
        lambda c: c.favor.get_content("wx_1", 179),
        {"appId": "wx_1", "favId": 179},
    ),
    "favor/delete": (lambda c: c.favor.delete("wx_1", 179), {"appId": "wx_1", "favId": 179}),
}


@pytest.mark.parametrize("path", CALLS)
async def test_sends_exact_json_that_fits_the_official_schema(api, client, path):
    """Each favor method sends exactly the documented body, valid against the page's schema."""
    call, body = CALLS[path]
    sent, _ = await call_and_capture(api, client, path, call)
    assert sent == body
    fits_request_schema(path, sent)


async def test_documented_answers_parse(api, client):
    """sync and getContent decode the official examples into typed models."""
    _, page = await call_and_capture(api, client, "favor/sync", CALLS["favor/sync"][0])
    assert isinstance(page, FavoriteSyncPage)
    assert page.sync_key == "CAESCAgBEJyi9e4C"
    assert page.items is not None
    assert [(x.fav_id, x.deleted) for x in page.items] == [(2, True), (1, True)]
    assert page.items[0].update_time == datetime(2015, 11, 25, 15, 38, 38, tzinfo=UTC)

    _, item = await call_and_capture(api, client, "favor/getContent", CALLS["favor/getContent"][0])
    assert isinstance(item, Favorite)
    assert item.fav_id == 179
    assert item.content.startswith("<favitem")


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda c: c.favor.get_content("wx_1", 0), ValueError),
        (lambda c: c.favor.get_content("wx_1", -1), ValueError),
        (lambda c: c.favor.get_content("wx_1", 2**64), ValueError),
        (lambda c: c.favor.get_content("wx_1", 1.0), TypeError),
        (lambda c: c.favor.delete("wx_1", True), TypeError),
        (lambda c: c.favor.sync("wx_1", "a b"), ValueError),
        (lambda c: c.favor.sync(" wx_1"), ValueError),
    ],
)
async def test_bad_input_is_refused_before_sending(api, client, call, error):
    """Ids that are not unsigned 64-bit ints, bad keys and appIds never reach the server."""
    route = api.post(url__regex=r".*").mock(return_value=httpx.Response(200, json=envelope()))
    with pytest.raises(error):
        await call(client)
    assert not route.called


@pytest.fixture
def fake() -> FakeGewe:
    fake = FakeGewe(token="fake-token")
    feeds = fake.add_device("wx_1").feeds
    feeds.page_size = 2
    for i in range(5):
        feeds.add_favorite(f"<favitem type='1'><desc>{i}</desc></favitem>")
    return fake


@pytest.mark.parametrize("path", CALLS)
async def test_fake_answers_fit_the_official_schemas(fake, path):
    """The fake answers each favor endpoint in the documented shape."""
    await through_the_fake(fake, path, CALLS[path][0] if path == "favor/sync" else _first(path))


def _first(path: str):
    name = {"favor/getContent": "get_content", "favor/delete": "delete"}[path]
    return lambda c: getattr(c.favor, name)("wx_1", 1)


async def test_fake_sync_get_delete_are_stateful(fake):
    """Deleting an item flags it in sync, hides it from iter_sync, and get_content refuses it."""
    async with fake.client() as client:
        assert (await client.favor.get_content("wx_1", 3)).content.endswith(
            "<desc>2</desc></favitem>"
        )
        await client.favor.delete("wx_1", 3)
        everything = [x async for x in client.favor.iter_sync("wx_1", include_deleted=True)]
        live = [x.fav_id async for x in client.favor.iter_sync("wx_1")]
        with pytest.raises(GeweAPIError, match="收藏不存在"):
            await client.favor.get_content("wx_1", 3)
    assert [(x.fav_id, x.deleted) for x in everything] == [
        (1, False),
        (2, False),
        (3, True),
        (4, False),
        (5, False),
    ]
    assert live == [1, 2, 4, 5]


async def test_iter_sync_stops_at_limit_without_fetching_more(fake):
    """limit=3 with pages of 2 yields 3 items from exactly 2 requests."""
    async with fake.client() as client:
        ids = [x.fav_id async for x in client.favor.iter_sync("wx_1", limit=3)]
    assert ids == [1, 2, 3]
    assert [r.endpoint for r in fake.requests] == ["favor/sync", "favor/sync"]


async def test_iter_sync_sends_the_key_of_the_page_before(fake):
    """Every page after the first asks with the syncKey the previous answer gave."""
    async with fake.client() as client:
        assert len([x async for x in client.favor.iter_sync("wx_1")]) == 5
    keys = [r.body["syncKey"] for r in fake.requests]
    assert keys[0] == ""
    assert len(set(keys)) == len(keys) == 4  # 2 + 2 + 1 items, then an empty page
