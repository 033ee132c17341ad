"""Every example in examples/ runs against FakeGewe, so an example that breaks fails CI."""

from __future__ import annotations

import asyncio
import importlib
import logging
import runpy
import sys
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient as AiohttpTestClient
from aiohttp.test_utils import TestServer
from fastapi.testclient import TestClient

from gewe_async import GeweError
from gewe_async.testing import FakeGewe, Faults

EXAMPLES = Path(__file__).parent.parent / "examples"


@pytest.fixture(autouse=True)
def _examples_importable(monkeypatch: pytest.MonkeyPatch) -> None:
    """The examples import their `_setup` module as scripts do (their folder on sys.path)."""
    monkeypatch.syspath_prepend(str(EXAMPLES))
    for name in ("_setup", "fastapi_app", "aiohttp_app", "bot_loop", "avatar_job", "quickstart"):
        sys.modules.pop(name, None)


#: What the examples meet in production now and then: proxies' 502/503 pages, captive-portal
#: HTML, answers that fit no schema. Seeded, so runs repeat.
FAULTS = Faults(error_rate=0.05, garbage_rate=0.02, bad_data_rate=0.02, retry_after=0, seed=3)


def faulty_fake(monkeypatch: pytest.MonkeyPatch) -> FakeGewe:
    """The examples' demo fake, with FAULTS on; their make_client() then uses it."""
    setup = importlib.import_module("_setup")
    fake = setup.demo_fake()
    fake.set_faults(FAULTS)
    monkeypatch.setattr(setup, "demo_fake", lambda: fake)
    return fake


@pytest.mark.parametrize("script", ["quickstart.py", "bot_loop.py", "avatar_job.py"])
def test_script_examples_run_to_the_end(script, capsys):
    """Run as `python examples/<script>` would, on the embedded fake."""
    runpy.run_path(str(EXAMPLES / script), run_name="__main__")
    out = capsys.readouterr().out
    assert "failed" not in out or " 0 failed" in out
    assert out.strip()


@pytest.mark.parametrize("script", ["quickstart.py", "bot_loop.py", "avatar_job.py"])
def test_script_examples_run_to_the_end_with_faults(script, capsys, monkeypatch):
    """With faults on, each example still runs to its end: failures are handled, not raised."""
    faulty_fake(monkeypatch)
    runpy.run_path(str(EXAMPLES / script), run_name="__main__")
    assert capsys.readouterr().out.strip()


def test_fastapi_example_serves_profiles_through_its_lifespan_client():
    """The FastAPI app opens one client in its lifespan and maps GeWe errors to HTTP."""
    fastapi_app = importlib.import_module("fastapi_app")
    with TestClient(fastapi_app.app) as http:
        ok = http.get("/devices/wx_001/profile")
        missing = http.get("/devices/wx_nope/profile")
        bad = http.post("/devices/wx_001/avatar", params={"url": "not-a-url"})
        good = http.post("/devices/wx_001/avatar", params={"url": "https://example.com/a.png"})
        client = fastapi_app.app.state.gewe
    assert ok.json()["wxid"] == "wxid_wx_001"
    assert missing.status_code == 404
    assert bad.status_code == 422
    assert good.json() == {"ok": True}
    assert client.is_closed  # the lifespan closed it on shutdown


def test_fastapi_example_dependency_can_be_overridden():
    """Tests of the app can inject their own client (here one on a fake with an offline device)."""
    fastapi_app = importlib.import_module("fastapi_app")
    fake = FakeGewe()
    fake.add_device("wx_9")
    fake.set_offline("wx_9")
    client = fake.client()
    fastapi_app.app.dependency_overrides[fastapi_app.gewe] = lambda: client
    try:
        with TestClient(fastapi_app.app) as http:
            answer = http.get("/devices/wx_9/profile")
    finally:
        fastapi_app.app.dependency_overrides.clear()
        asyncio.run(client.aclose())
    assert answer.status_code == 409
    assert "离线" in answer.json()["detail"]


async def test_aiohttp_example_serves_profiles_and_closes_its_client():
    """The aiohttp app creates the client in its cleanup context and closes it on cleanup."""
    aiohttp_app = importlib.import_module("aiohttp_app")
    app = aiohttp_app.create_app()
    async with AiohttpTestClient(TestServer(app)) as http:
        ok = await http.get("/devices/wx_002/profile")
        missing = await http.get("/devices/wx_nope/profile")
        body = await ok.json()
        client = app[aiohttp_app.GEWE]
    assert body["wxid"] == "wxid_wx_002"
    assert missing.status == 404
    assert client.is_closed


async def test_bot_loop_replies_once_per_ping():
    """Each ping gets exactly one pong, from the account that received it; other talk none."""
    bot = importlib.import_module("bot_loop")
    fake = importlib.import_module("_setup").demo_fake()
    assert await bot.main(fake, pings=6) == 6
    await fake.receive_text("wx_002", "wxid_x", "hello")
    sent = sorted((m.to_wxid, m.content) for m in fake.devices["wx_001"].outbox)
    assert sent == [("wxid_friend0", "pong"), ("wxid_friend3", "pong")]
    assert [m.to_wxid for m in fake.devices["wx_002"].outbox] == ["wxid_friend1", "wxid_friend4"]


async def test_avatar_job_sets_every_avatar(monkeypatch):
    """The avatar job reaches every device and reports none failed."""
    job = importlib.import_module("avatar_job")
    setup = importlib.import_module("_setup")
    fake = setup.demo_fake()
    monkeypatch.setattr(job, "make_client", lambda: setup.make_client(fake))
    urls = {a: f"https://example.com/{a}.png" for a in setup.DEMO_APP_IDS}
    result = await job.set_avatars(urls)
    assert not result.failed
    assert {a: fake.devices[a].big_head_img_url for a in urls} == urls


async def test_bot_loop_handles_every_event_when_calls_fail(monkeypatch, caplog):
    """At 30 % 50x pages and 10 % garbage no GeweError escapes the bot and no pong goes twice."""
    bot = importlib.import_module("bot_loop")
    fake = faulty_fake(monkeypatch)
    fake.set_faults(Faults(error_rate=0.3, garbage_rate=0.1, retry_after=0, seed=1))
    with caplog.at_level(logging.WARNING):
        pongs = await bot.main(fake, pings=100)
    sent = [(d.app_id, m.to_wxid) for d in fake.devices.values() for m in d.outbox]
    assert len(sent) == len(set(sent)) == pongs < 100  # some replies failed; none went twice
    assert any("failed" in r.getMessage() for r in caplog.records)
    assert not any(isinstance(r.exc_info and r.exc_info[1], GeweError) for r in caplog.records)
