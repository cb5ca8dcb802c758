"""Test helpers: a whole election built with real crypto (tests.election.scenario), laid out as
a board export (§10.4) that tests can change entry by entry and re-sign."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bulletin_board.wire import parse_entry, sign_entry
from crypto import canonical
from crypto.signing import SigningKey
from election.wire import CredentialScheme
from simulation.boards import export_lines, leaf_bytes
from tests.election.scenario import (
    DEFINITION,
    ELECTION,
    VOTING_OPEN,
    Scenario,
)
from verifier import Report, verify_export_file

BOARD_KEY = SigningKey(bytes([77] * 32))
#: Each member's ranking of the leader contest (so that its papers differ).
LEADER_RANKINGS = ([1, 0], [0, 2], [2], [1, 0, 2])
Leaves = list[tuple[bytes, int]]
"""(entry bytes, received) per leaf, leaf 0 included."""


def scenario_leaves(scenario: Scenario) -> Leaves:
    """The scenario's log as leaves, with the board-key entry at leaf 0."""
    return scenario.log.leaves(BOARD_KEY)


def export_bytes(
    leaves: Leaves,
    *,
    key: SigningKey = BOARD_KEY,
    every: int = 7,
    raw_leaves: Sequence[bytes] | None = None,
) -> bytes:
    """An export of ``leaves`` with a tree head after every ``every`` leaves and at the end,
    each signed by ``key``; ``raw_leaves`` replaces the leaf bytes (for non-canonical ones)."""
    return b"".join(export_lines(ELECTION, leaves, key, every=every, raw_leaves=raw_leaves))


def verify_bytes(data: bytes, folder: Path, **options: Any) -> Report:
    path = folder / "export.jsonl"
    path.write_bytes(data)
    options.setdefault("jobs", 1)
    return verify_export_file(path, **options)


def entry_of(raw: bytes) -> dict[str, Any]:
    value = canonical.decode(raw)
    assert isinstance(value, dict)
    return value


def resign(raw: bytes, change: Callable[[dict[str, Any]], None], key: SigningKey) -> bytes:
    """The entry with its payload changed by ``change`` and signed again with ``key``."""
    entry = entry_of(raw)
    payload = entry["payload"]
    change(payload)
    return sign_entry(
        election=entry["election"],
        type=entry["type"],
        role=entry["author"]["role"],
        payload=payload,
        key=key,
    )


def check_voter_entry(raw: bytes) -> None:
    """The entry is a validly signed voter entry (helpers re-sign ballots correctly)."""
    parse_entry(raw, {"voter": CredentialScheme(DEFINITION.fingerprint)}, election=ELECTION)


@dataclass
class Built:
    """A built election: its scenario (secrets) and leaves."""

    scenario: Scenario
    leaves: Leaves

    def index_of(self, type: str, nth: int = 0) -> int:
        found = [i for i, (raw, _) in enumerate(self.leaves) if entry_of(raw)["type"] == type]
        return found[nth]


def build_election() -> Built:
    """Scenario.run() with the phases in time order (the ceremony before the candidate lists),
    so that leaves' reception times never decrease, as on a board (§10.1)."""
    scenario = Scenario()
    scenario.define()
    scenario.nominate()
    scenario.ceremony()
    scenario.candidate_lists()
    scenario.issue()
    now = VOTING_OPEN + 1000
    log = scenario.log
    for member, ranking in zip(scenario.members, LEADER_RANKINGS, strict=True):
        log.post(scenario.ballot(member, scenario.choices(member, leader=ranking)), now)
    first = scenario.members[0]
    log.post(scenario.ballot(first, scenario.choices(first, nec_clp=[1])), now)
    log.post(scenario.audit(scenario.members[1]), now)
    scenario.count()
    return Built(scenario, scenario_leaves(scenario))


__all__ = [
    "BOARD_KEY",
    "Built",
    "build_election",
    "export_bytes",
    "leaf_bytes",
    "resign",
    "verify_bytes",
]
