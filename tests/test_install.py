"""A scrutineer installs the verifier without the board's server (issue 10, item 9).

The wheel is built from this source tree and installed WITHOUT the ``board`` extra into a fresh
virtual environment. Nothing is downloaded: the wheel's core requirements (Requires-Dist
without an extra, followed transitively) are linked in from the distributions installed here,
and ``pip check`` confirms the environment satisfies them. Then, in that environment:
``verivote verify`` checks an export, ``verivote count`` counts a BLT file, and the commands
that run a board say in one line what to install.
"""

from __future__ import annotations

import email.parser
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from bulletin_board.booth import served_paths
from tests.verifier.election import build_election, export_bytes

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
SOURCES = (
    "pyproject.toml", "README.md", "crypto", "election", "bulletin_board", "verifier", "cli",
    "simulation", "booth",
)  # fmt: skip
SERVER = ("fastapi", "uvicorn", "sqlalchemy", "alembic", "psycopg", "starlette", "uvloop")
BLT = ROOT / "tests" / "data" / "stv" / "glasgow_2007_calton.blt"


def _pip(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", *args],
        capture_output=True,
        text=True,
        check=True,
    )


def _build_wheel(work: Path) -> Path:
    """The wheel of a copy of this tree (the build leaves nothing in the checkout)."""
    source = work / "source"
    source.mkdir()
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(path, source / name)
    _pip("wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q", "-w", str(work),
         str(source))  # fmt: skip
    (wheel,) = work.glob("verivote-*.whl")
    return wheel


def _core_requirements(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        headers = email.parser.Parser().parsestr(archive.read(name).decode())
    return list(headers.get_all("Requires-Dist") or [])


def _closure(requirements: list[str]) -> Iterator[metadata.Distribution]:
    """The installed distributions that ``requirements`` (no extra) need, transitively."""
    todo = [(Requirement(r), "") for r in requirements]
    seen: set[str] = set()
    while todo:
        requirement, extra = todo.pop()
        marker = requirement.marker
        if marker is not None and not marker.evaluate({"extra": extra}):
            continue
        key = requirement.name.lower().replace("_", "-")
        if key in seen:
            continue
        seen.add(key)
        dist = metadata.distribution(requirement.name)
        yield dist
        for extra_name in ("", *requirement.extras):
            todo += [(Requirement(r), extra_name) for r in dist.requires or []]


def _link(dist: metadata.Distribution, site: Path) -> None:
    root = Path(str(dist.locate_file("")))
    for file in dist.files or []:
        if file.parts[0] == ".." or not (root / file).exists():
            continue  # scripts outside site-packages: not needed
        target = site / file
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            target.symlink_to(root / file)


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment holding the wheel and its core requirements only."""
    work = tmp_path_factory.mktemp("install")
    wheel = _build_wheel(work)
    env = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True)
    python = env / "bin" / "python"
    _pip("--python", str(python), "install", "--no-deps", "--no-index", "-q", str(wheel))
    (site,) = (env / "lib").glob("python3*/site-packages")
    for dist in _closure(_core_requirements(wheel)):
        assert dist.metadata["Name"].lower() not in SERVER, "a server package is a core dependency"
        _link(dist, site)
    checked = _pip("--python", str(python), "check")
    assert "No broken requirements found" in checked.stdout
    return env


def _run(venv: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VERIVOTE_"))}
    return subprocess.run(
        [str(venv / "bin" / "verivote"), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        check=False,
        timeout=300,
    )


def test_the_wheel_ships_the_booth(venv: Path, tmp_path: Path) -> None:
    """Every served booth file (bulletin_board/booth.py) is installed, byte for byte, and none
    of its development files (README, package.json, tests/, tools/)."""
    (site,) = (venv / "lib").glob("python3*/site-packages")
    installed = sorted(
        p.relative_to(site / "booth").as_posix()
        for p in (site / "booth").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    )
    assert installed == served_paths(ROOT / "booth")
    probe = "import bulletin_board.booth as b; print(b.BOOTH_DIR)"
    where = subprocess.run(
        [str(venv / "bin" / "python"), "-c", probe],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
    )
    assert where.stdout.strip() == str((site / "booth").resolve())
    for path in installed:
        assert (site / "booth" / path).read_bytes() == (ROOT / "booth" / path).read_bytes()


def test_the_fresh_environment_has_no_server(venv: Path, tmp_path: Path) -> None:
    for module in SERVER:
        probe = subprocess.run(
            [str(venv / "bin" / "python"), "-c", f"import {module}"],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            check=False,
        )
        assert f"No module named '{module}'" in probe.stderr
    where = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import verifier; print(verifier.__file__)"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
    )
    assert where.stdout.startswith(str(venv))  # the installed wheel, not this checkout


def test_verify_an_export_without_the_server(venv: Path, tmp_path: Path) -> None:
    built = build_election()
    leaves = built.leaves
    export = tmp_path / "election.export"
    export.write_bytes(export_bytes(leaves))
    done = _run(venv, "verify", str(export), "--jobs", "1", "--quiet", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "RESULT VERIFIED: every check passed" in done.stdout
    counted = built.index_of("ballot", 1)  # member 1's, counted (member 0 revotes later)
    export.write_bytes(export_bytes(leaves[:counted] + leaves[counted + 1 :]))
    done = _run(venv, "verify", str(export), "--jobs", "1", "--quiet", cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "[FAIL]" in done.stdout
    export.write_bytes(export_bytes(leaves[: built.index_of("tally")]))  # a log cut short
    done = _run(venv, "verify", str(export), "--jobs", "1", "--quiet", cwd=tmp_path)
    assert done.returncode == 3, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1].startswith("NO RESULT")


def test_count_a_blt_file_without_the_server(venv: Path, tmp_path: Path) -> None:
    done = _run(venv, "count", str(BLT), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "elected, in order: George Redmond, Alison E Thewliss, Ruth Simpson" in done.stdout


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("board serve", ("--db", "board.db")),
        ("board new-election", ("--db", "board.db", "--election", "e1")),
        ("board export", ("--db", "board.db", "--out", "e1.export")),
        ("demo", ("--voters", "3")),
    ],
)
def test_board_commands_say_what_to_install(
    venv: Path, tmp_path: Path, name: str, args: tuple[str, ...]
) -> None:
    done = _run(venv, *name.split(), *args, cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith(f"error: verivote {name} needs the board server (")
    assert done.stderr.rstrip().endswith("pip install 'verivote[board]'")
    assert not list(tmp_path.iterdir())  # nothing created
