"""Spec §12.7 Block vote ("vote for up to k of n") with a minimum for a group, or any §12.5
constraints.

The per-candidate vote counts come from the homomorphic tally; this rule only places them.
Candidates are placed by votes, highest first, equal votes in the order of the lot of §12.6
(purpose ``block``, stage 0). Going down the placing, each candidate is elected unless that
would leave no valid result (§12.5) completable from the candidates placed below. With a
single group minimum this is the same as taking the top ``seats`` and replacing the
lowest-placed winners outside the group by the highest-placed members of the group.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from crypto.errors import MalformedInput
from election.counting.constraints import Constraints
from election.counting.lot import Lot
from election.counting.record import TieBreak

__all__ = ["BlockVoteResult", "count_block_vote"]


@dataclass(frozen=True, slots=True)
class BlockVoteResult:
    """Spec §12.7 The placing, the plain top ``seats``, the passed over and the winners."""

    candidates: tuple[str, ...]
    votes: tuple[int, ...]
    seats: int
    constraints: tuple[str, ...]
    placing: tuple[int, ...]
    top: tuple[int, ...]
    passed_over: tuple[int, ...]
    winners: tuple[int, ...]
    ties: tuple[TieBreak, ...]

    @property
    def winner_names(self) -> tuple[str, ...]:
        """The winners' names, highest placed first."""
        return tuple(self.candidates[c] for c in self.winners)


def count_block_vote(
    *,
    candidates: Sequence[str],
    votes: Sequence[int],
    seats: int,
    lot: Lot,
    constraints: Constraints | None = None,
) -> BlockVoteResult:
    """Spec §12.7 Place the candidates by votes and elect ``seats`` of them, meeting the
    constraints (§12.5): the valid result that comes first in placing order.

    Raises:
        MalformedInput: mismatched lengths, duplicate names, a negative count, or fewer than
            one seat.
        InfeasibleConstraints: no ``min(seats, candidates)`` candidates meet the constraints.
    """
    names = tuple(candidates)
    counts = tuple(votes)
    if len(names) != len(counts):
        raise MalformedInput(f"{len(names)} candidates but {len(counts)} vote counts")
    if len(set(names)) != len(names):
        raise MalformedInput("duplicate candidate names")
    if any(v < 0 for v in counts):
        raise MalformedInput("vote counts must not be negative")
    if seats < 1:
        raise MalformedInput(f"seats {seats}: at least one seat is needed")
    constraints = constraints or Constraints.none()
    # Step 2: constraints no result can meet are refused (§12.5).
    constraints.check(candidates=len(names), seats=seats)
    to_fill = min(seats, len(names))
    # Step 1: the placing, by votes, equal votes by lot.
    placing: list[int] = []
    ties: list[TieBreak] = []
    for value in sorted(set(counts), reverse=True):
        tied = [c for c in range(len(names)) if counts[c] == value]
        drawn = lot.draw(tied, purpose="block", stage=0) if len(tied) > 1 else tuple(tied)
        if len(tied) > 1:
            ties.append(TieBreak("block", tuple(tied), 0, drawn))
        placing.extend(drawn)
    # Step 3: down the placing, electing each candidate who leaves a valid result in reach.
    winners: list[int] = []
    passed_over: list[int] = []
    for position, c in enumerate(placing):
        if len(winners) == to_fill:
            break
        if constraints.bounds and not constraints.feasible(
            elected=[*winners, c],
            pool=placing[position + 1 :],
            seats_left=to_fill - len(winners) - 1,
        ):
            passed_over.append(c)
            continue
        winners.append(c)
    return BlockVoteResult(
        candidates=names,
        votes=counts,
        seats=seats,
        constraints=constraints.describe(),
        placing=tuple(placing),
        top=tuple(placing[:to_fill]),
        passed_over=tuple(passed_over),
        winners=tuple(winners),
        ties=tuple(ties),
    )
