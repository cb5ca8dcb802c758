"""A finished election with a ranked contest, as the pages read it: built with the election
builder on a log in memory, its ranked contest mixed, decrypted and counted as the board
accepts it (§11.11, §11.12), and a Scottish STV count of the rankings the members cast, made
here independently, to compare the pages with."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

from bulletin_board.pages.digest import ElectionDigest, digest_export
from bulletin_board.wire import SignedTreeHead
from crypto.signing import SigningKey
from election.counting import Constraints, Lot, Profile, count_scottish
from simulation.boards import MemoryBoard
from simulation.builder import ElectionBuilder
from simulation.choices import random_choices
from simulation.plan import ElectionPlan, Nominee, RoleKeys, contest_toml

CONTESTS = contest_toml(
    "nec", "NEC (ranked)", "ranked", seats=3, method="scottish", max_selections=6,
    constraints=[{"attribute": "gender", "value": "woman", "min": 2}],
) + contest_toml(
    "rule", "Rule change", "referendum", question="Adopt it?", options=["Yes", "No"]
)  # fmt: skip
NAMES = [
    ("ada", "Ada Achebe", "woman"), ("bea", "Bea Brooks", "woman"), ("hal", "Hal Hughes", "man"),
    ("ian", "Ian Iqbal", "man"), ("jon", "Jon Jones", "man"), ("kai", "Kai Khan", "man"),
]  # fmt: skip


def ranked_election() -> tuple[ElectionDigest, SignedTreeHead, Any]:
    """The digest of a finished election with a ranked contest counted by Scottish STV (the
    count record in its result, candidates named by id as §11.12 has them), its last tree
    head, and the count."""
    nominees = [Nominee(i, n, {"gender": g}, ("Members",)) for i, n, g in NAMES]
    plan = ElectionPlan("ranked-2027", CONTESTS, {"nec": nominees}, title="Ranked NEC (test)",
                        members=40, start=datetime(2027, 1, 4, 9, tzinfo=UTC))  # fmt: skip
    board = MemoryBoard(plan.election, created=plan.at(0))
    rng = random.Random(3)
    builder = ElectionBuilder(plan, board, keys=RoleKeys.fixed_for_testing(5), rng=rng)
    builder.prepare()
    votes = [(m, random_choices(rng, builder.params, m.style)) for m in builder.members]
    builder.vote_all(votes)
    outcome = builder.count()
    candidates = [c.id for c in builder.params.candidate_lists["nec"].candidates]
    profile = Profile.from_ballots(
        candidates=candidates, ballots=[v["nec"] for v in builder.cast.values()], title="NEC"
    )
    women = {"gender=woman": [i for i, _, g in NAMES if g == "woman"]}
    constraints = Constraints.build(
        candidates=candidates, groups=women, minimums={"gender=woman": 2}
    )
    count = count_scottish(
        profile, seats=3, lot=Lot(outcome.seed, contest="nec"), constraints=constraints
    )
    lines = board.export(SigningKey(bytes([5] * 32)))
    digest, sth = digest_export(lines)
    assert digest.result is not None
    assert digest.result.parsed is not None
    return digest, sth, count
