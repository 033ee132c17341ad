"""Every official endpoint has its method by the naming rule, and docs/endpoints.md says so."""

from __future__ import annotations

import importlib
import runpy
import typing
from pathlib import Path

import pytest

from gewe_async import AsyncGeweClient, resources

from .helpers import OFFICIAL

ROOT = Path(__file__).parent.parent
# tests/data holds scripts, not a package: load the page's renderer from its file.
page = runpy.run_path(str(ROOT / "tests/data/endpoints_page.py"))
snake, method, render = page["snake"], page["method"], page["render"]

#: All ten groups; the lead widens CHECKED to ALL_GROUPS when every group's branch is merged.
ALL_GROUPS = page["GROUPS"]
#: The groups whose methods exist on this branch (the others are written in parallel).
CHECKED = ALL_GROUPS


@pytest.mark.parametrize("path", sorted(p for p in OFFICIAL if p.partition("/")[0] in CHECKED))
def test_endpoint_has_its_method(path):
    """`group/fooBar` is callable as `client.group.foo_bar`."""
    group, _, name = path.partition("/")
    # Groups are cached properties whose classes load on first use: resolve the return type.
    prop = AsyncGeweClient.__dict__.get(group)
    hints = typing.get_type_hints(prop.func, localns=vars(resources)) if prop else {}
    cls = hints.get("return")
    assert cls is not None, f"the client has no {group} group"
    assert callable(getattr(cls, snake(name), None)), f"{path}: no {page['method'](path)}"


@pytest.mark.parametrize("group", ["sns", "favor", "finder", "personal"])
def test_declarations_are_exactly_the_official_endpoints(group):
    """The group module declares one Endpoint per official path of the group, no other."""
    module = importlib.import_module(f"gewe_async._api.{group}")
    declared = sorted(e.path for e in module.ENDPOINTS)
    expected = sorted(p for p in OFFICIAL if p.partition("/")[0] == group)
    if group == "sns":
        assert "sns/sendFinderSns" in declared  # its page is under 视频号模块
    assert declared == expected
    assert len(set(declared)) == len(declared)


def test_every_group_is_listed():
    """ALL_GROUPS covers every group of the 132 official endpoints."""
    assert {p.partition("/")[0] for p in OFFICIAL} == set(ALL_GROUPS)
    assert len(OFFICIAL) == 132


def test_endpoints_page_is_current():
    """docs/endpoints.md is what tests/data/endpoints_page.py renders now."""
    assert (ROOT / "docs/endpoints.md").read_text(encoding="utf-8") == render()


def test_home_page_links_the_full_coverage():
    """The home page's coverage line says 132/132 and links the list."""
    home = (ROOT / "docs/index.md").read_text(encoding="utf-8")
    assert f"{len(OFFICIAL)}/{len(OFFICIAL)}" in home
    assert "(endpoints.md)" in home
