"""The tests mirror the package: a flat ``tests/test_*.py`` fails here, naming its folder.

tests/ follows gewe_async/ (as aiogram's and openai-python's tests follow theirs): the tests of
``gewe_async/bot/`` are in ``tests/bot/``, of ``gewe_async/_api/group.py`` in
``tests/api/test_group.py``. At the top stay only the tests of the core modules
(``gewe_async/_*.py``) and of the package as a whole (``TOP_LEVEL``). Shared fixtures live in
each folder's ``conftest.py``, shared code in support modules (any ``tests/**/*.py`` not named
``test_*``): a test module never imports another one.

After a merge, ``python tests/test_layout.py`` prints a ``git mv`` for each flat test file.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent

#: Test folders and what each mirrors. A new folder is described here.
FOLDERS = {
    "api": "gewe_async/_api/: one module per API group (test_group.py: /group/*), endpoints",
    "bot": "gewe_async/bot/: dispatcher, filters, receivers, workers, health",
    "bot/fsm": "gewe_async/bot/fsm/: conversation state and its storages",
    "bot/journal": "gewe_async/bot/_journal.py and its memory, SQLite and Redis journals",
    "callbacks": "gewe_async/callbacks/: parse_callback and the events",
    "cli": "gewe_async/cli/: the gewe-async command",
    "testing": "gewe_async/testing/: FakeGewe, its pushes, its graph, BotHarness",
    "testing/routes": "gewe_async/testing/_routes/: the fake's answers per group",
    "docs": "docs/ and examples/: their snippets and examples run as written",
    "fleet": "gewe_async/fleet/: account health, the directory, schedules, the outbox, budgets",
    "media": "gewe_async/media/: media hosts (receiver, S3) and SILK voice",
}

#: Flat test modules: the core modules (gewe_async/_*.py) and the package as a whole.
TOP_LEVEL = {
    "test_answer_decoding.py": "_pipeline.py: answers in any JSON encoding",
    "test_batch.py": "_batch.py",
    "test_client.py": "_client.py",
    "test_errors.py": "exceptions.py",
    "test_exported_members.py": "the public names",
    "test_faults.py": "the client over faulty TCP",
    "test_hostile.py": "the client against hostile answers",
    "test_import_cycles.py": "the import graph of the whole package",
    "test_imports.py": "what each import loads",
    "test_layout.py": "this layout",
    "test_limits.py": "_limits.py",
    "test_limits_gate.py": "_limits.py: the FIFO gate",
    "test_loops.py": "_client.py across event loops",
    "test_properties.py": "_converter.py and _pipeline.py (hypothesis)",
    "test_retries.py": "_retry.py",
    "test_transport.py": "_transport.py",
    "test_validation.py": "_validators.py",
}

_GROUPS = "contacts|favor|finder|group|im|label|login|message|personal|sns"

#: (pattern of a flat file's name, its folder, the prefix its new name drops), first match wins.
RULES = [
    (rf"test_({_GROUPS}|graph)_fake", "testing/routes", "test_"),
    (r"test_(fake|harness|push|delivery|testing|graph_state|graph_callbacks)", "testing", "test_"),
    (r"test_journal", "bot/journal", "test_journal_"),
    (r"test_(bot_)?(state|fsm|conversation)", "bot/fsm", "test_bot_"),
    (r"test_bot", "bot", "test_bot_"),
    (r"test_callback", "callbacks", "test_callback_"),
    (r"test_cli", "cli", "test_cli_"),
    (r"test_(docs|examples)", "docs", "test_docs_"),
    (rf"test_({_GROUPS}|graph|endpoints)", "api", "test_"),
]


def folder_for(name: str) -> str | None:
    """The folder a flat test module belongs in, by its name's prefix (None: no rule knows)."""
    for pattern, folder, _ in RULES:
        if re.match(pattern, name):
            return folder
    return None


