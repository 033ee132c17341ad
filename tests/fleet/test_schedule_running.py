"""`Scheduler.running()`: what cannot start fails the ``async with``, not a background task."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from gewe_async.fleet._schedule import Scheduler

NO_CLIENT: Any = object()


async def test_a_job_without_accounts_fails_the_block_before_it_runs() -> None:
    schedule = Scheduler(NO_CLIENT)

    @schedule.every(60)
    async def job(client: Any, app_id: str) -> None:
        pass

    entered: list[bool] = []

    async def use() -> None:
        async with schedule.running():
            entered.append(True)
            await asyncio.sleep(0.05)

    with pytest.raises(ValueError, match="no accounts"):
        await use()
    assert not entered


async def test_a_store_that_cannot_be_opened_fails_the_block(tmp_path: Path) -> None:
    # A directory where the database file should be: SQLite cannot open it.
    where = tmp_path / "state"
    where.mkdir()
    schedule = Scheduler(NO_CLIENT, app_ids=["wx_1"], store=f"sqlite:///{where}")

    @schedule.every(60)
    async def job(client: Any, app_id: str) -> None:
        pass

    async def use() -> None:
        async with schedule.running():
            await asyncio.sleep(0.05)

    with pytest.raises(sqlite3.OperationalError):
        await use()
