"""Scheduled jobs: once per run across workers and restarts, missed runs by the misfire policy.

Every test drives a fake wall clock and calls ``tick()``: no test waits on time.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from gewe_async.bot import Dispatcher
from gewe_async.bot.fsm import RedisStorage, SqliteStorage
from gewe_async.fleet._schedule import Scheduler
from gewe_async.testing import FakeGewe
from tests.journals import FakeClock, redis_server

T0 = 1_700_000_040.0  # a whole minute (UTC)
#: What jobs that send nothing are given as their client.
NO_CLIENT: Any = object()


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture(params=["sqlite", "redis"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """A factory of the same store, as a restarted process or another worker opens it."""
    if request.param == "sqlite":
        return lambda: SqliteStorage(tmp_path / "bot.db-state")
    url = request.getfixturevalue("redis_url")
    prefix = f"t-{uuid.uuid4().hex[:8]}"
    return lambda: RedisStorage(url, prefix=prefix)


class Runs:
    """Records each run a job makes: (job, app_id, when by the fake clock)."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.log: list[tuple[str, str, float]] = []

    def record(self, name: str, app_id: str) -> None:
        self.log.append((name, app_id, self.clock()))


def minutely(
    clock: FakeClock, runs: Runs, store: Any, *, name: str = "scheduler", **job: Any
) -> Scheduler:
    schedule = Scheduler(
        NO_CLIENT, store=store, app_ids=["wx_1", "wx_2"], name=name, clock=clock
    )

    @schedule.every(minutes=1, **job)
    async def beat(client, app_id):
        runs.record("beat", app_id)

    return schedule


async def test_an_interval_job_runs_for_each_account_at_each_interval():
    clock = FakeClock(T0 + 1)
    runs = Runs(clock)
    schedule = minutely(clock, runs, "memory")
    assert await schedule.tick() == 0  # first sight: the next run is at T0 + 60
    clock.now = T0 + 59
    assert await schedule.tick() == 0
    clock.now = T0 + 60
    assert await schedule.tick() == 2
    clock.now = T0 + 61
    assert await schedule.tick() == 0
    clock.now = T0 + 120
    assert await schedule.tick() == 2
    assert sorted(runs.log) == [
        ("beat", "wx_1", T0 + 60), ("beat", "wx_1", T0 + 120),
        ("beat", "wx_2", T0 + 60), ("beat", "wx_2", T0 + 120),
    ]  # fmt: skip
    await schedule.aclose()


async def test_a_restart_neither_repeats_nor_skips_a_run(store):
    clock = FakeClock(T0 + 1)
    runs = Runs(clock)
    first = minutely(clock, runs, store())
    await first.tick()
    clock.now = T0 + 60
    assert await first.tick() == 2
    await first.aclose()

    # Restarted in the same minute: that minute's run is done.
    again = minutely(clock, runs, store())
    assert await again.tick() == 0
    await again.aclose()

    # Down from T0 + 61 to T0 + 330: the runs of T0+120..T0+300 become one run at start.
    clock.now = T0 + 330
    later = minutely(clock, runs, store())
    assert await later.tick() == 2
    assert [(a, t) for _, a, t in runs.log[-2:]] in (
        [("wx_1", T0 + 330), ("wx_2", T0 + 330)],
        [("wx_2", T0 + 330), ("wx_1", T0 + 330)],
    )
    clock.now = T0 + 360
    assert await later.tick() == 2
    assert len(runs.log) == 6
    await later.aclose()


async def test_misfire_grace_and_skip_drop_runs_missed_too_long_ago(tmp_path):
    path = tmp_path / "s.db"
    clock = FakeClock(T0 + 1)
    runs = Runs(clock)
    first = minutely(clock, runs, SqliteStorage(path), misfire_grace=30)
    await first.tick()
    await first.aclose()
    clock.now = T0 + 200  # the latest missed run (T0 + 180) is 20 s old: within the grace
    second = minutely(clock, runs, SqliteStorage(path), misfire_grace=30)
    assert await second.tick() == 2
    await second.aclose()
    clock.now = T0 + 350  # the latest missed run (T0 + 300) is 50 s old: dropped
    third = minutely(clock, runs, SqliteStorage(path), misfire_grace=30)
    assert await third.tick() == 0
    clock.now = T0 + 360
    assert await third.tick() == 2
    await third.aclose()
    clock.now = T0 + 1000
    fourth = minutely(clock, runs, SqliteStorage(path), misfire="skip")
    assert await fourth.tick() == 0
    await fourth.aclose()


async def test_two_workers_on_one_store_run_each_run_once(store):
    clock = FakeClock(T0 + 1)
    runs = Runs(clock)
    workers = [minutely(clock, runs, store(), name=f"w{n}") for n in range(3)]
    for worker in workers:
        await worker.tick()
    for minute in (1, 2, 3):
        clock.now = T0 + 60 * minute
        started = await asyncio.gather(*(w.tick() for w in workers))
        assert sum(started) == 2
    assert len(runs.log) == 6
    assert len(set(runs.log)) == 6
    for worker in workers:
        await worker.aclose()


