"""One client, several event loops: it follows the loop it is used from, or says why not."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import httpx
import pytest

from gewe_async import AsyncGeweClient, GeweEventLoopError, Limits
from gewe_async.testing import FakeGewe

APP_IDS = [f"wx_{i}" for i in range(20)]


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    """A FakeGewe served on loopback from its own thread and loop, outliving the tests' loops."""
    fake = FakeGewe(token="fake-token")
    for app_id in APP_IDS:
        fake.add_device(app_id)
    ready: list[tuple[str, asyncio.AbstractEventLoop, asyncio.Event]] = []
    started = threading.Event()

    async def serve() -> None:
        stop = asyncio.Event()
        async with fake.serve() as url:
            ready.append((url, asyncio.get_running_loop(), stop))
            started.set()
            await stop.wait()

    thread = threading.Thread(target=asyncio.run, args=(serve(),))
    thread.start()
    started.wait(30)
    url, loop, stop = ready[0]
    yield url
    loop.call_soon_threadsafe(stop.set)
    thread.join()


def _profiles(client: AsyncGeweClient) -> list[str]:
    async def run() -> list[str]:
        # 20 calls through 4 slots: the limits' semaphores are contended, so loop-bound.
        profiles = await asyncio.gather(*map(client.personal.get_profile, APP_IDS))
        return [p.wxid for p in profiles]

    return asyncio.run(run())


@pytest.mark.parametrize("own_http", [False, True])
def test_a_client_works_from_one_asyncio_run_to_the_next(base_url, own_http):
    """A client made outside any loop serves several asyncio.run() calls in turn."""
    limits = Limits(max_in_flight=4, rate=10_000)
    if own_http:
        from gewe_async import AiohttpTransport

        http = httpx.AsyncClient(transport=AiohttpTransport())
        client = AsyncGeweClient(
            token="fake-token", base_url=base_url, http_client=http, limits=limits
        )
    else:
        client = AsyncGeweClient(token="fake-token", base_url=base_url, limits=limits)
    expected = [f"wxid_{a}" for a in APP_IDS]
    assert _profiles(client) == expected
    assert _profiles(client) == expected
    assert _profiles(client) == expected
    assert not client.is_closed
    asyncio.run(client.aclose())
    if own_http:
        asyncio.run(http.aclose())


def test_a_client_in_use_on_another_loop_says_so(base_url):
    """A call from a second loop while the first still has one in flight is a GeweEventLoopError."""
    client = AsyncGeweClient(token="fake-token", base_url=base_url)
    first = asyncio.new_event_loop()
    gate = asyncio.Event()  # bound to `first` on first wait

    async def busy() -> None:
        limiter = client._core.limiter
        await limiter.acquire("wx_0")  # as a call of `first` in flight does
        try:
            await gate.wait()
        finally:
            limiter.release("wx_0")

    task = first.create_task(busy())
    first.run_until_complete(asyncio.sleep(0.01))
    try:
        with pytest.raises(GeweEventLoopError, match="another event loop"):
            asyncio.run(client.personal.get_profile("wx_1"))
        assert not client.is_closed
    finally:
        task.cancel()
        first.run_until_complete(asyncio.gather(task, return_exceptions=True))
        first.run_until_complete(client.aclose())
        first.close()
