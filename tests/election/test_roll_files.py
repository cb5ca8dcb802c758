"""Issue 15 item 7 and item 8: the roll as a membership office exports it. A spreadsheet's
"CSV UTF-8" (a byte-order mark, CRLF) imports as it looks; a wrong header says precisely what
differs; a file that is not UTF-8 is one line; a 400,000-member import shows its progress."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import verivote
from election.roll import Roll, RollProblems
from tests.election.scenario import DEFINITION, KEYS, PLAN

DEFINITION_TOML = PLAN.definition_toml_for(KEYS)

VERIVOTE = str(Path(sys.executable).parent / "verivote")
ROWS = [
    "A1,Ada Ames,ada@example.org,member",
    "A2,Bo Bell,bo@example.org,member;youth",
    "A3,Cy Côté,cy@example.org,member bame",
]


def _excel(header: str = "member_id,name,email,sections") -> bytes:
    """What Excel's "CSV UTF-8 (Comma delimited)" writes: a byte-order mark, CRLF."""
    return "\ufeff".encode() + "\r\n".join([header, *ROWS, ""]).encode("utf-8")


def test_a_roll_saved_by_excel_reads_as_it_looks() -> None:
    roll = Roll.read_csv(_excel().decode("utf-8"), DEFINITION, source="members.csv")
    assert [m.id for m in roll.members] == ["A1", "A2", "A3"]
    assert roll.members[2].name == "Cy Côté"
    assert roll.members[1].sections == ("member", "youth")


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (
            "Member_ID,name,email,sections",
            "column 1 is 'Member_ID', expected 'member_id' (letter case differs)",
        ),
        (
            "member id,name,email,sections",
            "column 1 is 'member id', expected 'member_id' (write _ between the words)",
        ),
        ("member_id,name,e-mail,sections", "column 3 is 'e-mail', expected 'email'"),
        ("member_id;name;email;sections", "separated by semicolons, not commas"),
        ("member_id\tname\temail\tsections", "separated by tabs, not commas"),
        ("member_id,name,email", "3 columns: sections missing"),
        ("member_id,name,email,sections,phone", "5 columns: 'phone' extra"),
        ("member_id,name,\u200bemail,sections", "column 3 is '\\u200bemail', expected 'email'"),
    ],
)
def test_a_wrong_header_says_what_differs(header: str, reason: str) -> None:
    with pytest.raises(RollProblems) as info:
        Roll.read_csv(_excel(header).decode("utf-8"), DEFINITION, source="members.csv")
    [(line, message)] = info.value.problems
    assert line == 1
    assert "the header must be member_id,name,email,sections" in message
    assert reason in message


def _import(folder: Path, data: bytes) -> tuple[int, str]:
    (folder / "election.toml").write_text(DEFINITION_TOML)
    (folder / "members.csv").write_bytes(data)
    old = Path.cwd()
    os.chdir(folder)
    try:
        result = CliRunner().invoke(verivote, ["roll", "import", "members.csv"])
    finally:
        os.chdir(old)
    return result.exit_code, result.output


def test_roll_import_takes_the_excel_file(tmp_path: Path) -> None:
    code, out = _import(tmp_path, _excel())
    assert code == 0, out
    assert "3 members imported" in out


def test_a_file_that_is_not_utf8_is_one_line(tmp_path: Path) -> None:
    code, out = _import(tmp_path, "\r\n".join(["member_id,name,email,sections", *ROWS])
                        .encode("cp1252"))  # fmt: skip
    assert code == 2
    assert out.count("\n") == 1
    assert out.startswith("error: members.csv is not UTF-8 text (byte ")
    assert 'export it as "CSV UTF-8"' in out


def test_a_large_import_shows_its_progress(tmp_path: Path) -> None:
    """Item 8: on a terminal, `roll import` shows a progress bar (400,000 members take seconds);
    25,000 here, read through a real pseudo-terminal."""
    rows = [f"M{i:07d},Member {i},m{i}@example.org,member" for i in range(25_000)]
    (tmp_path / "election.toml").write_text(DEFINITION_TOML)
    (tmp_path / "members.csv").write_text("\n".join(["member_id,name,email,sections", *rows]))
    main, child = pty.openpty()
    process = subprocess.Popen(
        [VERIVOTE, "roll", "import", "members.csv"],
        cwd=tmp_path, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=child,
        env={**os.environ, "COLUMNS": "120", "TERM": "xterm"},
    )  # fmt: skip
    os.close(child)
    seen = b""
    while True:
        ready, _, _ = select.select([main], [], [], 120)
        if not ready:
            break
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    os.close(main)
    out, _ = process.communicate(timeout=120)
    assert process.returncode == 0, seen
    assert b"25000 members imported" in out
    assert b"checking the roll" in seen
    assert b"/25000" in seen
