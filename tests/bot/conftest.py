"""Fixtures of the bot tests (receivers, workers, journals, conversation storages)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from tests.journals import redis_server


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server on loopback, one per test module (keys are prefixed per test)."""
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for the receivers the tests serve (a generous timeout for loaded runs)."""
    async with httpx.AsyncClient(timeout=30) as client:
        yield client
