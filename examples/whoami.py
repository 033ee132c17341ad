"""Which account is on each device: its wxid, its WeChat ID (alias) and its nickname.

Run: python examples/whoami.py (GEWE_TOKEN and GEWE_APP_IDS for your devices; without them,
on a FakeGewe). The wxid is the account's permanent id, the one pushes and API calls use;
the alias is the 微信号 the phone shows, which may be unset and which its owner can change.
"""

from __future__ import annotations

import asyncio

from _setup import app_ids_from_env, make_client

from gewe_async import AsyncGeweClient


async def accounts(client: AsyncGeweClient, app_ids: list[str]) -> dict[str, str]:
    """The wxid of the account on each device that answered, by appId."""
    result = await client.personal.get_profiles(app_ids)
    for outcome in result.failed:  # offline, unknown appId, ...: a GeweError each
        print(f"{outcome.app_id}: no answer ({type(outcome.error).__name__})")
    for app_id, profile in result.results.items():
        print(f"{app_id}: wxid {profile.wxid}, alias {profile.alias or '-'}, {profile.nick_name}")
    return {app_id: profile.wxid for app_id, profile in result.results.items()}


async def main() -> None:
    async with make_client() as client:
        wxids = await accounts(client, app_ids_from_env())
    # The other way round: which device a push's `Wxid` (or a wxid you were given) is on.
    devices = {wxid: app_id for app_id, wxid in wxids.items()}
    print(f"{len(devices)} accounts; wxid_wx_001 is on {devices.get('wxid_wx_001', '-')}")


if __name__ == "__main__":
    asyncio.run(main())
