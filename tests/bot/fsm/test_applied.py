"""A message handed out again after its handler wrote the conversation is not taken twice."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from gewe_async.bot import Context, Dispatcher
from gewe_async.bot.fsm import BaseStorage, storage_from_url
from gewe_async.callbacks import TextMessage, parse_callback
from tests.bot_helpers import FRIEND, text_push

_prefixes = itertools.count()


@pytest.fixture(params=["memory", "sqlite", "redis"])
async def storage(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[BaseStorage]:
    if request.param == "memory":
        url = "memory"
    elif request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'bot.db-state'}"
    else:
        url = request.getfixturevalue("redis_url")
    async with storage_from_url(url, prefix=f"applied{next(_prefixes)}") as opened:
        yield opened


def counting_bot(storage: BaseStorage) -> tuple[Dispatcher, list[str]]:
    dp = Dispatcher(storage=storage)  # its handler calls no client
    taken: list[str] = []

    @dp.on(TextMessage)
    async def step(event: TextMessage, ctx: Context) -> None:
        taken.append(event.text)
        await ctx.state.set("next", last=event.text)

    return dp, taken


async def test_a_message_that_wrote_its_conversation_is_not_run_again(storage) -> None:
    dp, taken = counting_bot(storage)
    name = parse_callback(text_push("Ada"))
    await dp.dispatch(name)
    again = await dp.dispatch(name, attempt=2)  # a journal hands it out again after a crash
    assert again.handled
    assert taken == ["Ada"]
    await dp.dispatch(parse_callback(text_push("Paris")))
    assert taken == ["Ada", "Paris"]
    key = dp.storage.conversation(name).key
    assert await dp.storage.get_data(key) == {"last": "Paris"}  # the marker is never data


async def test_a_message_handed_out_again_that_wrote_nothing_runs_again(storage) -> None:
    dp, taken = counting_bot(storage)
    first = parse_callback(text_push("Ada"))
    await dp.dispatch(first)
    later = parse_callback(text_push("Paris"))  # its process died before its handler wrote
    await dp.dispatch(later, attempt=2)
    assert taken == ["Ada", "Paris"]


async def test_a_data_name_like_the_marker_keyword_is_still_data(storage) -> None:
    dp = Dispatcher(storage=storage)
    event = parse_callback(text_push("hi", sender=FRIEND))
    conversation = dp.storage.conversation(event)
    await conversation.update(applied=True)
    assert await conversation.get_data() == {"applied": True}
    assert await conversation.applied()
