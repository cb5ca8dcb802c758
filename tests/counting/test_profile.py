"""Spec §12.1.1 Preference lists and grouped profiles."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crypto.errors import MalformedInput
from election.counting.profile import Profile, preference_list, preference_list_from_ranks
from tests.strategies import RawBallots, raw_ballots


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ((), ()),
        ((2, 0, 1), (2, 0, 1)),
        ((2, 0, 2, 1), (2, 0)),  # stops at the first repeated preference
        ((1, 1), (1,)),
    ],
)
def test_preference_list_of_an_order(order: tuple[int, ...], expected: tuple[int, ...]) -> None:
    assert preference_list(order, candidates=3) == expected


def test_preference_list_rejects_unknown_candidates() -> None:
    with pytest.raises(MalformedInput, match="outside"):
        preference_list((0, 3), candidates=3)
    with pytest.raises(MalformedInput, match=r"candidate index -1 outside 0\.\.2"):
        preference_list((-1,), candidates=3)


@pytest.mark.parametrize(
    ("ranks", "expected"),
    [
        ((1, 2, 3), (0, 1, 2)),
        ((3, 1, 2), (1, 2, 0)),
        ((1, None, 3), (0,)),  # rank 2 skipped: stops
        ((1, 2, 2), (0,)),  # rank 2 shared: stops
        ((1, 1, 2), ()),  # rank 1 shared: empty, invalid
        ((None, None, None), ()),
        ((2, 3, None), ()),  # no first preference
        ((1, 3, 4), (0,)),
    ],
)
def test_preference_list_from_ranks(
    ranks: tuple[int | None, ...], expected: tuple[int, ...]
) -> None:
    assert preference_list_from_ranks(ranks) == expected


def test_ranks_below_one_are_malformed() -> None:
    with pytest.raises(MalformedInput, match="rank 0 for candidate 0: ranks start at 1"):
        preference_list_from_ranks((0, 1))


def test_grouping_counts_invalid_and_cut_short_ballots() -> None:
    profile = Profile.from_ballots(
        candidates=("A", "B", "C"),
        ballots=[(0, 1), (0, 1), (), (2, 2, 1), (1,), (0, 1, 0)],
    )
    assert profile.sequences == ((0, 1), (1,), (2,))
    assert profile.weights == (3, 1, 1)
    assert profile.invalid == 1
    assert profile.cut_short == 2
    assert profile.valid == 5


@given(raw_ballots(), st.randoms())
def test_profile_is_independent_of_ballot_order_and_grouping(
    nb: RawBallots, rnd: random.Random
) -> None:
    n, ballots = nb
    names = tuple(f"C{i}" for i in range(n))
    direct = Profile.from_ballots(candidates=names, ballots=ballots)
    shuffled = list(ballots)
    rnd.shuffle(shuffled)
    assert Profile.from_ballots(candidates=names, ballots=shuffled) == direct
    weighted = Profile.from_orders(candidates=names, orders=[(b, 1) for b in ballots])
    assert weighted == direct
    assert direct.valid + direct.invalid == len(ballots)
    assert len(direct.sequences) == len(set(direct.sequences))
    assert list(direct.sequences) == sorted(direct.sequences)


@pytest.mark.parametrize(
    ("names", "counts", "reason"),
    [
        (("A", "A"), {(0,): 1}, "duplicate candidate names: A"),
        (("A", ""), {(0,): 1}, "candidate name '': empty or padded with spaces"),
        ((" A",), {(0,): 1}, "candidate name ' A': empty or padded with spaces"),
        ((), {}, "a contest needs at least one candidate"),
        (("A", "B"), {(): 1}, "an empty preference list cannot carry a vote"),
        (("A", "B"), {(0, 0): 1}, r"preference list \(0, 0\) repeats a candidate"),
        (("A", "B"), {(0,): 0}, r"weight 0 for \(0,\): weights are positive"),
        (("A", "B"), {(2,): 1}, r"candidate index 2 outside 0\.\.1"),
    ],
)
def test_from_counts_refuses_bad_input(
    names: tuple[str, ...], counts: dict[tuple[int, ...], int], reason: str
) -> None:
    with pytest.raises(MalformedInput, match=reason):
        Profile.from_counts(candidates=names, counts=counts)
