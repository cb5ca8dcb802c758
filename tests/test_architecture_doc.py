"""docs/architecture.md stays true: every module, package and file it names exists, and every
name it gives in parentheses after a module (a function, a table, a command) is in that module.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "architecture.md"
PACKAGES = ("crypto", "election", "bulletin_board", "verifier", "simulation", "cli", "tests")

# `a/b.py`, `a/b/`, `README.md`...: a path in backticks.
_PATH = re.compile(r"`((?:[\w.-]+/)+[\w.-]*|[\w-]+\.(?:py|md|toml))`")
# `a.b.c` whose first part is a package of the repository: a module.
_MODULE = re.compile(rf"`((?:{'|'.join(PACKAGES)})(?:\.\w+)+)`")
# `a/b.py` (`name`, `other`): names the module holds.
_NAMED = re.compile(r"`((?:[\w.-]+/)+[\w-]+\.py)` \(((?:[^()]|\([^()]*\))*)\)")


def _text() -> str:
    return DOC.read_text(encoding="utf-8")


def test_the_readme_links_the_document() -> None:
    assert "docs/architecture.md" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_path_it_names_exists() -> None:
    paths = sorted(set(_PATH.findall(_text())))
    assert len(paths) > 50
    missing = [p for p in paths if not (ROOT / p).exists()]
    assert not missing, f"docs/architecture.md names paths that do not exist: {missing}"


def test_every_module_it_names_exists() -> None:
    modules = sorted(set(_MODULE.findall(_text())))
    assert modules
    missing = [
        m
        for m in modules
        if not (ROOT / (m.replace(".", "/") + ".py")).exists()
        and not (ROOT / m.replace(".", "/") / "__init__.py").exists()
    ]
    assert not missing, f"docs/architecture.md names modules that do not exist: {missing}"


def test_every_name_it_gives_a_module_is_in_it() -> None:
    absent = []
    found = 0
    for path, inside in _NAMED.findall(_text()):
        source = (ROOT / path).read_text(encoding="utf-8") if (ROOT / path).exists() else ""
        for name in re.findall(r"`([^`/]+)`", inside):  # paths are the test above's
            found += 1
            if re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", source) is None:
                absent.append(f"{path}: {name}")
    assert found > 20
    assert not absent, f"docs/architecture.md gives names its modules do not hold: {absent}"


@pytest.mark.parametrize(
    ("text", "paths"),
    [("see `crypto/group.py` and `docs/spec.md`, not `x`", ["crypto/group.py", "docs/spec.md"])],
)
def test_the_path_pattern(text: str, paths: list[str]) -> None:
    assert _PATH.findall(text) == paths
