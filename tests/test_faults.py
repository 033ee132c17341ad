"""Fault injection over real loopback TCP: calls end, reads survive, sends are never doubled."""

from __future__ import annotations

import asyncio
import gc
import logging
import warnings
from collections import Counter

import pytest

from gewe_async import (
    AsyncGeweClient,
    GeweError,
    GeweHTTPStatusError,
    GeweResponseError,
    GeweTransportError,
    Retries,
    run_batch,
)
from gewe_async.testing import FakeGewe, Faults

DEVICES = [f"wx_{i}" for i in range(200)]
#: Every fault the fake can inject, together; stalls outlast the per-attempt timeout below.
EVERY_FAULT = Faults(
    error_rate=0.05,
    drop_rate=0.05,
    truncate_rate=0.05,
    stall_rate=0.05,
    garbage_rate=0.05,
    bad_data_rate=0.05,
    stall=2.0,
    retry_after=0.05,
    seed=11,
)
ATTEMPT_TIMEOUT = 0.5
QUICK = Retries(initial_delay=0.02, max_delay=0.1)


@pytest.fixture
def fake() -> FakeGewe:
    fake = FakeGewe(token="fault-token", record_requests=True)
    for app_id in DEVICES:
        fake.add_device(app_id)
    return fake


async def test_every_call_ends_as_a_result_or_a_typed_error_in_time(fake):
    """With every kind of fault on, each call ends, on time, as a model or a GeweError."""
    fake.set_faults(EVERY_FAULT)
    total = 3.0
    async with (
        fake.serve() as base_url,
        AsyncGeweClient(
            token=fake.token,
            base_url=base_url,
            timeout=ATTEMPT_TIMEOUT,
            total_timeout=total,
            retries=QUICK,
        ) as client,
    ):
        # The guard is a hang detector, far above the total timeout, not a measurement.
        async with asyncio.timeout(total * 5):
            result = await run_batch(DEVICES, client.personal.get_profile)
    assert [o.app_id for o in result.outcomes] == DEVICES  # nothing lost, nothing doubled
    assert all(o.ok or isinstance(o.error, GeweError) for o in result.outcomes)
    kinds = Counter(type(o.error).__name__ for o in result.failed)
    # Malformed answers are never retried, so some must surface; transient faults mostly heal.
    assert kinds["GeweResponseError"] > 0
    assert len(result.succeeded) > len(DEVICES) * 0.7


async def test_reads_survive_25_percent_transient_faults():
    """With 25% transient faults and the default retry policy, at least 97% of reads succeed."""
    # 1,000 calls: the expected share lost (0.25 ** 3, 1.6 %) is far enough below 3 % that
    # the arrival order of the draws, which varies from run to run, cannot flip the outcome.
    app_ids = [f"wx_{i}" for i in range(1000)]
    fake = FakeGewe(token="fault-token", record_requests=False)
    for app_id in app_ids:
        fake.add_device(app_id)
    fake.set_faults(
        Faults(
            error_rate=0.07,
            drop_rate=0.06,
            truncate_rate=0.06,
            stall_rate=0.06,
            stall=2.0,
            retry_after=0.05,
            seed=5,
        )
    )
    async with (
        fake.serve() as base_url,
        AsyncGeweClient(token=fake.token, base_url=base_url, timeout=ATTEMPT_TIMEOUT) as client,
    ):
        result = await run_batch(app_ids, client.personal.get_profile)
    assert len(result.succeeded) >= 0.97 * len(app_ids), Counter(
        type(o.error).__name__ for o in result.failed
    )


async def test_a_send_is_never_received_twice(fake):
    """Under faults that hit after the server got the request, no message is sent twice."""
    fake.set_faults(EVERY_FAULT)
    texts = {app_id: f"hello from {app_id}" for app_id in DEVICES}
    async with (
        fake.serve() as base_url,
        AsyncGeweClient(
            token=fake.token, base_url=base_url, timeout=ATTEMPT_TIMEOUT, retries=QUICK
        ) as client,
    ):
        result = await run_batch(
            DEVICES, lambda a: client.message.post_text(a, "x@chatroom", texts[a])
        )
    received = Counter(
        (r.app_id, r.body["content"]) for r in fake.requests if r.endpoint == "message/postText"
    )
    assert max(received.values()) == 1  # none received twice
    assert all(received[(o.app_id, texts[o.app_id])] == 1 for o in result.succeeded)
    assert all(len(fake.devices[a].outbox) <= 1 for a in DEVICES)
    # Failures after sending are reported, not hidden: the caller decides whether to resend.
    assert all(
        isinstance(o.error, GeweTransportError | GeweHTTPStatusError | GeweResponseError)
        for o in result.failed
    )
    assert result.failed


async def test_cancelling_hundreds_of_calls_then_closing_leaves_nothing_behind(fake):
    """Cancel 300 in-flight calls, close the client: no task, connection or warning is left."""
    fake.set_faults(Faults(latency=1.0))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        async with fake.serve() as base_url:
            client = AsyncGeweClient(token=fake.token, base_url=base_url)
            tasks = [
                asyncio.create_task(client.personal.get_profile(app_id)) for app_id in DEVICES
            ] + [asyncio.create_task(client.personal.get_profile("wx_0")) for _ in range(100)]
            await asyncio.sleep(0.2)  # let the first 64 reach the server
            async with asyncio.timeout(5):  # hang detector
                for task in tasks:
                    task.cancel()
                outcomes = await asyncio.gather(*tasks, return_exceptions=True)
                await client.aclose()
            transport = client._core.http._transport
        del client
        gc.collect()
    assert all(isinstance(o, asyncio.CancelledError) for o in outcomes)
    assert all(task.done() for task in tasks)
    assert transport._session is not None
    assert transport._session.closed
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]


async def test_the_token_never_reaches_any_log_record(fake, caplog):
    """At DEBUG on every logger, through faults, retries and echoed tokens, no record has it."""
    fake.set_faults(EVERY_FAULT)
    secret = "leaky-secret-token-123"
    caplog.set_level(logging.DEBUG)
    async with fake.serve() as base_url:
        for token in (fake.token, secret):
            async with AsyncGeweClient(
                token=token, base_url=base_url, timeout=ATTEMPT_TIMEOUT, retries=QUICK
            ) as client:
                result = await run_batch(DEVICES[:40], client.personal.get_profile)
                texts = [str(o.error) + repr(o.error) for o in result.failed] + [repr(client)]
    assert any("不可用或已过期" in t for t in texts)  # the server did echo the wrong token
    logged = [caplog.text] + [logging.Formatter().format(r) for r in caplog.records]
    assert all(secret not in t for t in logged + texts)
    assert all(fake.token not in t for t in logged)


@pytest.mark.parametrize("field", ["latency", "stall", "retry_after"])
@pytest.mark.parametrize("value", [-1.0, float("nan"), float("inf")])
def test_faults_refuse_seconds_that_are_negative_nan_or_infinite(field: str, value: float):
    """A fake told to wait NaN or forever seconds says so when made, not on every request."""
    with pytest.raises(ValueError, match=field):
        Faults(**{field: value})
