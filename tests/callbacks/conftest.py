"""The parser's tests run twice: with orjson reading bodies (the ``speedups`` extra) and with
the standard library alone (orjson blocked), so both JSON paths keep every behaviour."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from gewe_async.callbacks import _parse


@pytest.fixture(scope="module", autouse=True, params=["orjson", "stdlib"])
def json_path(request: pytest.FixtureRequest) -> Iterator[str]:
    """Which JSON reader `parse_callback` uses for the module's tests (module-scoped, so
    hypothesis's function-scoped fixture check does not apply)."""
    if request.param == "orjson":
        pytest.importorskip("orjson")
    saved = _parse._FAST_LOADS
    _parse._FAST_LOADS = _parse._resolve_fast_loads() if request.param == "orjson" else None
    try:
        yield request.param
    finally:
        _parse._FAST_LOADS = saved
