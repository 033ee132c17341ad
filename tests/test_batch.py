"""run_batch and iter_batch: one outcome per appId, in order, nothing lost or run twice."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from gewe_async import GeweDeviceOfflineError, GeweTimeoutError, Limits, iter_batch, run_batch
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


async def test_input_errors_are_outcomes_and_so_are_bugs(fake):
    """A refused input is that appId's outcome; so is a bug: the other outcomes are kept."""
    async with fake.client() as client:
        result = await run_batch(["wx_1", " bad"], client.personal.get_profile)
    assert isinstance(result.failed[0].error, ValueError)

    async def buggy(app_id: str) -> str:
        if app_id == "b":
            raise RecursionError("maximum recursion depth exceeded")
        return app_id

    async with asyncio.timeout(10):  # a batch that loses an outcome waits for it forever
        result = await run_batch(["a", "b", "c"], buggy)
    assert result.results == {"a": "a", "c": "c"}
    assert isinstance(result.failed[0].error, RecursionError)


@pytest.mark.parametrize("iterate", [False, True])
async def test_a_stray_cancelled_error_fails_its_app_id_and_the_batch_ends(iterate):
    """A CancelledError raised by a call (not by cancelling the batch) is that appId's outcome."""

    async def call(app_id: str) -> str:
        if app_id == "b":
            raise asyncio.CancelledError
        return app_id

    async with asyncio.timeout(10):  # the bug this guards against was a batch waiting forever
        if iterate:
            outcomes = {o.app_id: o async for o in iter_batch(["a", "b", "c"], call)}
        else:
            outcomes = {o.app_id: o for o in (await run_batch(["a", "b", "c"], call)).outcomes}
    assert {a: o.ok for a, o in outcomes.items()} == {"a": True, "b": False, "c": True}
    assert isinstance(outcomes["b"].error, asyncio.CancelledError)


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


async def test_deadline_keeps_outcomes_finished_in_time():
    """Calls done before the deadline keep their results; only the late ones time out."""
    never = asyncio.Event()

    async def call(app_id: str) -> str:
        if app_id == "slow":
            await never.wait()  # still running when the deadline passes
        return app_id

    result = await run_batch(["a", "slow", "b"], call, deadline=0.2)
    assert result.results == {"a": "a", "b": "b"}
    assert [o.app_id for o in result.failed] == ["slow"]
    assert isinstance(result.failed[0].error, GeweTimeoutError)


async def test_deadline_outcomes_say_whether_a_request_was_sent(fake):
    """Calls stopped before reaching the transport say request_sent=False, sent ones True."""
    fake.set_faults(Faults(latency=5))
    ids = ["wx_1", "wx_2", "wx_3"]
    async with fake.client(limits=Limits(max_in_flight=1)) as client:
        result = await run_batch(ids, client.personal.get_profile, concurrency=2, deadline=0.3)
    errors = {o.app_id: o.error for o in result.outcomes}
    assert {a: e.request_sent for a, e in errors.items()} == {  # type: ignore[union-attr]
        "wx_1": True,  # in flight at the fake
        "wx_2": False,  # started, but waiting for the client's only slot
        "wx_3": False,  # never started
    }
    assert errors["wx_1"].endpoint == errors["wx_2"].endpoint == "personal/getProfile"
    assert errors["wx_3"].endpoint is None


@pytest.mark.parametrize("deadline", [float("inf"), None])
async def test_an_infinite_deadline_means_none(fake, deadline):
    """deadline=inf is no deadline, like None."""
    async with fake.client() as client:
        result = await run_batch(["wx_1"], client.personal.get_profile, deadline=deadline)
    assert result.failed == []


@pytest.mark.parametrize("bad", [0, -1, "5", True, float("nan")])
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
