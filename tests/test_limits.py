"""Concurrency control inside the client: global cap, one call at a time per appId, pacing."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from typing import Any

import httpx
import pytest

from gewe_async import AsyncGeweClient, GeweTimeoutError, Limits
from gewe_async.testing import FakeGewe, Faults


class Meter:
    """ASGI middleware that measures, at the server, how many calls overlap."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.in_flight: Counter[str] = Counter()
        self.total = 0
        self.max_total = 0
        self.max_per_app: Counter[str] = Counter()
        self.starts: list[float] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        app_id = json.loads(body)["appId"]
        self.starts.append(asyncio.get_running_loop().time())
        self.in_flight[app_id] += 1
        self.total += 1
        self.max_total = max(self.max_total, self.total)
        self.max_per_app[app_id] = max(self.max_per_app[app_id], self.in_flight[app_id])
        sent = False

        async def replay() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return {"type": "http.disconnect"}

        try:
            await self.app(scope, replay, send)
        finally:
            self.in_flight[app_id] -= 1
            self.total -= 1


def metered(
    devices: int, latency: float = 0.005, **limits: Any
) -> tuple[FakeGewe, Meter, AsyncGeweClient]:
    fake = FakeGewe(faults=Faults(latency=latency), record_requests=False)
    for i in range(devices):
        fake.add_device(f"wx_{i}")
    meter = Meter(fake.app)
    client = AsyncGeweClient(
        token=fake.token,
        base_url="http://127.0.0.1/v2/api",
        transport=httpx.ASGITransport(app=meter),
        limits=Limits(**limits),
    )
    return fake, meter, client


async def test_calls_for_one_app_id_never_overlap_by_default():
    """gather over one appId runs its calls one at a time; other appIds run in parallel."""
    _, meter, client = metered(4)
    async with client:
        calls = [client.personal.get_profile(f"wx_{i % 4}") for i in range(40)]
        profiles = await asyncio.gather(*calls)
    assert len(profiles) == 40
    assert max(meter.max_per_app.values()) == 1
    assert meter.max_total == 4


async def test_per_app_id_limit_can_be_lifted():
    """per_app_id=None lets calls for one appId overlap."""
    _, meter, client = metered(1, per_app_id=None)
    async with client:
        await asyncio.gather(*(client.personal.get_profile("wx_0") for _ in range(10)))
    assert meter.max_per_app["wx_0"] > 1


async def test_global_cap_bounds_calls_in_flight():
    """max_in_flight caps the calls the server sees at once."""
    _, meter, client = metered(50, max_in_flight=5)
    async with client:
        await asyncio.gather(*(client.personal.get_profile(f"wx_{i}") for i in range(50)))
    assert meter.max_total == 5


async def test_naive_gather_of_thousands_queues_in_the_client():
    """A gather over 3,000 appIds succeeds without pool timeouts, and leaves no state behind."""
    _, _, client = metered(3000, latency=0.0, max_in_flight=16)
    async with client:
        ids = [f"wx_{i}" for i in range(3000)]
        profiles = await asyncio.gather(*(client.personal.get_profile(a, timeout=5) for a in ids))
        assert [p.wxid for p in profiles] == [f"wxid_{a}" for a in ids]
        assert client._core.limiter.tracked_app_ids == 0


async def test_cancelled_calls_release_their_slots():
    """Cancelling queued and in-flight calls frees every slot; later calls still run."""
    _, _, client = metered(20, latency=0.05, max_in_flight=2)
    async with client:
        tasks = [asyncio.create_task(client.personal.get_profile(f"wx_{i}")) for i in range(20)]
        await asyncio.sleep(0.02)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        assert client._core.limiter.tracked_app_ids == 0
        again = await asyncio.gather(*(client.personal.get_profile(f"wx_{i}") for i in range(4)))
    assert len(again) == 4


