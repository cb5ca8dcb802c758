"""No import cycle, and the package layers of ARCHITECTURE.md hold (issue 10).

The graph is read from the sources with ``ast``: every ``import`` and ``from ... import``,
including those inside functions (a function-local import is how a cycle hides). A module
importing a sibling through the parent package, or a package's ``__init__`` re-exporting its
submodules, is an edge like any other; importing ``a.b.c`` does not count as importing ``a``.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("crypto", "election", "bulletin_board", "verifier", "simulation", "cli")
# Which top-level packages each may import (docs: ARCHITECTURE.md, package boundaries).
LAYERS: Mapping[str, frozenset[str]] = {
    "crypto": frozenset(),
    "election": frozenset({"crypto"}),
    "bulletin_board": frozenset({"crypto", "election"}),
    "verifier": frozenset({"crypto", "election", "bulletin_board"}),
    "simulation": frozenset({"crypto", "election", "bulletin_board"}),
    "cli": frozenset(PACKAGES),
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {
        _module_name(path): path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.parts
    }


def _imports(module: str, source: str, known: Iterable[str]) -> set[str]:
    """The project modules ``source`` imports (``from p import m`` names module ``p.m`` when
    it is one, else ``p``)."""
    names = set(known)
    found: set[str] = set()
    package = module if module in names and _is_package(module) else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                child = f"{base}.{alias.name}"
                found.add(child if child in names else base)
    return {name for name in found if name in names and name != module}


def _is_package(module: str) -> bool:
    return (ROOT / module.replace(".", "/") / "__init__.py").exists()


def import_graph(sources: Mapping[str, str]) -> dict[str, set[str]]:
    return {module: _imports(module, text, sources) for module, text in sources.items()}


def find_cycle(graph: Mapping[str, set[str]]) -> list[str] | None:
    """A cycle of the graph as a list of modules (first = last), or None."""
    state: dict[str, int] = {}  # 1: on the stack, 2: done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)) is not None:
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)) is not None:
            return cycle
    return None


def _graph() -> dict[str, set[str]]:
    return import_graph({name: path.read_text() for name, path in _modules().items()})


def test_no_import_cycle() -> None:
    cycle = find_cycle(_graph())
    assert cycle is None, " -> ".join(cycle or [])


def test_every_package_imports_only_the_layers_below_it() -> None:
    bad = sorted(
        f"{module} imports {target}"
        for module, targets in _graph().items()
        for target in targets
        if target.split(".")[0] != module.split(".")[0]
        and target.split(".")[0] not in LAYERS[module.split(".")[0]]
    )
    assert not bad


def test_the_walk_finds_a_cycle_hidden_in_a_function() -> None:
    sources = {
        "bulletin_board.rules": "def named():\n    from bulletin_board import x\n",
        "bulletin_board.x": "from bulletin_board.rules import named\n",
        "bulletin_board": "",
    }
    assert find_cycle(import_graph(sources)) == [
        "bulletin_board.rules",
        "bulletin_board.x",
        "bulletin_board.rules",
    ]
    assert find_cycle(import_graph({**sources, "bulletin_board.x": ""})) is None


def test_every_module_imports_in_a_fresh_interpreter() -> None:
    """Import every module, deepest dependencies last, in one fresh interpreter: a cycle the
    graph missed (an import through ``importlib``, say) fails here."""
    graph = _graph()
    order = sorted(graph, key=lambda m: (-len(graph[m]), m))
    code = "import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)\n"
    result = subprocess.run(
        [sys.executable, "-c", code, *order], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr[-2000:]
