"""The untouched export verifies clean, with every check counted, the ranked contest's mixes,
decryptions and count among them."""

from __future__ import annotations

import json
from pathlib import Path

from tests.verifier.election import Built, export_bytes, verify_bytes
from verifier import CHECKS


def test_untouched_export_verifies_clean(built: Built, tmp_path: Path) -> None:
    report = verify_bytes(export_bytes(built.leaves), tmp_path)
    assert list(report.findings()) == []
    assert report.passed
    assert report.outcome == "result-verified"
    assert report.leaves == len(built.leaves)
    assert all(report.checks[n].passed > 0 for n in CHECKS)
    assert report.checks[9].passed == 3  # trustees 2, 4 and 5 mixed the leader contest
    assert report.checks[10].passed == 3 + 1  # their decryptions, and its count in the result
    assert "not yet verifiable" not in "\n".join(report.lines()).lower()
    document = report.to_json()
    json.dumps(document)
    assert document["passed"] is True


def test_parallel_jobs_give_the_same_report(built: Built, tmp_path: Path) -> None:
    one = verify_bytes(export_bytes(built.leaves), tmp_path)
    two = verify_bytes(export_bytes(built.leaves), tmp_path, jobs=2)
    assert one.to_json() == two.to_json()


def test_an_election_in_progress_verifies_what_is_published(built: Built, tmp_path: Path) -> None:
    report = verify_bytes(export_bytes(built.leaves[:54]), tmp_path)
    assert report.passed
    assert report.checks[6].passed == report.checks[7].passed == report.checks[8].passed == 0
    assert any("no tally" in note for note in report.notes)
    assert (report.outcome, report.exit_status) == ("no-result", 3)
    running = verify_bytes(export_bytes(built.leaves[:54]), tmp_path, in_progress=True)
    assert (running.outcome, running.exit_status) == ("in-progress", 0)


def test_a_consistent_kept_tree_head_passes(built: Built, tmp_path: Path) -> None:
    early = export_bytes(built.leaves[:30], every=1000).split(b"\n")
    kept = next(line for line in early if line.startswith(b'{"sth":'))[len(b'{"sth":') : -1]
    report = verify_bytes(export_bytes(built.leaves), tmp_path, since=kept)
    assert report.passed, list(report.findings())
    longer = export_bytes(built.leaves[:20])
    shrunk = verify_bytes(longer, tmp_path, since=kept)
    assert any("history rewritten" in f.message for f in shrunk.findings())
