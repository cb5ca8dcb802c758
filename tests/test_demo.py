"""`verivote demo` runs end to end and its tally matches the votes cast."""

from __future__ import annotations

import re

from click.testing import CliRunner

from cli.main import verivote


def test_demo_decrypts_the_true_tally() -> None:
    result = CliRunner().invoke(verivote, ["demo", "--voters", "7"])
    assert result.exit_code == 0, result.output
    assert "verified" in result.output
    rows = re.findall(r"│ (Yes|No|Abstain)\s+│ (\d+)\s+│ (\d+)\s+│", result.output)
    assert len(rows) == 3
    assert all(decrypted == actual for _, decrypted, actual in rows)
    assert sum(int(actual) for _, _, actual in rows) == 7


def test_demo_refuses_zero_voters() -> None:
    result = CliRunner().invoke(verivote, ["demo", "--voters", "0"])
    assert result.exit_code == 2
    assert "at least 1" in result.output
