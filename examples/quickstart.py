"""Quickstart: one client, one call, many calls at once. Run: python examples/quickstart.py"""

from __future__ import annotations

import asyncio

from _setup import app_ids_from_env, make_client

from gewe_async import GeweError


async def main() -> None:
    app_ids = app_ids_from_env()
    async with make_client() as client:
        profile = await client.personal.get_profile(app_ids[0])
        print(f"{app_ids[0]}: {profile.nick_name} ({profile.wxid})")

        # Calls for different appIds run concurrently; one appId's calls never overlap.
        result = await client.personal.get_profiles(app_ids)
        print(f"{len(result.succeeded)} profiles fetched, {len(result.failed)} failed")

        try:
            await client.personal.get_profile("wx_unknown")
        except GeweError as exc:  # typed, with the endpoint, appId and attempts
            print(f"as expected: {type(exc).__name__}: {exc}")


if __name__ == "__main__":
    asyncio.run(main())
