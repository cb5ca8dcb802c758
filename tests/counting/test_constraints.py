"""Spec §12.5 Quota constraints on their own: building them, exact feasibility (checked against
brute force), doomed and guarded candidates, and refusing constraints no result can meet."""

from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto.errors import MalformedInput
from election.counting.constraints import Constraints, GroupBound, InfeasibleConstraints

NAMES = ("A", "B", "C", "D", "E")


@pytest.mark.parametrize(
    ("groups", "minimums", "maximums", "match"),
    [
        ({"w": {"A"}}, {"x": 1}, {}, "unknown group"),
        ({"w": {"Z"}}, {"w": 1}, {}, "not a candidate"),
        ({"w": {"A"}}, {"w": -1}, {}, "negative"),
        ({"w": {"A"}}, {"w": 2}, {"w": 1}, "above maximum"),
    ],
)
def test_build_refuses_bad_constraints(
    groups: dict[str, set[str]], minimums: dict[str, int], maximums: dict[str, int], match: str
) -> None:
    with pytest.raises(MalformedInput, match=match):
        Constraints.build(candidates=NAMES, groups=groups, minimums=minimums, maximums=maximums)


def test_describe_and_satisfied_by() -> None:
    c = Constraints.build(
        candidates=NAMES,
        groups={"w": {"A", "B", "C"}, "y": {"C", "D"}},
        minimums={"w": 2, "y": 1},
        maximums={"y": 1},
    )
    assert c.bounds == (GroupBound("w", 2, None), GroupBound("y", 1, 1))
    assert c.describe() == ("w >= 2", "y 1..1")
    assert GroupBound("m", 0, 4).describe() == "m <= 4"
    assert c.satisfied_by([0, 2, 4])
    assert not c.satisfied_by([0, 1, 4])  # no y
    assert not c.satisfied_by([0, 2, 3])  # two y
    assert not c.satisfied_by([2, 3, 4])  # one w


@pytest.mark.parametrize(
    ("groups", "minimums", "maximums", "seats"),
    [
        ({"w": {"A", "B"}}, {"w": 3}, {}, 3),  # not enough women
        ({"w": {"A", "B", "C"}}, {}, {"w": 0}, 3),  # the others cannot fill 3 seats
        ({"w": {"A", "B"}, "y": {"A", "B"}}, {"w": 2}, {"y": 1}, 3),  # interfering bounds
    ],
)
def test_impossible_constraints_are_refused_before_the_count(
    groups: dict[str, set[str]], minimums: dict[str, int], maximums: dict[str, int], seats: int
) -> None:
    c = Constraints.build(candidates=NAMES, groups=groups, minimums=minimums, maximums=maximums)
    with pytest.raises(InfeasibleConstraints, match="revise them before the count"):
        c.check(candidates=5, seats=seats)


def test_hill_two_constraints_interfere() -> None:
    # Hill's example of the naive rules failing: 3 seats, at least 2 women and at least 2
    # black candidates; candidates 2 black men, 2 white women, 1 black woman. The black woman
    # is the only way to meet both, so she is guarded.
    names = ("BM1", "BM2", "WW1", "WW2", "BW")
    c = Constraints.build(
        candidates=names,
        groups={"women": {"WW1", "WW2", "BW"}, "black": {"BM1", "BM2", "BW"}},
        minimums={"women": 2, "black": 2},
    )
    doomed, guarded = c.classify(elected=[], continuing=range(5), seats_left=3)
    assert guarded == {4}
    assert doomed == set()
    # Once a black man is elected, a second one is doomed (both minimums need the last two).
    doomed, guarded = c.classify(elected=[0], continuing=[1, 2, 3, 4], seats_left=2)
    assert doomed == {1}
    assert guarded == {4}


Case = tuple[int, int, dict[str, set[str]], dict[str, int], dict[str, int]]


@st.composite
def cases(draw: st.DrawFn) -> Case:
    n = draw(st.integers(min_value=1, max_value=8))
    seats = draw(st.integers(min_value=1, max_value=n))
    groups: dict[str, set[str]] = {"g1": set(), "g2": set(), "g3": set()}
    for c in range(n):
        for g in groups:
            if draw(st.booleans()):
                groups[g].add(f"C{c}")
    minimums = {g: draw(st.integers(0, 3)) for g in groups if draw(st.booleans())}
    maximums = {g: draw(st.integers(0, 4)) for g in groups if draw(st.booleans())}
    return n, seats, groups, minimums, maximums


@settings(max_examples=300, deadline=None)
@given(cases(), st.randoms())
def test_feasibility_equals_brute_force(case: Case, rnd: random.Random) -> None:
    n, seats, groups, minimums, maximums = case
    try:
        c = Constraints.build(
            candidates=[f"C{c}" for c in range(n)],
            groups=groups,
            minimums=minimums,
            maximums=maximums,
        )
    except ValueError:
        return
    everyone = list(range(n))
    rnd.shuffle(everyone)
    k = rnd.randint(0, min(seats, n))
    elected, pool = everyone[:k], everyone[k:]
    left = seats - k
    expected = (
        any(c.satisfied_by([*elected, *rest]) for rest in itertools.combinations(pool, left))
        if left <= len(pool)
        else False
    )
    assert c.feasible(elected=elected, pool=pool, seats_left=left) == expected
    doomed, guarded = c.classify(elected=elected, continuing=pool, seats_left=left)
    if expected and left > 0:
        completions = [
            set(rest)
            for rest in itertools.combinations(pool, left)
            if c.satisfied_by([*elected, *rest])
        ]
        assert doomed == {x for x in pool if not any(x in s for s in completions)}
        if c.bounds:
            assert guarded == {x for x in pool if all(x in s for s in completions)}
