"""Spec §12.7 Block vote with a minimum for a group, or any §12.5 constraints."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crypto.errors import MalformedInput
from election.counting.block import count_block_vote
from election.counting.constraints import Constraints, InfeasibleConstraints
from election.counting.lot import Lot
from tests.strategies import lot_seeds

NAMES = tuple("ABCDEFGHIJ")
LOT = Lot(bytes(32))


def _minimum(names: tuple[str, ...], group: set[str], m: int) -> Constraints:
    return Constraints.build(candidates=names, groups={"g": group}, minimums={"g": m})


def test_a_minimum_passes_over_the_lowest_placed_outsiders() -> None:
    # Votes place A B C D E F; the group is D and F. Three seats, at least two from the group.
    names = NAMES[:6]
    result = count_block_vote(
        candidates=names,
        votes=[60, 50, 40, 30, 20, 10],
        seats=3,
        lot=LOT,
        constraints=_minimum(names, {"D", "F"}, 2),
    )
    assert result.top == (0, 1, 2)
    assert result.passed_over == (1, 2, 4)
    assert result.winner_names == ("A", "D", "F")
    assert result.constraints == ("g >= 2",)


def test_minimum_already_met_changes_nothing() -> None:
    names = NAMES[:4]
    result = count_block_vote(
        candidates=names,
        votes=[4, 3, 2, 1],
        seats=2,
        lot=LOT,
        constraints=_minimum(names, {"B"}, 1),
    )
    assert result.winners == result.top == (0, 1)
    assert result.passed_over == ()


def test_a_maximum_passes_over_the_group() -> None:
    names = NAMES[:5]
    c = Constraints.build(candidates=names, groups={"g": {"A", "B", "C"}}, maximums={"g": 1})
    result = count_block_vote(
        candidates=names, votes=[9, 8, 7, 2, 1], seats=3, lot=LOT, constraints=c
    )
    assert result.winner_names == ("A", "D", "E")
    assert result.passed_over == (1, 2)


def test_a_member_with_no_votes_is_elected_when_needed() -> None:
    names = NAMES[:5]
    result = count_block_vote(
        candidates=names,
        votes=[5, 4, 3, 2, 0],
        seats=3,
        lot=LOT,
        constraints=_minimum(names, {"E"}, 1),
    )
    assert result.winners == (0, 1, 4)


def test_constraints_no_result_meets_are_refused() -> None:
    names = NAMES[:5]
    with pytest.raises(InfeasibleConstraints, match="g >= 2 cannot be met when electing 3 of 5"):
        count_block_vote(
            candidates=names,
            votes=[5, 4, 3, 2, 0],
            seats=3,
            lot=LOT,
            constraints=_minimum(names, {"E"}, 2),
        )


def test_equal_votes_are_placed_by_lot() -> None:
    lot = Lot(bytes(32), contest="x")
    result = count_block_vote(candidates=NAMES[:3], votes=[1, 1, 1], seats=1, lot=lot)
    assert result.placing == lot.draw([0, 1, 2], purpose="block", stage=0)
    assert result.ties[0].decided_by == 0
    assert result.winners == result.placing[:1]


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"votes": [1, 2]}, "3 candidates but 2 vote counts"),
        ({"votes": [1, 2, -1]}, "vote counts must not be negative"),
        ({"seats": 0}, "seats 0: at least one seat is needed"),
        ({"candidates": ["A", "A", "B"]}, "duplicate candidate names"),
    ],
)
def test_bad_input_is_refused(kwargs: dict[str, object], reason: str) -> None:
    args = {"candidates": NAMES[:3], "votes": [1, 2, 3], "seats": 1, "lot": LOT}
    args.update(kwargs)
    with pytest.raises(MalformedInput, match=reason):
        count_block_vote(**args)  # type: ignore[arg-type]


def _replacement_rule(placing: tuple[int, ...], seats: int, group: set[int], m: int) -> set[int]:
    """The rule as the issue states it: top k, then replace the lowest-placed winner outside
    the group by the highest-placed member not yet a winner, while the minimum is not met."""
    winners = list(placing[:seats])
    while len(group.intersection(winners)) < m:
        outside = [c for c in winners if c not in group]
        waiting = [c for c in placing if c in group and c not in winners]
        if not outside or not waiting:
            break
        winners.remove(outside[-1])
        winners.append(waiting[0])
    return set(winners)


Contest = tuple[int, list[int], int, set[int], int]


@st.composite
def contests(draw: st.DrawFn) -> Contest:
    n = draw(st.integers(1, 9))
    votes = draw(st.lists(st.integers(0, 20), min_size=n, max_size=n))
    seats = draw(st.integers(1, n))
    group = draw(st.sets(st.integers(0, n - 1)))
    minimum = draw(st.integers(0, n))
    return n, votes, seats, group, minimum


@given(contests(), lot_seeds)
def test_a_single_minimum_is_met_whenever_possible_by_the_replacement_rule(
    contest: Contest, seed: bytes
) -> None:
    n, votes, seats, group, minimum = contest
    names = NAMES[:n]
    constraints = _minimum(names, {names[c] for c in group}, minimum)
    if minimum > min(len(group), seats):
        with pytest.raises(InfeasibleConstraints, match=f"g >= {minimum} cannot be met when"):
            count_block_vote(
                candidates=names, votes=votes, seats=seats, lot=Lot(seed), constraints=constraints
            )
        return
    result = count_block_vote(
        candidates=names, votes=votes, seats=seats, lot=Lot(seed), constraints=constraints
    )
    winners = set(result.winners)
    assert len(winners) == seats
    assert [votes[c] for c in result.placing] == sorted(votes, reverse=True)
    assert len(winners & group) >= minimum
    if len(group.intersection(result.top)) >= minimum:
        assert result.winners == result.top
    assert winners == _replacement_rule(result.placing, seats, group, minimum)


Constrained = tuple[int, list[int], int, dict[str, set[str]], dict[str, int], dict[str, int]]


@st.composite
def constrained(draw: st.DrawFn) -> Constrained:
    n, votes, seats, _, _ = draw(contests())
    groups = {g: draw(st.sets(st.sampled_from(NAMES[:n]))) for g in ("g1", "g2")}
    minimums = {g: draw(st.integers(0, 3)) for g in groups if draw(st.booleans())}
    maximums = {g: draw(st.integers(minimums.get(g, 0), 4)) for g in groups if draw(st.booleans())}
    return n, votes, seats, groups, minimums, maximums


@given(constrained(), lot_seeds)
def test_winners_are_the_first_valid_result_in_placing_order(
    case: Constrained, seed: bytes
) -> None:
    n, votes, seats, groups, minimums, maximums = case
    names = NAMES[:n]
    c = Constraints.build(candidates=names, groups=groups, minimums=minimums, maximums=maximums)
    valid = [set(s) for s in itertools.combinations(range(n), seats) if c.satisfied_by(s)]
    if not valid:
        with pytest.raises(InfeasibleConstraints, match=f"cannot be met when electing {seats} of"):
            count_block_vote(
                candidates=names, votes=votes, seats=seats, lot=Lot(seed), constraints=c
            )
        return
    result = count_block_vote(
        candidates=names, votes=votes, seats=seats, lot=Lot(seed), constraints=c
    )
    rank = {cand: r for r, cand in enumerate(result.placing)}
    best = min(valid, key=lambda s: sorted(rank[x] for x in s))
    assert set(result.winners) == best
    assert c.satisfied_by(result.winners)
    if c.satisfied_by(result.top):
        assert result.winners == result.top
