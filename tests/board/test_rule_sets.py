"""Spec §10.1 The rule sets a board runs, by name: composed at the root (rule_sets), never
by the generic rules module."""

from __future__ import annotations

import pytest

from bulletin_board.election_rules import ELECTION_RULES
from bulletin_board.rule_sets import RULE_SETS, named_rules
from bulletin_board.rules import GENERIC_RULES
from bulletin_board.wire import BOARD_KEY_TYPE
from crypto.errors import MalformedInput
from election.wire import ENTRY_AUTHORS, VOTER


def test_each_name_gives_its_rule_set() -> None:
    assert set(RULE_SETS) == {ELECTION_RULES, GENERIC_RULES}
    generic = named_rules(GENERIC_RULES)
    assert generic.name == GENERIC_RULES
    assert set(generic.types) == {BOARD_KEY_TYPE, "note"}
    assert VOTER not in generic.schemes
    election = named_rules(ELECTION_RULES)
    assert election.name == ELECTION_RULES
    assert VOTER in election.schemes


def test_the_election_rule_set_registers_each_type_for_its_author() -> None:
    """Spec §11.4 The board's type -> role table is ENTRY_AUTHORS (plus leaf 0's board-key)."""
    types = named_rules(ELECTION_RULES).types
    assert {name: set(t.roles) for name, t in types.items()} == {
        BOARD_KEY_TYPE: {"board"},
        **{name: {role} for name, role in ENTRY_AUTHORS.items()},
    }


def test_an_unknown_name_is_refused_in_one_line() -> None:
    with pytest.raises(
        MalformedInput, match=r"unknown rule set 'mixnet' \(known: election, generic\)"
    ):
        named_rules("mixnet")
