"""Spec §12.2-§12.5 Properties of every counting rule on random profiles (Hypothesis)."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from election.counting.constraints import Constraints, InfeasibleConstraints
from election.counting.irv import count_irv
from election.counting.lot import Lot
from election.counting.meek import count_meek
from election.counting.profile import Profile
from election.counting.record import CountResult
from election.counting.scottish import count_scottish
from tests.counting.reference import UNIT, reference_scottish
from tests.strategies import RawBallots, lot_seeds, raw_ballots

NAMES = tuple(f"C{i + 1}" for i in range(10))
Counter = Callable[..., CountResult]


def _profile(n: int, ballots: list[tuple[int, ...]]) -> Profile:
    return Profile.from_ballots(candidates=NAMES[:n], ballots=ballots)


def _irv(profile: Profile, *, seats: int, lot: Lot, **kw: object) -> CountResult:
    return count_irv(profile, lot=lot, **kw)  # type: ignore[arg-type]


COUNTS: dict[str, Counter] = {
    "scottish": count_scottish,
    "meek": count_meek,
    "irv": _irv,
}


def _run(method: str, profile: Profile, seats: int, lot: Lot, **kw: object) -> CountResult:
    return COUNTS[method](profile, seats=seats, lot=lot, **kw)


profiles = raw_ballots().filter(
    lambda nb: any(len(b) > 0 for b in nb[1])  # at least one ballot may be valid
)
methods = st.sampled_from(sorted(COUNTS))
common = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@common
@given(profiles, st.integers(min_value=1, max_value=6), methods, lot_seeds)
def test_votes_are_conserved_exactly_at_every_stage(
    nb: RawBallots, seats: int, method: str, seed: bytes
) -> None:
    profile = _profile(*nb)
    assume(profile.valid > 0)
    result = _run(method, profile, seats, Lot(seed))
    whole = result.valid_ballots * 10**result.decimals
    for stage in result.stages:
        assert sum(stage.totals) + stage.exhausted + stage.lost == whole
        assert stage.exhausted >= 0
        assert stage.lost >= 0
        assert all(v >= 0 for v in stage.totals)


@common
@given(profiles, st.integers(min_value=1, max_value=6), methods, lot_seeds)
def test_exactly_the_seats_are_filled_and_nobody_twice(
    nb: RawBallots, seats: int, method: str, seed: bytes
) -> None:
    profile = _profile(*nb)
    assume(profile.valid > 0)
    result = _run(method, profile, seats, Lot(seed))
    n = len(profile.candidates)
    wanted = 1 if method == "irv" else seats
    assert len(result.elected) == min(wanted, n)
    elected = [c for s in result.stages for c in s.elected]
    excluded = [c for s in result.stages for c in s.excluded]
    assert elected == list(result.elected)
    assert len(set(elected)) == len(elected)
    assert len(set(excluded)) == len(excluded)
    assert not set(elected) & set(excluded)


@common
@given(profiles, st.integers(min_value=1, max_value=6), methods, lot_seeds, st.randoms())
def test_the_order_of_the_ballots_does_not_matter(
    nb: RawBallots, seats: int, method: str, seed: bytes, rnd: random.Random
) -> None:
    n, ballots = nb
    profile = _profile(n, ballots)
    assume(profile.valid > 0)
    shuffled = list(ballots)
    rnd.shuffle(shuffled)
    again = _profile(n, shuffled)
    assert again == profile
    assert (
        _run(method, again, seats, Lot(seed)).to_json()
        == _run(method, profile, seats, Lot(seed)).to_json()
    )


@common
@given(profiles, st.integers(min_value=1, max_value=6), methods, lot_seeds, lot_seeds)
def test_deterministic_and_the_seed_matters_only_through_lots(
    nb: RawBallots, seats: int, method: str, s1: bytes, s2: bytes
) -> None:
    profile = _profile(*nb)
    assume(profile.valid > 0)
    first = _run(method, profile, seats, Lot(s1))
    assert _run(method, profile, seats, Lot(s1)).to_json() == first.to_json()
    lots = [t for s in first.stages for t in s.ties if t.decided_by == 0]
    other = _run(method, profile, seats, Lot(s2))
    if not lots:
        assert other.stages == first.stages
        assert other.elected == first.elected


@settings(max_examples=300, deadline=None)
@given(profiles, st.integers(min_value=1, max_value=6), lot_seeds)
def test_grouped_scottish_count_equals_the_per_paper_reference(
    nb: RawBallots, seats: int, seed: bytes
) -> None:
    profile = _profile(*nb)
    assume(profile.valid > 0)
    lot = Lot(seed)
    result = count_scottish(profile, seats=seats, lot=lot)
    ref = reference_scottish(profile, seats=seats, lot=lot)
    assert result.quota == ref.quota / UNIT
    assert len(result.stages) == len(ref.stages)
    for mine, theirs in zip(result.stages, ref.stages, strict=True):
        assert mine.action.kind.value == theirs.action
        assert mine.action.subjects == theirs.subject
        assert list(mine.totals) == [t / UNIT for t in theirs.totals]
        assert mine.non_transferable == theirs.non_transferable / UNIT
        assert mine.loss_to_fractions == theirs.loss / UNIT
        assert list(mine.elected) == theirs.elected
        assert list(mine.excluded) == theirs.excluded
    assert list(result.elected) == ref.elected


ConstrainedCase = tuple[
    int, list[tuple[int, ...]], int, dict[str, set[str]], dict[str, int], dict[str, int]
]


@st.composite
def constrained(draw: st.DrawFn) -> ConstrainedCase:
    n, ballots = draw(raw_ballots(min_candidates=2, max_candidates=7, max_ballots=40))
    seats = draw(st.integers(min_value=1, max_value=n))
    groups: dict[str, set[str]] = {"g1": set(), "g2": set()}
    for c in range(n):
        for g in groups:
            if draw(st.booleans()):
                groups[g].add(NAMES[c])
    minimums = {g: draw(st.integers(0, 3)) for g in groups if draw(st.booleans())}
    maximums = {g: draw(st.integers(0, 4)) for g in groups if draw(st.booleans())}
    return n, ballots, seats, groups, minimums, maximums


def _brute_force_feasible(n: int, seats: int, c: Constraints) -> bool:
    return any(c.satisfied_by(s) for s in itertools.combinations(range(n), min(seats, n)))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(constrained(), methods, lot_seeds)
def test_constraints_are_met_whenever_they_can_be(
    case: ConstrainedCase, method: str, seed: bytes
) -> None:
    n, ballots, seats, groups, minimums, maximums = case
    profile = _profile(n, ballots)
    assume(profile.valid > 0)
    try:
        constraints = Constraints.build(
            candidates=profile.candidates, groups=groups, minimums=minimums, maximums=maximums
        )
    except ValueError:
        assume(False)  # minimum above maximum: refused before any count
    wanted = 1 if method == "irv" else seats
    if not _brute_force_feasible(n, wanted, constraints):
        with pytest.raises(InfeasibleConstraints, match=f"cannot be met when electing {wanted} of"):
            _run(method, profile, seats, Lot(seed), constraints=constraints)
        return
    result = _run(method, profile, seats, Lot(seed), constraints=constraints)
    assert len(result.elected) == min(wanted, n)
    assert constraints.satisfied_by(result.elected)
    whole = result.valid_ballots * 10**result.decimals
    for stage in result.stages:
        assert sum(stage.totals) + stage.exhausted + stage.lost == whole
