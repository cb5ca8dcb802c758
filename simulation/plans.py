"""The elections of the demonstration and the benchmarks.

* ``nec_plan``: the demonstration's (``verivote demo``): the NEC's constituency section by
  Scottish STV, 9 seats with at least 5 women, among 20 candidates (and one nominee below the
  nomination threshold); a primary choosing the party's mayoral candidate by IRV; a youth
  representative voted by youth members only (15% of the roll); a rule-change referendum;
  trustees 3 of 5, trustees 3 and 5 absent at the count (1, 2 and 4 mix and decrypt).
  ``nec_choices`` draws a member's preferences, men a little more popular so that the quota
  rule has work to do.
* ``leader_plan``: one 10-candidate vote-for-1 contest (the benchmarks' simple ballot).
* ``mayor_plan``: the mayoral primary alone (one ranked contest: the cheapest ballots, for
  tests and benchmarks of mixing at scale).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Final

from election.rules import ElectionParameters
from simulation.choices import Choices, weighted_order
from simulation.plan import ElectionPlan, Nominee, contest_toml

__all__ = [
    "CLPS",
    "LEADERS",
    "LEADER_CONTESTS",
    "MAYORS",
    "MEN",
    "NEC_CONTESTS",
    "WOMEN",
    "YOUTH",
    "leader_plan",
    "mayor_plan",
    "nec_choices",
    "nec_plan",
]

WOMEN: Final = [
    "Ada Achebe", "Bea Brooks", "Cara Chen", "Dora Diaz", "Esi Evans",
    "Fay Ford", "Gia Grant", "Ines Ibarra", "Jade Jensen", "Kim Kowalski",
]  # fmt: skip
MEN: Final = [
    "Hal Hughes", "Ian Iqbal", "Jon Jones", "Kai Khan", "Leo Lewis",
    "Max Moore", "Ned Nash", "Otto Olsen", "Pat Price", "Raj Rao",
]  # fmt: skip
MAYORS: Final = ["Sam Stone", "Tia Turner", "Ugo Umeh", "Val Vance", "Wes Wong"]
YOUTH: Final = [
    ("yas", "Yas Young", "woman"),
    ("zak", "Zak Zhou", "man"),
    ("uma", "Uma Upton", "woman"),
]
CLPS: Final = ["Ashton CLP", "Barnet CLP", "Camden CLP", "Dover CLP", "Ealing CLP"]
LEADERS: Final = [f"Candidate {k}" for k in range(1, 11)]

NEC_CONTESTS: Final = (
    contest_toml("nec", "NEC: constituency section", "ranked", seats=9, max_selections=20,
                 method="scottish", nomination_threshold=2,
                 constraints=[{"attribute": "gender", "value": "woman", "min": 5}])
    + contest_toml("mayor", "Mayoral candidate (primary)", "ranked", seats=1,
                   max_selections=5, method="irv")
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
    trustees 3 of 5 with trustees 3 and 5 absent at the count."""
    return ElectionPlan(
        election=election,
        contests=contests,
        nominees=nominees,
        title="NEC elections (demonstration)",
        sections=("member", "youth"),
        absent=frozenset({3, 5}),
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
    mayors = [Nominee(_ident(name), name, {}, ("Members",)) for name in MAYORS]
    nominees = {"nec": _nec_nominees(), "mayor": mayors, "youth-rep": youth}
    return _demonstration(NEC_CONTESTS, nominees, start, members, election)


def leader_plan(*, start: datetime, members: int, election: str = "nec-demo") -> ElectionPlan:
    """One 10-candidate vote-for-1 contest, each candidate nominated by one CLP."""
    nominees = [Nominee(_ident(name), name, {}, (CLPS[k % 5],)) for k, name in enumerate(LEADERS)]
    return _demonstration(LEADER_CONTESTS, {"leader": nominees}, start, members, election)


def mayor_plan(*, start: datetime, members: int, election: str = "mayor-demo") -> ElectionPlan:
    """The mayoral primary alone (IRV, 5 candidates), with ``members`` members."""
    mayors = [Nominee(_ident(name), name, {}, ("Members",)) for name in MAYORS]
    contest = contest_toml("mayor", "Mayoral candidate (primary)", "ranked", seats=1,
                           max_selections=5, method="irv")  # fmt: skip
    return _demonstration(contest, {"mayor": mayors}, start, members, election)


def nec_choices(rng: random.Random, params: ElectionParameters, style: str) -> Choices:
    """A member's marks in ``nec_plan``'s election: an NEC ranking of 1 to 12 candidates (none
    3% of the time), drawn in proportion to their popularity (men 3 to 4, women 2 to 3: the
    quota rule has work to do); a mayoral ranking of 1 to 5 (Sam and Tia the favourites);
    the youth representative (none 10% of the time); the referendum (Yes 55%, No 40%, blank
    5%)."""
    nec = params.candidate_lists["nec"].candidates
    weights = [
        (2.0 if c.attributes.get("gender") == "woman" else 3.0) + (k % 4) / 4
        for k, c in enumerate(nec)
    ]
    ranked = 0 if rng.random() < 0.03 else rng.randint(1, 12)
    choices = {"nec": weighted_order(rng, weights, ranked)}
    mayors = params.candidate_lists["mayor"].candidates
    favourites = [5.0 if c.name in MAYORS[:2] else 2.0 for c in mayors]
    choices["mayor"] = weighted_order(rng, favourites, rng.randint(1, len(mayors)))
    if "youth-rep" in style.split("+"):
        youth = len(params.candidate_lists["youth-rep"].candidates)
        choices["youth-rep"] = [] if rng.random() < 0.1 else [rng.randrange(youth)]
    roll = rng.random()
    choices["rule-change"] = [0] if roll < 0.55 else [1] if roll < 0.95 else []
    return choices
