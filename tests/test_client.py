"""The client's configuration and lifecycle rules."""

from __future__ import annotations

import asyncio
import gc
import logging
import warnings
from typing import Any

import httpx
import pytest

from gewe_async import (
    DEFAULT_TIMEOUT,
    AsyncGeweClient,
    GeweClientClosedError,
    GeweConfigError,
    GeweInsecureTransportWarning,
    GeweTimeoutError,
    GeweTransportError,
)
from gewe_async._redact import Redactor, Secret
from tests.helpers import OFFICIAL, TOKEN, envelope

PROFILE = OFFICIAL["personal/getProfile"]["response_example"]["data"]


async def test_token_comes_from_the_environment(monkeypatch, api, transport):
    """Without token=, GEWE_TOKEN is sent."""
    monkeypatch.setenv("GEWE_TOKEN", "from-env")
    route = api.post("/personal/getProfile").respond(json=envelope(PROFILE))
    async with AsyncGeweClient(transport=transport) as client:
        await client.personal.get_profile("wx_1")
    assert route.calls.last.request.headers["X-GEWE-TOKEN"] == "from-env"


def test_missing_token_is_a_clear_config_error():
    """No token and no GEWE_TOKEN raises GeweConfigError naming both ways to give one."""
    with pytest.raises(GeweConfigError, match="GEWE_TOKEN"):
        AsyncGeweClient()


@pytest.mark.parametrize("token", ["", "  padded  ", "line\nbreak", "中文", 123])
def test_malformed_token_is_refused_without_echoing_it(token):
    """A malformed token is refused, and the message does not contain it."""
    with pytest.raises(GeweConfigError) as caught:
        AsyncGeweClient(token=token)
    if isinstance(token, str) and token.strip():
        assert token.strip() not in str(caught.value)


async def test_repr_never_shows_the_token():
    """repr of the client, its views and its groups hides the token."""
    async with AsyncGeweClient(token=TOKEN) as client:
        texts = [
            repr(client),
            str(client),
            repr(client.with_options(timeout=3)),
            repr(client.personal),
            repr(client._core),
            repr(client._core.redactor),
        ]
    assert all(TOKEN not in t for t in texts)
    assert "***" in repr(client)


@pytest.mark.parametrize("base_url", ["ftp://host/x", "not a url", "http://"])
def test_bad_base_url_is_refused(base_url):
    """A base URL that is not http(s) with a host raises GeweConfigError."""
    with pytest.raises(GeweConfigError, match="base_url"):
        AsyncGeweClient(token=TOKEN, base_url=base_url)


async def test_base_url_from_environment_and_trailing_slash(monkeypatch):
    """GEWE_BASE_URL is used, and a trailing slash does not double up."""
    monkeypatch.setenv("GEWE_BASE_URL", "http://127.0.0.1:2531/v2/api/")
    async with AsyncGeweClient(token=TOKEN) as client:
        assert client.base_url == "http://127.0.0.1:2531/v2/api"


async def test_plain_http_to_a_remote_host_warns():
    """Sending the token over plain http to a non-local, non-official host warns."""
    with pytest.warns(GeweInsecureTransportWarning, match=r"gewe\.example\.org"):
        client = AsyncGeweClient(token=TOKEN, base_url="http://gewe.example.org/v2/api")
    await client.aclose()


@pytest.mark.parametrize(
    "base_url",
    [
        "http://api.geweapi.com/gewe/v2/api",
        "http://127.0.0.1:2531/v2/api",
        "http://localhost:2531/v2/api",
        "https://gewe.example.org/v2/api",
    ],
)
async def test_official_loopback_and_https_do_not_warn(base_url):
    """The official default, loopback and https raise no warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        client = AsyncGeweClient(token=TOKEN, base_url=base_url)
    await client.aclose()


async def test_context_manager_closes_owned_pool():
    """Leaving `async with` closes the httpx client the GeWe client created."""
    async with AsyncGeweClient(token=TOKEN) as client:
        http = client._core.http
        assert not http.is_closed
    assert http.is_closed
    assert client.is_closed


async def test_user_http_client_is_used_and_never_closed(api, transport):
    """A supplied http_client sends the calls and stays open afterwards."""
    route = api.post("/personal/getProfile").respond(json=envelope(PROFILE))
    async with httpx.AsyncClient(transport=transport) as http:
        async with AsyncGeweClient(token=TOKEN, http_client=http) as client:
            await client.personal.get_profile("wx_1")
        assert not http.is_closed
        assert route.call_count == 1


def test_http_client_of_the_wrong_type_is_refused():
    """Passing something that is not an httpx.AsyncClient fails at construction."""
    with pytest.raises(TypeError, match=r"httpx\.AsyncClient"):
        AsyncGeweClient(token=TOKEN, http_client=httpx.Client())  # type: ignore[arg-type]


async def test_reentering_a_closed_client_fails():
    """A closed client cannot be entered again."""
    client = AsyncGeweClient(token=TOKEN)
    await client.aclose()
    await client.aclose()  # twice is harmless
    with pytest.raises(GeweClientClosedError):
        async with client:
            pass


def test_unclosed_client_warns_resource_warning():
    """A client dropped without aclose() warns ResourceWarning (and does not clean up)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        client = AsyncGeweClient(token=TOKEN)
        http = client._core.http
        del client
        gc.collect()
    assert any(issubclass(w.category, ResourceWarning) for w in caught)
    assert not http.is_closed  # no cleanup in __del__
    assert all(TOKEN not in str(w.message) for w in caught)


