"""A real board (uvicorn on 127.0.0.1, a simulated clock) holding an election built by the
election builder, serving the booth at ``/booth/ELECTION/`` from its own origin with its own
policy (bulletin_board/booth.py): what the browser tests vote through; and a lying board
signing with the same key."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace

from bulletin_board.booth import BoothFiles
from bulletin_board.client import BoardClient
from bulletin_board.config import ServiceSettings
from crypto.envelope import Entry
from crypto.signing import SigningKey
from election.wire import AUDIT
from simulation.boards import HttpBoard
from simulation.builder import ElectionBuilder
from simulation.plan import ElectionPlan, RoleKeys
from simulation.served import SimulatedClock, serve_in_thread

BOARD_KEY = SigningKey(bytes([7] * 32))


@contextmanager
def booth_board(
    db: str, *, clock: SimulatedClock, elections: list[str], rehearsal: bool = False
) -> Iterator[str]:
    """A board on ``db`` on ``clock`` with ``elections`` (a rehearsal board if ``rehearsal``);
    yields its URL."""
    from bulletin_board.service import create_board_app

    app = create_board_app(
        db, BOARD_KEY, clock=clock, elections=elections,
        settings=ServiceSettings(write_rate=0), rehearsal=rehearsal,
    )  # fmt: skip
    with serve_in_thread(app) as url:
        yield url


def _lax(entry: Entry, params: object) -> object:
    """An audit's precheck that parses it but checks no proof and no opening."""
    from bulletin_board.errors import EntryRefused
    from election import rules

    assert params is None or isinstance(params, rules.ElectionParameters)
    try:
        return rules.precheck(params, entry, verify=False)
    except rules.Refusal as exc:
        raise EntryRefused(exc.code, str(exc)) from None


@dataclass(frozen=True)
class OpenElection:
    """An election prepared by the election builder on a booth board, voting open."""

    url: str
    client: BoardClient
    builder: ElectionBuilder
    clock: SimulatedClock


@contextmanager
def open_election(
    plan: ElectionPlan, db: str, *, seed: int, rehearsal: bool = False
) -> Iterator[OpenElection]:
    """``plan``'s election set up to the opening of voting (its booth release included) on a
    booth board on ``db``, the clock just after voting opens."""
    clock = SimulatedClock(plan.at(0))
    with (
        booth_board(db, clock=clock, elections=[plan.election], rehearsal=rehearsal) as url,
        BoardClient(url, plan.election) as client,
    ):
        builder = ElectionBuilder(
            plan, HttpBoard(client, clock.set), keys=RoleKeys.fixed_for_testing(plan.trustees),
            rng=random.Random(seed),
        )  # fmt: skip
        builder.prepare()
        clock.set(plan.at(plan.timetable.voting_open + 0.1))
        yield OpenElection(url, client, builder, clock)


def verify_after_the_close(opened: OpenElection, trackers: Sequence[str]) -> str:
    """Every ballot the booth cast (``trackers``) is a ballot on the board; then the election
    is closed and counted by its builder and `verivote verify` passes on the board's log (Spec
    §12): its output."""
    import httpx
    from click.testing import CliRunner

    from cli.main import verivote

    plan, builder = opened.builder.plan, opened.builder
    public = f"{opened.url}/v1/elections/{plan.election}"
    assert trackers, "the booth cast no ballot"
    for tracker in trackers:
        answer = httpx.get(f"{public}/entry-hash/{tracker}")
        assert answer.status_code == 200, answer.text
        assert answer.json()["leaf"]["entry"]["type"] == "ballot", tracker
    opened.clock.set(plan.at(plan.timetable.voting_close + 0.01))
    builder.board.refold()  # type: ignore[attr-defined]
    builder.count()
    result = CliRunner().invoke(verivote, ["verify", public, "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert "RESULT" in result.output
    return result.output


@contextmanager
def lying_board(
    db: str,
    *,
    election: str,
    leaves: Sequence[tuple[Entry, int]],
    clock: SimulatedClock,
    started: int | None = None,
    lax_audits: bool = False,
    booth: BoothFiles | None = None,
) -> Iterator[str]:
    """A board signing with the honest board's key that holds ``leaves`` (entries and
    reception times, leaf 0 excluded, received at ``started``, default the first leaf's time)
    appended WITHOUT the rules: a board that dropped, rewrote or added to its history; yields
    its URL. It takes new entries by the election's rules, but with ``lax_audits`` it does not
    check an audit's proofs and openings (§11.9); it serves ``booth`` (default: booth/)."""
    from bulletin_board.log import Board
    from bulletin_board.rule_sets import named_rules
    from bulletin_board.service import create_app
    from bulletin_board.storage import Storage

    storage = Storage.open(db, migrate=True)
    rules = named_rules("election")
    if lax_audits:
        rules = replace(
            rules, types={**rules.types, AUDIT: replace(rules.types[AUDIT], precheck=_lax)}
        )
    board = Board(storage, BOARD_KEY, rules, clock=clock)
    clock.set(leaves[0][1] if started is None else started)
    board.ensure_election(election)
    for entry, received in leaves:
        clock.set(received)
        board.unsafe_bulk_append(election, [entry])
    app = create_app(board, ServiceSettings(write_rate=0), own_storage=True, booth=booth)
    with serve_in_thread(app) as url:
        yield url
