"""Spec §12.4 IRV: sure losers, tie-breaks and majorities on small hand-made profiles."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings

from election.counting.irv import count_irv, sure_losers
from election.counting.lot import Lot
from election.counting.profile import Profile
from tests.strategies import RawBallots, lot_seeds, raw_ballots

LOT = Lot(bytes(32))


@pytest.mark.parametrize(
    ("totals", "expected"),
    [
        ({0: 35, 1: 36, 2: 1306, 3: 2063, 4: 2585, 5: 2951}, [0, 1, 2]),  # Burlington round 1
        ({0: 5, 1: 5, 2: 20}, [0, 1]),
        ({0: 5, 1: 5, 2: 9}, []),  # a tie at the bottom and no batch: single, by tie-break
        ({0: 3, 1: 5, 2: 5, 3: 20}, [0, 1, 2]),  # a batch never splits equal candidates
        ({0: 1, 1: 2}, [0]),
        ({0: 7}, []),
    ],
)
def test_sure_losers(totals: dict[int, int], expected: list[int]) -> None:
    assert sure_losers(totals) == expected


def _profile(*ballots: tuple[tuple[int, ...], int]) -> Profile:
    return Profile.from_orders(candidates=("A", "B", "C"), orders=list(ballots))


def test_majority_of_continuing_votes_elects() -> None:
    # A 4, B 3, C 2 (C's papers: 1 to B, 1 exhausted). After C: A 4, B 4 of 8: no majority;
    # B was lower at stage 1, so B is excluded and A wins.
    profile = _profile(((0,), 4), ((1,), 3), ((2, 1), 1), ((2,), 1))
    result = count_irv(profile, lot=LOT, batch_elimination=False)
    assert [s.totals for s in result.stages] == [(4, 3, 2), (4, 4, 0), (4, 0, 0)]
    assert result.stages[1].quota == 5  # floor(8 / 2) + 1
    assert result.stages[1].exhausted == 1
    tie = result.stages[2].ties[0]
    assert tie.decided_by == 1
    assert result.elected == (0,)


def test_equal_at_every_stage_is_decided_by_lot() -> None:
    profile = _profile(((0,), 2), ((1,), 2), ((2,), 4))
    a = count_irv(profile, lot=Lot(bytes(32)), batch_elimination=False)
    tie = a.stages[1].ties[0]
    assert tie.decided_by == 0
    assert tie.order == Lot(bytes(32)).draw([0, 1], purpose="exclude", stage=2)
    assert a.stages[1].excluded == (tie.order[0],)


@settings(max_examples=150, deadline=None)
@given(raw_ballots(max_candidates=6), lot_seeds)
def test_batch_elimination_never_changes_the_winner(nb: RawBallots, seed: bytes) -> None:
    n, ballots = nb
    profile = Profile.from_ballots(candidates=[f"C{i}" for i in range(n)], ballots=ballots)
    assume(profile.valid > 0)
    batch = count_irv(profile, lot=Lot(seed))
    single = count_irv(profile, lot=Lot(seed), batch_elimination=False)
    # Lots may be drawn at different stages, so compare only when no lot was needed. Only the
    # winner must agree: one at a time, a majority can appear before the batch is all gone,
    # so the count may stop earlier with other final figures.
    if not any(t.decided_by == 0 for r in (batch, single) for s in r.stages for t in s.ties):
        assert batch.elected == single.elected
        assert len(batch.stages) <= len(single.stages)


def test_one_at_a_time_may_stop_before_the_batch_is_gone() -> None:
    # Found by Hypothesis: A 2, B 1 (then C), C 6, D 4. The batch is {B, A}; one at a time,
    # C has 7 of 13 once B is gone, and A is never eliminated. Same winner.
    profile = Profile.from_orders(
        candidates=("A", "B", "C", "D"), orders=[((0,), 2), ((1, 2), 1), ((2,), 6), ((3,), 4)]
    )
    batch = count_irv(profile, lot=LOT)
    single = count_irv(profile, lot=LOT, batch_elimination=False)
    assert batch.stages[1].action.subjects == (0, 1)
    assert batch.stages[-1].totals == (0, 0, 7, 4)
    assert single.stages[-1].totals == (2, 0, 7, 4)
    assert batch.elected == single.elected == (2,)
