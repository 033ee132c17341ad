"""Typed use of the social graph and feeds groups, checked by `mypy --strict` (never run)."""

from __future__ import annotations

from typing import Literal, assert_type

from gewe_async import AsyncGeweClient
from gewe_async.types.contacts import ChunkedResult, ContactInfo
from gewe_async.types.group import CreatedChatroom
from gewe_async.types.sns import Moment, MomentPostError, PostedMoment


async def graph_and_feeds(client: AsyncGeweClient) -> None:
    brief = await client.contacts.get_brief_info_many("wx_1", ["wxid_a", "wxid_b"])
    assert_type(brief, ChunkedResult[ContactInfo])
    room = await client.group.create_chatroom("wx_1", ["wxid_a", "wxid_b"])
    assert_type(room, CreatedChatroom)
    async for moment in client.sns.iter_sns_list("wx_1", limit=10):
        assert_type(moment, Moment)
    try:
        posted = await client.sns.post_images("wx_1", ["https://x.test/a.jpg"], content="hi")
        assert_type(posted, PostedMoment)
    except MomentPostError as exc:
        assert_type(exc.step, Literal["upload", "send"])


async def wrong_calls_are_type_errors(client: AsyncGeweClient) -> None:
    await client.contacts.get_brief_info("wx_1", [1, 2])  # type: ignore[list-item]
    await client.group.create_chatroom("wx_1")  # type: ignore[call-arg]
