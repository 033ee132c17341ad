"""The contacts module: the exact JSON each method sends, its answers, and input refused."""

from __future__ import annotations

import asyncio
import json

import httpx
import jsonschema
import pytest

from gewe_async import GeweAPIError, GeweTimeoutError
from gewe_async.types.contacts import (
    ContactInfo,
    ContactSearchResult,
    ContactsList,
    FriendRelation,
    PhoneContact,
    Relation,
)
from tests.helpers import OFFICIAL, envelope
from tests.social_calls import CONTACTS as WIRE
from tests.social_calls import V3, V4
from tests.wire import call_and_capture


@pytest.mark.parametrize("path", WIRE)
async def test_sends_the_exact_json_and_parses_the_official_answer(api, client, path):
    """Each contacts method posts exactly its documented body and parses the page's answer."""
    call, body = WIRE[path]
    sent, _ = await call_and_capture(api, client, path, call)
    assert sent == body
    jsonschema.validate(sent, OFFICIAL[path]["request_schema"])


def test_every_contacts_endpoint_is_covered():
    """The wire table covers every /contacts/ page."""
    assert set(WIRE) == {p for p in OFFICIAL if p.startswith("contacts/")}


async def test_answers_become_typed_models(api, client):
    """The official examples become the documented models, nulls as None."""
    _, infos = await call_and_capture(
        api, client, "contacts/getDetailInfo", WIRE["contacts/getDetailInfo"][0]
    )
    assert isinstance(infos[0], ContactInfo)
    assert infos[0].remark is None
    assert infos[0].nick_name == "Ashley"
    _, relations = await call_and_capture(
        api, client, "contacts/checkRelation", WIRE["contacts/checkRelation"][0]
    )
    assert relations[1] == Relation("wxid_adfgsfghe2322", FriendRelation.BLOCKED_BY_THEM)
    _, found = await call_and_capture(api, client, "contacts/search", WIRE["contacts/search"][0])
    assert isinstance(found, ContactSearchResult)
    assert found.signature is None
    _, listed = await call_and_capture(
        api, client, "contacts/fetchContactsList", WIRE["contacts/fetchContactsList"][0]
    )
    assert isinstance(listed, ContactsList)
    assert "2180313478@chatroom" in listed.chatrooms
    _, phones = await call_and_capture(
        api, client, "contacts/getPhoneAddressList", WIRE["contacts/getPhoneAddressList"][0]
    )
    assert isinstance(phones[0], PhoneContact)
    assert phones[0].nick_name is None


async def test_contact_info_label_ids_parse_the_comma_list(api, client):
    """ContactInfo.label_ids turns labelList "1,2" into [1, 2] and ""/None into []."""
    assert ContactInfo("w", label_list="1,2").label_ids == [1, 2]
    assert ContactInfo("w", label_list="").label_ids == []
    assert ContactInfo("w").label_ids == []


async def test_cache_not_ready_is_none(api, client):
    """fetchContactsListCache without data (the page's example) means: not ready yet."""
    _, cached = await call_and_capture(
        api, client, "contacts/fetchContactsListCache", WIRE["contacts/fetchContactsListCache"][0]
    )
    assert cached is None


