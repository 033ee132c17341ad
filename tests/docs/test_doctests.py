"""The docs' doctest snippets (``>>>``) run, so the docs cannot drift from the code."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

import gewe_async._retry
from tests.paths import DOCS

PAGES = sorted(p for p in DOCS.rglob("*.md") if ">>>" in p.read_text(encoding="utf-8"))


def test_some_pages_have_doctests():
    """Guard: the glob below finds the pages (a moved docs folder would silently skip them)."""
    assert len(PAGES) >= 4


def pycon_blocks(page: Path) -> str:
    """The page's ```pycon blocks, as one doctest text (the fences are not expected output)."""
    blocks = re.findall(r"^```pycon\n(.*?)^```", page.read_text(encoding="utf-8"), re.S | re.M)
    return "\n".join(blocks)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_doc_page_snippets_run(page):
    """Every ``>>>`` snippet of the page gives the output shown."""
    test = doctest.DocTestParser().get_doctest(pycon_blocks(page), {}, page.name, str(page), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0
    assert result.attempted > 0


@pytest.mark.parametrize("module", [gewe_async._retry])
def test_docstring_snippets_run(module):
    """Docstring ``>>>`` snippets give the output shown."""
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0
