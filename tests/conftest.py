"""Shared fixtures: a respx-mocked GeWe API and a client pointed at it."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import respx

from gewe_async import AsyncGeweClient

from .helpers import BASE_URL, TOKEN


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    """Mock the official API; routes are added by each test, clients reach it by `transport`."""
    # using=None: patch nothing globally; clients get the router as their transport.
    with respx.mock(base_url=BASE_URL, assert_all_called=False, using=None) as router:
        yield router


@pytest.fixture
def transport(api: respx.MockRouter) -> httpx.MockTransport:
    """A transport that answers from the `api` router."""
    return httpx.MockTransport(api.async_handler)


@pytest.fixture
async def client(transport: httpx.MockTransport) -> AsyncIterator[AsyncGeweClient]:
    """A client for the mocked API, closed after the test."""
    async with AsyncGeweClient(token=TOKEN, transport=transport) as c:
        yield c


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any test that would resolve a host other than loopback (no real network)."""
    resolve = socket.getaddrinfo

    def guarded(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in ("127.0.0.1", "localhost", "::1", None):
            raise AssertionError(f"a test tried to reach {host!r}; tests talk to loopback only")
        return resolve(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", guarded)


@pytest.fixture(autouse=True)
def _no_env_token(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the developer's own GEWE_* variables out of the tests."""
    monkeypatch.delenv("GEWE_TOKEN", raising=False)
    monkeypatch.delenv("GEWE_BASE_URL", raising=False)
