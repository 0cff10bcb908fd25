"""The layout's rules, read from the source: no import cycle among the package's modules, a protocol-free
`core/`, and a `core/constants.py` any layer can import for free.

Imports are read with `ast`, so imports inside functions count as much as those at the top; only imports
under `if TYPE_CHECKING:` are left out (they never run)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import ossa_lsp

PACKAGE = Path(ossa_lsp.__file__).parent
Graph = dict[str, set[str]]

def _modules() -> dict[str, Path]:
    out: dict[str, Path] = {}
    for path in PACKAGE.rglob("*.py"):
        parts = ["ossa_lsp", *path.relative_to(PACKAGE).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement that can run: anywhere in the module, except under `if TYPE_CHECKING:`."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        if isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
            continue
        stack.extend(ast.iter_child_nodes(node))


def _imported_names(module: str, path: Path) -> Iterator[str]:
    """Dotted names a module imports (`from a.b import c` gives `a.b.c`, which may be a module or not)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in _imports(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
            continue
        base = node.module or ""
        if node.level:
            parts = package.split(".")
            base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
        yield base
        yield from (f"{base}.{alias.name}" for alias in node.names)


def import_graph() -> Graph:
    """Edges between the package's own modules; a name that is not a module counts as its module."""
    modules = _modules()
    graph: Graph = {m: set() for m in modules}
    for module, path in modules.items():
        for name in _imported_names(module, path):
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name and name != module:
                graph[module].add(name)
    return graph


def cycles(graph: Graph) -> list[set[str]]:
    """Strongly connected components with more than one module (Tarjan's algorithm, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            nxt = next((w for w in edges if w not in index or w in on_stack), None)
            if nxt is not None:
                if nxt in index:
                    low[node] = min(low[node], index[nxt])
                else:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph.get(nxt, ())))))
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    component.add(w)
                    if w == node:
                        break
                if len(component) > 1:
                    found.append(component)
    return found


def test_the_cycle_finder_finds_cycles_and_nothing_else():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": {"e"}, "e": set(), "f": {"g"}, "g": {"f"}}
    assert sorted(sorted(c) for c in cycles(graph)) == [["a", "b", "c"], ["f", "g"]]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_type_checking_imports_are_left_out_and_function_imports_count(tmp_path):
    source = ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from x import hidden\n"
              "def f():\n    from y import inner\n")
    path = tmp_path / "m.py"
    path.write_text(source)
    names = set(_imported_names("pkg.m", path))
    assert {"y", "y.inner"} <= names and "x.hidden" not in names


def test_no_import_cycles_among_the_package_modules():
    assert [sorted(c) for c in cycles(import_graph())] == []


def test_core_imports_neither_pygls_nor_lsprotocol():
    offenders = []
    for module, path in _modules().items():
        if not module.startswith("ossa_lsp.core"):
            continue
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):  # TYPE_CHECKING imports included: core's types are protocol-free too
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else []
            offenders += [(module, n) for n in names if n.split(".")[0] in ("pygls", "lsprotocol")]
    assert offenders == []


def test_constants_import_nothing_of_the_package():
    graph = import_graph()
    assert graph["ossa_lsp.core.constants"] == set()


def _functions(tree: ast.AST) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node


def _longer_than(limit: int, prefix: str) -> list[str]:
    long = []
    for module, path in _modules().items():
        if module.startswith(prefix):
            for fn in _functions(ast.parse(path.read_text("utf-8"))):
                size = (fn.end_lineno or fn.lineno) - fn.lineno + 1
                if size > limit:
                    long.append(f"{module}.{fn.name}: {size} lines")
    return long


def test_no_function_is_over_60_lines():
    assert _longer_than(60, "ossa_lsp") == []


def test_lsp_feature_handlers_stay_thin():
    # features translate protocol ↔ core answers; anything longer belongs in core/ or lsp/publish.py
    assert _longer_than(40, "ossa_lsp.lsp.features") == []


def test_length_check_sees_a_long_function(tmp_path):
    path = tmp_path / "m.py"
    path.write_text("def f():\n" + "    x = 1\n" * 70)
    assert [(fn.end_lineno or 0) - fn.lineno + 1 for fn in _functions(ast.parse(path.read_text()))] == [71]
