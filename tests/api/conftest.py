"""Fixtures of the API group tests: the mocked API of tests/conftest.py, without send pacing."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from gewe_async import AsyncGeweClient
from tests.helpers import TOKEN


@pytest.fixture
async def client(transport: httpx.MockTransport) -> AsyncIterator[AsyncGeweClient]:
    """A client for the mocked API without send pacing (the pacing tests have their own)."""
    async with AsyncGeweClient(token=TOKEN, transport=transport, send_interval=None) as c:
        yield c
