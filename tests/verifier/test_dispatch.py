"""The verifier's dispatch table (issue 10): every entry type of an election is replayed by
exactly one check module, with the author role of ``ENTRY_AUTHORS`` (the table the board's
rules also take theirs from); and the verifier's modules stay small."""

from __future__ import annotations

from pathlib import Path

from bulletin_board.election_rules import election_rules
from bulletin_board.wire import BOARD_KEY_TYPE
from election.wire import ENTRY_AUTHORS, VOTER
from verifier._replay import ENTRY_CHECKS

VERIFIER = Path(__file__).resolve().parents[2] / "verifier"


def test_every_entry_type_has_one_check_and_its_author() -> None:
    assert set(ENTRY_CHECKS) == set(ENTRY_AUTHORS)
    assert {t: c.role for t, c in ENTRY_CHECKS.items()} == dict(ENTRY_AUTHORS)
    assert {c.check for c in ENTRY_CHECKS.values()} == {2, 3, 4, 5, 7, 8, 9, 10}
    assert {t for t, c in ENTRY_CHECKS.items() if c.check == 5} == {
        t for t, role in ENTRY_AUTHORS.items() if role == VOTER
    }


def test_the_verifier_and_the_board_derive_their_roles_from_one_table() -> None:
    board = {name: set(t.roles) for name, t in election_rules().types.items()}
    board.pop(BOARD_KEY_TYPE)
    assert board == {t: {c.role} for t, c in ENTRY_CHECKS.items()}


def test_every_verifier_module_is_under_600_lines() -> None:
    long = {
        p.name: n for p in VERIFIER.glob("*.py") if (n := len(p.read_text().splitlines())) >= 600
    }
    assert not long
