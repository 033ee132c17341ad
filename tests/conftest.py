"""Shared fixtures: a respx-mocked GeWe API and a client pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
import respx

from gewe_async import AsyncGeweClient

from .helpers import BASE_URL, TOKEN


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    """Mock the official API; routes are added by each test."""
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
        yield router


@pytest.fixture
async def client(api: respx.MockRouter) -> AsyncIterator[AsyncGeweClient]:
    """A client for the mocked API, closed after the test."""
    async with AsyncGeweClient(token=TOKEN) as c:
        yield c


@pytest.fixture(autouse=True)
def _no_env_token(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the developer's own GEWE_* variables out of the tests."""
    monkeypatch.delenv("GEWE_TOKEN", raising=False)
    monkeypatch.delenv("GEWE_BASE_URL", raising=False)
