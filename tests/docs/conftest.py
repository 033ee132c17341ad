"""Fixtures of the docs tests: the examples import as the scripts they are."""

from __future__ import annotations

import sys

import pytest

from tests.paths import EXAMPLES


@pytest.fixture(autouse=True)
def _examples_importable(monkeypatch: pytest.MonkeyPatch) -> None:
    """examples/ on sys.path (they import their `_setup` module), each example imported afresh."""
    monkeypatch.syspath_prepend(str(EXAMPLES))
    for example in EXAMPLES.glob("*.py"):
        sys.modules.pop(example.stem, None)
