"""Every example in examples/ runs against FakeGewe, so an example that breaks fails CI."""

from __future__ import annotations

import asyncio
import importlib
import logging
import os
import re
import runpy
import shlex
import signal
import subprocess
import sys
from typing import Any

import pytest
import yaml
from aiohttp.test_utils import TestClient as AiohttpTestClient
from aiohttp.test_utils import TestServer
from fastapi.testclient import TestClient

from gewe_async import GeweError
from gewe_async.testing import FakeGewe, Faults
from tests.paths import EXAMPLES

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


# -- examples/compose.yaml: read, since Docker cannot run here ---------------------------------

ROOT = EXAMPLES.parent
COMPOSE = EXAMPLES / "compose.yaml"
DEPLOYING = ROOT / "docs" / "deploying.md"
NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}


def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def argv(service: str) -> list[str]:
    """The service's `gewe-async ...` command line, whatever form the file gives it."""
    command = compose()["services"][service]["command"]
    if isinstance(command, list):  # the exec form: Compose wants strings (not 8000)
        assert all(isinstance(w, str) for w in command), command
    words = shlex.split(command) if isinstance(command, str) else list(command)
    if words[:2] == ["sh", "-c"]:
        words = shlex.split(words[2])
    return words[words.index("gewe-async") :]


def option(words: list[str], name: str, default: str) -> str:
    return words[words.index(name) + 1] if name in words else default


def callback_url_told_to_gewe() -> tuple[int, str]:
    """The port and path of the URL the file's header says to give login/setCallback."""
    header = COMPOSE.read_text(encoding="utf-8").split("\n\n")[0]
    match = re.search(r"setCallback\) at http://<this host>:(\d+)(/\S*)/<secret>", header)
    assert match, "compose.yaml's header no longer says which callback URL to set"
    return int(match[1]), match[2]


def nginx_conf() -> str:
    return str(compose()["configs"]["nginx"]["content"])


def test_the_callback_path_given_to_gewe_is_the_one_the_receivers_serve():
    """GeWe is told PATH/<secret>: the receivers' --path, what nginx passes on, on lb's port."""
    port, path = callback_url_told_to_gewe()
    receive = argv("receiver")
    assert receive[:2] == ["gewe-async", "receive"]
    assert option(receive, "--path", "/gewe").rstrip("/") == path  # the CLI's default is /gewe
    lb_ports = [str(p).split(":") for p in compose()["services"]["lb"]["ports"]]
    assert [port, 80] in [[int(host), int(inner)] for host, inner in lb_ports]
    conf = nginx_conf()
    assert re.search(r"listen 80;", conf)
    assert f"location {path}/ {{" in conf
    assert f"server receiver:{option(receive, '--port', '8000')};" in conf
    # The secret is the path's last segment: nginx must not write paths to its access log.
    assert "access_log off;" in conf


def test_the_replica_counts_are_the_ones_the_docs_give():
    """deploy.replicas is what deploying.md and the file's header say (and any --scale)."""
    services = compose()["services"]
    replicas = {s: services[s]["deploy"]["replicas"] for s in ("receiver", "worker")}
    section = DEPLOYING.read_text(encoding="utf-8").split("## Running N receivers and M workers")[1]
    section = section.split("\n## ")[0]
    said = re.search(r"runs Redis, (\w+) receivers behind nginx and (\w+) workers", section)
    assert said, "deploying.md no longer says how many receivers and workers the file runs"
    assert (NUMBERS[said[1]], NUMBERS[said[2]]) == (replicas["receiver"], replicas["worker"])
    header = COMPOSE.read_text(encoding="utf-8").split("\n\n")[0]
    counts = re.search(r"nginx in front of (\d+) receivers, (\d+) workers", header)
    assert counts
    assert (int(counts[1]), int(counts[2])) == (replicas["receiver"], replicas["worker"])
    for text in (section, header):
        for service, count in re.findall(r"--scale (\w+)=(\d+)", text):
            assert int(count) == replicas[service], f"--scale {service}={count}"


def test_the_compose_file_builds_its_image_from_the_clone():
    """No `pip install` from a registry at start: the image is built from this checkout."""
    bot = compose()["x-bot"]
    assert (EXAMPLES / bot["build"]["context"]).resolve() == ROOT
    dockerfile = ROOT / bot["build"]["dockerfile"]
    for service in ("receiver", "worker"):
        assert "pip" not in argv(service)
        assert compose()["services"][service]["build"] == bot["build"]
    text = dockerfile.read_text(encoding="utf-8")
    assert re.search(r'^RUN pip install "\.\[[a-z,]*server[a-z,]*\]"$', text, re.M)
    assert "redis" in re.search(r'^RUN pip install "(.*)"$', text, re.M)[1]
    # What the Dockerfile copies exists, and its .dockerignore (an allowlist) lets it in.
    allowed = [
        line[1:].rstrip("/")
        for line in (EXAMPLES / "Dockerfile.dockerignore").read_text().splitlines()
        if line.startswith("!")
    ]
    for line in re.findall(r"^COPY (.+)$", text, re.M):
        *sources, _target = line.split()
        for source in sources:
            assert (ROOT / source).exists(), source
            assert source.rstrip("/") in allowed, source


async def test_the_receiver_command_of_the_compose_file_answers_the_url_given_to_gewe(tmp_path):
    """The receiver's command and environment, run as compose runs them (in examples/, on a real
    Redis, over HTTP): the callback URL of the header is stored (200); others are 404."""
    from gewe_async.testing import FakeGewe
    from tests.bot_helpers import text_push
    from tests.journals import free_port, redis_server

    service = compose()["services"]["receiver"]
    words = [w.replace("${BOT:-bot:dispatcher}", "bot:dispatcher") for w in argv("receiver")]
    port = free_port()
    words[words.index("--host") + 1] = "127.0.0.1"  # loopback only, in tests
    words[words.index("--port") + 1] = str(port)
    fake = FakeGewe()
    fake.add_device("wx_bot")
    secret = "compose-s3cret-41d9"
    with redis_server(tmp_path) as redis_url:
        env = {k: str(v) for k, v in service["environment"].items()}
        assert env["GEWE_JOURNAL"] == "redis://redis:6379/0"
        env |= {"GEWE_JOURNAL": redis_url, "GEWE_TOKEN": fake.token,
                "GEWE_CALLBACK_SECRET": secret, "PATH": os.environ["PATH"]}  # fmt: skip
        process = subprocess.Popen(  # noqa: ASYNC220 - started once, waited in a thread
            [sys.executable, "-m", "gewe_async", *words[1:]],
            cwd=EXAMPLES, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        try:
            await _accepting(port, process)
            _, path = callback_url_told_to_gewe()
            fake.callback_url = f"http://127.0.0.1:{port}{path}/{secret}"
            assert await fake.deliver(text_push("ping")) == 200
            fake.callback_url = f"http://127.0.0.1:{port}/callback/{secret}"
            assert await fake.deliver(text_push("ping")) == 404
        finally:
            process.send_signal(signal.SIGTERM)
            _, err = await asyncio.to_thread(process.communicate, None, 60)
    assert process.returncode == 0, err.decode()[-2000:]
    assert secret.encode() not in err


async def _accepting(port: int, process: subprocess.Popen[bytes]) -> None:
    """Wait (30 s at most) until ``process`` accepts connections on ``port``."""
    async with asyncio.timeout(30):
        while True:
            assert process.poll() is None, process.communicate()[1].decode()[-2000:]
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                await asyncio.sleep(0.05)
                continue
            writer.close()
            await writer.wait_closed()
            return
