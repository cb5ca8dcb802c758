"""`verivote demo` runs a whole election through a real board and prints the right results: the
counts printed equal those the members' choices give (counted here, independently), the NEC's
STV count and the mayoral IRV count elect what a count of the members' own rankings elects
(with the result's seed), the quota rule holds, the export checks, and the verifier passes
every check, none pending."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import replace
from decimal import Decimal
from itertools import pairwise
from pathlib import Path

from click.testing import CliRunner

from bulletin_board.export import export_fingerprint, verify_export
from cli.main import verivote
from cli.papers import Published, read_published
from election.counting import count_papers
from election.wire import RankedContestResult, election_schemes
from simulation.plans import MAYORS, MEN, WOMEN, YOUTH


def test_demo_prints_the_results_the_votes_imply(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        verivote, ["demo", "--voters", "40", "--out", str(tmp_path), "--seed", "7"]
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
    assert len(final) == 40
    youth = sorted(name for ident, name, _ in YOUTH if ident != "uma")  # Uma withdrew
    labels = {"youth-rep": youth, "rule-change": ["Yes", "No"]}
    expected: Counter[str] = Counter()
    for choices in final.values():
        for contest, marks in choices.items():
            if contest in labels:
                expected.update(labels[contest][k] for k in marks)
    for contest_labels in labels.values():
        for label in contest_labels:
            assert rows[label][0] == expected[label], label
    assert "Oli Odd" not in out
    assert "Uma Upton" not in out
    lines = re.findall(r"^  elected, in order: (.*)$", out, flags=re.M)
    assert len(lines) == 2  # the NEC (STV) and the mayor (IRV)
    nec, mayor = (line.split(", ") for line in lines)
    assert len(nec) == 9
    assert set(nec) <= set(WOMEN + MEN)
    assert sum(name in WOMEN for name in nec) >= 5
    assert len(mayor) == 1
    assert mayor[0] in MAYORS
    assert "NEC: constituency section (nec): ranked, scottish, 9 seat(s)" in out
    assert "Mayoral candidate (primary) (mayor): ranked, irv, 1 seat(s)" in out
    assert "stage 1: First preferences" in out
    assert "a count of the members' own rankings elects the same candidates" in out
    # again, here: the members' own rankings counted with the published seed
    export = tmp_path / "nec-demo.export"
    published = read_published(export)
    assert published.result is not None
    printed = {"nec": nec, "mayor": mayor}
    for contest in ("nec", "mayor"):
        candidates = published.candidate_lists[contest]
        rankings = [bytes(c[contest]) or b"\xff" for c in final.values()]
        count = count_papers(
            published.definition.contest(contest),
            candidates,
            rankings,
            seed=published.result.seed,
        )
        assert count is not None
        got = next(c for c in published.result.contests if c.contest == contest)
        assert isinstance(got, RankedContestResult)
        assert Counter(got.papers) == Counter(rankings)  # the same papers, mixed
        assert got.elected == count.elected_names
        name = {c.id: c.name for c in candidates.candidates}
        assert [name[i] for i in got.elected] == printed[contest]
    _the_quota_rule_acted(published, final)
    assert re.search(r"final tree head: size \d+, root\s+[0-9a-f]{64}", out)
    assert export.exists()
    assert str(export) in out.replace("\n", "")
    with export.open("rb") as handle:
        schemes = election_schemes(export_fingerprint(handle))
        handle.seek(0)
        summary = verify_export(handle, schemes)
    assert summary.leaves > 40
    # The independent verifier ran on the export: every check of §13, one line each.
    assert len(re.findall(r"^\[PASS\] \d+\. ", out, flags=re.M)) == 10
    assert "RESULT VERIFIED (REHEARSAL, not a real election): every check passed" in out
    assert re.search(r"contest nec \(.*\): 40 ballot\(s\) counted of \d+ eligible", out)
    assert "NOT YET" not in out
    # A demonstration is marked as a rehearsal in what the board signs (§10.2).
    assert summary.rehearsal
    assert "REHEARSAL: a rehearsal board, not a real election" in out


def _the_quota_rule_acted(published: Published, final: dict[str, dict[str, list[int]]]) -> None:
    """The NEC's "at least 5 women" (§12.5) changed the count, not merely held: its record
    shows women guarded from exclusion while a candidate with more votes was excluded in their
    stead, and the same papers counted without the rule elect fewer than 5 women."""
    assert published.result is not None
    got = next(c for c in published.result.contests if c.contest == "nec")
    assert isinstance(got, RankedContestResult)
    assert got.count is not None
    stages = got.count["stages"]
    assert isinstance(stages, list)
    passed_over = [
        (guarded, stage["excluded"])
        for before, stage in pairwise(stages)
        if stage["action"] == "exclusion"
        for guarded in before["guarded"]
        if any(Decimal(before["totals"][guarded]) < Decimal(before["totals"][x])
               for x in stage["excluded"])
    ]  # fmt: skip
    assert passed_over, "the quota rule never kept a woman in the count"
    contest = published.definition.contest("nec")
    candidates = published.candidate_lists["nec"]
    women = {c.id for c in candidates.candidates if c.attributes.get("gender") == "woman"}
    assert sum(i in women for i in got.elected) >= 5
    rankings = [bytes(c["nec"]) or b"\xff" for c in final.values()]
    free = count_papers(
        replace(contest, constraints=()), candidates, rankings, seed=published.result.seed
    )
    assert free is not None
    assert sum(i in women for i in free.elected_names) < 5  # the rule bound in this demo


def test_demo_refuses_zero_voters() -> None:
    result = CliRunner().invoke(verivote, ["demo", "--voters", "0"])
    assert result.exit_code == 2
    assert "at least 1" in result.output
