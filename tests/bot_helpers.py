"""Pushes and servers shared by the bot tests (text messages, the test push, raw bodies)."""

from __future__ import annotations

import asyncio
import inspect
import itertools
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from gewe_async.bot import Journal
from gewe_async.testing._server import running_server

BOT_APP = "wx_bot"
BOT_WXID = "wxid_wx_bot"  # FakeDevice's default wxid for wx_bot
FRIEND = "wxid_friend"
GROUP = "123456@chatroom"

_ids = itertools.count(7773749793478223190)


def text_push(
    text: str,
    *,
    app_id: str = BOT_APP,
    account: str = BOT_WXID,
    sender: str = FRIEND,
    group: str | None = None,
    mentions: tuple[str, ...] = (),
    from_self: bool = False,
    new_msg_id: int | None = None,
) -> dict[str, Any]:
    """A text message push in the documented shape (group: "<wxid>:\\n" prefix, atuserlist)."""
    new_id = next(_ids) if new_msg_id is None else new_msg_id
    if from_self:
        from_wxid, to_wxid, content = account, group or sender, text
    elif group is not None:
        from_wxid, to_wxid, content = group, account, f"{sender}:\n{text}"
    else:
        from_wxid, to_wxid, content = sender, account, text
    source = "<msgsource>\n\t<signature>v1_volHXhv4</signature>\n</msgsource>\n"
    if mentions:
        source = f"<msgsource>\n\t<atuserlist>{','.join(mentions)}</atuserlist>\n</msgsource>\n"
    return {
        "TypeName": "AddMsg",
        "Appid": app_id,
        "Wxid": account,
        "Data": {
            "MsgId": new_id % 10**9,
            "FromUserName": {"string": from_wxid},
            "ToUserName": {"string": to_wxid},
            "MsgType": 1,
            "Content": {"string": content},
            "Status": 3,
            "ImgStatus": 1,
            "ImgBuf": {"iLen": 0},
            "CreateTime": 1705043418,
            "MsgSource": source,
            "PushContent": f"朝夕。 : {text}",
            "NewMsgId": new_id,
            "MsgSeq": 640356095,
        },
    }


@asynccontextmanager
async def served(app: Any) -> AsyncIterator[str]:
    """Serve an ASGI app with uvicorn on 127.0.0.1 (lifespan on); yield its root URL."""
    async with running_server(app, "127.0.0.1", 0) as base_url:
        yield base_url.removesuffix("/v2/api")


async def until(condition: Callable[[], object]) -> None:
    """Wait until ``condition()`` (or its awaited result) is true; 10 s at most."""
    async with asyncio.timeout(10):
        while True:
            value = condition()
            if inspect.isawaitable(value):
                value = await value
            if value:
                return
            await asyncio.sleep(0.005)


async def drained(journal: Journal) -> None:
    """Wait until every entry of ``journal`` is acknowledged."""

    async def empty() -> bool:
        return (await journal.stats()).depth == 0

    await until(empty)
