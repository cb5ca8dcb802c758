"""Spec §11.3, §11.7 and §8.3 The roll and the issuer: styles, one credential per eligible
member, sorted parts of at most 10,000, counts, the private record, reissues, letters."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from crypto.credentials import derive_credential_key
from crypto.errors import MalformedInput
from election.issuer import Issued, Where, issue_credentials, letter_text, reissue_credential
from election.roll import Member, Roll, RollProblems, duplicate_emails
from election.wire import CredentialsPart
from tests.election.scenario import DEFINITION, STYLE_ALL, STYLE_BAME, STYLE_YOUTH

CSV = """member_id,name,email,sections
A1,Ada Ames,ada@example.org,member
A2,Bo Bell,bo@example.org,member; youth
A3,Cy Cole,cy@example.org,member bame
A4,Di Dunn,ada@example.org,
"""


def _roll() -> Roll:
    return Roll.read_csv(CSV, DEFINITION, source="members.csv")


def test_roll_reads_sections_separated_by_semicolons_or_spaces() -> None:
    roll = _roll()
    assert [m.sections for m in roll.members] == [
        ("member",), ("member", "youth"), ("member", "bame"), (),
    ]  # fmt: skip
    assert Roll.from_bytes(roll.to_bytes()) == roll
    assert duplicate_emails(roll.members) == {"ada@example.org": ["A1", "A4"]}
    styles = {k: (v.id if v else None) for k, v in roll.styles(DEFINITION).items()}
    # the leader and the referendum are open to every member: even A4 (no section) votes
    assert styles["A4"] == "nec-clp+leader+rule-change-1"
    assert styles["A2"] == STYLE_YOUTH


def test_roll_collects_every_problem_with_its_line() -> None:
    bad = CSV + "A1,Again,again@example.org,member\nA5,Eve,not-an-email,elders\n"
    with pytest.raises(RollProblems) as info:
        Roll.read_csv(bad, DEFINITION, source="members.csv")
    lines = [line for line, _ in info.value.problems]
    assert lines == [6, 7, 7]
    with pytest.raises(RollProblems, match=r"members.csv: 1 problem\(s\); nothing imported"):
        Roll.read_csv("id,name\n", DEFINITION, source="members.csv")


def test_one_credential_per_eligible_member_in_sorted_parts() -> None:
    roll = _roll()
    issue = issue_credentials(roll, DEFINITION)
    assert len(issue.letters) == 4
    for letter in issue.letters:
        style, public = issue.issued.credentials[letter.member.id]
        assert style == letter.style
        assert (
            derive_credential_key(letter.code, fingerprint=DEFINITION.fingerprint).public == public
        )
    parts = issue.issued.parts()
    assert [(p.style, p.part, len(p.credentials)) for p in parts] == sorted(
        [(STYLE_ALL, 0, 2), (STYLE_YOUTH, 0, 1), (STYLE_BAME, 0, 1)]
    )
    for p in parts:
        assert CredentialsPart.from_json(p.to_json()) == p  # strictly increasing
    assert dict(issue.issued.complete().counts) == {STYLE_ALL: 2, STYLE_YOUTH: 1, STYLE_BAME: 1}
    assert repr(issue.letters[0]).count("code") == 0


def test_parts_hold_at_most_10000_credentials() -> None:
    members = tuple(Member(f"M{i}", "x", "x@example.org", ("member",)) for i in range(10_001))
    issue = issue_credentials(Roll(DEFINITION.id, members), DEFINITION)
    parts = issue.issued.parts()
    assert [len(p.credentials) for p in parts] == [10_000, 1]
    assert parts[0].credentials[-1].to_bytes() < parts[1].credentials[0].to_bytes()


def test_the_record_round_trips_and_reissues_revoke() -> None:
    roll = _roll()
    issue = issue_credentials(roll, DEFINITION)
    record = Issued.from_bytes(issue.issued.to_bytes())
    assert record == issue.issued
    member = roll.member("A2")
    letter, payload, updated = reissue_credential(record, member, DEFINITION, reason="Lost")
    old = record.credentials["A2"][1]
    assert payload.revoked == old
    assert payload.credential == updated.credentials["A2"][1] != old
    assert payload.style == STYLE_YOUTH == letter.style
    assert updated.revoked == (("A2", old),)
    assert Issued.from_bytes(updated.to_bytes()) == updated
    with pytest.raises(MalformedInput, match="the initial issue's parts are gone after a reissue"):
        updated.parts()
    with pytest.raises(MalformedInput, match="member Z9 has no credential to reissue"):
        reissue_credential(record, Member("Z9", "z", "z@example.org", ()), DEFINITION, reason="x")
    with pytest.raises(MalformedInput, match="the roll is for 'other', not 'nec-2027'"):
        issue_credentials(Roll("other", roll.members), DEFINITION)


def test_a_letter_carries_the_code_and_how_to_vote() -> None:
    """Issue 15 item 3: the letter gives the booth and the election's page (the timetable in
    force), and states the voting window in force at issue as current, not as fixed."""
    letter = issue_credentials(_roll(), DEFINITION).letters[1]
    board = "https://board.example.org"
    where = Where(board, f"{board}/e/nec-2027/", f"{board}/booth/nec-2027/")
    extended = replace(
        DEFINITION.timetable, voting_close=DEFINITION.timetable.voting_close + timedelta(days=2)
    )
    text = letter_text(letter, DEFINITION, where=where, timetable=extended)
    assert letter.code.formatted() in text
    assert "Dear Bo Bell" in text
    assert "NEC: youth representative" in text
    assert "Vote in your web browser at\n    https://board.example.org/booth/nec-2027/\n" in text
    assert "verivote cast --board https://board.example.org --election nec-2027" in text
    assert "Voting is currently set to open on Sunday 24 January 2027 at 09:00 GMT" in text
    assert "and to close on Friday 05 February 2027 at 09:00 GMT" in text  # the extended close
    assert "the election's page always shows the timetable in force:" in text
    assert "    https://board.example.org/e/nec-2027/\n" in text
