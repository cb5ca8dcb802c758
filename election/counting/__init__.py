"""Spec §12 Counting rules: Scottish STV, Meek STV, IRV, quota constraints, lots, block vote.

Pure functions over immutable values: the only input they read is bytes handed to the readers;
reports are returned as strings. Values are exact integers (no floats anywhere). Modules:

- ``profile``: preference lists (§12.1.1) and the grouped ballot profile;
- ``readers``: strict BLT, CSV ballot and attribute readers (§12.1.2-§12.1.4);
- ``record``: the stage-by-stage count record and its JSON (§12.1.5);
- ``scottish`` (§12.2), ``meek`` (§12.3), ``irv`` (§12.4): the counting rules;
- ``constraints``: minimum/maximum seats for groups (§12.5);
- ``lot``: deterministic lots from a published seed (§12.6);
- ``block``: block vote with a minimum for a group (§12.7);
- ``contest``: an election contest's constraints and winners (§11.12), shared by the board's
  rules, the administrator and the verifier;
- ``papers``: a ranked contest's decrypted papers decoded (§12.1.6) and counted (§11.12);
- ``report``: CSV and self-contained HTML renderings.
"""

from election.counting.block import BlockVoteResult, count_block_vote
from election.counting.constraints import Constraints, GroupBound, InfeasibleConstraints
from election.counting.contest import (
    ContestDecision,
    DecidingLot,
    contest_constraints,
    contest_winners,
    decide_contest,
)
from election.counting.irv import count_irv
from election.counting.lot import Lot, decided_by_lot
from election.counting.meek import count_meek
from election.counting.papers import (
    blt_names,
    count_papers,
    paper_preferences,
    papers_blt,
    papers_profile,
)
from election.counting.profile import Profile
from election.counting.readers import (
    BallotFile,
    format_blt,
    read_attributes,
    read_ballot_csv,
    read_blt,
)
from election.counting.record import (
    Action,
    ActionKind,
    CountResult,
    Stage,
    TieBreak,
    record_difference,
)
from election.counting.scottish import count_scottish

__all__ = [
    "Action",
    "ActionKind",
    "BallotFile",
    "BlockVoteResult",
    "Constraints",
    "ContestDecision",
    "CountResult",
    "DecidingLot",
    "GroupBound",
    "InfeasibleConstraints",
    "Lot",
    "Profile",
    "Stage",
    "TieBreak",
    "blt_names",
    "contest_constraints",
    "contest_winners",
    "count_block_vote",
    "count_irv",
    "count_meek",
    "count_papers",
    "count_scottish",
    "decide_contest",
    "decided_by_lot",
    "format_blt",
    "paper_preferences",
    "papers_blt",
    "papers_profile",
    "read_attributes",
    "read_ballot_csv",
    "read_blt",
    "record_difference",
]
