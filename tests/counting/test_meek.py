"""Spec §12.3 Meek STV: the grouped count against a per-ballot oracle, and its arithmetic."""

from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from election.counting.lot import Lot
from election.counting.meek import count_meek
from election.counting.profile import Profile
from election.counting.record import ActionKind
from tests.counting.reference import NINE, reference_meek
from tests.strategies import RawBallots, lot_seeds, raw_ballots

NAMES = tuple(f"C{i + 1}" for i in range(10))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw_ballots(max_ballots=40), st.integers(min_value=1, max_value=5), lot_seeds)
def test_meek_equals_the_per_ballot_reference(nb: RawBallots, seats: int, seed: bytes) -> None:
    n, ballots = nb
    profile = Profile.from_ballots(candidates=NAMES[:n], ballots=ballots)
    assume(profile.valid > 0)
    lot = Lot(seed)
    result = count_meek(profile, seats=seats, lot=lot)
    ref = reference_meek(profile, seats=seats, lot=lot)
    assert len(result.stages) == len(ref)
    for mine, theirs in zip(result.stages, ref, strict=True):
        assert mine.action.kind.value == theirs.action
        assert mine.action.subjects == theirs.subject
        assert list(mine.totals) == [v / NINE for v in theirs.votes]
        assert mine.quota == theirs.quota / NINE
        assert mine.exhausted == theirs.exhausted / NINE
        assert list(mine.elected) == theirs.elected
        assert mine.lost == 0


def test_keep_values_round_up_at_nine_places() -> None:
    # 3 ballots A>B, 1 ballot B, 2 seats: quota (4/3 + 1e-9). A keeps q/3 of each ballot.
    profile = Profile.from_ballots(candidates=("A", "B", "C"), ballots=[(0, 1)] * 3 + [(1,), (2,)])
    result = count_meek(profile, seats=2, lot=Lot(bytes(32)))
    first = result.stages[0]
    assert first.quota == 5 * 10**9 // 3 + 1  # 1.666666666 + 0.000000001
    assert first.elected == (0,)
    second = result.stages[1]
    assert second.action.kind == ActionKind.SURPLUS
    a, b, _ = second.totals
    # Every figure is a whole number of 10^-9 units, votes plus exhausted are exactly 5.
    assert a + b + second.totals[2] + second.exhausted == 5 * 10**9
    assert a - second.quota < 10**4  # settled: surplus below 0.00001
    assert result.elected == (0, 1)
