"""The package's import graph has no cycle, function-level imports included.

The graph is read from the source (AST), not from ``sys.modules``: every ``import`` and
``from ... import`` of a module of the package, at module level or inside a function, is an
edge. Imports under ``if TYPE_CHECKING:`` are left out: they never run.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Source folders and the package name each is installed as.
SOURCES = {ROOT / "mobility_sim": "mobility_sim", ROOT / "kernels": "mobility_sim.kernels"}


def modules() -> dict[str, Path]:
    """Every module of the package by dotted name (packages by their ``__init__``)."""
    found: dict[str, Path] = {}
    for folder, package in SOURCES.items():
        for path in folder.rglob("*.py"):
            parts = [package, *path.relative_to(folder).with_suffix("").parts]
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _type_checking_nodes(tree: ast.Module) -> set[int]:
    """Ids of the nodes inside ``if TYPE_CHECKING:`` blocks."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                skipped.update(id(n) for n in ast.walk(child))
    return skipped


def imports_of(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """Modules of the package that module ``name`` imports, anywhere in its body."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _type_checking_nodes(tree)
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    out: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names if alias.name in known)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package[:len(package) - node.level + 1]
                                + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            for alias in node.names:
                target = f"{base}.{alias.name}"
                if target in known:
                    out.add(target)
                elif base in known:
                    out.add(base)
    out.discard(name)
    return out


def import_graph() -> dict[str, set[str]]:
    """Module -> the package modules it imports."""
    known = modules()
    return {name: imports_of(name, path, known) for name, path in known.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), or self-loops."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_graph_sees_function_level_imports():
    graph = import_graph()
    # ``kernel_for`` imports the kernels inside the function, never at module level
    assert "mobility_sim.kernels.fused" in graph["mobility_sim.model.kernel"]
    assert "mobility_sim.kernels.reference" in graph["mobility_sim.model.kernel"]


def test_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_package_import_graph_has_no_cycle():
    assert cycles(import_graph()) == []


#: Packages of the data flow, upstream first: a package never imports one to its right, except
#: as listed in :data:`DOWNSTREAM_ALLOWED` (scenario + city -> model -> kernels -> results ->
#: report; calibration, analysis, bench and the CLI on top).
LAYERS: tuple[tuple[str, ...], ...] = (
    ("mobility_sim.kernels",),
    ("mobility_sim._version", "mobility_sim.exceptions", "mobility_sim.cli_errors",
     "mobility_sim.paths", "mobility_sim.io", "mobility_sim.data"),
    ("mobility_sim.city",),
    ("mobility_sim.scenario", "mobility_sim.fleet", "mobility_sim.reference"),
    ("mobility_sim.model",),
    ("mobility_sim.results",),
    ("mobility_sim.simulate", "mobility_sim.accounts", "mobility_sim.indicators",
     "mobility_sim.economics", "mobility_sim.report"),
    ("mobility_sim.calibration", "mobility_sim.analysis", "mobility_sim.bench"),
    ("mobility_sim.cli", "mobility_sim.__main__"),
)
#: Imports against the flow that are known and owned by other work, each with its reason.
DOWNSTREAM_ALLOWED: dict[tuple[str, str], str] = {
    ("mobility_sim.results", "mobility_sim.report.notebook"):
        "Results display themselves in notebooks (imported on use)",
}


def layer_of(module: str) -> int | None:
    """Position of ``module`` in :data:`LAYERS` (None for the package root)."""
    for rank, names in enumerate(LAYERS):
        if any(module == n or module.startswith(n + ".") for n in names):
            return rank
    return None


def against_flow(graph: dict[str, set[str]]) -> list[str]:
    """Imports of ``graph`` from a package to one downstream of it (not allowed)."""
    against: list[str] = []
    for module, targets in sorted(graph.items()):
        here = layer_of(module)
        for target in sorted(targets):
            there = layer_of(target)
            if here is None or there is None or (module, target) in DOWNSTREAM_ALLOWED:
                continue
            if there > here:
                against.append(f"{module} -> {target}")
    return against


def test_imports_follow_the_data_flow():
    assert against_flow(import_graph()) == []


def test_the_flow_check_sees_a_wrong_way_import():
    graph = {"mobility_sim.model.inputs": {"mobility_sim.simulate", "mobility_sim.city"},
             "mobility_sim.kernels.fused": {"mobility_sim.data"}}
    assert against_flow(graph) == ["mobility_sim.kernels.fused -> mobility_sim.data",
                                   "mobility_sim.model.inputs -> mobility_sim.simulate"]
