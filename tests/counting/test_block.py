"""Spec §12.7 Block vote with a minimum for a group."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crypto.errors import MalformedInput
from election.counting.block import count_block_vote
from election.counting.lot import Lot
from tests.strategies import lot_seeds

NAMES = tuple("ABCDEFGHIJ")


def test_replacements_follow_the_placing() -> None:
    # Votes place A B C D E F; women are D, F. Three seats, at least two women.
    result = count_block_vote(
        candidates=NAMES[:6],
        votes=[60, 50, 40, 30, 20, 10],
        seats=3,
        group=["D", "F"],
        minimum=2,
        lot=Lot(bytes(32)),
    )
    assert result.top == (0, 1, 2)
    assert result.replacements == ((2, 3), (1, 5))
    assert result.winner_names == ("A", "D", "F")
    assert result.minimum_met


def test_minimum_already_met_changes_nothing() -> None:
    result = count_block_vote(
        candidates=NAMES[:4],
        votes=[4, 3, 2, 1],
        seats=2,
        group=["B"],
        minimum=1,
        lot=Lot(bytes(32)),
    )
    assert result.winners == result.top == (0, 1)
    assert result.replacements == ()


def test_not_enough_group_candidates_elects_them_all() -> None:
    result = count_block_vote(
        candidates=NAMES[:5],
        votes=[5, 4, 3, 2, 0],
        seats=3,
        group=["E"],
        minimum=2,
        lot=Lot(bytes(32)),
    )
    assert 4 in result.winners  # elected with no votes: the group's only candidate
    assert not result.minimum_met
    assert result.winners == (0, 1, 4)


def test_equal_votes_are_placed_by_lot() -> None:
    lot = Lot(bytes(32), contest="x")
    result = count_block_vote(
        candidates=NAMES[:3], votes=[1, 1, 1], seats=1, group=[], minimum=0, lot=lot
    )
    assert result.placing == lot.draw([0, 1, 2], purpose="block", stage=0)
    assert result.ties[0].decided_by == 0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"votes": [1, 2]},
        {"votes": [1, 2, -1]},
        {"seats": 0},
        {"minimum": -1},
        {"group": ["Z"]},
        {"candidates": ["A", "A", "B"]},
    ],
)
def test_bad_input_is_refused(kwargs) -> None:
    args = {
        "candidates": NAMES[:3],
        "votes": [1, 2, 3],
        "seats": 1,
        "group": ["A"],
        "minimum": 1,
        "lot": Lot(bytes(32)),
    }
    args.update(kwargs)
    with pytest.raises(MalformedInput):
        count_block_vote(**args)  # type: ignore[arg-type]


@st.composite
def contests(draw: st.DrawFn):
    n = draw(st.integers(1, 10))
    votes = draw(st.lists(st.integers(0, 20), min_size=n, max_size=n))
    seats = draw(st.integers(1, n))
    group = draw(st.sets(st.integers(0, n - 1)))
    minimum = draw(st.integers(0, n))
    return n, votes, seats, group, minimum


@given(contests(), lot_seeds)
def test_minimum_met_whenever_possible_and_otherwise_top_k(contest, seed) -> None:
    n, votes, seats, group, minimum = contest
    result = count_block_vote(
        candidates=NAMES[:n],
        votes=votes,
        seats=seats,
        group=[NAMES[c] for c in group],
        minimum=minimum,
        lot=Lot(seed),
    )
    winners = set(result.winners)
    assert len(winners) == seats
    # The placing is by votes.
    assert [votes[c] for c in result.placing] == sorted(votes, reverse=True)
    achievable = min(minimum, len(group), seats)
    assert len(winners & group) >= achievable
    top_members = len(group.intersection(result.top))
    if top_members >= minimum:
        assert result.winners == result.top
    else:
        # Only as many replacements as needed, each swapping an outsider for a member.
        assert len(result.replacements) == achievable - top_members
        for out, enter in result.replacements:
            assert out not in group
            assert enter in group
        # Members are the best-placed members; outsiders the best-placed outsiders.
        rank = {c: r for r, c in enumerate(result.placing)}
        members = sorted((c for c in result.placing if c in group), key=rank.__getitem__)
        outsiders = sorted((c for c in result.placing if c not in group), key=rank.__getitem__)
        assert winners & group == set(members[: len(winners & group)])
        assert winners - group == set(outsiders[: len(winners - group)])
