"""Where the tests find the repository's files, wherever in tests/ a module sits."""

from __future__ import annotations

from pathlib import Path

#: The repository's root (pyproject.toml, docs/, examples/).
ROOT = Path(__file__).resolve().parent.parent
#: The tests' fixtures and the scripts that made them.
DATA = ROOT / "tests" / "data"
DOCS = ROOT / "docs"
EXAMPLES = ROOT / "examples"
