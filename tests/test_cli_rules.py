"""Issue 15 item 8: the CLI's one rule for exit statuses (README, "Exit status"), and the floor
on a new passphrase, said with its reason."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from bulletin_board.client import BoardRefused, BoardUnreachable
from bulletin_board.errors import LogCorrupted, NotFound, UnknownElection
from cli.main import exit_status, verivote
from crypto.credentials import CredentialCode
from crypto.errors import (
    InconsistentLog,
    InvalidProof,
    MalformedInput,
    NonCanonicalEncoding,
    VerificationFailed,
    VerivoteError,
    WrongPassphrase,
)
from election.role_keys import RoleKey
from simulation.plan import ElectionPlan, RoleKeys, contest_toml

LONG = "three unrelated words"


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (VerificationFailed("a check failed"), 1),
        (InvalidProof("a proof does not verify"), 1),
        (InconsistentLog("the board rewrote its history"), 1),
        (LogCorrupted("a stored row is not the board's"), 1),
        (BoardRefused(409, "deadline_passed", "that deadline has passed"), 1),
        (BoardRefused(404, "not_found", "no leaf 99"), 2),
        (BoardRefused(400, "malformed", "not well formed"), 2),
        (BoardRefused(429, "rate_limited", "busy"), 2),
        (BoardRefused(503, "log_corrupted", "the board found its storage inconsistent"), 2),
        (BoardUnreachable("cannot reach the board"), 2),
        (UnknownElection("no such election"), 2),
        (NotFound("no such leaf"), 2),
        (MalformedInput("not an export"), 2),
        (NonCanonicalEncoding("not canonical"), 2),
        (WrongPassphrase("wrong passphrase"), 2),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, VerivoteError) else str(v),
)
def test_one_rule_for_exit_statuses(error: VerivoteError, status: int) -> None:
    assert exit_status(error) == status


def _invoke(folder: Path, *args: str, input: str | None = None, **env: str) -> tuple[int, str]:
    old = Path.cwd()
    os.chdir(folder)
    try:
        result = CliRunner().invoke(verivote, list(args), input=input, env=env)
    finally:
        os.chdir(old)
    return result.exit_code, result.output


def test_a_short_new_passphrase_is_refused_saying_why(tmp_path: Path) -> None:
    generate = ("keys", "generate", "--role", "trustee", "--kdf", "interactive")
    code, out = _invoke(tmp_path, *generate, "--out", "t.key", "--passphrase-env", "VV", VV="abc")
    assert code == 2
    assert out.count("\n") == 1
    assert "the passphrase has 3 character(s): use at least 12" in out
    assert "offline guessing attack" in out
    assert not (tmp_path / "t.key").exists()
    # At the prompt, a short one is asked again (saying why), then typed twice.
    typed = f"abc\n{LONG}\n{LONG}x\n{LONG}\n{LONG}\n"
    code, out = _invoke(tmp_path, *generate, "--out", "t.key", input=typed)
    assert code == 0, out
    assert "use at least 12" in out
    assert "the two entries differ" in out
    assert RoleKey.open((tmp_path / "t.key").read_bytes(), LONG.encode()).role == "trustee"


def test_a_wrong_passphrase_and_an_unreachable_board_exit_2(tmp_path: Path) -> None:
    keys = RoleKeys.fixed_for_testing(3)
    plan = ElectionPlan(
        election="exit-2027", trustees=3, threshold=2,
        contests=contest_toml("r", "R", "referendum", question="Q?", options=["Yes", "No"]),
    )  # fmt: skip
    (tmp_path / "election.toml").write_text(plan.definition_toml_for(keys))
    sealed = RoleKey("administrator", keys.administrator).seal(
        LONG.encode(), strength="interactive"
    )
    (tmp_path / "administrator.key").write_bytes(sealed)
    publish = ("admin", "publish", "election.toml", "--board", "http://127.0.0.1:9")
    code, out = _invoke(tmp_path, *publish, "--passphrase-env", "VV", VV="not the passphrase")
    assert (code, out.count("\n")) == (2, 1)
    assert "wrong passphrase" in out
    code, out = _invoke(tmp_path, *publish, "--passphrase-env", "VV", VV=LONG)
    assert (code, out.count("\n")) == (2, 1)
    assert out.startswith("error: cannot reach the board at http://127.0.0.1:9")
    check = ("credentials", "check", CredentialCode.generate().formatted(), "--board",
             "http://127.0.0.1:9", "--election", "exit-2027")  # fmt: skip
    code, out = _invoke(tmp_path, *check)
    assert (code, out.count("\n")) == (2, 1)