def suggestion(name: str) -> str:
    """What to do with a flat test module ``name`` that is not a TOP_LEVEL one."""
    for pattern, folder, prefix in RULES:
        if re.match(pattern, name):
            new = name.removeprefix(prefix)
            new = new if new.startswith("test_") else f"test_{new}"
            return f"git mv tests/{name} tests/{folder}/{new}  # {FOLDERS[folder]}"
    return (
        f"tests/{name}: no folder by its prefix; move it to the folder of the package part it"
        f" tests ({', '.join(sorted(FOLDERS))}), or list it in TOP_LEVEL if it tests a core module"
    )


def flat_strays() -> list[str]:
    """Flat test modules that are not TOP_LEVEL ones."""
    return sorted(p.name for p in TESTS.glob("test_*.py") if p.name not in TOP_LEVEL)


def test_no_flat_test_module_outside_top_level():
    """Every flat test_*.py is a core module's test; any other says where it goes."""
    strays = flat_strays()
    assert not strays, "tests mirror the package; move:\n" + "\n".join(map(suggestion, strays))


def test_top_level_lists_only_existing_modules():
    """TOP_LEVEL names the flat modules there are (a moved or removed one leaves it too)."""
    gone = set(TOP_LEVEL) - {p.name for p in TESTS.glob("test_*.py")}
    assert not gone, f"remove from TOP_LEVEL: {sorted(gone)}"


def _test_folders() -> set[str]:
    return {p.parent.relative_to(TESTS).as_posix() for p in TESTS.glob("*/**/test_*.py")}


def test_every_test_folder_is_described_and_a_package():
    """Each folder of tests is in FOLDERS and has an __init__.py (module names stay unique)."""
    folders = _test_folders()
    assert folders <= set(FOLDERS), f"describe the new folders in FOLDERS: {folders - set(FOLDERS)}"
    missing = [f for f in sorted(FOLDERS) if not (TESTS / f / "__init__.py").is_file()]
    assert not missing, f"add an __init__.py to: {missing}"


def _imported_modules(path: Path) -> list[str]:
    package = ".".join(("tests", *path.parent.relative_to(TESTS).parts))
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:  # from .x import y: relative to the module's package
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
                found += [module] if node.module else [f"{module}.{a.name}" for a in node.names]
            elif node.module:
                found.append(node.module)
                found += [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            found += [a.name for a in node.names]
    return found


def test_no_test_module_imports_another():
    """Shared code lives in support modules or conftest.py, never in another test module."""
    offenders = []
    for path in sorted(TESTS.rglob("*.py")):
        if "data" in path.relative_to(TESTS).parts:
            continue
        for module in _imported_modules(path):
            if module.startswith("tests.") and module.rpartition(".")[2].startswith("test_"):
                offenders.append(f"{path.relative_to(TESTS.parent)} imports {module}")
    assert not offenders, "move what they share to a support module:\n" + "\n".join(offenders)


def test_the_rules_place_the_old_flat_names():
    """The prefixes the tests had before the layout lead to the folders they went to."""
    assert folder_for("test_bot_receiver.py") == "bot"
    assert folder_for("test_bot_state_docs.py") == "bot/fsm"
    assert folder_for("test_journal_crash.py") == "bot/journal"
    assert folder_for("test_callback_wild.py") == "callbacks"
    assert folder_for("test_cli_receive.py") == "cli"
    assert folder_for("test_docs_pages.py") == "docs"
    assert folder_for("test_graph_fake.py") == "testing/routes"
    assert folder_for("test_graph_state.py") == "testing"
    assert folder_for("test_graph_flows.py") == "api"
    assert folder_for("test_message_fake.py") == "testing/routes"
    assert folder_for("test_group.py") == "api"
    assert folder_for("test_fleet_monitor.py") is None
    assert suggestion("test_journal_dead_letters.py") == (
        "git mv tests/test_journal_dead_letters.py tests/bot/journal/test_dead_letters.py"
        f"  # {FOLDERS['bot/journal']}"
    )


if __name__ == "__main__":
    strays = flat_strays()
    print("\n".join(map(suggestion, strays)) or "no flat test module outside TOP_LEVEL")
    sys.exit(1 if strays else 0)
