"""Spec §10.1 The rule sets a board process runs, by name (``verivote board serve --rules``).

The composition root of the rules: the board's generic rules (``bulletin_board.rules``, which
imports no election code) and the election's (``bulletin_board.election_rules``, which adapts
``election.rules`` to them) meet here, and only here. The service factory and the CLI take a
rule set from this table and pass it to ``Board``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from bulletin_board.election_rules import ELECTION_RULES, election_rules
from bulletin_board.rules import GENERIC_RULES, Rules, generic_rules
from crypto.errors import MalformedInput

__all__ = ["RULE_SETS", "named_rules"]

RULE_SETS: Final[Mapping[str, Callable[[], Rules[Any]]]] = {
    ELECTION_RULES: election_rules,
    GENERIC_RULES: generic_rules,
}


def named_rules(name: str) -> Rules[Any]:
    """The rule set called ``name`` (``election``, the default of every command, or
    ``generic``).

    Raises:
        MalformedInput: an unknown name.
    """
    factory = RULE_SETS.get(name)
    if factory is None:
        raise MalformedInput(f"unknown rule set {name!r} (known: {', '.join(sorted(RULE_SETS))})")
    return factory()