async def test_a_cron_job_runs_at_its_time_of_day_in_its_zone():
    shanghai = ZoneInfo("Asia/Shanghai")
    clock = FakeClock(datetime(2026, 12, 4, 8, 0, tzinfo=shanghai).timestamp())
    runs = Runs(clock)
    schedule = Scheduler(NO_CLIENT, app_ids=["wx_1"], clock=clock)

    @schedule.cron("0 9 * * *", tz="Asia/Shanghai")
    async def morning(client, app_id):
        runs.record("morning", app_id)

    assert await schedule.tick() == 0
    clock.now = datetime(2026, 12, 4, 8, 59, 59, tzinfo=shanghai).timestamp()
    assert await schedule.tick() == 0
    clock.now = datetime(2026, 12, 4, 9, 0, tzinfo=shanghai).timestamp()
    assert await schedule.tick() == 1
    clock.now = datetime(2026, 12, 5, 8, 0, tzinfo=shanghai).timestamp()
    assert await schedule.tick() == 0
    assert schedule.next_due() == datetime(2026, 12, 5, 9, 0, tzinfo=shanghai).timestamp()
    await schedule.aclose()


async def test_jitter_delays_each_account_the_same_way_in_every_worker():
    clock = FakeClock(T0 + 1)
    runs = Runs(clock)
    schedule = minutely(clock, runs, "memory", jitter=30)
    other = minutely(clock, runs, "memory", jitter=30)
    await schedule.tick()
    await other.tick()
    assert schedule.next_due() == other.next_due()
    assert T0 + 60 <= schedule.next_due() < T0 + 90  # type: ignore[operator]
    clock.now = T0 + 90
    assert await schedule.tick() == 2
    await schedule.aclose()
    await other.aclose()


async def test_a_one_shot_runs_once_even_when_its_time_passed_while_down(tmp_path):
    path = tmp_path / "s.db"
    clock = FakeClock(T0)
    runs = Runs(clock)

    def make() -> Scheduler:
        schedule = Scheduler(
            NO_CLIENT, store=SqliteStorage(path), app_ids=["wx_1"], clock=clock
        )

        @schedule.at(T0 + 3600)
        async def launch(client, app_id):
            runs.record("launch", app_id)

        return schedule

    first = make()
    assert await first.tick() == 0
    await first.aclose()
    clock.now = T0 + 7200  # down at its time
    second = make()
    assert await second.tick() == 1
    await second.aclose()
    third = make()
    assert await third.tick() == 0
    await third.aclose()
    assert runs.log == [("launch", "wx_1", T0 + 7200)]


async def test_a_planned_run_survives_a_restart_and_runs_once(store):
    clock = FakeClock(T0)
    got: list[tuple[str, Any]] = []

    def make() -> Scheduler:
        schedule = Scheduler(NO_CLIENT, store=store(), app_ids=[], clock=clock)

        @schedule.job()
        async def remind(client, app_id, data):
            got.append((app_id, data))

        return schedule

    first = make()
    plan_id = await first.plan("remind", "wx_1", when=T0 + 600, data={"text": "drink water"})
    dropped = await first.plan("remind", "wx_1", when=T0 + 600, data={"text": "dropped"})
    assert await first.cancel(dropped)
    assert [p["id"] for p in await first.planned()] == [plan_id]
    await first.aclose()
    clock.now = T0 + 601
    second, third = make(), make()
    assert sum(await asyncio.gather(second.tick(), third.tick())) == 1
    assert got == [("wx_1", {"text": "drink water"})]
    assert await second.planned() == []
    await second.aclose()
    await third.aclose()


async def test_a_run_cut_short_by_a_crash_is_reported_not_rerun(tmp_path):
    path = tmp_path / "s.db"
    clock = FakeClock(T0 + 1)
    started = asyncio.Event()

    crashed = Scheduler(
        NO_CLIENT, store=SqliteStorage(path), app_ids=["wx_1"], clock=clock, lease=600
    )

    @crashed.every(minutes=1)
    async def beat(client, app_id):
        started.set()
        await asyncio.Event().wait()  # never ends: the process dies in here

    await crashed.tick()
    clock.now = T0 + 60
    await crashed.tick(wait=False)
    await asyncio.wait_for(started.wait(), 30)

    clock.now = T0 + 61 + 600
    ran: list[str] = []
    restarted = Scheduler(
        NO_CLIENT, store=SqliteStorage(path), app_ids=["wx_1"], clock=clock
    )

    @restarted.every(minutes=1)
    async def beat(client, app_id):  # noqa: F811 - the same job, in the new process
        ran.append(app_id)

    assert await restarted.interrupted() == [("beat", "wx_1", T0 + 60)]
    assert await restarted.tick() == 1  # the latest missed run (T0 + 660), not T0 + 60's again
    assert ran == ["wx_1"]
    await restarted.aclose()
    await crashed.aclose()


