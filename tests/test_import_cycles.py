"""No module of gewe_async imports itself back, even through others (issue 20, item 7).

The graph is built from each module's source with ``ast``: module-level imports only (an
import inside a function is deferred by design), leaving out ``if TYPE_CHECKING:`` blocks
(they never run). ``from pkg import name`` counts as importing ``pkg.name`` when that is a
module, else ``pkg``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import gewe_async

ROOT = Path(gewe_async.__file__).parent

#: Cycles tolerated at run time, each a set of modules: none (the last, bot/_context <->
#: bot/_dispatcher, went when a Context was given the client instead of the dispatcher).
ALLOWED: list[frozenset[str]] = []


def _modules(root: Path) -> dict[str, Path]:
    found = {}
    for path in root.rglob("*.py"):
        parts = path.relative_to(root.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _top_level_imports(
    tree: ast.Module, *, type_checking: bool = False
) -> list[ast.Import | ast.ImportFrom]:
    imports: list[ast.Import | ast.ImportFrom] = []

    def walk(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                imports.append(node)
            elif isinstance(node, ast.If):
                if type_checking or not _is_type_checking(node.test):
                    walk(node.body)
                walk(node.orelse)
            elif isinstance(node, ast.Try):
                for block in (node.body, *(h.body for h in node.handlers), node.orelse):
                    walk(block)
            elif isinstance(node, ast.For | ast.With):
                walk(node.body)

    walk(tree.body)
    return imports


def _graph(root: Path = ROOT, *, type_checking: bool = False) -> dict[str, set[str]]:
    modules = _modules(root)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges: set[str] = set()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in _top_level_imports(tree, type_checking=type_checking):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                targets = [
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                    for alias in node.names
                ]
            edges.update(t for t in targets if t in modules and t != name)
        graph[name] = edges
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(frozenset(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles_in_the_package() -> None:
    """Every strongly connected set of modules is a known one, being removed."""
    unexpected = [sorted(c) for c in _cycles(_graph()) if c not in ALLOWED]
    assert unexpected == []


def test_the_fake_and_the_callbacks_have_no_cycle_at_all() -> None:
    """Not even through type-only imports: the testing and callbacks packages are acyclic.

    (The fake and its routes, and the graph and the device state, imported each other for
    their annotations.)
    """
    cycles = _cycles(_graph(type_checking=True))
    touched = [
        sorted(c)
        for c in cycles
        if any(m.startswith(("gewe_async.testing", "gewe_async.callbacks")) for m in c)
    ]
    assert touched == []


def test_the_graph_sees_imports() -> None:
    """The walk finds real edges (guards the test against seeing nothing)."""
    graph = _graph()
    assert "gewe_async.testing._state" in graph["gewe_async.testing._fake"]
    assert "gewe_async.callbacks._events" in graph["gewe_async.callbacks._parse"]
    assert "gewe_async.testing._routes._registry" in graph["gewe_async.testing._routes"]


def test_a_cycle_is_found() -> None:
    """The cycle finder reports a two-module cycle and not an acyclic chain."""
    assert _cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [frozenset({"a", "b"})]
    assert _cycles({"a": {"b"}, "b": set()}) == []
