"""Elections for the page tests, built with the one election builder (simulation/) on a real
board served by uvicorn on 127.0.0.1 (its clock simulated), with every kind of fact the pages
show: a timetable change, nominations (one below the threshold), a withdrawal, a decision, the
key ceremony, credentials of two ballot styles, ballots and revotes, an audit, the tally, the
decryptions of trustees 1, 2, 4 (3 and 5 absent), their mixes and decryptions of the two ranked
contests, and the result."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bulletin_board.client import BoardClient
from bulletin_board.witness import Witness, WitnessState
from cli.demo import _setup as demo_setup
from crypto.signing import SigningKey
from election.wire import Result
from simulation.boards import HttpBoard
from simulation.builder import ElectionBuilder
from simulation.plan import RoleKeys
from simulation.plans import nec_choices, nec_plan
from simulation.served import SimulatedClock, served_board

START = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
ELECTION = "nec-2027"
MEMBERS = 12


@dataclass
class Served:
    """A board serving the election ``election`` at ``url``; its clock and builder."""

    url: str
    election: str
    clock: SimulatedClock
    builder: ElectionBuilder
    client: BoardClient
    elected: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def page(self, path: str = "") -> str:
        return f"{self.url}/e/{self.election}/{path}"


def setup_phase(builder: ElectionBuilder) -> None:
    """The demonstration's: the definition, a deadline extension, nominations, a withdrawal
    and a decision, each with its reason, and the candidate lists."""
    demo_setup(builder)


def run_to_result(builder: ElectionBuilder, rng: random.Random) -> Result:
    """Ceremony, credentials, every member votes (two revote, one audits first), the count."""
    builder.ceremony()
    builder.issue()
    params = builder.params
    builder.audit(builder.members[0], nec_choices(rng, params, builder.members[0].style))
    votes = [(m, nec_choices(rng, params, m.style)) for m in builder.members]
    votes += [(m, nec_choices(rng, params, m.style)) for m in builder.members[:2]]
    for member, choices in votes:
        builder.vote(member, choices)
    builder.board.refold()  # type: ignore[attr-defined]
    return builder.count()


@contextmanager
def served_election(folder: Path, *, finished: bool = True) -> Iterator[Served]:
    """A board at a URL holding the election, finished (result published, its final tree head
    cosigned by 2 of its 3 witnesses, spec §10.5) or with nominations open (before the candidate
    lists)."""
    plan = dataclasses.replace(
        nec_plan(start=START, members=MEMBERS, election=ELECTION), witnesses=3, witness_quorum=2
    )
    clock = SimulatedClock(plan.at(0))
    db = f"sqlite:///{folder / 'board.db'}"
    with (
        served_board(db, SigningKey(bytes([9] * 32)), clock=clock, elections=[ELECTION]) as url,
        BoardClient(url, ELECTION) as client,
    ):
        board = HttpBoard(client, clock.set)
        rng = random.Random(7)
        builder = ElectionBuilder(
            plan, board, keys=RoleKeys.fixed_for_testing(plan.trustees, 3), rng=rng
        )
        elected: dict[str, tuple[str, ...]] = {}
        if finished:
            setup_phase(builder)
            result = run_to_result(builder, rng)
            elected = {c.contest: c.elected for c in result.contests}
            for j, key in enumerate(builder.keys.witnesses[:2]):
                state = WitnessState(folder / f"witness-{j}")
                Witness(key, state, clock=clock).check_and_cosign(url, ELECTION)
        else:
            builder.define()
            builder.nominate(at=plan.at(1.5))
            clock.set(plan.at(2))
        yield Served(url, ELECTION, clock, builder, client, elected)
