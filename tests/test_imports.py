"""The package's import graph has no cycle, and every declaration type is in the schema.

The graph is read from the sources with :mod:`ast`: every ``import`` a module runs,
at its top or inside a function, names an edge; imports under ``if TYPE_CHECKING:`` are
for the type checker only and are left out. Importing ``coopledger.a.b`` runs the package
``coopledger.a`` first: an edge to it too (not to the root package ``coopledger``, which
runs before anything else; a package's own modules run inside it).
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

SOURCE = Path(__file__).resolve().parent.parent / "src" / "coopledger"


def module_name(path: Path) -> str:
    """The dotted name of a source file of the package."""
    parts = list(path.relative_to(SOURCE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node of the tree but those under ``if TYPE_CHECKING:``."""
    found: list[ast.AST] = []
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        found.append(node)
        for child in ast.iter_child_nodes(node):
            if (isinstance(child, ast.If) and isinstance(child.test, ast.Name)
                    and child.test.id == "TYPE_CHECKING"):
                stack.extend(child.orelse)
                continue
            stack.append(child)
    return found


def imports_of(path: Path, modules: set[str]) -> set[str]:
    """The package's modules that a source file imports when it runs."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                above = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*above, *([node.module] if node.module else [])])
            for alias in node.names:
                child = f"{base}.{alias.name}"
                found.add(child if child in modules else base)
    # Importing a.b.c from outside a.b runs the package a.b first (its own modules
    # run inside it, and the root package runs before anything else).
    parents = {parent for m in found for depth in range(2, m.count(".") + 1)
               if not name.startswith((parent := ".".join(m.split(".")[:depth])) + ".")}
    return {m for m in found | parents if m in modules and m != name}


def import_graph() -> dict[str, set[str]]:
    """Each module of the package and the package's modules it imports."""
    paths = sorted(SOURCE.rglob("*.py"))
    modules = {module_name(path) for path in paths}
    return {module_name(path): imports_of(path, modules) for path in paths}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component: list[str] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_cycles_are_found() -> None:
    """The detector itself: a cycle of three, and a chain that is none."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_package_has_no_import_cycle() -> None:
    graph = import_graph()
    assert "coopledger.fund.state" in graph["coopledger.fund.snapshots"]
    assert "coopledger.schema" in graph["coopledger"]
    # the period lock and the filings read the seals from the core, not through the close
    assert "coopledger.seals" in graph["coopledger.periodlock"]
    assert cycles(graph) == []


def test_the_schema_names_every_declaration_type() -> None:
    """Import every module: what registers itself must be in the schema, and only it."""
    import coopledger
    from coopledger import declarations, schema

    for info in pkgutil.walk_packages(coopledger.__path__, "coopledger."):
        if not info.name.endswith("__main__"):
            importlib.import_module(info.name)
    registered = set(declarations.registry().values())
    assert registered == set(schema.DECLARATION_TYPES)
    assert len(schema.DECLARATION_TYPES) == len(registered)


def test_the_version_is_written_once_and_installed_as_written() -> None:
    """pyproject.toml reads the version from coopledger._version; the installed metadata
    (what pip and other tools see) says the same as the package."""
    import importlib.metadata

    import coopledger
    from coopledger import _version, loadcache

    pyproject = (SOURCE.parent.parent / "pyproject.toml").read_text(encoding="utf-8")
    assert 'dynamic = ["version"]' in pyproject
    assert 'version = {attr = "coopledger._version.__version__"}' in pyproject
    assert importlib.metadata.version("coopledger") == coopledger.__version__
    assert coopledger.__version__ is _version.__version__
    assert _version.__version__ in loadcache.VERSIONS