BAD_INPUT = [
    (lambda c: c.contacts.get_brief_info("wx_1", []), ValueError, "at least 1"),
    (lambda c: c.contacts.get_brief_info("wx_1", "wxid_a"), TypeError, "list of wxids"),
    (lambda c: c.contacts.get_brief_info("wx_1", ["wxid a"]), ValueError, "not a wxid"),
    (lambda c: c.contacts.get_brief_info("wx_1", ["wxid_a\x00"]), ValueError, "not a wxid"),
    (
        lambda c: c.contacts.get_brief_info("wx_1", [f"wxid_{i}" for i in range(21)]),
        ValueError,
        "get_brief_info_many",
    ),
    (
        lambda c: c.contacts.get_detail_info("wx_1", [f"wxid_{i}" for i in range(21)]),
        ValueError,
        "at most 20",
    ),
    (
        lambda c: c.contacts.check_relation("wx_1", [f"wxid_{i}" for i in range(21)]),
        ValueError,
        "at most 20",
    ),
    (lambda c: c.contacts.delete_friend("wx_1", ""), ValueError, "not a wxid"),
    (lambda c: c.contacts.delete_friend("wx_1", 12), TypeError, "str wxid"),
    (lambda c: c.contacts.set_friend_remark("wx_1", "wxid_a", "a\x07b"), ValueError, "control"),
    (lambda c: c.contacts.set_friend_permissions("wx_1", "wxid_a", 1), TypeError, "bool"),
    (
        lambda c: c.contacts.add_contacts("wx_1", scene=3, option=5, v3=V3, v4=V4),
        ValueError,
        "AddContactOption",
    ),
    (
        lambda c: c.contacts.add_contacts("wx_1", scene=float("nan"), option=2, v3=V3, v4=V4),
        TypeError,
        "scene",
    ),
    (lambda c: c.contacts.add_contacts("wx_1", scene=3, option=2, v3="", v4=V4), ValueError, "v3"),
    (lambda c: c.contacts.upload_phone_address_list("wx_1", ["12ab"]), ValueError, "phone"),
    (lambda c: c.contacts.upload_phone_address_list("wx_1", []), ValueError, "at least one"),
    (lambda c: c.contacts.search("wx_1", "  "), ValueError, "empty"),
    (lambda c: c.contacts.accept_friend_request("wx_1", v3=V3), TypeError, "v3, v4 and scene"),
]


@pytest.mark.parametrize(("call", "error", "match"), BAD_INPUT)
async def test_bad_input_is_refused_before_sending(api, client, call, error, match):
    """Malformed wxids, empty or too long lists, control characters, NaN: refused, nothing sent."""
    with pytest.raises(error, match=match):
        await call(client)
    assert not api.calls


class FriendRequestEvent:
    """Stands in for the receiving side's friend_request event: anything with v3, v4, scene."""

    v3 = V3
    v4 = V4
    scene = 6


async def test_accept_friend_request_from_an_event_or_tickets(api, client):
    """accept_friend_request sends option 3 with the event's tickets and scene, or explicit ones."""
    route = api.post("/contacts/addContacts").mock(
        return_value=httpx.Response(200, json=envelope())
    )
    await client.contacts.accept_friend_request("wx_1", FriendRequestEvent())
    await client.contacts.accept_friend_request("wx_1", v3="v3_x", v4="v4_y", scene=15)
    bodies = [json.loads(call.request.content) for call in route.calls]
    assert bodies == [
        {"appId": "wx_1", "scene": 6, "option": 3, "v3": V3, "v4": V4, "content": ""},
        {"appId": "wx_1", "scene": 15, "option": 3, "v3": "v3_x", "v4": "v4_y", "content": ""},
    ]


async def test_fetch_contacts_list_waits_longer_than_the_client_default(api, client):
    """fetchContactsList gets a 3-minute read timeout by default; timeout= still wins."""
    route = api.post("/contacts/fetchContactsList").mock(
        return_value=httpx.Response(
            200, json=OFFICIAL["contacts/fetchContactsList"]["response_example"]
        )
    )
    await client.contacts.fetch_contacts_list("wx_1")
    assert route.calls.last.request.extensions["timeout"]["read"] == 180.0
    await client.contacts.fetch_contacts_list("wx_1", timeout=7)
    assert route.calls.last.request.extensions["timeout"]["read"] == 7.0


async def test_fetch_falls_back_to_the_cache_after_a_timeout(api, client):
    """On a timeout, fetch_contacts_list_or_cache polls the cache until it has the list."""
    api.post("/contacts/fetchContactsList").mock(side_effect=httpx.ReadTimeout("slow"))
    ready = OFFICIAL["contacts/fetchContactsList"]["response_example"]
    cache = api.post("/contacts/fetchContactsListCache").mock(
        side_effect=[
            httpx.Response(200, json=envelope()),
            httpx.Response(200, json=envelope()),
            httpx.Response(200, json=ready),
        ]
    )
    listed = await client.contacts.fetch_contacts_list_or_cache(
        "wx_1", poll_interval=0, max_retries=0
    )
    assert cache.call_count == 3
    assert listed.ghs == ready["data"]["ghs"]


async def test_fetch_fallback_gives_up_after_wait(api, client):
    """If the cache never gets ready within wait, a GeweTimeoutError says so."""
    api.post("/contacts/fetchContactsList").mock(side_effect=httpx.ReadTimeout("slow"))
    api.post("/contacts/fetchContactsListCache").mock(
        return_value=httpx.Response(200, json=envelope())
    )
    with pytest.raises(GeweTimeoutError, match="cache was not ready"):
        await client.contacts.fetch_contacts_list_or_cache(
            "wx_1", poll_interval=0.001, wait=0.05, max_retries=0
        )


