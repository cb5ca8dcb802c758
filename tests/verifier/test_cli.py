"""``verivote verify``: the report, --json, and the outcomes and exit statuses (§13.3: 0 a result
verified, 1 a check failed, 2 unreadable input as one line, 3 no result; --in-progress)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bulletin_board.wire import sign_entry
from cli.main import verivote
from tests.election.scenario import ELECTION, STRANGER
from tests.pages.tied import tied_export
from tests.verifier.election import Built, export_bytes
from tests.verifier.test_tamper import CASES


def test_a_clean_export_exits_0_with_a_json_report(built: Built, tmp_path: Path) -> None:
    export = tmp_path / "export.jsonl"
    export.write_bytes(export_bytes(built.leaves))
    out = tmp_path / "report.json"
    result = CliRunner().invoke(
        verivote, ["verify", str(export), "--jobs", "1", "--json", str(out), "--quiet"]
    )
    assert result.exit_code == 0, result.output
    assert "[PASS] 5." in result.output
    assert "[PASS] 9. mixes" in result.output
    assert "[PASS] 10. ranked decryptions" in result.output
    assert "NOT YET" not in result.output
    last = result.output.splitlines()[-1]
    assert last.startswith("RESULT VERIFIED: every check passed, and the result follows")
    document = json.loads(out.read_text())
    assert document["passed"] is True
    assert document["outcome"] == "result-verified"
    assert [c["check"] for c in document["checks"]] == list(range(1, 11))
    # Issue 15 item 4: the results, per contest, in the report and the JSON.
    result_leaf = built.index_of("result")
    assert f"results (the result in entry {result_leaf}; lot seed " in result.output
    results = document["results"]
    assert results["index"] == result_leaf
    by_id = {c["contest"]: c for c in results["contests"]}
    assert list(by_id) == ["nec-clp", "youth-rep", "bame-rep", "leader", "rule-change-1"]
    nec = by_id["nec-clp"]
    assert (nec["ballots"], nec["eligible"], nec["turnout"]) == (4, 4, "100.0%")
    assert sum(o["votes"] for o in nec["options"]) == 2 * 3 + 1  # member 0 revoted one mark
    assert [o["id"] for o in nec["options"] if o["elected"]] == sorted(
        nec["elected"], key=[o["id"] for o in nec["options"]].index
    )
    assert len(nec["elected"]) == 3
    assert by_id["youth-rep"]["eligible"] == 1
    assert by_id["rule-change-1"]["elected"] == ["Yes"]
    leader = by_id["leader"]
    assert leader["options"][0]["votes"] is None
    assert leader["ranked"]["method"] == "irv"
    assert leader["ranked"]["valid_papers"] + leader["ranked"]["invalid_papers"] == 4
    assert len(leader["elected"]) == 1
    assert "contest leader (Leader; ranked, 1 seat(s)): 4 ballot(s) counted" in result.output
    assert "    irv count: 4 valid and 0 invalid papers" in result.output
    assert "contest nec-clp (NEC: constituency section; block, 3 seat(s)): 4 ballot(s) " in (
        result.output
    )


def test_a_seat_decided_by_lot_is_in_the_json_with_its_seed_and_rule(tmp_path: Path) -> None:
    """Issue 15 item 4: the youth seat ends 2-2; the report and the JSON name the tie, who the
    lot elected, the result's seed and the rule, and a tied referendum draws no lot."""
    export = tmp_path / "tied.export"
    export.write_bytes(tied_export())
    out = tmp_path / "report.json"
    result = CliRunner().invoke(
        verivote, ["verify", str(export), "--jobs", "1", "--json", str(out), "--quiet"]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text())
    seed = document["results"]["seed"]
    by_id = {c["contest"]: c for c in document["results"]["contests"]}
    youth = by_id["youth-rep"]
    assert [o["votes"] for o in youth["options"]] == [2, 2]
    assert len(youth["elected"]) == 1
    assert youth["lots"] == [
        {
            "tied": youth["lots"][0]["tied"],
            "elected": youth["elected"],
            "seed": seed,
            "rule": "§12.6",
            "text": f"decided by lot, seed {seed}, rule §12.6",
        }
    ]
    assert sorted(youth["lots"][0]["tied"]) == ["yan", "zed"]
    assert by_id["rule"]["elected"] == []
    assert by_id["rule"]["lots"] == []
    names = {"yan": "Yan Yu", "zed": "Zed Zola"}
    tied = ", ".join(names[c] for c in youth["lots"][0]["tied"])
    elected = names[youth["elected"][0]]
    assert (
        f"    tie between {tied} decided by lot, seed {seed}, rule §12.6: {elected} elected"
        in result.output.splitlines()
    )


