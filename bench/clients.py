"""One benchmark client per process, so that CPU and peak memory are its own.

Usage: python bench/clients.py VARIANT BASE_URL CALLS WORKERS  -> prints one JSON line.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time

TOKEN = "bench-token"
HEADERS = {"X-GEWE-TOKEN": TOKEN}


def rss_kb(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field):
                return int(line.split()[1])
    return 0


async def raw_httpx(url: str, calls: int, workers: int) -> None:
    import httpx

    async with httpx.AsyncClient() as client:

        async def worker(k: int) -> None:
            for _ in range(calls // workers):
                r = await client.post(
                    f"{url}/personal/getProfile", json={"appId": f"wx_{k}"}, headers=HEADERS
                )
                assert r.json()["ret"] == 200

        await asyncio.gather(*(worker(k) for k in range(workers)))


async def raw_aiohttp(url: str, calls: int, workers: int) -> None:
    import aiohttp

    async with aiohttp.ClientSession() as session:

        async def worker(k: int) -> None:
            for _ in range(calls // workers):
                async with session.post(
                    f"{url}/personal/getProfile", json={"appId": f"wx_{k}"}, headers=HEADERS
                ) as r:
                    assert (await r.json(content_type=None))["ret"] == 200

        await asyncio.gather(*(worker(k) for k in range(workers)))


async def gewe(url: str, calls: int, workers: int) -> None:
    from gewe_async import AsyncGeweClient

    async with AsyncGeweClient(token=TOKEN, base_url=url) as client:

        async def worker(k: int) -> None:
            for _ in range(calls // workers):
                await client.personal.get_profile(f"wx_{k}")

        await asyncio.gather(*(worker(k) for k in range(workers)))


async def gewe_gather(url: str, calls: int, workers: int) -> None:
    from gewe_async import AsyncGeweClient

    async with AsyncGeweClient(token=TOKEN, base_url=url) as client:
        profiles = await asyncio.gather(
            *(client.personal.get_profile(f"wx_{i}") for i in range(calls))
        )
        assert len(profiles) == calls


VARIANTS = {
    "raw_httpx": raw_httpx,
    "raw_aiohttp": raw_aiohttp,
    "gewe_async": gewe,
    "gewe_gather": gewe_gather,
}


def main() -> None:
    variant, url, calls, workers = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    run = VARIANTS[variant]
    if variant != "gewe_gather":
        asyncio.run(run(url, min(calls, 2 * workers), workers))  # warm up imports and code paths
    rss_before = rss_kb("VmRSS:")
    cpu0, wall0 = time.process_time(), time.perf_counter()
    asyncio.run(run(url, calls, workers))
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    print(
        json.dumps(
            {
                "variant": variant,
                "calls": calls,
                "wall": wall,
                "cpu": cpu,
                "rps": calls / wall,
                "cpu_ms_per_call": 1000 * cpu / calls,
                "peak_growth_mb": (rss_kb("VmHWM:") - rss_before) / 1024,
                "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


if __name__ == "__main__":
    main()
