"""Spec §12.5 Quota constraints in real counts: the ballots are real, the group memberships
are made up for the test."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from election.counting.constraints import Constraints, InfeasibleConstraints
from election.counting.irv import count_irv
from election.counting.lot import Lot
from election.counting.meek import count_meek
from election.counting.profile import Profile
from election.counting.record import ActionKind, CountResult
from election.counting.scottish import count_scottish
from tests.counting.data import load, name_key

LOT = Lot(bytes(32))


@pytest.mark.parametrize("counter", [count_scottish, count_meek])
def test_counts_refuse_impossible_constraints(counter: Callable[..., CountResult]) -> None:
    names = ("A", "B", "C", "D", "E")
    ballots = Profile.from_ballots(candidates=names, ballots=[(0, 1, 2), (3, 4), (4,)])
    c = Constraints.build(candidates=names, groups={"w": {"A", "B"}}, minimums={"w": 3})
    with pytest.raises(InfeasibleConstraints, match="w >= 3 cannot be met when electing 3 of 5"):
        counter(ballots, seats=3, lot=LOT, constraints=c)


def _count(ward: str, groups: dict[str, set[str]], **bounds: dict[str, int]) -> CountResult:
    ballots = load(f"{ward}.blt")
    assert ballots.seats is not None
    by_surname = {name_key(n)[1]: n for n in ballots.profile.candidates}
    constraints = Constraints.build(
        candidates=ballots.profile.candidates,
        groups={g: {by_surname[s] for s in members} for g, members in groups.items()},
        minimums=bounds.get("minimums"),
        maximums=bounds.get("maximums"),
    )
    return count_scottish(ballots.profile, seats=ballots.seats, lot=LOT, constraints=constraints)


def _surnames(result: CountResult, indices: tuple[int, ...]) -> list[str]:
    return [name_key(result.candidates[c])[1] for c in indices]


def test_a_minimum_excludes_the_others_when_seats_left_equal_the_seats_owed() -> None:
    women = {"layden", "mclaren", "o'lone", "pike"}
    plain = _count("glasgow_2017_ward09_calton", {"women": women})
    assert len(women.intersection(_surnames(plain, plain.elected))) == 2
    result = _count("glasgow_2017_ward09_calton", {"women": women}, minimums={"women": 3})
    # Hepburn is elected at stage 1: 3 seats left, 3 women owed, so every man is doomed and
    # excluded together at stage 2, before any surplus moves.
    assert _surnames(result, result.stages[0].elected) == ["hepburn"]
    men = {"connelly", "macpherson", "mcgurk", "rannachan"}
    assert set(_surnames(result, result.stages[0].doomed)) == men
    assert result.stages[1].action.kind == ActionKind.CONSTRAINT_EXCLUSION
    assert set(_surnames(result, result.stages[1].action.subjects)) == men
    elected = _surnames(result, result.elected)
    assert elected == ["hepburn", "o'lone", "layden", "mclaren"]
    assert len(women.intersection(elected)) == 3
    assert sum(s.action.kind == ActionKind.CONSTRAINT_EXCLUSION for s in result.stages) == 1


def test_a_maximum_excludes_the_rest_of_the_group_before_any_surplus() -> None:
    snp = {"hepburn", "layden", "pike"}
    result = _count("glasgow_2017_ward09_calton", {"snp": snp}, maximums={"snp": 1})
    assert _surnames(result, result.stages[0].elected) == ["hepburn"]
    assert set(_surnames(result, result.stages[0].doomed)) == {"layden", "pike"}
    second = result.stages[1]
    assert second.action.kind == ActionKind.CONSTRAINT_EXCLUSION
    assert set(_surnames(result, second.action.subjects)) == {"layden", "pike"}
    assert result.stages[2].action.kind == ActionKind.SURPLUS
    assert len(snp.intersection(_surnames(result, result.elected))) == 1
    assert len(result.elected) == 4


def test_a_candidate_with_a_quota_is_not_elected_when_doomed() -> None:
    # Partick East: McLean (2366) and Curtis (2336) both pass the quota (2104) at stage 1.
    result = _count(
        "glasgow_2017_ward23_partick_east_kelvindale",
        {"pair": {"mclean", "curtis"}},
        maximums={"pair": 1},
    )
    first = result.stages[0]
    curtis = _surnames(result, tuple(range(len(result.candidates)))).index("curtis")
    assert _surnames(result, first.elected) == ["mclean"]
    assert first.totals[curtis] >= result.quota
    assert first.doomed == (curtis,)
    second = result.stages[1]
    assert second.action.kind == ActionKind.CONSTRAINT_EXCLUSION
    assert second.action.subjects == (curtis,)
    # All of Curtis's papers move on at full value: his votes were never a surplus.
    assert second.transfers[curtis] == -2336 * 10**5
    assert curtis not in result.elected
    assert len(result.elected) == 4


def test_a_guarded_candidate_is_never_excluded() -> None:
    # Maryhill: Dingwall has the fewest first preferences (255) but is the only member of a
    # group that must have a seat, so the next lowest is excluded instead and he is elected.
    result = _count("glasgow_2017_ward15_maryhill", {"g": {"dingwall"}}, minimums={"g": 1})
    dingwall = [name_key(n)[1] for n in result.candidates].index("dingwall")
    assert result.stages[0].guarded == (dingwall,)
    assert result.stages[1].action.kind == ActionKind.EXCLUSION
    assert _surnames(result, result.stages[1].action.subjects) == ["razaq"]
    assert dingwall in result.elected
    assert all(dingwall not in s.excluded for s in result.stages)


def test_meek_respects_constraints() -> None:
    calton = load("glasgow_2017_ward09_calton.blt").profile
    women = {
        n for n in calton.candidates if name_key(n)[1] in {"layden", "mclaren", "o'lone", "pike"}
    }
    unconstrained = count_meek(calton, seats=4, lot=LOT)
    assert len(women.intersection(unconstrained.elected_names)) == 3
    c = Constraints.build(candidates=calton.candidates, groups={"w": women}, maximums={"w": 2})
    meek = count_meek(calton, seats=4, lot=LOT, constraints=c)
    assert c.satisfied_by(meek.elected)
    assert len(meek.elected) == 4
    # When O'Lone makes two women, Pike is doomed, so the last seat goes to Connelly by the
    # rule-52 step although Pike has more votes.
    last = meek.stages[-1]
    pike, connelly = (
        [name_key(n)[1] for n in calton.candidates].index(s) for s in ("pike", "connelly")
    )
    assert last.doomed == (pike,)
    assert connelly in last.elected
    assert last.totals[pike] > last.totals[connelly]


def test_irv_respects_constraints() -> None:
    burlington = load("burlington_2009_mayor.blt").profile
    only = Constraints.build(
        candidates=burlington.candidates, groups={"g": {"Andy Montroll"}}, minimums={"g": 1}
    )
    irv = count_irv(burlington, lot=LOT, constraints=only)
    assert irv.elected_names == ("Andy Montroll",)
    assert len(irv.stages) == 1
    banned = Constraints.build(
        candidates=burlington.candidates, groups={"g": {"Bob Kiss"}}, maximums={"g": 0}
    )
    irv = count_irv(burlington, lot=LOT, constraints=banned)
    assert irv.stages[0].doomed == (burlington.candidates.index("Bob Kiss"),)
    assert irv.stages[1].action.kind == ActionKind.CONSTRAINT_EXCLUSION
    assert irv.elected_names == ("Andy Montroll",)
