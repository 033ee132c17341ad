"""The how-to pages' examples run, and the docs show every example and proxy config there is."""

from __future__ import annotations

import importlib
import re
import runpy
import sys
import types
from types import ModuleType

import pytest

from gewe_async.testing import FakeGewe
from tests.paths import DOCS, EXAMPLES, ROOT


def included() -> set[str]:
    """Every file a docs page includes with pymdownx.snippets (``--8<-- "path"``)."""
    pages = "\n".join(p.read_text(encoding="utf-8") for p in DOCS.rglob("*.md"))
    return {m.split(":")[0] for m in re.findall(r'^\s*--8<-- "([^"]+)"', pages, re.M)}


#: The examples a reader copies: code and configs (the Dockerfile is only built, not read).
SHOWN = sorted(
    p.name
    for p in EXAMPLES.iterdir()
    if p.is_file() and p.suffix in {".py", ".yaml", ".conf", ""} and p.name != "Dockerfile"
)


@pytest.mark.parametrize("example", SHOWN)
def test_every_example_is_shown_on_a_docs_page(example):
    """An example no page includes is code nobody reads: each is shown as the tests run it."""
    assert f"examples/{example}" in included()


# -- finding one's wxid (docs/wxid.md) -------------------------------------------------------


def test_whoami_runs_as_a_script(capsys):
    runpy.run_path(str(EXAMPLES / "whoami.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert "wx_001: wxid wxid_wx_001, alias -, Bot 001" in out
    assert "wxid_wx_001 is on wx_001" in out


async def test_whoami_maps_devices_to_wxids_and_reports_the_devices_that_did_not_answer(capsys):
    whoami = importlib.import_module("whoami")
    fake = FakeGewe()
    fake.add_device("wx_1", wxid="wxid_alice", alias="alice-w", nick_name="Alice")
    fake.add_device("wx_2")
    fake.set_offline("wx_2")
    async with fake.client() as client:
        assert await whoami.accounts(client, ["wx_1", "wx_2"]) == {"wx_1": "wxid_alice"}
    out = capsys.readouterr().out
    assert "wx_1: wxid wxid_alice, alias alice-w, Alice" in out
    assert "wx_2: no answer (GeweDeviceOfflineError)" in out


def python_block(page: str, section: str) -> str:
    """The first ```python block under the heading ``section`` of a docs page."""
    text = (DOCS / page).read_text(encoding="utf-8").split(f"\n## {section}\n")[1]
    return re.search(r"^```python\n(.*?)^```", text, re.S | re.M)[1]


async def test_the_wxid_handler_of_the_page_replies_with_the_accounts_wxid(gewe_bot):
    namespace: dict[str, object] = {}
    exec(python_block("wxid.md", "In a bot"), namespace)  # the page's own code
    gewe_bot.include(namespace["router"])
    await gewe_bot.fake.receive_text(gewe_bot.app_id, "wxid_friend", "who are you?")
    await gewe_bot.wait_until_handled()
    assert gewe_bot.sent() == [
        ("wxid_friend", "I am wxid_wx_bot on wx_bot; you are wxid_friend"),
    ]


# -- an account that goes offline (docs/offline.md) ------------------------------------------


def offline_bot(fake: FakeGewe) -> ModuleType:
    """The example bot, connected to ``fake``; its alert device is wx_001."""
    bot = importlib.import_module("offline_bot")
    bot.offline.clear()
    bot.dispatcher.client = fake.client()
    fake.connect(bot.dispatcher)
    return bot


def fleet() -> FakeGewe:
    fake = FakeGewe()
    for app_id in ("wx_001", "wx_002", "wx_003"):
        fake.add_device(app_id)
    return fake


def alerts(fake: FakeGewe) -> list[tuple[str, str]]:
    return fake.devices["wx_001"].outbox.text_pairs()


async def test_the_offline_push_alerts_a_person_once_with_what_to_run():
    fake = fleet()
    bot = offline_bot(fake)
    fake.set_offline("wx_002")
    await fake.receive_offline("wx_002")
    await fake.receive_offline("wx_002")  # again, or the watchdog: still one alert
    assert await bot.check(bot.dispatcher.client, ["wx_001", "wx_002"]) == {"wx_002"}
    assert alerts(fake) == [
        ("wxid_admin", "wx_002 is offline: gewe-async login --app-id wx_002 "
                       "--region-id <the owner's province>"),
    ]  # fmt: skip
    await bot.dispatcher.client.aclose()


async def test_a_device_that_reconnects_raises_no_alert():
    """login/reconnection works when the server still holds the session (the fake: online)."""
    fake = fleet()
    bot = offline_bot(fake)
    await fake.receive_offline("wx_002")
    assert not bot.offline
    assert alerts(fake) == []
    assert [r.endpoint for r in fake.requests][-2:] == ["login/reconnection", "login/checkOnline"]
    await bot.dispatcher.client.aclose()


async def test_the_watchdog_finds_a_drop_whose_push_was_missed_and_forgets_it_once_back():
    fake = fleet()
    bot = offline_bot(fake)
    client = bot.dispatcher.client
    fake.set_offline("wx_003")
    assert await bot.check(client, ["wx_001", "wx_002", "wx_003", "wx_unknown"]) == {"wx_003"}
    assert [to for to, _ in alerts(fake)] == ["wxid_admin"]
    fake.set_online("wx_003")  # its owner logged it in again
    assert await bot.check(client, ["wx_003"]) == set()
    fake.set_offline("wx_003")  # and it drops again: a new alert
    assert await bot.check(client, ["wx_003"]) == {"wx_003"}
    assert len(alerts(fake)) == 2
    await client.aclose()


async def test_no_alert_is_sent_from_a_device_that_is_offline_itself():
    fake = fleet()
    bot = offline_bot(fake)
    fake.set_offline("wx_001")
    fake.set_offline("wx_002")
    assert await bot.check(bot.dispatcher.client, ["wx_001", "wx_002"]) == {"wx_001", "wx_002"}
    assert alerts(fake) == []
    assert "message/postText" not in [r.endpoint for r in fake.requests]
    await bot.dispatcher.client.aclose()


def test_offline_bot_runs_as_a_script(capsys):
    runpy.run_path(str(EXAMPLES / "offline_bot.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert "still offline: ['wx_002', 'wx_003']" in out
    assert out.count("alert to wxid_admin") == 2


def test_offline_bot_is_what_gewe_async_receive_serves():
    from gewe_async.bot import Dispatcher
    from gewe_async.cli._receive import load_target

    assert isinstance(load_target("offline_bot:dispatcher"), Dispatcher)


def relogin_by_dialog_and_its_test() -> dict[str, object]:
    # The page's test imports the function's block as `relogin`, as a reader saves it.
    relogin = types.ModuleType("relogin")
    exec(python_block("offline.md", "What the bot can do, and what needs a person"), vars(relogin))
    namespace: dict[str, object] = {}
    sys.modules["relogin"] = relogin
    try:
        exec(python_block("offline.md", "Testing it"), namespace)
    finally:
        del sys.modules["relogin"]
    return namespace


async def test_the_offline_pages_dialog_relogin_and_its_test_run(gewe_fake):
    """The page's test, run as written: the owner confirms, the device is online again."""
    await relogin_by_dialog_and_its_test()["test_the_owner_confirms_the_dialog"](gewe_fake)


async def test_the_dialog_relogin_says_false_when_refused_or_not_confirmed():
    relogin = relogin_by_dialog_and_its_test()["relogin_by_dialog"]
    fake = FakeGewe()
    fake.add_device("wx_online")  # dialogLogin refuses an account that is logged in
    fake.add_device("wx_1")
    fake.set_offline("wx_1")
    async with fake.client() as client:
        assert not await relogin(client, "wx_online", "320000", poll_interval=0.01)
        assert not await relogin(client, "wx_1", "320000", poll_interval=0.01, timeout=0.1)
        assert not await client.login.check_online("wx_1")


# -- reverse proxies (docs/deploying.md) -----------------------------------------------------


def test_the_nginx_config_passes_the_receivers_path_and_logs_no_path():
    """The secret is the path's last segment: no access log line may carry the path."""
    conf = (EXAMPLES / "nginx.conf").read_text(encoding="utf-8")
    assert "location /gewe/ {" in conf  # `gewe-async receive`'s default --path
    assert "proxy_pass http://127.0.0.1:8000;" in conf
    for name, fmt in re.findall(r"log_format (\w+) ((?:'[^']*'\s*)+);", conf):
        assert not re.search(r"\$(request|request_uri|uri|args)\b", fmt), name
    for line in re.findall(r"^\s*access_log ([^;]+);", conf, re.M):
        assert line == "off" or line.split()[-1] in re.findall(r"log_format (\w+)", conf)
    assert re.search(r"^\s*access_log ", conf, re.M)  # else nginx's default format logs paths
    assert "client_max_body_size 1m;" in conf
    assert "proxy_read_timeout 3s;" in conf
    assert re.search(r"^\s*limit_conn \w+ \d+;", conf, re.M)


def test_the_caddy_config_passes_the_receivers_path_and_logs_nothing():
    conf = (EXAMPLES / "Caddyfile").read_text(encoding="utf-8")
    assert "handle /gewe/* {" in conf
    assert "reverse_proxy 127.0.0.1:8000" in conf
    assert not re.search(r"^\s*log\b", conf, re.M)  # Caddy's access log is off unless asked
    assert "max_size 1MB" in conf


# -- the pages ---------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["wxid.md", "offline.md", "offline.zh.md"])
def test_the_how_to_pages_are_in_the_nav_and_link_the_command_line_page(page):
    assert re.search(rf"^\s+- [^\n]+: {page}$", (ROOT / "mkdocs.yml").read_text(), re.M)
    assert "(cli.md" in (DOCS / page).read_text(encoding="utf-8")


# -- installing (gewe-async is not on a registry yet) --------------------------------------

#: The pages that say how to install; the rest link to them.
INSTALL_PAGES = [ROOT / "README.md", DOCS / "quickstart.md", DOCS / "quickstart.zh.md"]


@pytest.mark.parametrize("page", INSTALL_PAGES, ids=lambda p: p.name)
def test_install_instructions_work_before_the_package_is_published(page):
    """Install from a clone; the registry's name only as what will work once published."""
    text = page.read_text(encoding="utf-8")
    assert "git clone https://github.com/gewe-async/gewe-async" in text
    assert 'pip install -e ".[cli]"' in text
    for line in text.splitlines():
        if re.search(r"pip install \"?gewe-async\b", line):
            assert "published" in line or "发布" in line, line
