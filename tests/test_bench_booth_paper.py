"""The booth benchmark's demo paper (benchmarks/booth_bench.py ``demo_paper``) is the demo's
real paper, derived from simulation/plans.py: the NEC ranked among 20 candidates, the mayoral
primary ranked among 5, the youth seat vote for 1 of 3, the referendum."""

from __future__ import annotations

import pytest

from tests.bench_modules import load


def test_the_demo_paper_is_nec_plans(monkeypatch: pytest.MonkeyPatch) -> None:
    bench = load("booth_bench", monkeypatch)
    paper = bench.demo_paper()
    assert paper["contests"] == [
        {"id": "nec", "kind": "ranked", "options": 20, "maxSelections": 20},
        {"id": "mayor", "kind": "ranked", "options": 5, "maxSelections": 5},
        {"id": "youth-rep", "kind": "block", "options": 3, "maxSelections": 1},
        {"id": "rule-change", "kind": "referendum", "options": 2, "maxSelections": 1},
    ]
    assert paper["choices"] == {
        "nec": list(range(bench.NEC_PREFERENCES)),
        "mayor": [0, 1, 2, 3, 4],
        "youth-rep": [0],
        "rule-change": [0],
    }
    assert paper["name"].startswith(bench.DEMO)
