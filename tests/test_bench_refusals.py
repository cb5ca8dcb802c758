"""A benchmark asked to measure nothing says so in one line (it crashed with a traceback on an
empty table: ``election_bench.py --skip-board --demo-voters 0``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _bench(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "VERIVOTE_TEST_DATABASE_URL"}
    return subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *args],
        capture_output=True, text=True, check=False, cwd=ROOT, env=env, timeout=120,
    )  # fmt: skip


def test_election_bench_with_every_measure_skipped_refuses_in_one_line() -> None:
    done = _bench("election_bench.py", "--skip-board", "--demo-voters", "0")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        "election_bench.py: nothing to measure: --skip-board with --demo-voters 0 (see --help)\n"
    )


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--demo-voters", "-3"], "argument --demo-voters: must be a whole number >= 0, got '-3'"),
        (["--ballots", "4"], "argument --ballots: must be a whole number >= 5, got '4'"),
        (["--clients", "many"], "argument --clients: must be a whole number >= 1, got 'many'"),
    ],
)
def test_election_bench_refuses_counts_it_cannot_run(args: list[str], said: str) -> None:
    # --demo-voters -3 ran a demo that a board refused, with a traceback; --ballots 4 timed none.
    done = _bench("election_bench.py", *args)
    assert done.returncode == 2
    assert done.stderr == f"election_bench.py: {said} (see --help)\n"


@pytest.mark.parametrize(
    ("script", "args", "said"),
    [
        ("count_bench.py", ["--ballots", "0"], "--ballots: at least 1 ballot to count, got 0"),
        ("credentials_bench.py", ["--members", "0"], "--members: at least 1 member, got 0"),
        ("pages_bench.py", ["--members", "0"], "--members: at least 1 member, got 0"),
        ("pages_bench.py", ["--members", "5", "--ballots", "10"], "--ballots: 1 to --members (5)"),
        ("mix_bench.py", ["--ciphertexts", "0"], "--ciphertexts: at least 1 to mix, got 0"),
    ],
)
def test_benchmarks_refuse_counts_they_cannot_run(script: str, args: list[str], said: str) -> None:
    # Each ran and ended in a traceback (no valid ballot to count, a division by zero, a
    # credentials-complete the board refused).
    done = _bench(script, *args)
    assert done.returncode == 2
    assert f"{script}: error: {said}" in done.stderr
    assert "Traceback" not in done.stderr


def test_board_bench_with_every_measure_skipped_refuses_in_one_line() -> None:
    skip = ("--skip-appends", "--skip-ballots", "--skip-fsync", "--skip-proofs")
    done = _bench("board_bench.py", *skip)
    assert done.returncode == 2
    assert done.stderr == "board_bench: nothing to measure: every measure is skipped\n"


def test_board_bench_that_measured_nothing_says_so_instead_of_a_table() -> None:
    # The large log only on PostgreSQL, with no PostgreSQL given: no figure at all.
    skip = ("--skip-appends", "--skip-ballots", "--skip-fsync", "--large-log-on", "postgresql")
    done = _bench("board_bench.py", *skip)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout.strip() == "no figure was measured"