async def test_closed_client_does_not_warn():
    """A properly closed client leaves no ResourceWarning."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        async with AsyncGeweClient(token=TOKEN):
            pass
        gc.collect()
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]


async def test_default_timeouts_are_documented_values():
    """The default timeout is 5 s to connect and 30 s for the rest."""
    async with AsyncGeweClient(token=TOKEN) as client:
        assert client.timeout == DEFAULT_TIMEOUT
        assert DEFAULT_TIMEOUT.connect == 5.0
        assert DEFAULT_TIMEOUT.read == 30.0


async def test_timeout_per_client_and_per_call(api, transport):
    """timeout= on the client applies to every call; timeout= on a call overrides it."""
    seen: list[dict[str, float]] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"])
        return httpx.Response(200, json=envelope(PROFILE))

    api.post("/personal/getProfile").mock(side_effect=record)
    async with AsyncGeweClient(token=TOKEN, timeout=12, transport=transport) as client:
        await client.personal.get_profile("wx_1")
        await client.personal.get_profile("wx_1", timeout=2.5)
        await client.personal.get_profile("wx_1", timeout=httpx.Timeout(9, connect=1))

    assert seen[0]["read"] == 12
    assert seen[1]["read"] == 2.5
    assert seen[2] == {"connect": 1, "read": 9, "write": 9, "pool": 9}


async def test_user_http_client_timeout_is_kept_by_default(api):
    """With http_client and no timeout=, the http_client's own timeout applies."""
    async with (
        httpx.AsyncClient(timeout=httpx.Timeout(4.0)) as http,
        AsyncGeweClient(token=TOKEN, http_client=http) as client,
    ):
        assert client.timeout == httpx.Timeout(4.0)


@pytest.mark.parametrize(
    ("timeout", "error"),
    [
        (0, ValueError),
        (-1, ValueError),
        ("5", TypeError),
        (True, TypeError),
        (httpx.Timeout(None), ValueError),
        (float("nan"), ValueError),
        (float("inf"), ValueError),
        (httpx.Timeout(5, read=float("nan")), ValueError),
        (httpx.Timeout(5, connect=float("inf")), ValueError),
    ],
)
async def test_bad_timeouts_are_refused_before_sending(api, client, timeout, error):
    """A timeout that would hang or is not a number is refused without a request."""
    route = api.post("/personal/getProfile").respond(json=envelope(PROFILE))
    with pytest.raises(error):
        await client.personal.get_profile("wx_1", timeout=timeout)
    with pytest.raises(error):
        AsyncGeweClient(token=TOKEN, timeout=timeout)
    assert not route.called


@pytest.mark.parametrize(
    ("total", "error"), [(float("nan"), ValueError), (0, ValueError), ("1", TypeError)]
)
async def test_bad_total_timeouts_are_refused(api, client, total, error):
    """total_timeout=nan (or any non-positive, non-number) is refused before sending."""
    route = api.post("/personal/getProfile").respond(json=envelope(PROFILE))
    with pytest.raises(error, match="total_timeout"):
        await client.personal.get_profile("wx_1", total_timeout=total)
    with pytest.raises(error, match="total_timeout"):
        AsyncGeweClient(token=TOKEN, total_timeout=total)
    assert not route.called


