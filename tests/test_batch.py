"""run_batch and iter_batch: one outcome per appId, in order, nothing lost or run twice."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from gewe_async import GeweDeviceOfflineError, iter_batch, run_batch
from gewe_async.testing import FakeGewe


@pytest.fixture
def fake() -> FakeGewe:
    fake = FakeGewe()
    for i in range(30):
        fake.add_device(f"wx_{i}")
    fake.set_offline("wx_7")
    return fake


async def test_run_batch_collects_every_outcome_in_input_order(fake):
    """Each appId has exactly one outcome, in the order given; failures carry their error."""
    ids = [f"wx_{i}" for i in reversed(range(30))] + ["wx_missing"]
    progress: list[tuple[int, int]] = []
    async with fake.client() as client:
        result = await run_batch(
            ids,
            client.personal.get_profile,
            concurrency=4,
            on_progress=lambda o, done, total: progress.append((done, total)),
        )
    assert [o.app_id for o in result.outcomes] == ids
    assert {o.app_id for o in result.failed} == {"wx_7", "wx_missing"}
    assert isinstance(result.failed[0].error, GeweDeviceOfflineError)
    assert len(result.succeeded) == 29
    assert result.results["wx_3"].wxid == "wxid_wx_3"
    assert progress == [(n, 31) for n in range(1, 32)]


async def test_each_app_id_is_called_once():
    """No appId is run twice, whatever the concurrency."""
    calls: Counter[str] = Counter()

    async def call(app_id: str) -> str:
        calls[app_id] += 1
        await asyncio.sleep(0)
        return app_id

    ids = [f"a{i}" for i in range(200)]
    result = await run_batch(ids, call, concurrency=17)
    assert calls == Counter(ids)
    assert list(result.results.values()) == ids


@pytest.mark.parametrize("batch", [run_batch, iter_batch])
async def test_duplicates_and_bad_concurrency_are_refused(batch):
    """A duplicate appId or a concurrency below 1 is a ValueError before any call."""

    async def call(app_id: str) -> None:
        raise AssertionError("must not be called")

    with pytest.raises(ValueError, match="twice"):
        await _drain(batch(["a", "b", "a"], call))
    with pytest.raises(ValueError, match="concurrency"):
        await _drain(batch(["a"], call, concurrency=0))


async def _drain(batch):
    if hasattr(batch, "__aiter__"):
        return [o async for o in batch]
    return await batch


async def test_input_errors_are_outcomes_but_bugs_are_raised(fake):
    """A refused input is that appId's outcome; any other exception stops the batch."""
    async with fake.client() as client:
        result = await run_batch(["wx_1", " bad"], client.personal.get_profile)
    assert isinstance(result.failed[0].error, ValueError)

    async def buggy(app_id: str) -> None:
        raise KeyError(app_id)

    with pytest.raises(KeyError):
        await run_batch(["a", "b"], buggy)


async def test_fail_fast_raises_the_first_failure_and_cancels_the_rest():
    """fail_fast raises the failure and cancels calls still running."""
    cancelled: list[str] = []

    async def call(app_id: str) -> None:
        if app_id == "bad":
            raise GeweDeviceOfflineError(ret=500, msg="微信已离线")
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.append(app_id)
            raise

    with pytest.raises(GeweDeviceOfflineError):
        await run_batch(["slow1", "bad", "slow2"], call, concurrency=3, fail_fast=True)
    assert sorted(cancelled) == ["slow1", "slow2"]


async def test_leaving_iter_batch_early_cancels_running_calls():
    """Breaking out of iter_batch cancels the calls still in flight."""
    cancelled: list[str] = []

    async def call(app_id: str) -> str:
        if app_id != "fast":
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                cancelled.append(app_id)
                raise
        return app_id

    batch = iter_batch(["fast", "s1", "s2"], call, concurrency=3)
    async for outcome in batch:
        assert outcome.app_id == "fast"
        break
    await batch.aclose()
    assert sorted(cancelled) == ["s1", "s2"]
