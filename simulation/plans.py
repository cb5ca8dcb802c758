"""The elections of the demonstration and the benchmarks.

* ``nec_plan``: the demonstration's (``verivote demo``): a 9-seat NEC block vote with at least
  5 women among 12 nominees (and one nominee below the nomination threshold), a youth
  representative voted by youth members only (15% of the roll), a rule-change referendum;
  trustees 3 of 5, trustee 3 absent at the count. ``nec_choices`` draws a member's marks, men a
  little more popular so that the quota rule has work to do.
* ``leader_plan``: one 10-candidate vote-for-1 contest (the benchmarks' simple ballot).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Final

from election.rules import ElectionParameters
from simulation.choices import Choices, weighted_sample
from simulation.plan import ElectionPlan, Nominee, contest_toml

__all__ = [
    "CLPS",
    "LEADERS",
    "LEADER_CONTESTS",
    "MEN",
    "NEC_CONTESTS",
    "WOMEN",
    "YOUTH",
    "leader_plan",
    "nec_choices",
    "nec_plan",
]

WOMEN: Final = ["Ada Achebe", "Bea Brooks", "Cara Chen", "Dora Diaz", "Esi Evans", "Fay Ford"]
MEN: Final = ["Hal Hughes", "Ian Iqbal", "Jon Jones", "Kai Khan", "Leo Lewis", "Max Moore"]
YOUTH: Final = [
    ("yas", "Yas Young", "woman"),
    ("zak", "Zak Zhou", "man"),
    ("uma", "Uma Upton", "woman"),
]
CLPS: Final = ["Ashton CLP", "Barnet CLP", "Camden CLP", "Dover CLP", "Ealing CLP"]
LEADERS: Final = [f"Candidate {k}" for k in range(1, 11)]

NEC_CONTESTS: Final = (
    contest_toml("nec", "NEC: constituency section", "block", seats=9, nomination_threshold=2,
                 constraints=[{"attribute": "gender", "value": "woman", "min": 5}])
    + contest_toml("youth-rep", "NEC: youth representative", "block", seats=1,
                   sections=["youth"])
    + contest_toml("rule-change", "Rule change 1", "referendum",
                   question="Adopt rule change 1 (one member, one vote for the NEC chair)?",
                   options=["Yes", "No"])
)  # fmt: skip
LEADER_CONTESTS: Final = contest_toml("leader", "Leader", "block", seats=1)


def _ident(name: str) -> str:
    return name.lower().replace(" ", "-")


def _nec_nominees() -> list[Nominee]:
    """Each NEC nominee twice nominated (by two of the CLPs in turn), then Oli Odd once: below
    the threshold of 2, so not on the candidate list."""
    people = [(n, "woman") for n in WOMEN] + [(n, "man") for n in MEN]
    nominees = [
        Nominee(_ident(name), name, {"gender": gender}, (CLPS[k % 5], CLPS[(k + 1) % 5]))
        for k, (name, gender) in enumerate(people)
    ]
    return [*nominees, Nominee("odd-one", "Oli Odd", {"gender": "man"}, (CLPS[0],))]


def _demonstration(
    contests: str,
    nominees: Mapping[str, Sequence[Nominee]],
    start: datetime,
    members: int,
    election: str,
) -> ElectionPlan:
    """The demonstration's election around ``contests``: members and youth members (15%),
    trustees 3 of 5 with trustee 3 absent at the count."""
    return ElectionPlan(
        election=election,
        contests=contests,
        nominees=nominees,
        title="NEC elections (demonstration)",
        sections=("member", "youth"),
        absent=frozenset({3}),
        start=start,
        members=members,
        section_shares={"youth": 0.15},
    )  # fmt: skip


def nec_plan(*, start: datetime, members: int, election: str = "nec-demo") -> ElectionPlan:
    """The demonstration's election, starting at ``start``, with ``members`` members."""
    youth = [
        Nominee(ident, name, {"gender": gender}, ("Young Members", "Youth Conference"))
        for ident, name, gender in YOUTH
    ]
    nominees = {"nec": _nec_nominees(), "youth-rep": youth}
    return _demonstration(NEC_CONTESTS, nominees, start, members, election)


def leader_plan(*, start: datetime, members: int, election: str = "nec-demo") -> ElectionPlan:
    """One 10-candidate vote-for-1 contest, each candidate nominated by one CLP."""
    nominees = [Nominee(_ident(name), name, {}, (CLPS[k % 5],)) for k, name in enumerate(LEADERS)]
    return _demonstration(LEADER_CONTESTS, {"leader": nominees}, start, members, election)


def nec_choices(rng: random.Random, params: ElectionParameters, style: str) -> Choices:
    """A member's marks in ``nec_plan``'s election: up to 9 NEC candidates (women weighted 2,
    men 3), the youth representative (none 10% of the time), the referendum (Yes 55%, No 40%,
    blank 5%)."""
    nec = params.candidate_lists["nec"].candidates
    weights = [2.0 if c.attributes.get("gender") == "woman" else 3.0 for c in nec]
    choices = {"nec": weighted_sample(rng, weights, rng.randint(0, 9))}
    if "youth-rep" in style.split("+"):
        youth = len(params.candidate_lists["youth-rep"].candidates)
        choices["youth-rep"] = [] if rng.random() < 0.1 else [rng.randrange(youth)]
    roll = rng.random()
    choices["rule-change"] = [0] if roll < 0.55 else [1] if roll < 0.95 else []
    return choices
