"""``verivote verify``: the report, --json, and the exit statuses (0 passed, 1 a check failed,
2 unreadable input, as one line)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from cli.main import verivote
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
    assert "[NOT YET VERIFIABLE] contest leader" in result.output
    document = json.loads(out.read_text())
    assert document["passed"] is True
    assert [c["check"] for c in document["checks"]] == list(range(1, 9))


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
