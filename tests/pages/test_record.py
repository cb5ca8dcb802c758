"""Spec §12.1.5 A published count record reads back into exactly the count it states, and a
record that is not of that form is refused naming the member at fault."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from bulletin_board.pages.record import read_count_record
from crypto.errors import MalformedInput
from election.counting import (
    Constraints,
    CountResult,
    Lot,
    count_irv,
    count_meek,
    count_scottish,
)
from tests.counting.data import load


def _counts() -> list[CountResult]:
    calton = load("glasgow_2017_ward09_calton.blt")
    burlington = load("burlington_2009_mayor.blt")
    lot = Lot.from_hex("00" * 32, contest="nec")
    names = calton.profile.candidates
    women = {"women": names[:3]}
    constraints = Constraints.build(candidates=names, groups=women, minimums={"women": 2})
    assert calton.seats is not None
    return [
        count_scottish(calton.profile, seats=calton.seats, lot=lot),
        count_scottish(calton.profile, seats=calton.seats, lot=lot, constraints=constraints),
        count_meek(calton.profile, seats=calton.seats, lot=lot),
        count_irv(burlington.profile, lot=lot),
    ]


COUNTS = _counts()


@pytest.mark.parametrize("count", COUNTS, ids=lambda c: f"{c.method}-{len(c.constraints)}")
def test_a_record_reads_back_into_its_count(count: CountResult) -> None:
    assert read_count_record(count.to_dict()) == count


def _mutated(change: Any) -> dict[str, Any]:
    record = copy.deepcopy(COUNTS[0].to_dict())
    change(record)
    return record


@pytest.mark.parametrize(
    ("name", "change", "reason"),
    [
        ("missing-member", lambda r: r.pop("quota"), "must have exactly"),
        ("extra-member", lambda r: r.update(extra=1), "must have exactly"),
        ("wrong-format", lambda r: r.update(format="other"), "format must be"),
        ("unknown-elected", lambda r: r.update(elected=["Nobody"]), "names no candidate"),
        ("value-with-fewer-decimals", lambda r: r["stages"][0].update(quota="1.0"),
         "not a value of this count"),
        ("value-not-a-string", lambda r: r["stages"][0].update(lost=0), "not a value"),
        ("stage-renumbered", lambda r: r["stages"][1].update(stage=7), "numbered 7"),
        ("unknown-action", lambda r: r["stages"][1].update(action="magic"), "unknown action"),
        ("totals-missing-a-candidate",
         lambda r: r["stages"][0]["totals"].pop(next(iter(r["stages"][0]["totals"]))),
         "every candidate"),
        ("quota-differs", lambda r: r.update(quota=r["stages"][1]["totals"][r["candidates"][0]]),
         "quota differs"),
        ("seed-not-hex", lambda r: r["lot"].update(seed="zz"), "seed is not hex"),
        ("no-stage", lambda r: r.update(stages=[]), "no stage"),
        ("candidates-twice", lambda r: r.update(candidates=r["candidates"][:1] * 2),
         "distinct"),
        ("negative-seats", lambda r: r.update(seats=-1), "non-negative"),
    ],
)  # fmt: skip
def test_a_mutated_record_is_refused_for_its_reason(name: str, change: Any, reason: str) -> None:
    with pytest.raises(MalformedInput, match=reason):
        read_count_record(_mutated(change))


def test_not_an_object_is_refused() -> None:
    with pytest.raises(MalformedInput, match="must have exactly"):
        read_count_record(["verivote-count"])
