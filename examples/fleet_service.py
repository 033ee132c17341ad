"""One service for many accounts: health alerts, a morning broadcast, names, a local image.

Everything runs in the receiver's lifespan, in one process: the receiver takes GeWe's pushes
(and serves the images it sends), the monitor watches every account, the scheduler sends a
morning message from each account through the outbox, and handlers greet people by the
name the directory knows them by. State (journal, conversations, directory, job runs,
outbox) is in SQLite files in one folder, so a restart loses and repeats nothing promised.

    GEWE_TOKEN=... GEWE_CALLBACK_SECRET=... FLEET_APP_IDS=wx_1,wx_2,... \\
    FLEET_PUBLIC_URL=https://bot.example.com/gewe FLEET_ADMIN=wx_1:wxid_owner \\
    FLEET_MORNING_TO=123@chatroom python examples/fleet_service.py

GeWe's callback URL is then FLEET_PUBLIC_URL/<secret>. Optional: FLEET_STATE (the folder,
./fleet-state), FLEET_IMAGE (menu.png), FLEET_PORT (8000), GEWE_BASE_URL.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from gewe_async import AsyncGeweClient
from gewe_async.bot import ASGIReceiver, Context, Dispatcher, journal_from_url
from gewe_async.bot import filters as f
from gewe_async.bot.fsm import SqliteStorage
from gewe_async.callbacks import TextMessage
from gewe_async.fleet import (
    AccountMonitor,
    AccountOffline,
    AccountSilent,
    Budgets,
    Directory,
    Outbox,
    Scheduler,
)
from gewe_async.media import ReceiverMediaHost

MORNING = "0 9 * * *"  # 09:00 every day, in TZ
TZ = "Asia/Shanghai"


class FleetService:
    """The bot of ``app_ids``: an ASGI app whose lifespan runs all its parts.

    Args:
        app_ids: The accounts served.
        state: The folder of its SQLite files (the same after a restart).
        public_url: The URL GeWe reaches the receiver at, without the secret.
        admin: ``(appId, wxid)``: the account that alerts, and the person it tells.
        morning_to: The chats each account sends the morning message to.
        image: The picture ``menu`` answers with (a local file or bytes).
        secret: The callback secret (the callback URL is ``public_url/<secret>``).
        clock: The wall clock of the scheduler (a test moves it to 09:00), ``sleep`` its wait.
        outbox_concurrency: How many accounts send at once.
        client_options: For `AsyncGeweClient` (``token``, ``base_url``...).
    """

    def __init__(
        self,
        app_ids: list[str],
        *,
        state: Path,
        public_url: str,
        admin: tuple[str, str],
        morning_to: list[str],
        image: Path | bytes,
        secret: str | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        outbox_concurrency: int = 64,
        **client_options: Any,
    ) -> None:
        self.app_ids = app_ids
        self.admin_app, self.admin_chat = admin
        self.morning_to = morning_to
        self.image = image
        state.mkdir(parents=True, exist_ok=True)
        # Images given as a Path or bytes are served by this receiver, at public_url/media/...
        self.media = ReceiverMediaHost(public_url)
        self.client = AsyncGeweClient(
            media=self.media,
            budgets=Budgets.recommended(on_exceeded="wait"),
            # The monitor sees sends refused with 微信已离线: how a zombie account is found.
            event_hooks=[lambda call: self.monitor.observe_call(call)],
            **client_options,
        )
        self.dp = Dispatcher(
            self.client, storage=SqliteStorage(state / "bot.db-state"), directory=Directory()
        )
        self.monitor = AccountMonitor(self.client, app_ids, dispatcher=self.dp)
        self.outbox = Outbox(self.client, self.dp.storage, concurrency=outbox_concurrency)
        # dp.schedule is this scheduler with the wall clock; here the clock is a parameter.
        self.schedule = Scheduler(
            self.client, store=self.dp.storage, app_ids=app_ids, clock=clock, sleep=sleep
        )
        self.receiver = ASGIReceiver(
            self.dp,
            secret=secret,
            journal=journal_from_url(f"sqlite:///{state / 'gewe-journal.db'}"),
        )
        self._register()
        self._stack: contextlib.AsyncExitStack | None = None

    def _register(self) -> None:
        dp, outbox = self.dp, self.outbox

        @dp.on(AccountOffline)
        async def offline(event: AccountOffline, ctx: Context) -> None:
            if event.app_id == self.admin_app:
                return  # an offline account cannot tell about itself
            await ctx.client.message.post_text(
                self.admin_app,
                self.admin_chat,
                f"{event.app_id} is offline ({event.cause}): "
                f"gewe-async login --app-id {event.app_id}",
            )

        @dp.on(AccountSilent)
        async def silent(event: AccountSilent, ctx: Context) -> None:
            await ctx.client.message.post_text(
                self.admin_app, self.admin_chat, f"{event.app_id}: {event.reason}"
            )

        @dp.on(TextMessage, f.text_equals("hello"))
        async def hello(event: TextMessage, ctx: Context) -> None:
            name = ctx.directory.name(event.sender_wxid or "", group_id=event.chat_id)
            await ctx.reply(f"你好，{name or '朋友'}")

        @dp.on(TextMessage, f.text_equals("menu"))
        async def menu(event: TextMessage, ctx: Context) -> None:
            await ctx.client.message.post_image(ctx.app_id, event.chat_id, self.image)

        @self.schedule.cron(MORNING, tz=TZ, jitter=300)
        async def good_morning(client: AsyncGeweClient, app_id: str) -> None:
            # Stored at once, delivered by the outbox at the account's pace, never twice.
            for chat in self.morning_to:
                await outbox.post_text(app_id, chat, "早上好", tag="morning")

    async def __aenter__(self) -> FleetService:
        async with contextlib.AsyncExitStack() as stack:
            await stack.enter_async_context(self.client)
            await stack.enter_async_context(self.media)
            await stack.enter_async_context(self.receiver.lifespan())
            await stack.enter_async_context(self.outbox)  # marks sends a crash cut `unknown`
            await stack.enter_async_context(self.monitor)
            for job in (self.outbox.run(poll=0.2), self.dp.directory.run(self.app_ids)):
                stack.push_async_callback(_stopped, asyncio.create_task(job))
            await stack.enter_async_context(self.schedule.running())
            self._stack = stack.pop_all()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        stack, self._stack = self._stack, None
        if stack is not None:
            await stack.aclose()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """The ASGI app: the receiver, with this service as its lifespan."""
        if scope["type"] != "lifespan":
            await self.receiver(scope, receive, send)
            return
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.__aenter__()
                except Exception as exc:  # uvicorn says why, and exits
                    await send({"type": "lifespan.startup.failed", "message": repr(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.__aexit__(None, None, None)
                await send({"type": "lifespan.shutdown.complete"})
                return


async def _stopped(task: asyncio.Task[None]) -> None:
    """Cancel ``task`` and wait for it: the outbox settles what it was sending first."""
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


def from_environment() -> FleetService:
    """The service the environment describes (see the module's docstring)."""
    admin_app, _, admin_chat = os.environ["FLEET_ADMIN"].partition(":")
    return FleetService(
        [a for a in os.environ["FLEET_APP_IDS"].split(",") if a],
        state=Path(os.environ.get("FLEET_STATE", "fleet-state")),
        public_url=os.environ["FLEET_PUBLIC_URL"],
        admin=(admin_app, admin_chat),
        morning_to=os.environ["FLEET_MORNING_TO"].split(","),
        image=Path(os.environ.get("FLEET_IMAGE", "menu.png")),
        secret=os.environ.get("GEWE_CALLBACK_SECRET"),
    )


if __name__ == "__main__":
    import uvicorn

    port = int(os.environ.get("FLEET_PORT", "8000"))
    uvicorn.run(from_environment(), host="0.0.0.0", port=port, access_log=False)  # noqa: S104
