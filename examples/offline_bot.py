"""When an account goes offline: the `Offline` push, a watchdog, and a person told what to do.

GeWe pushes `Offline` when an account on a device drops. From then on every call for that
appId is refused (GeweDeviceOfflineError) and no message of it is pushed. The bot cannot log
the account in again by itself: its owner has to scan a QR code, or confirm on the phone. So
this bot tries a reconnection once, then asks a person, through another account, to log it in
again with the same appId. A push can be missed (GeWe gives one up after 3 s, and none comes
while the bot is down), so a watchdog also checks every few minutes.

    gewe-async receive offline_bot:dispatcher ...   # the handler (ALERT_APP_ID, ALERT_TO)
    python offline_bot.py                           # the watchdog (GEWE_APP_IDS)

Without GEWE_TOKEN, `python offline_bot.py` runs one round of both on a FakeGewe.
"""

from __future__ import annotations

import asyncio
import logging
import os

from _setup import app_ids_from_env, demo_fake, make_client

from gewe_async import AsyncGeweClient, GeweError
from gewe_async.bot import Context, Dispatcher, Router
from gewe_async.callbacks import Offline

logger = logging.getLogger("offline_bot")
router = Router("offline")

#: Who is told: a device that stays online (another account) and the wxid of a person.
ALERT_APP_ID = os.environ.get("ALERT_APP_ID", "wx_001")
ALERT_TO = os.environ.get("ALERT_TO", "wxid_admin")
#: The devices known to be offline, alerted once each; jobs can skip them.
offline: set[str] = set()


@router.on(Offline)
async def went_offline(event: Offline, ctx: Context) -> None:
    await account_dropped(ctx.client, event.app_id, event.wxid)


async def account_dropped(client: AsyncGeweClient, app_id: str, wxid: str | None) -> bool:
    """Reconnect ``app_id`` if the server still can, else alert a person once; back online?"""
    try:
        # login/reconnection helps when the phone still shows the iPad logged in; it is
        # refused otherwise.
        await client.login.reconnection(app_id)
        if await client.login.check_online(app_id):
            offline.discard(app_id)
            logger.info("%s reconnected", app_id)
            return True
    except GeweError as exc:
        logger.info("%s did not reconnect: %s", app_id, exc)
    if app_id in offline:
        return False
    offline.add(app_id)
    # The same appId, always: a new device for the account triggers WeChat's risk controls.
    todo = f"gewe-async login --app-id {app_id} --region-id <the owner's province>"
    logger.warning("%s (%s) is offline; its owner must log it in again: %s", app_id, wxid, todo)
    if app_id != ALERT_APP_ID and ALERT_APP_ID not in offline:
        try:
            await client.message.post_text(ALERT_APP_ID, ALERT_TO, f"{app_id} is offline: {todo}")
        except GeweError as exc:
            logger.error("could not send the alert: %s", exc)
    return False


async def check(client: AsyncGeweClient, app_ids: list[str]) -> set[str]:
    """One round of the watchdog: handle every device that is offline; those still offline."""
    for app_id in app_ids:
        try:
            online = await client.login.check_online(app_id)
        except GeweError as exc:  # the server unreachable, an unknown appId: try next round
            logger.warning("cannot check %s: %s", app_id, exc)
            continue
        if online:
            offline.discard(app_id)  # logged in again by its owner
        elif app_id not in offline:
            await account_dropped(client, app_id, None)
    return set(offline)


async def watchdog(client: AsyncGeweClient, app_ids: list[str], interval: float = 300) -> None:
    """Check the devices every ``interval`` seconds, until cancelled."""
    while True:
        await check(client, app_ids)
        await asyncio.sleep(interval)


dispatcher = Dispatcher()
dispatcher.include_router(router)


async def main() -> None:
    """The watchdog on the real API: the devices of GEWE_APP_IDS, until Ctrl-C."""
    async with make_client() as client:
        await watchdog(client, app_ids_from_env())


async def demo() -> None:
    """On a fake: wx_002 drops (the push), wx_003 drops silently (the watchdog)."""
    fake = demo_fake()
    async with make_client(fake) as client:
        dispatcher.client = client
        fake.connect(dispatcher)
        fake.set_offline("wx_002")
        await fake.receive_offline("wx_002")
        fake.set_offline("wx_003")
        print("still offline:", sorted(await check(client, app_ids_from_env())))
    for message in fake.devices[ALERT_APP_ID].outbox:
        print(f"alert to {message.to_wxid}: {message.content}")


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    if os.environ.get("GEWE_TOKEN"):
        asyncio.run(main())
    else:
        asyncio.run(demo())
