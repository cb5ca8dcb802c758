"""Spec §12.7 Block vote ("vote for up to k of n") with a minimum number of seats for a group.

The per-candidate vote counts come from the homomorphic tally; this rule only places them.
Candidates are placed by votes, highest first, equal votes in the order of the lot of §12.6
(purpose ``block``, stage 0). The winners are the top ``seats``; then, while fewer than
``minimum`` winners belong to the group, the lowest-placed winner outside the group is replaced
by the highest-placed non-winner inside it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from crypto.errors import MalformedInput
from election.counting.lot import Lot
from election.counting.record import TieBreak

__all__ = ["BlockVoteResult", "count_block_vote"]


@dataclass(frozen=True, slots=True)
class BlockVoteResult:
    """Spec §12.7 The placing, the plain top ``seats``, the replacements and the winners."""

    candidates: tuple[str, ...]
    votes: tuple[int, ...]
    seats: int
    group: frozenset[int]
    minimum: int
    placing: tuple[int, ...]
    top: tuple[int, ...]
    replacements: tuple[tuple[int, int], ...]
    winners: tuple[int, ...]
    ties: tuple[TieBreak, ...]

    @property
    def winner_names(self) -> tuple[str, ...]:
        """The winners' names, highest placed first."""
        return tuple(self.candidates[c] for c in self.winners)

    @property
    def minimum_met(self) -> bool:
        """Whether at least ``minimum`` winners belong to the group."""
        return len(self.group.intersection(self.winners)) >= self.minimum


def count_block_vote(
    *,
    candidates: Sequence[str],
    votes: Sequence[int],
    seats: int,
    group: Iterable[str],
    minimum: int,
    lot: Lot,
) -> BlockVoteResult:
    """Spec §12.7 Place the candidates and choose ``seats`` winners, at least ``minimum``
    of them from ``group`` whenever the group has that many candidates.

    Raises:
        MalformedInput: mismatched lengths, a negative count, fewer than one seat, a negative
            minimum, or a group member who is not a candidate.
    """
    names = tuple(candidates)
    counts = tuple(votes)
    if len(names) != len(counts):
        raise MalformedInput(f"{len(names)} candidates but {len(counts)} vote counts")
    if len(set(names)) != len(names):
        raise MalformedInput("duplicate candidate names")
    if any(v < 0 for v in counts):
        raise MalformedInput("vote counts must not be negative")
    if seats < 1 or minimum < 0:
        raise MalformedInput("at least one seat and a non-negative minimum are needed")
    index = {name: i for i, name in enumerate(names)}
    members: set[int] = set()
    for name in group:
        if name not in index:
            raise MalformedInput(f"group member {name!r} is not a candidate")
        members.add(index[name])
    # Step 1: the placing, by votes, equal votes by lot.
    placing: list[int] = []
    ties: list[TieBreak] = []
    for value in sorted(set(counts), reverse=True):
        tied = [c for c in range(len(names)) if counts[c] == value]
        drawn = lot.draw(tied, purpose="block", stage=0) if len(tied) > 1 else tuple(tied)
        if len(tied) > 1:
            ties.append(TieBreak("block", tuple(tied), 0, drawn))
        placing.extend(drawn)
    rank = {c: r for r, c in enumerate(placing)}
    # Step 2: the top ``seats``.
    top = placing[:seats]
    winners = list(top)
    # Step 3: replace the lowest-placed winner outside the group by the highest-placed
    # non-winner inside it, while the group has fewer than ``minimum`` winners.
    replacements: list[tuple[int, int]] = []
    while len(members.intersection(winners)) < minimum:
        outside = [c for c in winners if c not in members]
        waiting = [c for c in placing if c in members and c not in winners]
        if not outside or not waiting:
            break
        out, enter = outside[-1], waiting[0]
        winners.remove(out)
        winners.append(enter)
        winners.sort(key=rank.__getitem__)
        replacements.append((out, enter))
    return BlockVoteResult(
        candidates=names,
        votes=counts,
        seats=seats,
        group=frozenset(members),
        minimum=minimum,
        placing=tuple(placing),
        top=tuple(top),
        replacements=tuple(replacements),
        winners=tuple(winners),
        ties=tuple(ties),
    )
