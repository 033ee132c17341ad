"""examples/fleet_service.py end to end: 100 fake accounts over HTTP, a restart mid-broadcast.

The fake GeWe and the service are real uvicorn servers on 127.0.0.1; the service's state is
SQLite files. The scheduler's clock is the test's (moved to 09:05 Shanghai), so no wait
depends on the wall clock; every wait is bounded (60 s) and polls a condition.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from gewe_async.testing import FakeGewe, Faults
from gewe_async.testing._server import running_server
from tests.journals import free_port
from tests.paths import EXAMPLES

pytest.importorskip("cronsim")
pytest.importorskip("uvicorn")

SHANGHAI = ZoneInfo("Asia/Shanghai")
ACCOUNTS = [f"wx_{i:03d}" for i in range(1, 101)]
ADMIN = ("wx_001", "wxid_owner")
TEAM = "team@chatroom"
SECRET = "fleet-s3cret-77"
PNG = b"\x89PNG\r\n\x1a\n menu pixels"


class Clock:
    """The scheduler's wall clock, moved by the test."""

    def __init__(self, when: datetime) -> None:
        self.now = when.timestamp()

    def __call__(self) -> float:
        return self.now


async def short_sleep(seconds: float) -> None:
    """The scheduler's wait: short, so that it sees the moved clock soon."""
    await asyncio.sleep(min(seconds, 0.05))


async def until(condition: Callable[[], Any], what: str) -> None:
    """Wait until ``condition()`` (or its awaited value) is true: 60 s at most."""
    try:
        async with asyncio.timeout(60):
            while True:
                value = condition()
                if inspect.isawaitable(value):
                    value = await value
                if value:
                    return
                await asyncio.sleep(0.02)
    except TimeoutError:
        raise AssertionError(f"never happened: {what}") from None