async def test_an_infinite_total_timeout_means_none(api, transport):
    """total_timeout=inf is no overall limit, like None, and calls work."""
    api.post("/personal/getProfile").respond(json=envelope(PROFILE))
    async with AsyncGeweClient(token=TOKEN, transport=transport, total_timeout=float("inf")) as c:
        assert c.total_timeout is None
        await c.personal.get_profile("wx_1", total_timeout=float("inf"))


def test_repr_hides_a_password_in_the_base_url():
    """Credentials embedded in base_url (user:pass@) never show in repr."""
    client = AsyncGeweClient(token=TOKEN, base_url="https://bob:hunter2@gewe.example/v2/api")
    try:
        assert "hunter2" not in repr(client)
        assert "bob:***@gewe.example" in repr(client)
    finally:
        client._core.closed = True  # never opened: nothing to close


async def test_a_failing_event_hook_is_logged_once_and_changes_nothing(api, transport, caplog):
    """A hook that raises is logged (not on every call) and the calls still return."""
    from gewe_async import _events

    _events._hook_log.clear()
    api.post("/personal/getProfile").respond(json=envelope(PROFILE))

    def broken_metrics(event: object) -> None:
        raise KeyError("endpoint")

    async with AsyncGeweClient(token=TOKEN, transport=transport, event_hooks=[broken_metrics]) as c:
        profiles = [await c.personal.get_profile("wx_1") for _ in range(5)]
    assert all(p.wxid == PROFILE["wxid"] for p in profiles)
    logged = [r for r in caplog.records if "broken_metrics" in r.getMessage()]
    assert len(logged) == 1
    assert logged[0].exc_info is not None


async def test_an_attempt_cut_off_by_the_total_timeout_reaches_the_hooks(api, transport):
    """The attempt that the total timeout stopped is reported to the hooks, with its error."""

    async def never(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(10)
        raise AssertionError("unreachable")

    api.post("/personal/getProfile").mock(side_effect=never)
    events: list[Any] = []
    async with AsyncGeweClient(token=TOKEN, transport=transport, event_hooks=[events.append]) as c:
        with pytest.raises(GeweTimeoutError, match="total timeout"):
            await c.personal.get_profile("wx_1", total_timeout=0.1)
    assert [(e.attempt, type(e.error)) for e in events] == [(1, GeweTimeoutError)]


async def test_with_options_is_a_view_sharing_the_pool(api, transport):
    """with_options() changes defaults for the view only and shares the connection pool."""
    api.post("/personal/getProfile").respond(json=envelope(PROFILE))
    client = AsyncGeweClient(token=TOKEN, timeout=10, transport=transport)
    view = client.with_options(timeout=99)

    assert view.timeout.read == 99
    assert client.timeout.read == 10
    assert view._core.http is client._core.http
    assert (await view.personal.get_profile("wx_1")).wxid == PROFILE["wxid"]

    await client.aclose()
    assert view.is_closed
    with pytest.raises(GeweClientClosedError):
        await view.personal.get_profile("wx_1")


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_a_short_token_does_not_garble_error_text(caplog):
    """GEWE_TOKEN=t hides the token, not the letter t inside every word of an error.

    A real refused connection on loopback: the message keeps its words, and the client warns
    that a one-character token cannot be real.
    """
    caplog.set_level(logging.WARNING, logger="gewe_async")
    base_url = f"http://127.0.0.1:{_closed_port()}/v2/api"
    async with AsyncGeweClient(token="t", base_url=base_url) as client:
        with pytest.raises(GeweTransportError) as caught:
            await client.personal.get_profile("wx_1", max_retries=0)
    text = str(caught.value)
    assert "***" not in text.replace("X-GEWE-TOKEN=***", "")
    assert "connect" in text.lower()
    assert "only 1 characters" in caplog.text


@pytest.mark.parametrize(
    ("token", "text", "expected"),
    [
        ("t", "ConnectError: Cannot connect to t", "ConnectError: Cannot connect to ***"),
        ("t", "token t, then (t)", "token ***, then (***)"),
        ("ab-c", "xab-c ab-c ab-cd", "xab-c *** ab-cd"),
        # A real-length token is hidden even glued to other text: it must never show.
        ("tok-3f9a1c-SECRET", "xtok-3f9a1c-SECRETy", "x***y"),
    ],
)
def test_redaction_of_short_and_real_tokens(token, text, expected):
    """A short token is hidden as a whole token; a real-length one everywhere."""
    assert Redactor(Secret(token)).text(text) == expected