async def test_rate_per_app_id_spaces_out_starts():
    """rate_per_app_id=20 starts one appId's calls at least 50 ms apart."""
    _, meter, client = metered(1, latency=0.0, rate_per_app_id=20)
    async with client:
        await asyncio.gather(*(client.personal.get_profile("wx_0") for _ in range(5)))
    gaps = [b - a for a, b in zip(meter.starts, meter.starts[1:], strict=False)]
    assert len(gaps) == 4
    assert min(gaps) >= 0.045


async def test_global_rate_spaces_out_starts_across_app_ids():
    """rate=50 paces the whole client, whatever the appIds."""
    _, meter, client = metered(5, latency=0.0, rate=50)
    async with client:
        await asyncio.gather(*(client.personal.get_profile(f"wx_{i}") for i in range(5)))
    starts = sorted(meter.starts)
    assert starts[-1] - starts[0] >= 4 * 0.02 * 0.9


@pytest.mark.parametrize(
    "bad",
    [
        {"max_in_flight": 0},
        {"per_app_id": 0},
        {"rate": -1},
        {"rate_per_app_id": 0},
        {"max_in_flight": 1.5},
        {"per_app_id": 2.5},
        {"per_app_id": 0.5},
        {"per_app_id": True},
        {"max_in_flight": float("inf")},
        {"rate": float("nan")},
        {"rate_per_app_id": float("nan")},
    ],
)
def test_limits_are_checked(bad):
    """Limits refuse non-positive values, non-int counts and NaN rates."""
    with pytest.raises(ValueError, match=next(iter(bad))):
        Limits(**bad)


async def test_an_infinite_rate_means_no_pacing():
    """rate=inf is the same as rate=None: no pacing, and it works."""
    _, meter, client = metered(3, latency=0.0, rate=float("inf"), rate_per_app_id=float("inf"))
    async with client:
        await asyncio.gather(*(client.personal.get_profile(f"wx_{i}") for i in range(3)))
    assert len(meter.starts) == 3


async def test_cancelled_calls_give_their_pacing_slots_back():
    """Cancelling 300 paced calls that were never sent leaves no backlog for the next call."""
    _, meter, client = metered(1, latency=0.0, rate=2)
    loop = asyncio.get_running_loop()
    async with client:
        await client.personal.get_profile("wx_0")  # sent: the next may start 0.5 s later
        burst = [asyncio.create_task(client.personal.get_profile("wx_0")) for _ in range(300)]
        await asyncio.sleep(0.05)
        for task in burst:
            task.cancel()
        await asyncio.gather(*burst, return_exceptions=True)
        backlog = client._core.limiter.next_start() - loop.time()
        await client.personal.get_profile("wx_0", total_timeout=5)
    assert backlog <= 0.5  # one interval after the sent call, not 300 (150 s)
    assert len(meter.starts) == 2


async def test_a_call_stopped_after_its_pace_gives_the_slot_back():
    """A call that passed the pacer but timed out waiting for a free slot returns its start."""
    _, meter, client = metered(2, latency=0.0, rate=1, max_in_flight=1)
    limiter = client._core.limiter
    loop = asyncio.get_running_loop()
    async with client:
        await limiter.acquire("wx_0")  # the only slot, held; the next start is 1 s away
        with pytest.raises(GeweTimeoutError, match="total timeout"):
            # Passes the pacer after 1 s, then waits for the slot until its timeout.
            await client.personal.get_profile("wx_1", total_timeout=1.5)
        assert limiter.next_start() <= loop.time()  # its start was returned: none is pending
        limiter.release("wx_0")
    assert meter.starts == []


async def test_views_share_the_limits():
    """with_options() views share the same limiter, so the cap holds across them."""
    _, meter, client = metered(10, max_in_flight=3)
    async with client:
        view = client.with_options(timeout=10)
        await asyncio.gather(
            *(client.personal.get_profile(f"wx_{i}") for i in range(5)),
            *(view.personal.get_profile(f"wx_{i}") for i in range(5, 10)),
        )
        assert view.limits is client.limits
    assert meter.max_total == 3
