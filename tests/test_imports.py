"""What each import loads, checked in a fresh interpreter (``sys.modules``, never a timing).

``import gewe_async`` must not build the ten groups' models or load aiohttp, and
``import gewe_async.bot`` must not load aiohttp: those were most of every process start.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

GROUPS = (
    "contacts",
    "favor",
    "finder",
    "group",
    "im",
    "label",
    "login",
    "message",
    "personal",
    "sns",
)


def loaded_after(code: str) -> set[str]:
    """The modules a new interpreter holds after running ``code``."""
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_import_gewe_async_loads_no_group_and_no_aiohttp() -> None:
    loaded = loaded_after("import gewe_async")
    eager = {f"gewe_async._api.{group}" for group in GROUPS} | {
        f"gewe_async.types.{group}" for group in GROUPS
    }
    assert loaded & eager == set()
    assert "aiohttp" not in loaded
    assert "cattrs" not in loaded  # loaded with the first endpoint's converter
    assert "gewe_async.resources" not in loaded
    assert "gewe_async.bot" not in loaded


def test_a_client_loads_only_the_groups_it_uses() -> None:
    loaded = loaded_after(
        "from gewe_async import AsyncGeweClient\n"
        "client = AsyncGeweClient(token='t0ken-for-tests')\n"
        "assert type(client.sns).__name__ == 'SnsAPI'\n"
        "assert client.sns is client.sns\n"
        "assert client.with_options(timeout=3).sns is not client.sns\n"
    )
    assert "gewe_async._api.sns" in loaded
    assert "gewe_async._api.finder" not in loaded
    assert "gewe_async._api.message" not in loaded


def test_import_gewe_async_bot_does_not_load_aiohttp() -> None:
    loaded = loaded_after("import gewe_async.bot")
    assert "aiohttp" not in loaded
    assert "gewe_async.bot._aiohttp" not in loaded


def test_the_aiohttp_receiver_loads_on_access() -> None:
    loaded = loaded_after(
        "import gewe_async.bot\n"
        "from gewe_async.bot import AiohttpReceiver\n"
        "assert AiohttpReceiver.__module__ == 'gewe_async.bot._aiohttp'\n"
        "assert 'AiohttpReceiver' in dir(gewe_async.bot)\n"
    )
    assert "aiohttp" in loaded


@pytest.mark.parametrize("group", GROUPS)
def test_types_submodules_load_on_access(group: str) -> None:
    loaded = loaded_after(
        f"import gewe_async.types as types\n"
        f"assert types.{group}.__name__ == 'gewe_async.types.{group}'\n"
        f"assert '{group}' in dir(types)\n"
    )
    others = {f"gewe_async.types.{other}" for other in GROUPS if other != group}
    assert f"gewe_async.types.{group}" in loaded
    # A group's types may import a sibling's (shared models), never all of them.
    assert not others <= loaded


def test_unknown_names_raise_attribute_error() -> None:
    import gewe_async.bot
    import gewe_async.types

    with pytest.raises(AttributeError):
        gewe_async.types.nope  # noqa: B018
    with pytest.raises(AttributeError):
        gewe_async.bot.NoReceiver  # noqa: B018
