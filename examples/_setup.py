"""Shared by the examples: the real API when GEWE_TOKEN is set, else an in-process FakeGewe."""

from __future__ import annotations

import os

from gewe_async import AsyncGeweClient
from gewe_async.testing import FakeGewe

DEMO_APP_IDS = [f"wx_{i:03d}" for i in range(1, 21)]


def make_client(fake: FakeGewe | None = None) -> AsyncGeweClient:
    """A client for GeWe: ``GEWE_TOKEN`` set means the real API, otherwise a fake with devices."""
    if os.environ.get("GEWE_TOKEN"):
        return AsyncGeweClient()  # token and base URL from the environment
    if fake is None:
        fake = demo_fake()
    return fake.client()


def demo_fake() -> FakeGewe:
    """A FakeGewe with 20 online devices, wx_001 ... wx_020."""
    fake = FakeGewe()
    for app_id in DEMO_APP_IDS:
        fake.add_device(app_id, nick_name=f"Bot {app_id[-3:]}")
    return fake


def app_ids_from_env() -> list[str]:
    """The appIds to work on: ``GEWE_APP_IDS`` (comma-separated), or the fake's devices."""
    given = os.environ.get("GEWE_APP_IDS")
    return [a.strip() for a in given.split(",") if a.strip()] if given else DEMO_APP_IDS
