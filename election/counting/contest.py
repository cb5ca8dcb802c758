"""Spec §11.12, §12.5 and §12.7 An election contest's counting rule: its quota constraints over
its candidate list, and who wins a homomorphic contest from its decrypted counts.

One implementation for everyone who counts: the board's rules check a candidate list and a
result with it, the administrator computes the result with it, and the independent verifier
(which may import counting, §13) recomputes the winners with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from election.counting.block import count_block_vote
from election.counting.constraints import Constraints, GroupBound
from election.counting.lot import Lot
from election.definition import Contest, ContestKind

if TYPE_CHECKING:
    from election.wire import CandidateList

__all__ = [
    "ContestDecision",
    "DecidingLot",
    "contest_constraints",
    "contest_winners",
    "decide_contest",
]


def contest_constraints(candidates: CandidateList, contest: Contest) -> Constraints:
    """Spec §12.5 and §12.7 The contest's constraints over its candidate list (group
    ``attribute=value``: the candidates with that attribute value), checked feasible: some
    ``min(seats, candidates)`` candidates meet them all.

    Raises:
        InfeasibleConstraints: no such set exists.
    """
    bounds = []
    members = []
    for constraint in contest.constraints:
        bounds.append(
            GroupBound(
                f"{constraint.attribute}={constraint.value}",
                constraint.minimum,
                constraint.maximum,
            )
        )
        members.append(
            frozenset(
                k
                for k, c in enumerate(candidates.candidates)
                if c.attributes.get(constraint.attribute) == constraint.value
            )
        )
    built = Constraints(tuple(bounds), tuple(members))
    built.check(candidates=len(candidates.candidates), seats=contest.seats)
    return built


@dataclass(frozen=True, slots=True)
class DecidingLot:
    """Spec §12.6 and §12.7 A tie that the lot decided and that decided who is elected: the
    tied candidates' ids in the order drawn (the first placed highest) and those of them
    elected."""

    tied: tuple[str, ...]
    elected: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ContestDecision:
    """Spec §11.12 Who a homomorphic contest elects from its counts, who was passed over for a
    constraint, and every lot that decided between an elected and a not elected candidate."""

    elected: tuple[str, ...]
    passed_over: tuple[str, ...]
    lots: tuple[DecidingLot, ...] = ()


def decide_contest(
    contest: Contest,
    counts: Sequence[int],
    *,
    candidates: CandidateList | None,
    seed: bytes,
) -> ContestDecision:
    """Spec §11.12 The elected and the passed over of a homomorphic contest, from its decrypted
    counts: block vote and approval by §12.7 (the top ``seats`` under the constraints, ties by
    the lot of §12.6 drawn from the result's ``seed``); a referendum's option with the most
    votes, none on a tie for first place (nobody is passed over, no lot is drawn). The lots
    reported are those whose tied candidates were not all elected or all not elected.

    Raises:
        InfeasibleConstraints: no candidates can meet the constraints (refused at the
            candidate list already, §11.5).
        MalformedInput: counts that do not match the candidates.
    """
    if contest.kind is ContestKind.REFERENDUM:
        best = max(counts)
        top = [o for o, n in zip(contest.options, counts, strict=True) if n == best]
        return ContestDecision(tuple(top) if len(top) == 1 else (), ())
    assert candidates is not None, "a candidate contest is counted with its candidate list"
    ids = [c.id for c in candidates.candidates]
    outcome = count_block_vote(
        candidates=ids,
        votes=counts,
        seats=contest.seats,
        lot=Lot(seed, contest=contest.id),
        constraints=contest_constraints(candidates, contest),
    )
    winners = set(outcome.winners)
    lots = tuple(
        DecidingLot(
            tuple(ids[c] for c in tie.order), tuple(ids[c] for c in tie.order if c in winners)
        )
        for tie in outcome.ties
        if not tie.decided_by and 0 < len(winners.intersection(tie.tied)) < len(tie.tied)
    )
    return ContestDecision(
        tuple(ids[c] for c in outcome.winners), tuple(ids[c] for c in outcome.passed_over), lots
    )


def contest_winners(
    contest: Contest,
    counts: Sequence[int],
    *,
    candidates: CandidateList | None,
    seed: bytes,
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Spec §11.12 ``decide_contest``'s elected and passed over."""
    decision = decide_contest(contest, counts, candidates=candidates, seed=seed)
    return decision.elected, decision.passed_over