@pytest.mark.parametrize(
    ("cut_at", "missing"), [("tally", "tally and result withheld"), ("result", "result withheld")]
)
def test_issue16_9_a_log_cut_short_is_no_result(
    cut_at: str, missing: str, built: Built, tmp_path: Path
) -> None:
    """Issue 16 item 9: a board re-signs its log cut short before the tally or the result.
    Every check passes, yet it is not a finished election: NO RESULT, exit status 3 (it was
    "every check passed", exit 0); an election in progress is checked with --in-progress."""
    export = tmp_path / "export.jsonl"
    export.write_bytes(export_bytes(built.leaves[: built.index_of(cut_at)]))
    out = tmp_path / "report.json"
    runner = CliRunner()
    cut = runner.invoke(verivote, ["verify", str(export), "--jobs", "1", "--json", str(out)])
    assert cut.exit_code == 3, f"{missing}: {cut.output}"
    assert "[FAIL]" not in cut.output
    assert cut.output.splitlines()[-1].startswith(
        "NO RESULT: every check passed, but the log holds no result"
    )
    assert json.loads(out.read_text())["outcome"] == "no-result"
    assert json.loads(out.read_text())["results"] is None
    # Issue 15: the scrutineer's report exits as verify does (README: "Exit status as verify")
    html = tmp_path / "report.html"
    report = runner.invoke(
        verivote, ["report", str(export), "--html", str(html), "--jobs", "1", "--quiet"]
    )
    assert report.exit_code == 3, report.output
    assert report.output.splitlines()[-1] == "Every check passed, but the log holds no result yet."
    assert "No result has been published yet." in html.read_text(encoding="utf-8")
    running = runner.invoke(
        verivote, ["verify", str(export), "--jobs", "1", "--in-progress", "--json", str(out)]
    )
    assert running.exit_code == 0, running.output
    assert running.output.splitlines()[-1].startswith("IN PROGRESS: every check passed so far")
    assert json.loads(out.read_text())["outcome"] == "in-progress"


def test_in_progress_does_not_hide_a_failure_or_a_result(built: Built, tmp_path: Path) -> None:
    export = tmp_path / "export.jsonl"
    export.write_bytes(export_bytes(built.leaves))
    runner = CliRunner()
    done = runner.invoke(verivote, ["verify", str(export), "--jobs", "1", "--in-progress"])
    assert done.exit_code == 0
    assert done.output.splitlines()[-1].startswith("RESULT VERIFIED")
    tampered = CASES["flip-one-byte-of-a-proof"](built)
    export.write_bytes(export_bytes((tampered.leaves or [])[: built.index_of("tally")]))
    failed = runner.invoke(verivote, ["verify", str(export), "--jobs", "1", "--in-progress"])
    assert failed.exit_code == 1
    assert failed.output.splitlines()[-1].startswith("FAILED: ")


def test_a_tampered_export_exits_1_naming_check_and_entry(built: Built, tmp_path: Path) -> None:
    tampered = CASES["flip-one-byte-of-a-proof"](built)
    export = tmp_path / "export.jsonl"
    export.write_bytes(export_bytes(tampered.leaves or []))
    out = tmp_path / "report.json"
    result = CliRunner().invoke(
        verivote, ["verify", str(export), "--jobs", "2", "--json", str(out)]
    )
    assert result.exit_code == 1
    assert "[FAIL] 5." in result.output
    assert "check 5: entry 49:" in result.output
    assert result.output.splitlines()[-1].startswith("FAILED: ")
    assert json.loads(out.read_text())["outcome"] == "failed"
    failures = [f for c in json.loads(out.read_text())["checks"] for f in c["failures"]]
    assert {k: failures[0][k] for k in ("check", "index")} == {"check": 5, "index": 49}


def test_unreadable_input_exits_2_with_one_line(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage"
    garbage.write_bytes(b"not an export\n")
    runner = CliRunner()
    for argv in (["verify", str(garbage)], ["verify", str(tmp_path / "missing")],
                 ["verify", "http://127.0.0.1:9/v1/elections/x"]):  # fmt: skip
        result = runner.invoke(verivote, argv)
        assert result.exit_code == 2, result.output
        assert result.output.count("\n") == 1
        assert result.output.startswith("error: ")


def test_a_failed_verification_states_no_results(built: Built, tmp_path: Path) -> None:
    """Winners printed beside FAILED could be read as verified: a failure after the result (a
    decision signed by a stranger) leaves the results out of the report and the JSON."""
    stranger = sign_entry(
        election=ELECTION,
        type="decision",
        role="administrator",
        payload={"subject": "Result", "decision": "Annulled", "reason": "Because"},
        key=STRANGER,
    )
    last = built.leaves[-1][1]
    export = tmp_path / "export.jsonl"
    export.write_bytes(export_bytes([*built.leaves, (stranger, last)]))
    out = tmp_path / "report.json"
    result = CliRunner().invoke(
        verivote, ["verify", str(export), "--jobs", "1", "--json", str(out)]
    )
    assert result.exit_code == 1, result.output
    assert f"check 2: entry {len(built.leaves)}:" in result.output
    assert "results (" not in result.output
    assert json.loads(out.read_text())["results"] is None


def test_a_kept_tree_head_saved_pretty_printed_is_read(built: Built, tmp_path: Path) -> None:
    """Issue 15 item 7: a kept tree head (``--since``) re-saved by an editor still serves; its
    signature holds over the canonical bytes."""
    data = export_bytes(built.leaves)
    export = tmp_path / "export.jsonl"
    export.write_bytes(data)
    kept = next(line for line in data.splitlines() if line.startswith(b'{"sth":'))[7:-1]
    since = tmp_path / "kept.json"
    since.write_text("\ufeff" + json.dumps(json.loads(kept), indent=4) + "\r\n")
    argv = ["verify", str(export), "--jobs", "1", "--since", str(since), "--quiet"]
    result = CliRunner().invoke(verivote, argv)
    assert result.exit_code == 0, result.output
    forged = json.loads(kept)
    forged["tree_size"] += 1
    since.write_text(json.dumps(forged, indent=4))
    result = CliRunner().invoke(verivote, argv)
    assert result.exit_code == 2, result.output
    assert "the kept tree head does not parse" in result.output
