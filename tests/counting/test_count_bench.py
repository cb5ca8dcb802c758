"""benchmarks/count_bench.py keeps working (a small run; the real one is 1,000,000 ballots)."""

from __future__ import annotations

import pytest

from tests.bench_modules import load


def test_small_benchmark_run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    bench = load("count_bench", monkeypatch)
    assert bench.main(["--ballots", "3000"]) == 0
    out = capsys.readouterr().out
    assert "distinct sequences" in out
    women = int(out.split("women elected")[1].split()[0])
    assert women >= 5
