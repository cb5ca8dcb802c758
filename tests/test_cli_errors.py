"""Errors the CLI prints are one line (cli/main.py), whatever they quote: issue 16 item 5's
``verivote verify URL`` for an unknown election printed two; click's usage errors printed four;
a board's message could carry control characters to the terminal. tests/fuzz/test_cli.py runs
every command against bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import _fail, verivote
from crypto.signing import SigningKey
from simulation.served import SimulatedClock, served_board


def _stderr_lines(result: object) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.strip()]  # type: ignore[attr-defined]


def test_verify_of_an_unknown_election_says_so_in_one_line(tmp_path: Path) -> None:
    clock = SimulatedClock(1_800_000_000_000)
    db = f"sqlite:///{tmp_path / 'board.db'}"
    with served_board(db, SigningKey.generate(), clock=clock, elections=["e1"]) as url:
        result = CliRunner().invoke(verivote, ["verify", f"{url}/v1/elections/nope", "--quiet"])
    assert result.exit_code == 2
    lines = _stderr_lines(result)
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: cannot download the export from ")
    assert "404" in lines[0]


def test_a_usage_error_is_one_line_naming_the_help() -> None:
    result = CliRunner().invoke(verivote, ["verify", "--receipt", "/nonexistent/receipt.json", "x"])
    assert result.exit_code == 2
    lines = _stderr_lines(result)
    assert len(lines) == 1, lines
    assert "'/nonexistent/receipt.json' does not exist" in lines[0]
    assert lines[0].endswith("(see: verivote verify --help)")
    missing = CliRunner().invoke(verivote, ["board", "sth", "--url", "http://127.0.0.1:1"])
    assert (missing.exit_code, len(_stderr_lines(missing))) == (2, 1)
    assert "Missing option '--election'" in missing.stderr


def test_a_bare_group_still_shows_its_help() -> None:
    result = CliRunner().invoke(verivote, ["board"])
    assert "Run, export and monitor a bulletin board" in result.output


def test_a_quoted_message_cannot_break_the_line_or_drive_the_terminal(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exited:
        _fail("the board said: \x1b[2Jcleared\r\nsecond line\x00\ud800", code=1)
    assert exited.value.code == 1
    assert capsys.readouterr().err == (
        "error: the board said: \\x1b[2Jcleared second line\\x00\\ud800\n"
    )
