"""Every official endpoint has its method by the naming rule, and docs/endpoints.md says so."""

from __future__ import annotations

import copy
import importlib
import runpy
import typing
from collections.abc import Iterator
from typing import Any

import pytest

from gewe_async import AsyncGeweClient, resources
from gewe_async._converter import converter
from gewe_async._endpoint import Endpoint
from tests.helpers import OFFICIAL
from tests.paths import ROOT

# tests/data holds scripts, not a package: load the page's renderer from its file.
page = runpy.run_path(str(ROOT / "tests/data/endpoints_page.py"))
snake, method, render = page["snake"], page["method"], page["render"]

#: The ten groups, in the order of docs/endpoints.md.
ALL_GROUPS = page["GROUPS"]


@pytest.mark.parametrize("path", sorted(OFFICIAL))
def test_endpoint_has_its_method(path):
    """`group/fooBar` is callable as `client.group.foo_bar`."""
    group, _, name = path.partition("/")
    # Groups are cached properties whose classes load on first use: resolve the return type.
    prop = AsyncGeweClient.__dict__.get(group)
    classes = {name: getattr(resources, name) for name in resources.__all__}
    hints = typing.get_type_hints(prop.func, localns=classes) if prop else {}
    cls = hints.get("return")
    assert cls is not None, f"the client has no {group} group"
    assert callable(getattr(cls, snake(name), None)), f"{path}: no {page['method'](path)}"


@pytest.mark.parametrize("group", ALL_GROUPS)
def test_declarations_are_exactly_the_official_endpoints(group):
    """Each group module's ENDPOINTS (read from its declarations) are its official paths."""
    module = importlib.import_module(f"gewe_async._api.{group}")
    declared = sorted(e.path for e in module.ENDPOINTS)
    expected = sorted(p for p in OFFICIAL if p.partition("/")[0] == group)
    if group == "sns":
        assert "sns/sendFinderSns" in declared  # its page is under 视频号模块
    assert declared == expected
    assert len(set(declared)) == len(declared)
    every = {id(v) for v in vars(module).values() if isinstance(v, Endpoint)}
    assert every == {id(e) for e in module.ENDPOINTS}


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


def _declared_endpoints() -> dict[str, Any]:
    declared = {}
    for group in ALL_GROUPS:
        module = importlib.import_module(f"gewe_async._api.{group}")
        declared.update({e.path: e for e in vars(module).values() if isinstance(e, Endpoint)})
    return declared


def _nested_objects(schema: dict[str, Any], example: Any, where: str = "") -> Iterator[Any]:
    """Yield (where, schema, example) for each object below the top of a request example."""
    if isinstance(example, list):
        for item in example:
            yield from _nested_objects(schema.get("items", {}), item, where + "[]")
        return
    if not isinstance(example, dict):
        return
    if where:
        yield where, schema, example
    for key, value in example.items():
        yield from _nested_objects(
            schema.get("properties", {}).get(key, {}), value, f"{where}.{key}"
        )


def _at(body: Any, where: str) -> list[Any]:
    found = [body]
    for part in where.strip(".").split("."):
        found = [x for x in found if isinstance(x, dict) and part.rstrip("[]") in x]
        found = [x[part.rstrip("[]")] for x in found]
        if part.endswith("[]"):
            found = [item for x in found for item in x]
    return found


NESTED = sorted(
    path
    for path, page in OFFICIAL.items()
    if any(
        s.get("required")
        for _, s, _ in _nested_objects(page["request_schema"], page["request_example"])
    )
)


def test_nested_required_fields_are_checked_somewhere():
    """The pages with required fields in nested request objects: all four are covered below."""
    assert NESTED == [
        "finder/follow",
        "finder/publishFinderCdn",
        "sns/sendImgSns",
        "sns/sendVideoSns",
    ]


@pytest.mark.parametrize("path", NESTED)
def test_nested_request_objects_send_every_required_field(path):
    """A nested object's required fields are sent even at their defaults (finder/follow).

    The official example is structured into the request class with, in turn, each nested field
    left out (the model's default fills it where it has one); the body must still carry every
    field the page marks required in that object.
    """
    endpoint = _declared_endpoints()[path]
    page = OFFICIAL[path]
    tried = 0
    for where, schema, example in _nested_objects(page["request_schema"], page["request_example"]):
        required = schema.get("required") or []
        for key in [None, *example]:
            pruned = copy.deepcopy(page["request_example"])
            if key is not None:
                for obj in _at(pruned, where):
                    obj.pop(key, None)
            try:
                request = converter.structure(pruned, endpoint.request)
            except Exception:  # that field has no default: nothing to drop
                continue
            tried += 1
            for obj in _at(endpoint.encode(request), where):
                missing = [name for name in required if name not in obj]
                assert not missing, f"{path} {where}: {missing} dropped (without {key})"
    assert tried


def test_public_answer_models_live_in_types():
    """Every public model an endpoint answers with is in gewe_async.types.<group> (issue 20).

    Private wrappers that a method unwraps (``_QrCode``) may stay with their group's requests.
    """
    strays = []
    for endpoint in _declared_endpoints().values():
        for cls in [endpoint.response, *typing.get_args(endpoint.response)]:
            if not isinstance(cls, type) or cls.__module__ == "builtins":
                continue
            if not cls.__name__.startswith("_") and not cls.__module__.startswith(
                "gewe_async.types."
            ):
                strays.append(f"{endpoint.path}: {cls.__module__}.{cls.__name__}")
    assert not strays


def test_requests_are_built_by_keyword():
    """Every request class is kw_only: a method cannot fill its fields by position.

    personal/updateHeadImg's request is still positional: the CLI checks CSV rows with it.
    """
    import attrs

    positional = sorted(
        path
        for path, endpoint in _declared_endpoints().items()
        if not all(field.kw_only for field in attrs.fields(endpoint.request))
    )
    assert positional == ["personal/updateHeadImg"]