async def test_a_job_gets_the_client_and_its_app_id_and_sends_through_it():
    fake = FakeGewe()
    fake.add_device("wx_1")
    clock = FakeClock(T0 + 1)
    async with fake.client() as client:
        schedule = Scheduler(client, app_ids=["wx_1"], clock=clock)

        @schedule.every(60)
        async def hello(client, app_id):
            await client.message.post_text(app_id, "wxid_a", "hello")

        await schedule.tick()
        clock.now = T0 + 60
        await schedule.tick()
        await schedule.aclose()
    assert [m.content for m in fake.devices["wx_1"].outbox] == ["hello"]


async def test_a_dispatchers_schedule_uses_its_client_and_storage(tmp_path):
    fake = FakeGewe()
    fake.add_device("wx_1")
    clock = FakeClock(T0 + 1)
    async with fake.client() as client:
        dp = Dispatcher(client, storage=SqliteStorage(tmp_path / "bot.db-state"))
        dp.schedule.app_ids = ["wx_1"]
        dp.schedule._clock = clock

        @dp.schedule.every(60)
        async def hello(client, app_id):
            await client.message.post_text(app_id, "wxid_a", "hello")

        await dp.schedule.tick()
        clock.now = T0 + 60
        assert await dp.schedule.tick() == 1
        await dp.schedule.aclose()
    assert dp.schedule is dp.schedule
    assert (tmp_path / "bot.db-state-schedule").exists()  # beside the locked storage file


def test_bad_jobs_are_refused_when_declared():
    schedule = Scheduler(NO_CLIENT, app_ids=["wx_1"])
    with pytest.raises(ValueError, match="cron expression"):
        schedule.cron("61 * * * *")
    with pytest.raises(ValueError, match="time zone"):
        schedule.cron("0 9 * * *", tz="Mars/Olympus")
    with pytest.raises(ValueError, match="positive interval"):
        schedule.every()
    with pytest.raises(ValueError, match="time zone"):
        schedule.at(datetime(2030, 1, 1))

    async def job(client, app_id):
        pass

    schedule.every(60)(job)
    with pytest.raises(ValueError, match="exists already"):
        schedule.every(60)(job)
    with pytest.raises(TypeError, match="async function"):
        schedule.every(60, name="sync")(lambda client, app_id: None)


async def test_a_job_without_accounts_is_refused_at_start():
    schedule = Scheduler(NO_CLIENT)

    @schedule.every(60)
    async def job(client, app_id):
        pass

    with pytest.raises(ValueError, match="no accounts"):
        await schedule.start()
    await schedule.aclose()


async def test_run_sleeps_until_each_run_is_due_and_runs_it():
    clock = FakeClock(T0 + 1)
    woke: list[float] = []
    ran = 0
    enough = asyncio.Event()

    async def sleep(seconds: float) -> None:
        clock.advance(seconds)  # time passes only as the scheduler asks
        woke.append(clock())
        await asyncio.sleep(0)

    schedule = Scheduler(NO_CLIENT, app_ids=["wx_1"], clock=clock, sleep=sleep)

    @schedule.every(minutes=1)
    async def beat(client, app_id):
        nonlocal ran
        ran += 1
        if ran == 3:
            enough.set()

    async with schedule.running():
        await asyncio.wait_for(enough.wait(), 30)
    assert woke[:3] == [T0 + 60, T0 + 120, T0 + 180]


async def test_accounts_read_from_a_function_join_and_leave_the_jobs():
    clock = FakeClock(T0 + 1)
    runs = Runs(clock)
    fleet = ["wx_1"]

    async def accounts() -> list[str]:
        return list(fleet)

    schedule = Scheduler(NO_CLIENT, app_ids=accounts, clock=clock, refresh=1)

    @schedule.every(minutes=1)
    async def beat(client, app_id):
        runs.record("beat", app_id)

    async def at(seconds: float) -> None:
        clock.now = T0 + seconds
        await schedule.tick()

    await at(1)
    fleet.append("wx_2")  # joins: its first run is the first after it was seen
    await at(60)
    await at(120)
    fleet.remove("wx_2")
    await at(150)
    fleet.append("wx_2")  # back before its queued run came up: not queued twice
    await at(170)
    await at(180)
    fleet.remove("wx_2")
    await at(200)
    await at(240)  # its run of 240 is dropped: it is not in the fleet
    fleet.append("wx_2")
    await at(250)  # back: the run it missed (240) runs once, now
    await at(300)
    by_minute = sorted((t - T0, a) for _, a, t in runs.log)
    assert by_minute == [
        (60, "wx_1"), (120, "wx_1"), (120, "wx_2"), (180, "wx_1"), (180, "wx_2"),
        (240, "wx_1"), (250, "wx_2"), (300, "wx_1"), (300, "wx_2"),
    ]  # fmt: skip
    await schedule.aclose()
