"""Issue 15 item 1 from the command line: `verivote board serve --rehearsal`, `verivote admin
advance-clock`, REHEARSAL in what the verifier prints, and the refusals (a real board's clock,
a database of the other kind), each one line with the exit status of the CLI's rule. Real
`verivote` processes against real boards (uvicorn on 127.0.0.1)."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bulletin_board.client import BoardClient
from election.definition import to_ms
from election.role_keys import RoleKey
from simulation.plan import ElectionPlan, RoleKeys, contest_toml
from tests.board.server import VERIVOTE, BoardServer

E = "rehearsal-cli"
KEYS = RoleKeys.fixed_for_testing(3)
PLAN = ElectionPlan(
    election=E,
    contests=contest_toml(
        "rule-1", "Rule 1", "referendum", question="Adopt?", options=["Yes", "No"]
    ),
    trustees=3,
    threshold=2,
    start=datetime(2030, 1, 7, 9, 0, tzinfo=UTC),
)
PASSPHRASE = "a rehearsal passphrase"


def _verivote(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [VERIVOTE, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "VV_PASS": PASSPHRASE},
        check=False,
    )


def _ok(*args: str, cwd: Path) -> str:
    done = _verivote(*args, cwd=cwd)
    assert done.returncode == 0, f"{args}: {done.stdout}{done.stderr}"
    return done.stdout


def _one_line_error(done: subprocess.CompletedProcess[str], code: int, text: str) -> None:
    assert done.returncode == code, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: "), done.stderr
    assert text in lines[0]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    sealed = RoleKey("administrator", KEYS.administrator).seal(
        PASSPHRASE.encode(), strength="interactive"
    )
    (tmp_path / "administrator.key").write_bytes(sealed)
    (tmp_path / "election.toml").write_text(PLAN.definition_toml_for(KEYS))
    return tmp_path


def test_a_rehearsal_moves_through_its_timetable(folder: Path) -> None:
    admin = ("--passphrase-env", "VV_PASS")
    with BoardServer(
        str(folder / "rehearsal.db"), folder / "board.key", rules="election", create=E,
        options=("--rehearsal",),
    ) as board:  # fmt: skip
        board_option = ("--board", board.url)
        out = _ok("admin", "publish", "election.toml", *board_option, *admin, cwd=folder)
        assert out.startswith("definition posted: leaf 1")
        with BoardClient(board.url, E) as client:
            assert client.rehearsal()
            before = client.clock()
            out = _ok("admin", "advance-clock", "--by", "2d", *board_option, *admin, cwd=folder)
            assert out.startswith(f"REHEARSAL: the clock of {E} now reads")
            assert client.clock() >= before + 2 * 86_400_000
            voting = PLAN.at(PLAN.timetable.voting_open)
            out = _ok(
                "admin", "advance-clock", "--to", "2030-01-22T09:00", *board_option, *admin,
                cwd=folder,
            )  # fmt: skip
            assert "2030-01-22 09:00:00 GMT (Europe/London)" in out
            assert voting == to_ms(datetime(2030, 1, 22, 9, 0, tzinfo=UTC))
            assert client.clock() >= voting
            assert client.tree_head().rehearsal
        back = _verivote(
            "admin", "advance-clock", "--to", "2030-01-10T09:00", *board_option, *admin,
            cwd=folder,
        )  # fmt: skip
        _one_line_error(back, 1, "[clock_not_later]")
        neither = _verivote("admin", "advance-clock", *board_option, *admin, cwd=folder)
        _one_line_error(neither, 2, "give --to TIME or --by DURATION")
        report = _verivote(
            "verify", f"{board.url}/v1/elections/{E}", "--json", "report.json", "--quiet",
            cwd=folder,
        )  # fmt: skip
        lines = report.stdout.strip().splitlines()
        assert lines[1].startswith("REHEARSAL:"), report.stdout
        assert report.returncode == 3  # every check passed, no result yet (§13.3)
        assert lines[-1].startswith("NO RESULT (REHEARSAL, not a real election): "), lines[-1]
        assert json.loads((folder / "report.json").read_text())["rehearsal"] is True
    # The same database is never served as a real election's board.
    refused = _verivote(
        "board", "serve", "--db", str(folder / "rehearsal.db"), "--key", "board.key",
        "--port", "9", cwd=folder,
    )  # fmt: skip
    _one_line_error(refused, 2, "serve it with --rehearsal")


def test_a_real_board_refuses_to_advance_its_clock(folder: Path) -> None:
    admin = ("--passphrase-env", "VV_PASS")
    with BoardServer(
        str(folder / "real.db"), folder / "board.key", rules="election", create=E
    ) as board:
        _ok("admin", "publish", "election.toml", "--board", board.url, *admin, cwd=folder)
        done = _verivote(
            "admin", "advance-clock", "--by", "1d", "--board", board.url, *admin, cwd=folder
        )
        _one_line_error(done, 1, f"{E} is a real election's log, not a rehearsal")
        report = _verivote("verify", f"{board.url}/v1/elections/{E}", "--quiet", cwd=folder)
        assert "REHEARSAL" not in report.stdout
    refused = _verivote(
        "board", "new-election", "--db", str(folder / "real.db"), "--key", "board.key",
        "--election", "another", "--rehearsal", cwd=folder,
    )  # fmt: skip
    _one_line_error(refused, 2, "a rehearsal board serves rehearsals only")
