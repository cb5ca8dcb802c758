"""Spec §11.12, §12.5 and §12.7 An election contest's constraints and winners (the one rule the
board's rules, the administrator and the verifier count with)."""

from __future__ import annotations

import pytest

from election.counting import (
    ContestDecision,
    DecidingLot,
    InfeasibleConstraints,
    Lot,
    contest_constraints,
    contest_winners,
    decide_contest,
    decided_by_lot,
)
from election.definition import Constraint, Contest, ContestKind
from election.wire import Candidate, CandidateList

SEED = bytes(32)


def _block(seats: int, *constraints: Constraint) -> Contest:
    return Contest(
        id="nec", title="NEC", kind=ContestKind.BLOCK, seats=seats, max_selections=seats,
        sections=(), nomination_threshold=1, method=None, question=None, options=(),
        constraints=constraints,
    )  # fmt: skip


REFERENDUM = Contest(
    id="rule-1", title="Rule 1", kind=ContestKind.REFERENDUM, seats=1, max_selections=1,
    sections=(), nomination_threshold=0, method=None, question="Change rule 1?",
    options=("Yes", "No"), constraints=(),
)  # fmt: skip
WOMEN = Constraint("gender", "woman", 1, None)


def _candidates(*genders: str) -> CandidateList:
    return CandidateList(
        "nec",
        tuple(Candidate(f"c{k}", f"Candidate {k}", {"gender": g}) for k, g in enumerate(genders)),
    )


def test_the_constraints_group_the_candidates_by_attribute() -> None:
    built = contest_constraints(_candidates("man", "woman", "woman"), _block(2, WOMEN))
    assert [b.group for b in built.bounds] == ["gender=woman"]
    assert built.members == (frozenset({1, 2}),)


def test_infeasible_constraints_are_refused() -> None:
    with pytest.raises(InfeasibleConstraints, match="gender=woman"):
        contest_constraints(_candidates("man", "man"), _block(2, WOMEN))


def test_a_block_vote_elects_the_top_under_its_minimum() -> None:
    candidates = _candidates("man", "man", "woman")
    assert contest_winners(_block(2), [9, 8, 1], candidates=candidates, seed=SEED) == (
        ("c0", "c1"),
        (),
    )
    assert contest_winners(_block(2, WOMEN), [9, 8, 1], candidates=candidates, seed=SEED) == (
        ("c0", "c2"),
        ("c1",),
    )


def test_a_referendum_elects_the_most_voted_option_and_nobody_on_a_tie() -> None:
    assert contest_winners(REFERENDUM, [5, 3], candidates=None, seed=SEED) == (("Yes",), ())
    assert contest_winners(REFERENDUM, [3, 5], candidates=None, seed=SEED) == (("No",), ())
    assert contest_winners(REFERENDUM, [4, 4], candidates=None, seed=SEED) == ((), ())


def test_a_tie_across_the_last_seat_is_reported_as_the_lot_that_decided_it() -> None:
    """Issue 15 item 4: 2-2 for one seat is decided by lot; the decision names the lot (the
    tied in the order drawn, and who of them is elected); ties that decide nothing do not."""
    candidates = _candidates("man", "man", "man", "man")
    decision = decide_contest(_block(1), [2, 2, 0, 0], candidates=candidates, seed=SEED)
    order = Lot(SEED, contest="nec").draw([0, 1], purpose="block", stage=0)
    assert decision.elected == (f"c{order[0]}",)
    assert decision.lots == (DecidingLot((f"c{order[0]}", f"c{order[1]}"), decision.elected),)
    # 0-0 among the losers, and a tie inside the elected, decided nothing.
    assert decide_contest(_block(2), [5, 5, 1, 1], candidates=candidates, seed=SEED).lots == ()
    assert decide_contest(_block(1), [3, 2, 0, 0], candidates=candidates, seed=SEED).lots == ()
    # A referendum tie has no winner and no lot.
    assert decide_contest(REFERENDUM, [4, 4], candidates=None, seed=SEED) == ContestDecision((), ())
    assert decided_by_lot(SEED) == f"decided by lot, seed {'00' * 32}, rule §12.6"
