"""A batch avatar job: one URL per device, a progress line, a deadline, a report of failures.

Run: python examples/avatar_job.py
"""

from __future__ import annotations

import asyncio

from _setup import app_ids_from_env, make_client

from gewe_async import BatchResult, Outcome


def progress(outcome: Outcome[None], done: int, total: int) -> None:
    mark = "ok" if outcome.ok else f"FAILED ({type(outcome.error).__name__})"
    print(f"[{done}/{total}] {outcome.app_id}: {mark}")


async def set_avatars(urls: dict[str, str]) -> BatchResult[None]:
    async with make_client() as client:
        return await client.personal.update_head_imgs(urls, on_progress=progress, deadline=300)


async def main() -> None:
    urls = {a: f"https://example.com/avatars/{a}.png" for a in app_ids_from_env()}
    result = await set_avatars(urls)
    print(f"{len(result.succeeded)} avatars set, {len(result.failed)} failed")
    for outcome in result.failed:
        print(f"  {outcome.app_id}: {outcome.error}")


if __name__ == "__main__":
    asyncio.run(main())
