"""The docs' pytest snippets pass as written in a fresh project: no ini, no asyncio_mode.

Every fenced python block of the docs that defines a test taking ``gewe_fake`` or ``gewe_bot``
is copied into its own file in an empty directory and run there by a bare pytest, in a
subprocess, so that this repository's ``asyncio_mode = "auto"`` does not apply.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from gewe_async.testing import BotHarness
from gewe_async.testing.pytest_plugin import FIXTURES
from tests.paths import DOCS

_BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
_TEST = re.compile(r"^(?:async )?def (test_\w+)\(([^)]*)\)", re.M)
#: A block that starts with ``# name.py`` is a module the page's tests import: written beside them.
_MODULE = re.compile(r"\A# (\w+)\.py\n")


def _uses_our_fixtures(code: str) -> list[str]:
    return [
        name
        for name, params in _TEST.findall(code)
        if FIXTURES.intersection(p.strip().split(":")[0] for p in params.split(","))
    ]


def snippets(pages: list[Path] | None = None) -> list[tuple[str, str, list[str]]]:
    """``(label, code, test names)`` of every docs block that is a test using our fixtures."""
    found = []
    for page in pages if pages is not None else sorted(DOCS.rglob("*.md")):
        for n, code in enumerate(_BLOCK.findall(page.read_text(encoding="utf-8"))):
            tests = _uses_our_fixtures(code)
            if tests:
                found.append((f"{page.stem.replace('.', '_')}_{n}", code, tests))
    return found


PAGES = sorted({p for p in DOCS.rglob("*.md") if snippets([p])})
#: Pages whose snippets are known not to run as written (owned elsewhere; reported).
KNOWN_BROKEN: dict[str, str] = {}


def run_fresh(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-c",
            os.devnull,
            "--rootdir",
            str(tmp_path),
            "-q",
            *args,
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def write_snippets(tmp_path: Path, pages: list[Path] | None = None) -> int:
    count = 0
    for page in pages if pages is not None else sorted(DOCS.rglob("*.md")):
        for code in _BLOCK.findall(page.read_text(encoding="utf-8")):
            module = _MODULE.match(code)
            if module and not _uses_our_fixtures(code):
                (tmp_path / f"{module.group(1)}.py").write_text(code, encoding="utf-8")
    for label, code, tests in snippets(pages):
        (tmp_path / f"test_{label}.py").write_text(code, encoding="utf-8")
        count += len(tests)
    return count


def test_the_docs_have_bot_test_snippets():
    """Guard: the extraction finds them (testing.md, receiving.md and its zh twin)."""
    labels = [label for label, _, _ in snippets()]
    assert any(label.startswith("testing_") for label in labels)
    assert any(label.startswith("receiving_") for label in labels)
    assert any(label.startswith("receiving_zh_") for label in labels)


@pytest.mark.parametrize(
    "page",
    [
        pytest.param(p, marks=pytest.mark.xfail(reason=KNOWN_BROKEN[p.name], strict=True))
        if p.name in KNOWN_BROKEN
        else p
        for p in PAGES
    ],
    ids=lambda p: p.name,
)
def test_the_docs_bot_tests_pass_in_a_fresh_directory(tmp_path, page):
    count = write_snippets(tmp_path, [page])
    # Warnings are errors, but for pytest-asyncio's own about an unset loop-scope option.
    result = run_fresh(
        tmp_path,
        "-W",
        "error",
        "-W",
        "ignore:The configuration option:pytest.PytestDeprecationWarning",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{count} passed" in result.stdout, result.stdout


def test_without_pytest_asyncio_they_fail_saying_what_to_install(tmp_path):
    count = write_snippets(tmp_path, [DOCS / "testing.md"])
    result = run_fresh(tmp_path, "-p", "no:asyncio")
    assert result.returncode == 1, result.stdout + result.stderr
    # Each test fails at setup with the message (pytest repeats it in the short summary, in
    # full where CI is set, so count the setups, not the message).
    assert result.stdout.count("ERROR at setup of") == count, result.stdout
    assert 'pip install "gewe-async[testing]"' in result.stdout, result.stdout
    assert "not natively supported" not in result.stdout


def test_the_harness_docstring_example_runs(tmp_path):
    """The class docstring's example uses only what exists (it once used ``text_push``)."""
    (code,) = _BLOCK.findall(re.sub(r"^    ", "", BotHarness.__doc__ or "", flags=re.M))
    imports = (
        "from gewe_async.bot import filters as f\nfrom gewe_async.callbacks import TextMessage\n\n"
    )
    (tmp_path / "test_docstring.py").write_text(imports + code, encoding="utf-8")
    result = run_fresh(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout, result.stdout
