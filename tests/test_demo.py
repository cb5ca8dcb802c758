"""`verivote demo` runs a whole election through a real board and prints the right results: the
counts printed equal those the members' choices give (counted here, independently), the quota
rule holds, the export file exists and checks."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from click.testing import CliRunner

from bulletin_board.export import export_fingerprint, verify_export
from cli.main import verivote
from election.wire import election_schemes
from simulation.plans import MEN, WOMEN, YOUTH


def test_demo_prints_the_results_the_votes_imply(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        verivote, ["demo", "--voters", "30", "--out", str(tmp_path), "--seed", "7"]
    )
    assert result.exit_code == 0, result.output
    out = result.output
    rows = {
        label.strip(): (int(votes), mark.strip())
        for label, votes, mark in re.findall(
            r"│ ([A-Z][a-z]+(?: [A-Z][a-z]+)?)\s+│\s+(\d+) │([^│]*)│", out
        )
    }
    # the members' final choices, counted here
    final = json.loads((tmp_path / "votes-cast.json").read_text())
    assert (tmp_path / "votes-cast.json").stat().st_mode & 0o777 == 0o600  # who voted for whom
    assert len(final) == 30
    nec = sorted(WOMEN + MEN)  # the candidate list, alphabetical; Oli Odd had one nomination
    youth = sorted(name for ident, name, _ in YOUTH if ident != "uma")  # Uma withdrew
    labels = {"nec": nec, "youth-rep": youth, "rule-change": ["Yes", "No"]}
    expected: Counter[str] = Counter()
    for choices in final.values():
        for contest, marks in choices.items():
            expected.update(labels[contest][k] for k in marks)
    for contest_labels in labels.values():
        for label in contest_labels:
            assert rows[label][0] == expected[label], label
    assert "Oli Odd" not in out
    assert "Uma Upton" not in out
    elected = [name for name in nec if rows[name][1] == "elected"]
    assert len(elected) == 9
    assert sum(name in WOMEN for name in elected) >= 5
    assert "quota rule: at least 5 of 9 seats to gender = woman" in out
    assert "the decrypted counts equal the votes the members cast" in out
    assert re.search(r"final tree head: size \d+, root\s+[0-9a-f]{64}", out)
    export = tmp_path / "nec-demo.export"
    assert export.exists()
    assert str(export) in out.replace("\n", "")
    with export.open("rb") as handle:
        schemes = election_schemes(export_fingerprint(handle))
        handle.seek(0)
        summary = verify_export(handle, schemes)
    assert summary.leaves > 30
    # The independent verifier ran on the export: every check of §13, one line each.
    assert len(re.findall(r"^\[PASS\] \d\. ", out, flags=re.M)) == 8
    assert "RESULT VERIFIED: every check passed" in out
    assert re.search(r"contest nec \(.*\): 30 ballot\(s\) counted of \d+ eligible", out)


def test_demo_refuses_zero_voters() -> None:
    result = CliRunner().invoke(verivote, ["demo", "--voters", "0"])
    assert result.exit_code == 2
    assert "at least 1" in result.output
