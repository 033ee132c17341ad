"""Retry safety of the social-graph endpoints: reads and absolute setters retry, acts do not."""

from __future__ import annotations

import httpx
import pytest

from gewe_async import AsyncGeweClient, GeweHTTPStatusError, Retries
from gewe_async._api import contacts, group, im, label
from tests.helpers import TOKEN
from tests.social_calls import CONTACTS, GROUP, IM, LABEL
from tests.wire import documented_answer

CALLS = {**CONTACTS, **GROUP, **IM, **LABEL}
ENDPOINTS = {e.path: e for m in (contacts, group, im, label) for e in m.ENDPOINTS}

#: The calls that act once: a repeat would act twice or be refused after the first took effect.
ACTS_ONCE = {
    "contacts/addContacts",
    "contacts/deleteFriend",
    "group/addGroupMemberAsFriend",
    "group/adminOperate",
    "group/agreeJoinRoom",
    "group/createChatroom",
    "group/disbandChatroom",
    "group/inviteMember",
    "group/joinRoomUsingQRCode",
    "group/quitChatroom",
    "group/removeMember",
    "group/roomAccessApplyCheckApprove",
    "group/setChatroomAnnouncement",
    "im/add",
    "label/delete",
}


def test_the_acts_once_are_endpoints_of_the_four_groups():
    """ACTS_ONCE names real paths (that the declarations match the pages is test_endpoints')."""
    assert ACTS_ONCE <= set(CALLS) == set(ENDPOINTS)


@pytest.mark.parametrize("path", sorted(CALLS))
async def test_a_502_is_retried_only_where_a_repeat_is_harmless(api, transport, path):
    """After a proxy's 502, a read or absolute setter is sent again; an act once is not."""
    route = api.post(f"/{path}").mock(
        side_effect=[
            httpx.Response(502, text="bad gateway"),
            httpx.Response(200, json=documented_answer(path)),
        ]
    )
    retries = Retries(max_retries=1, initial_delay=0.001, max_delay=0.002)
    async with AsyncGeweClient(token=TOKEN, transport=transport, retries=retries) as client:
        if path in ACTS_ONCE:
            with pytest.raises(GeweHTTPStatusError):
                await CALLS[path][0](client)
            assert route.call_count == 1
        else:
            await CALLS[path][0](client)
            assert route.call_count == 2
