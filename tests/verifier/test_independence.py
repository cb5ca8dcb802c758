"""The verifier's independence (spec §13): it imports only crypto, election's wire formats,
definition reader and pure counting rules, and the board's pure wire formats; never the rules
the board runs, the producers, nor the board's storage or server."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ALLOWED_PREFIXES = (
    "crypto",
    "election.wire",
    "election.definition",
    "election.counting",
    "bulletin_board.wire",
    "bulletin_board.cosignature",
    "verifier",
    "httpx",
)
FORBIDDEN = (
    "election.rules",
    "election.admin",
    "election.issuer",
    "election.trustee",
    "election.voter",
    "election.roll",
    "bulletin_board.storage",
    "bulletin_board.service",
    "bulletin_board.log",
    "bulletin_board.rules",
    "bulletin_board.election_rules",
    "bulletin_board.client",
    "bulletin_board.export",
    "sqlalchemy",
    "fastapi",
)


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _project(name: str) -> bool:
    return name.split(".")[0] in {"crypto", "election", "bulletin_board", "verifier", "cli"}


def test_verifier_sources_import_only_allowed_modules() -> None:
    bad = {
        f"{path.name}: {name}"
        for path in (ROOT / "verifier").rglob("*.py")
        for name in _imports(path)
        if _project(name) and not name.startswith(ALLOWED_PREFIXES)
    }
    assert not bad


def test_the_scan_can_fail() -> None:
    tree = ast.parse("from election.rules import apply\nimport bulletin_board.storage\n")
    names = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert not all(name.startswith(ALLOWED_PREFIXES) for name in names if name)


def test_importing_the_verifier_loads_no_forbidden_module() -> None:
    code = "import sys, verifier; print('\\n'.join(sorted(sys.modules)))"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.split()
    assert "verifier._replay" in loaded
    leaked = [m for m in loaded if m.startswith(FORBIDDEN)]
    assert not leaked
