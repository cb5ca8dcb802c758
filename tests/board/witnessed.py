"""A small election whose definition lists three witnesses (2 required, spec §10.5), and logs of
it that grow, roll back and fork: for the witness tests."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from simulation.boards import MemoryBoard
from simulation.builder import ElectionBuilder
from simulation.plan import ElectionPlan, Nominee, RoleKeys, contest_toml

PLAN = ElectionPlan(
    election="witnessed",
    contests=contest_toml("leader", "Leader", "block", seats=1),
    nominees={
        "leader": [
            Nominee("mary", "Mary Somerville", {}, ("Members",)),
            Nominee("ada", "Ada Lovelace", {}, ("Members",)),
            Nominee("grace", "Grace Hopper", {}, ("Members",)),
        ]
    },
    trustees=1,
    threshold=1,
    members=4,
    witnesses=3,
    witness_quorum=2,
    start=datetime(2031, 3, 3, 9, 0, tzinfo=UTC),
)
KEYS = RoleKeys.fixed_for_testing(1, witnesses=3)


def witnessed_log(*, grown: bool = False, order: str = "alphabetical") -> MemoryBoard:
    """The election's log after its definition and nominations; ``grown``: with the candidate
    list too, in ``order`` (``alphabetical`` and ``nominated`` differ: two logs of the same
    size that fork)."""
    log = MemoryBoard(PLAN.election, created=PLAN.at(0) - 1000)
    builder = ElectionBuilder(PLAN, log, keys=KEYS, rng=random.Random(7))
    builder.define()
    builder.nominate()
    if grown:
        builder.candidate_lists(order=order)
    return log
