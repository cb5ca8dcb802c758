"""benchmarks/count_bench.py keeps working (a small run; the real one is 1,000,000 ballots)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "count_bench.py"


def test_small_benchmark_run(capsys: pytest.CaptureFixture[str]) -> None:
    spec = importlib.util.spec_from_file_location("count_bench", BENCH)
    assert spec is not None
    assert spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    assert bench.main(["--ballots", "3000"]) == 0
    out = capsys.readouterr().out
    assert "distinct sequences" in out
    women = int(out.split("women elected")[1].split()[0])
    assert women >= 5