async def test_fetch_fallback_is_not_used_for_other_errors(api, client):
    """A refusal (not a timeout) is raised as is; the cache is not polled."""
    api.post("/contacts/fetchContactsList").mock(
        return_value=httpx.Response(200, json=envelope(ret=500, msg="操作失败"))
    )
    cache = api.post("/contacts/fetchContactsListCache")
    with pytest.raises(GeweAPIError):
        await client.contacts.fetch_contacts_list_or_cache("wx_1")
    assert not cache.called


# -- chunking -------------------------------------------------------------------------------


def brief(wxid: str) -> dict:
    return {"userName": wxid, "nickName": wxid.upper()}


async def test_many_splits_by_twenty_and_keeps_input_order(api, client):
    """45 wxids go out as 20, 20 and 5; answers come back merged in input order even if the
    server reorders them."""

    def answer(request: httpx.Request) -> httpx.Response:
        wxids = json.loads(request.content)["wxids"]
        return httpx.Response(200, json=envelope([brief(w) for w in reversed(wxids)]))

    route = api.post("/contacts/getBriefInfo").mock(side_effect=answer)
    wxids = [f"wxid_{i:02d}" for i in range(45)]
    result = await client.contacts.get_brief_info_many("wx_1", wxids)

    sizes = sorted(len(json.loads(c.request.content)["wxids"]) for c in route.calls)
    assert sizes == [5, 20, 20]
    assert [info.user_name for info in result.unwrap()] == wxids
    assert result.ok
    assert len(result) == 3


async def test_one_failed_chunk_is_reported_the_rest_kept(api, client):
    """A chunk refused by the server is listed with its wxids and error; others are kept."""

    def answer(request: httpx.Request) -> httpx.Response:
        wxids = json.loads(request.content)["wxids"]
        if "wxid_25" in wxids:
            return httpx.Response(200, json=envelope(ret=500, msg="操作失败"))
        return httpx.Response(200, json=envelope([{"wxid": w, "relation": 0} for w in wxids]))

    api.post("/contacts/checkRelation").mock(side_effect=answer)
    wxids = [f"wxid_{i:02d}" for i in range(50)]
    result = await client.contacts.check_relation_many("wx_1", wxids, max_retries=0)

    assert not result.ok
    [failed] = result.failed
    assert failed.items == tuple(wxids[20:40])
    assert isinstance(failed.error, GeweAPIError)
    assert [r.wxid for r in result.results] == wxids[:20] + wxids[40:]
    with pytest.raises(GeweAPIError):
        result.unwrap()


async def test_many_refuses_bad_input_before_any_chunk(api, client):
    """A malformed wxid anywhere in the list stops the whole call before the first request."""
    with pytest.raises(ValueError, match="not a wxid"):
        await client.contacts.get_detail_info_many(
            "wx_1", [f"wxid_{i}" for i in range(30)] + ["bad wxid"]
        )
    assert not api.calls


async def test_many_runs_under_the_per_app_id_turn(api, client):
    """Chunks of one appId go through the normal path: never two in flight at once."""
    in_flight = peak = 0

    async def answer(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        in_flight -= 1
        wxids = json.loads(request.content)["wxids"]
        return httpx.Response(200, json=envelope([brief(w) for w in wxids]))

    api.post("/contacts/getDetailInfo").mock(side_effect=answer)
    result = await client.contacts.get_detail_info_many("wx_1", [f"wxid_{i}" for i in range(100)])
    assert len(result.results) == 100
    assert peak == 1


async def test_fetch_contacts_list_honours_the_callers_total_timeout(api, client):
    """total_timeout= given by the caller replaces the 4-minute default."""
    never = asyncio.Event()

    async def hang(request: httpx.Request) -> httpx.Response:
        await never.wait()
        raise AssertionError("unreachable")

    api.post("/contacts/fetchContactsList").mock(side_effect=hang)
    call = client.contacts.fetch_contacts_list("wx_1", total_timeout=0.01)
    with pytest.raises(GeweTimeoutError, match="total timeout"):
        await asyncio.wait_for(call, 30)  # a guard against a hang, not a timing assertion
