"""Mistakes a user makes while setting up an election, each said in one line with exit status 2:
a definition signed by another role's key, a wrong passphrase, an unreachable board, a roll
with a bad row (named by its line)."""

from __future__ import annotations

from pathlib import Path

import pytest

from crypto.credentials import CredentialCode
from tests.election.cli_setup import (
    ENV,
    MEMBERS,
    election_toml,
    generate_keys,
    run,
)


def test_the_definition_must_be_signed_by_its_administrator(tmp_path: Path) -> None:
    keys = generate_keys(tmp_path)
    keys["administrator"], keys["issuer"] = keys["issuer"], keys["administrator"]
    (tmp_path / "election.toml").write_text(election_toml(keys))
    result = run(
        "admin",
        "publish",
        "election.toml",
        "--board",
        "http://127.0.0.1:9",
        "--key",
        "administrator.key",
        "--passphrase-env",
        "VV_PASS",
        cwd=tmp_path,
        ok=False,
    )
    assert result.exit_code == 2
    assert "is not the administrator key" in result.output


def test_a_wrong_passphrase_is_one_line(tmp_path: Path) -> None:
    run(
        "keys",
        "generate",
        "--role",
        "issuer",
        "--out",
        "issuer.key",
        "--passphrase-env",
        "VV_PASS",
        "--kdf",
        "interactive",
        cwd=tmp_path,
    )
    ENV["VV_WRONG"] = "not it"
    try:
        result = run(
            "credentials", "reissue", "A001", "--reason", "x", "--board", "http://127.0.0.1:9",
            "--election", "e", "--key", "issuer.key", "--passphrase-env", "VV_WRONG",
            "--issuer-dir", "nowhere", "--out", "x.csv", cwd=tmp_path, ok=False,
        )  # fmt: skip
    finally:
        del ENV["VV_WRONG"]
    assert result.exit_code == 2
    assert result.output.count("\n") == 1
    again = run(
        "keys", "generate", "--role", "issuer", "--out", "issuer.key", "--passphrase-env",
        "VV_PASS", cwd=tmp_path, ok=False,
    )  # fmt: skip
    assert "never overwritten" in again.output


def test_an_unreachable_board_is_one_line(tmp_path: Path) -> None:
    code = CredentialCode.generate().formatted()
    result = run(
        "credentials", "check", code, "--board", "http://127.0.0.1:9", "--election", "e",
        cwd=tmp_path, ok=False,
    )  # fmt: skip
    assert result.exit_code == 2  # could not do what was asked (README, "Exit status")
    assert "cannot reach the board" in result.output
    assert result.output.count("\n") == 1


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("A001,Ada Ames,ada@example.org,member", "member A001 appears twice (first on line 2)"),
        ("A009,Ida Ives,ida.example.org,member", "'ida.example.org' is not an email address"),
        ("A009,Ida Ives,ida@example.org,seniors", "unknown section 'seniors'"),
        ("A009,,ida@example.org,member", "the name is empty"),
        ("A009,Ida Ives,ida@example.org", "3 columns"),
    ],
)
def test_roll_problems_are_reported_with_their_line(tmp_path: Path, row: str, problem: str) -> None:
    keys = {"administrator": "aa" * 32, "issuer": "bb" * 32} | {
        f"trustee{i}": f"{i:02x}" * 32 for i in range(1, 6)
    }
    (tmp_path / "election.toml").write_text(election_toml(keys))
    (tmp_path / "members.csv").write_text(MEMBERS + row + "\n")
    result = run("roll", "import", "members.csv", cwd=tmp_path, ok=False)
    assert result.exit_code == 2
    assert f"members.csv, line 6: {problem}" in result.output
    assert "nothing imported" in result.output
    assert not (tmp_path / "issuer" / "roll.json").exists()


NOMINATIONS = (
    "contest,nominee,name,attributes,nominated_by,received\r\n"
    "nec,cat,Cat Cole,gender=woman,Camden CLP,2027-03-03\r\n"
)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        # Excel's "CSV UTF-8": a byte-order mark, CRLF: read, so it gets as far as the board
        ("\ufeff" + NOMINATIONS, "cannot reach the board"),
        (
            "\ufeff" + NOMINATIONS.replace("nominated_by", "Nominated By"),
            "nominations.csv, line 1: the header must be contest,nominee,name,attributes,"
            "nominated_by,received: column 5 is 'Nominated By', expected 'nominated_by' "
            "(write _ between the words)",
        ),
        (
            NOMINATIONS.replace(",received", ""),
            "the header must be contest,nominee,name,attributes,nominated_by,received: "
            "5 columns: received missing",
        ),
        (
            NOMINATIONS.replace(";", ",").replace(",", ";"),
            "the header 'contest;nominee;name;attributes;nominated_by;received' is separated "
            "by semicolons, not commas",
        ),
        (NOMINATIONS + "nec,dan,Dan Dale\r\n", "nominations.csv, line 3: 3 columns, expected 6"),
    ],
    ids=["excel", "header-differs", "column-missing", "semicolons", "short-row"],
)
def test_a_nominations_csv_is_read_as_the_roll_is(tmp_path: Path, text: str, said: str) -> None:
    """Issue 15 item 7: ``admin nominate --csv`` reads a spreadsheet's CSV as ``roll import``
    does (a byte-order mark dropped, CRLF fine) and says what differs in a wrong header; each
    refusal one line, exit status 2, before anything is sent."""
    run(
        "keys", "generate", "--role", "administrator", "--out", "administrator.key",
        "--passphrase-env", "VV_PASS", "--kdf", "interactive", cwd=tmp_path,
    )  # fmt: skip
    (tmp_path / "nominations.csv").write_bytes(text.encode("utf-8"))
    result = run(
        "admin", "nominate", "--csv", "nominations.csv", "--board", "http://127.0.0.1:9",
        "--election", "e", "--key", "administrator.key", "--passphrase-env", "VV_PASS",
        cwd=tmp_path, ok=False,
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert said in result.output
    assert result.output.count("\n") == 1
