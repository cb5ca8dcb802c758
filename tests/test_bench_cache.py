"""A benchmark's cached election that this verivote does not verify (built before a change of
format or rules) is rebuilt, said in one line; not measured as if it were an election."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from tests.bench_modules import load

ROOT = Path(__file__).resolve().parents[1]
OLD = ROOT / "tests" / "data" / "stale_exports" / "k10-1-before-ceremony-deadlines.jsonl"
OLD_REASON = (
    "check 3: entry 28: election-key: malformed payload: election-key payload: "
    "missing field(s) absent"
)


def test_stale_names_the_first_failure(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    cache = load("election_cache", monkeypatch)
    assert cache.stale(OLD, jobs=1) == OLD_REASON
    not_an_export = tmp_path / "x.jsonl"
    not_an_export.write_text("hello\n")
    assert cache.stale(not_an_export, jobs=1).startswith("not a verivote board export")


def test_pages_bench_rebuilds_an_election_built_before_the_ceremony_deadlines(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bench = load("pages_bench", monkeypatch)
    cache = sys.modules["election_cache"]
    monkeypatch.setattr(bench, "CACHE", tmp_path)
    cached = tmp_path / "pages-nec-40-10.jsonl"
    shutil.copy(OLD, cached)
    path = bench.build_export(40, 10, 1)
    said = [line for line in capsys.readouterr().out.splitlines() if "does not verify" in line]
    assert said == [
        f"  {cached} does not verify with this verivote ({OLD_REASON}): "
        "built before a change of format or rules; rebuilding it"
    ]
    assert path == cached
    assert cache.stale(path, jobs=1) is None
    # A cached one that verifies is used as it is: nothing said, nothing rebuilt.
    built = path.read_bytes()
    assert bench.build_export(40, 10, 1) == path
    assert "does not verify" not in capsys.readouterr().out
    assert path.read_bytes() == built
