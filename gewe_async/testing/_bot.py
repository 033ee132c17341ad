"""``BotHarness``: a fake, a client and a dispatcher wired together, for testing a bot."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from gewe_async._client import AsyncGeweClient
from gewe_async.bot import Dispatcher, Router
from gewe_async.testing._fake import FakeGewe

__all__ = ["BotHarness"]


@attrs.define
class BotHarness:
    """A bot under test: pushes from the fake reach the dispatcher, replies reach the fake.

    The ``gewe_bot`` pytest fixture makes one with a device ``wx_bot`` logged in:

    ```python
    async def test_ping(gewe_bot):
        gewe_bot.include(my_bot.router)
        await gewe_bot.fake.deliver(text_push("ping"))   # handlers ran when this returns
        assert gewe_bot.sent() == [("wxid_friend", "pong")]
    ```
    """

    fake: FakeGewe
    """The fake server: push with ``fake.deliver``, inspect its devices."""
    dispatcher: Dispatcher
    """The dispatcher the fake pushes to, whose client calls the fake."""
    app_id: str = "wx_bot"
    """The device the bot runs on."""

    @property
    def client(self) -> AsyncGeweClient:
        """The client handlers call (the fake's)."""
        return self.dispatcher.client

    @property
    def wxid(self) -> str:
        """The wxid of the bot's account."""
        return self.fake.devices[self.app_id].wxid

    def include(self, router: Router) -> Router:
        """Add the handlers of ``router`` (your bot's) to the dispatcher."""
        return self.dispatcher.include_router(router)

    async def deliver(self, payload: Mapping[str, Any]) -> int | None:
        """Push ``payload`` to the bot and wait for its handlers."""
        return await self.fake.deliver(payload)

    def sent(self, app_id: str | None = None) -> list[tuple[str, str]]:
        """``(to_wxid, text)`` of every text the bot sent from ``app_id`` (default: its own)."""
        return self.fake.devices[app_id or self.app_id].outbox.text_pairs()

    async def aclose(self) -> None:
        """Close the client and wait for pushes still under way."""
        await self.fake.settle()
        await self.dispatcher.client.aclose()

    async def __aenter__(self) -> BotHarness:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    @classmethod
    def create(cls, fake: FakeGewe | None = None, app_id: str = "wx_bot") -> BotHarness:
        """A harness on ``fake`` (a new one by default) with the device ``app_id`` added.

        Close it when done (``async with BotHarness.create() as bot:``): it owns a client.
        """
        fake = fake if fake is not None else FakeGewe()
        if app_id not in fake.devices:
            fake.add_device(app_id, nick_name="Bot")
        dispatcher = Dispatcher(fake.client())
        fake.connect(dispatcher)
        return cls(fake, dispatcher, app_id)
