"""run_batch and iter_batch: one outcome per appId, in order, nothing lost or run twice."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from gewe_async import GeweDeviceOfflineError, GeweTimeoutError, iter_batch, run_batch
from gewe_async.testing import FakeGewe, Faults


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


async def test_deadline_gives_every_unfinished_app_id_a_timeout_outcome(fake):
    """When the batch deadline passes, running and queued calls end as GeweTimeoutError."""
    fake.set_faults(Faults(latency=0.5))
    ids = [f"wx_{i}" for i in range(6)]
    async with fake.client() as client:
        result = await run_batch(ids, client.personal.get_profile, concurrency=2, deadline=0.2)
    assert [o.app_id for o in result.outcomes] == ids
    assert all(isinstance(o.error, GeweTimeoutError) for o in result.outcomes)
    assert all(o.error.app_id == o.app_id for o in result.outcomes)
    messages = Counter(str(o.error).rsplit(" ", 3)[-1] for o in result.outcomes)
    assert messages == {"running": 2, "call": 4}  # 2 in flight, 4 never started


async def test_deadline_keeps_outcomes_finished_in_time(fake):
    """Calls done before the deadline keep their results; only the late ones time out."""
    async with fake.client() as client:
        fast = await run_batch(["wx_1", "wx_2"], client.personal.get_profile, deadline=5)
    assert len(fast.succeeded) == 2


@pytest.mark.parametrize("bad", [0, -1, "5", True])
async def test_bad_deadline_is_refused(fake, bad):
    """A deadline that is not a positive number is a ValueError before any call."""
    async with fake.client() as client:
        with pytest.raises(ValueError, match="deadline"):
            await run_batch(["wx_1"], client.personal.get_profile, deadline=bad)
    assert fake.requests == []


async def test_get_profiles_fans_out_and_keeps_failures(fake):
    """client.personal.get_profiles returns one outcome per appId, failures included."""
    seen: list[int] = []
    async with fake.client() as client:
        result = await client.personal.get_profiles(
            ["wx_1", "wx_7", "wx_2"], on_progress=lambda o, done, total: seen.append(done)
        )
    assert list(result.results) == ["wx_1", "wx_2"]
    assert isinstance(result.failed[0].error, GeweDeviceOfflineError)
    assert seen == [1, 2, 3]


async def test_update_head_imgs_sets_each_avatar(fake):
    """update_head_imgs sends each device its own URL."""
    urls = {f"wx_{i}": f"https://example.com/{i}.png" for i in range(5)}
    async with fake.client() as client:
        result = await client.personal.update_head_imgs(urls)
        profiles = await client.personal.get_profiles(urls)
    assert not result.failed
    assert len(result) == 5
    assert {a: p.big_head_img_url for a, p in profiles.results.items()} == urls


async def test_batch_helpers_refuse_bad_input_before_sending(fake):
    """A bad URL or a duplicate appId anywhere in the batch refuses the whole batch, unsent."""
    async with fake.client() as client:
        with pytest.raises(ValueError, match="wx_2"):
            await client.personal.update_head_imgs({"wx_1": "https://a.b/c.png", "wx_2": "nope"})
        with pytest.raises(ValueError, match="twice"):
            await client.personal.get_profiles(["wx_1", "wx_1"])
    assert fake.requests == []