@pytest.fixture
def fleet_service(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.syspath_prepend(str(EXAMPLES))
    return importlib.import_module("fleet_service")


# --8<-- [start:test]
async def test_a_fleet_of_100_accounts_keeps_its_promises_across_a_restart(
    fleet_service: Any, tmp_path: Path
) -> None:
    fake = FakeGewe()
    for app_id in ACCOUNTS:
        fake.add_device(app_id)
    fake.add_friend("wx_002", "wxid_alice", nick_name="Alice", remark="Ali")
    fake.add_group("wx_002", ["wxid_alice"], chatroom_id=TEAM, name="Team")
    image = tmp_path / "menu.png"
    image.write_bytes(PNG)
    clock = Clock(datetime(2026, 12, 4, 8, 0, tzinfo=SHANGHAI))
    port = free_port()
    public_url = f"http://127.0.0.1:{port}/gewe"
    fake.callback_url = f"{public_url}/{SECRET}"

    async with fake.serve() as base_url:

        def service() -> Any:
            """The service as the process starts it: the same SQLite folder each time."""
            return fleet_service.FleetService(
                ACCOUNTS,
                state=tmp_path / "state",
                public_url=public_url,
                admin=ADMIN,
                morning_to=[TEAM],
                image=image,
                secret=SECRET,
                clock=clock,
                sleep=short_sleep,
                outbox_concurrency=8,
                token=fake.token,
                base_url=base_url,
                send_interval=0,
            )

        first = service()
        async with running_server(first, "127.0.0.1", port):
            # Names from the directory, once it has synced the account.
            await until(lambda: first.dp.directory.account("wx_002").age is not None, "sync")
            await fake.receive_text("wx_002", "wxid_alice", "hello", group=TEAM)
            await until(lambda: fake.devices["wx_002"].outbox.texts(TEAM), "the greeting")
            assert fake.devices["wx_002"].outbox.texts(TEAM) == ["你好，Ali"]
            # The local image, fetched by GeWe from the receiver itself.
            await fake.receive_text("wx_003", "wxid_bob", "menu")
            await until(lambda: fake.fetched_media, "the image downloaded")
            assert list(fake.fetched_media.values()) == [PNG]
            assert all(url.startswith(f"{public_url}/media/") for url in fake.fetched_media)
            assert [m.type for m in fake.devices["wx_003"].outbox] == [3]
            # A health event: the admin hears of it through another account.
            await fake.take_offline("wx_050")
            admin = fake.devices[ADMIN[0]].outbox
            await until(lambda: admin.texts(ADMIN[1]), "the offline alert")
            assert admin.texts(ADMIN[1]) == [
                "wx_050 is offline (offline_push): gewe-async login --app-id wx_050"
            ]
            assert first.monitor.counts["AccountOffline"] == 1
            fake.set_online("wx_050")
            # 09:05: every account's morning run is due; GeWe answers slowly.
            fake.set_faults(Faults(latency=0.3))
            clock.now = datetime(2026, 12, 4, 9, 5, 1, tzinfo=SHANGHAI).timestamp()

            async def promised_and_partly_sent() -> bool:
                counts = await first.outbox.counts()
                return sum(counts.values()) == len(ACCOUNTS) and counts["sent"] >= 16

            await until(promised_and_partly_sent, "100 sends stored, some sent")
        # The service stopped mid-broadcast (its lifespan ended, as at SIGTERM).
        fake.set_faults(Faults())
        second = service()
        async with running_server(second, "127.0.0.1", port):
            counts = await second.outbox.counts()
            assert counts["pending"] > 0  # it stopped mid-broadcast indeed

            async def settled() -> bool:
                counts = await second.outbox.counts()
                return counts["pending"] == counts["sending"] == 0

            await until(settled, "the broadcast settled")
            clock.now += 3600  # later that day: no run is repeated
            await asyncio.sleep(0.2)
            items = await second.outbox.items()
            assert await second.schedule.interrupted() == []

    assert sorted(item.app_id for item in items) == ACCOUNTS  # one promise each, none lost
    states = {item.app_id: item.state for item in items}
    for app_id, state in states.items():
        sent = fake.devices[app_id].outbox.texts(TEAM).count("早上好")
        if state == "sent":
            assert sent == 1, app_id
        else:
            assert state == "unknown", (app_id, state)
            assert sent <= 1, (app_id, sent)  # never twice
    assert list(states.values()).count("sent") >= len(ACCOUNTS) - 8  # at most 8 were in flight
    assert len(admin.texts(ADMIN[1])) == 1


# --8<-- [end:test]


async def test_the_directory_syncs_an_account_without_friends() -> None:
    """A new account lists no friends: the sync asks no getBriefInfo (it once raised)."""
    from gewe_async.bot import Dispatcher
    from gewe_async.fleet import Directory

    fake = FakeGewe()
    fake.add_device("wx_new")
    async with fake.client() as client:
        directory = Directory()
        Dispatcher(client, directory=directory)
        report = await directory.sync("wx_new")
    assert (report.added, tuple(report.errors)) == (0, ())
    assert directory.account("wx_new").age is not None


async def test_the_outbox_and_the_jobs_work_beside_an_open_sqlite_storage(tmp_path: Path) -> None:
    """A SqliteStorage that is not shared locks its file: they once failed with `locked`."""
    from gewe_async.bot import Dispatcher
    from gewe_async.bot.fsm import SqliteStorage
    from gewe_async.fleet import Directory, Outbox, Scheduler

    fake = FakeGewe()
    fake.add_device("wx_1")
    clock = Clock(datetime(2026, 12, 4, 8, 0, tzinfo=SHANGHAI))
    async with fake.client() as client:
        directory = Directory()
        dp = Dispatcher(
            client, storage=SqliteStorage(tmp_path / "bot.db-state"), directory=directory
        )
        await directory.sync("wx_1")  # the conversations' file is open, and locked
        schedule = Scheduler(client, store=dp.storage, app_ids=["wx_1"], clock=clock)
        async with Outbox(client, dp.storage) as outbox:

            @schedule.cron("0 9 * * *", tz="Asia/Shanghai")
            async def good_morning(client: Any, app_id: str) -> None:
                await outbox.post_text(app_id, "wxid_boss", "早上好")

            await schedule.tick()
            clock.now = datetime(2026, 12, 4, 9, 0, 1, tzinfo=SHANGHAI).timestamp()
            assert await schedule.tick() == 1
            await outbox.drain(timeout=30)
            await schedule.aclose()
        await dp.storage.aclose()
    assert fake.devices["wx_1"].outbox.texts("wxid_boss") == ["早上好"]
