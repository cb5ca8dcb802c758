"""Spec §12.1.6 An election's decrypted papers: which are valid rankings (a repeat, an index out
of range, the empty ranking 0xFF, too many preferences, no embedding: each invalid, set aside
whole), their profile, the BLT file written from it (read back to the same profile), the count
by the contest's method, and how a published count record differs from its replay."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crypto.errors import MalformedInput
from election.counting import (
    Profile,
    count_papers,
    format_blt,
    paper_preferences,
    papers_profile,
    read_blt,
    record_difference,
)
from election.definition import Constraint, Contest, ContestKind, RankedMethod
from election.wire import Candidate, CandidateList

NAMES = ("Ann", "Bob", "Cat", "Dan")


@pytest.mark.parametrize(
    ("paper", "expected"),
    [
        (b"\x00", (0,)),
        (b"\x02\x00\x03", (2, 0, 3)),
        (None, None),  # not an embedding
        (b"", None),  # the empty string
        (b"\xff", None),  # nobody ranked
        (b"\x01\x01", None),  # a repeat: invalid, not cut short
        (b"\x00\x04", None),  # an index out of range
        (b"\x00\x01\x02\x03", None),  # more preferences than max_selections
    ],
)
def test_which_papers_are_valid_rankings(paper: bytes | None, expected: object) -> None:
    assert paper_preferences(paper, candidates=4, max_preferences=3) == expected


def test_the_profile_counts_the_invalid_papers_apart() -> None:
    papers = [b"\x00\x01", b"\x00\x01", b"\x02", None, b"\xff", b"\x03\x03"]
    profile = papers_profile(papers, candidates=NAMES, max_preferences=4, title="T")
    assert profile.sequences == ((0, 1), (2,))
    assert profile.weights == (2, 1)
    assert profile.invalid == 3
    assert profile.cut_short == 0


@given(
    st.lists(st.lists(st.integers(0, 3), min_size=0, max_size=5), max_size=40),
    st.integers(1, 3),
)
def test_a_blt_file_reads_back_to_the_same_profile(orders: list[list[int]], seats: int) -> None:
    profile = papers_profile(
        [bytes(o) if o else b"\xff" for o in orders],
        candidates=NAMES,
        max_preferences=4,
        title="Spring count",
    )
    back = read_blt(format_blt(profile, seats=seats))
    assert back.profile == profile
    assert back.seats == seats


def test_blt_cannot_quote_a_double_quote() -> None:
    profile = Profile.from_counts(candidates=['Ann "A"', "Bob"], counts={(0,): 1})
    with pytest.raises(MalformedInput, match="double quote"):
        format_blt(profile, seats=1)


def _contest(method: RankedMethod, seats: int, *constraints: Constraint) -> Contest:
    return Contest(
        id="nec", title="NEC", kind=ContestKind.RANKED, seats=seats, max_selections=3,
        sections=(), nomination_threshold=1, method=method, question=None, options=(),
        constraints=constraints,
    )  # fmt: skip


CANDIDATES = CandidateList(
    "nec",
    tuple(
        Candidate(n.lower(), n, {"gender": "woman" if n in ("Ann", "Cat") else "man"})
        for n in NAMES
    ),
)
SEED = bytes(32)


def test_the_count_follows_the_contest_method_and_constraints() -> None:
    papers = [b"\x01\x00"] * 5 + [b"\x03"] * 4 + [b"\x00"] * 2 + [b"\x02"] + [b"\x01\x01"]
    irv = count_papers(_contest(RankedMethod.IRV, 1), CANDIDATES, papers, seed=SEED)
    assert irv is not None
    assert irv.method == "irv"
    assert irv.elected_names == ("bob",)
    assert (irv.valid_ballots, irv.invalid_ballots) == (12, 1)
    women = Constraint("gender", "woman", 1, None)
    stv = count_papers(_contest(RankedMethod.SCOTTISH, 2, women), CANDIDATES, papers, seed=SEED)
    assert stv is not None
    assert stv.method == "scottish-stv"
    assert stv.constraints == ("gender=woman >= 1",)
    assert "ann" in stv.elected_names or "cat" in stv.elected_names
    assert stv.contest == "nec"
    assert stv.lot_seed == SEED
    assert count_papers(_contest(RankedMethod.MEEK, 2), CANDIDATES, papers, seed=SEED) is not None
    assert (
        count_papers(_contest(RankedMethod.IRV, 1), CANDIDATES, [None, b"\xff"], seed=SEED) is None
    )


def test_a_record_differs_from_its_replay_by_its_first_difference() -> None:
    papers = [b"\x01\x00"] * 5 + [b"\x03"] * 4 + [b"\x00"] * 2
    count = count_papers(_contest(RankedMethod.SCOTTISH, 2), CANDIDATES, papers, seed=SEED)
    assert count is not None
    record: Any = count.to_dict()
    assert record_difference(count, record) is None
    changed = {**record, "quota": "1.00000"}
    assert (record_difference(count, changed) or "").startswith("quota:")
    stages = [dict(s) for s in record["stages"]]
    stages[0] = {**stages[0], "exhausted": "9.00000"}
    assert (
        record_difference(count, {**record, "stages": stages})
        == "stage 1: exhausted differs from the count's"
    )
    shorter = {**record, "stages": record["stages"][:-1]}
    assert "stages, the count has" in (record_difference(count, shorter) or "")
    assert (
        record_difference(count, {**record, "extra": 1})
        == "members the record does not have: extra"
    )
