"""A finished election whose youth seat ends 2-2 and is decided by lot (spec §12.6, §12.7), as
issue 15 item 4 found it, beside a referendum that ends 2-2 (a tie for first place: no lot, no
answer): built with the election builder on a log in memory, exported as a board would."""

from __future__ import annotations

import functools
from datetime import UTC, datetime

from crypto.signing import SigningKey
from simulation.boards import MemoryBoard
from simulation.builder import ElectionBuilder
from simulation.plan import ElectionPlan, Nominee, RoleKeys, contest_toml

CONTESTS = contest_toml("youth-rep", "Youth seat", "block", seats=1) + contest_toml(
    "rule", "Rule change", "referendum", question="Adopt it?", options=["Yes", "No"]
)
YOUTH = [Nominee("yan", "Yan Yu", {"gender": "woman"}), Nominee("zed", "Zed Zola", {})]
BOARD_KEY = SigningKey(bytes([6] * 32))


@functools.cache
def tied_export() -> bytes:
    """The export of the election (``tied-2027``): 4 members, two for each youth candidate and
    two for each answer; the result's lot elects one of Yan Yu and Zed Zola."""
    plan = ElectionPlan("tied-2027", CONTESTS, {"youth-rep": YOUTH}, title="Tied (test)",
                        members=4, start=datetime(2027, 1, 4, 9, tzinfo=UTC))  # fmt: skip
    board = MemoryBoard(plan.election, created=plan.at(0))
    builder = ElectionBuilder(plan, board, keys=RoleKeys.fixed_for_testing(5))
    builder.prepare()
    votes = [(m, {"youth-rep": [k % 2], "rule": [k % 2]}) for k, m in enumerate(builder.members)]
    builder.vote_all(votes)
    builder.count()
    return b"".join(board.export(BOARD_KEY))
