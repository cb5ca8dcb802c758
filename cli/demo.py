"""``verivote demo``: a whole NEC-style election, for real, on this computer, in under a minute.

Nothing is simulated but the members' choices and the calendar: a real board (SQLite in a new
directory, served by uvicorn on 127.0.0.1) whose clock is simulated so that the timetable's
weeks pass in seconds; every entry is signed, posted over HTTP, checked by the board's election
rules and acknowledged with a checked receipt. The election is ``simulation.plans.nec_plan``,
built by ``simulation.ElectionBuilder``:

1. the administrator publishes the definition (the NEC's 9 seats by Scottish STV with at least
   5 women among 20 candidates, a mayoral primary by IRV, a youth representative voted by youth
   members only, a rule-change referendum), nominations (one nominee below the threshold), a
   deadline extension and a withdrawal, each with a reason, and the candidate lists computed
   from the nominations on the board;
2. five trustees run the 3-of-5 key ceremony step by step (election/trustee.py), the
   administrator publishes the election key, each trustee confirms it;
3. the issuer issues one credential per member of the generated roll;
4. every member casts over HTTP (several concurrent clients); some revote; one audits a ballot
   first (Benaloh challenge) and checks it;
5. voting closes; the administrator tallies the counted ballots (last per member); trustees 1,
   2 and 4 decrypt the tally (3 and 5 are absent), each mixes both ranked contests in turn (a
   shuffle with its proof), then each decrypts their last lists; the result is posted and
   printed per contest, the STV and IRV counts stage by stage, and checked against the choices
   the simulated members made: the homomorphic counts, the decrypted papers (the same rankings
   in another order) and the winners of a count of the members' own rankings;
6. three witnesses (spec §10.5) check and cosign the board's tree head after the ceremony, after
   voting and (two of them) after the result, each checking a consistency proof from the head it
   cosigned before; the definition requires 2 of the 3;
7. the board's final tree head is printed, its export written (with the cosignatures), and the
   independent verifier run on it (which requires the quorum).
"""

from __future__ import annotations

import dataclasses
import json
import random
import secrets
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

import click
from rich.console import Console

from bulletin_board.client import BoardClient
from bulletin_board.witness import Witness, WitnessState
from cli._common import progress, replace_secret
from cli._extra import require_board_server
from cli._results import results_table
from cli.verify import verify_with_progress
from crypto.envelope import entry_hash
from crypto.errors import VerificationFailed
from crypto.signing import SigningKey
from election.counting import count_papers
from election.rules import precheck
from election.wire import (
    DECISION,
    EXCLUSION,
    TIMETABLE_CHANGE,
    ContestResult,
    Decision,
    Exclusion,
    RankedContestResult,
    Result,
    TimetableChange,
)
from simulation.boards import HttpBoard
from simulation.builder import ElectionBuilder, Member
from simulation.plan import ElectionPlan
from simulation.plans import nec_choices, nec_plan
from simulation.served import SimulatedClock, served_board

CLIENTS: Final = 3
DAY: Final = timedelta(days=1)
OPEN_ELECTION: Final = "nec-open"
OPEN_MEMBERS: Final = 20
#: The open election's plan starts this long ago: voting opened a day ago (day 15 of
#: simulation.plan.Timetable) and closes in six days (day 22).
OPEN_SINCE: Final = timedelta(days=16)


@dataclass
class DemoRun:
    """What a demonstration did: where its files are, the phase timings (s), the result."""

    directory: Path
    export: Path
    votes: Path
    tree_size: int = 0
    root: str = ""
    phases: dict[str, float] = field(default_factory=dict)
    counts: dict[str, list[int]] = field(default_factory=dict)
    expected: dict[str, list[int]] = field(default_factory=dict)
    elected: dict[str, tuple[str, ...]] = field(default_factory=dict)


@contextmanager
def _phase(run: DemoRun, name: str, console: Console) -> Iterator[None]:
    start = time.perf_counter()
    yield
    run.phases[name] = time.perf_counter() - start
    console.print(f"[green]✓[/green] {name} ({run.phases[name]:.1f} s)")


def run_demo(
    voters: int,
    *,
    directory: Path,
    db: str | None = None,
    clients: int = CLIENTS,
    revote_share: float = 0.05,
    seed: int | None = None,
    console: Console | None = None,
    port: int | None = None,
) -> DemoRun:
    """Run the whole election with ``voters`` members; files go to ``directory``, the board's
    database is ``db`` (default: SQLite in ``directory``). With ``port``, the board listens
    there, holds a second election open for voting, and runs until Ctrl-C (``--serve``)."""
    console = console or Console()
    # the simulated members' choices only: never a secret
    rng = random.Random(seed if seed is not None else secrets.randbits(64))  # noqa: S311
    start = datetime.now(UTC).replace(microsecond=0)
    plan = nec_plan(start=start, members=voters)
    plan = dataclasses.replace(plan, witnesses=3, witness_quorum=2)  # spec §10.5
    # --serve: a second election of the same shape whose voting opened a day ago (its setup
    # done on the simulated clock, days in the past), open on the real clock for six more days
    opened = (
        None
        if port is None
        else nec_plan(start=start - OPEN_SINCE, members=OPEN_MEMBERS, election=OPEN_ELECTION)
    )
    db = db or f"sqlite:///{directory / 'board.db'}"
    run = DemoRun(directory, directory / f"{plan.election}.export", directory / "votes-cast.json")
    clock = SimulatedClock((opened or plan).at(0))
    elections = [plan.election] + ([] if opened is None else [opened.election])
    # A demonstration is no real election: its log says so in what the board signs (§10.2).
    board_key = SigningKey.generate()
    with (
        served_board(
            db, board_key, clock=clock, elections=elections, rehearsal=True, port=port
        ) as url,
        BoardClient(url, plan.election) as client,
    ):
        console.print(f"board at {url} (database {db}); simulated clock from {plan.start:%Y-%m-%d}")
        opened_members: list[Member] = []
        if opened is not None:
            with _phase(run, f"second election {opened.election}: set up, voting open", console):
                opened_members = _open_election(opened, url, clock, rng)
        board = HttpBoard(client, clock.set)
        builder = ElectionBuilder(plan, board, rng=rng, progress=progress)
        witnesses = [
            Witness(key, WitnessState(directory / f"witness-{j}"), clock=clock)
            for j, key in enumerate(builder.keys.witnesses, start=1)
        ]
        with _phase(run, "definition, timetable, nominations, candidate lists", console):
            _setup(builder)
        with _phase(run, "key ceremony (3 of 5 trustees)", console):
            builder.ceremony()
        with _phase(run, "witnesses 1, 2 and 3 check and cosign the tree head", console):
            _cosign(witnesses, url, plan.election, console)
        with _phase(run, f"roll of {voters:,} members and credentials", console):
            builder.issue()
        params = builder.params
        votes = [(m, nec_choices(rng, params, m.style)) for m in builder.members]
        votes += [
            (m, nec_choices(rng, params, m.style))
            for m in builder.members
            if rng.random() < revote_share
        ]
        with _phase(run, f"voting: {voters:,} members over HTTP ({clients} clients)", console):
            builder.vote_all(votes[:voters], processes=clients)
            builder.vote_all(votes[voters:], processes=clients, label="revotes")
        with _phase(run, "audited ballot checked (Benaloh challenge)", console):
            _audit(builder, client, rng)
        with _phase(run, "witnesses check the grown log is consistent and cosign", console):
            _cosign(witnesses, url, plan.election, console)
        with _phase(run, "close, fold and check the log, tally", console):
            board.refold()
            builder.tally()
        absent = " and ".join(str(j) for j in sorted(plan.absent))
        present = ", ".join(str(j) for j in builder.trustees if j not in plan.absent)
        with _phase(
            run, f"decryption of the tally by trustees {present} ({absent} absent)", console
        ):
            builder.decrypt()
        ranked = ", ".join(builder.ranked_contests())
        with _phase(run, f"mixing ({ranked}): trustees {present} each shuffle and prove", console):
            builder.mix()
        with _phase(run, f"decryption of the mixed lists by trustees {present}", console):
            builder.decrypt_ranked()
        with _phase(run, "result (the STV and IRV counts included)", console):
            outcome = builder.result()
        results_table(params, outcome, console)
        _check_result(run, builder, outcome, console)
        with _phase(run, "witnesses 1 and 2 cosign the final tree head (3 is away)", console):
            _cosign(witnesses[:2], url, plan.election, console)
        head = client.tree_head()
        run.tree_size, run.root = head.tree_size, head.root_hash.hex()
        console.print(f"final tree head: size {head.tree_size}, root {run.root}")
        size = client.export_to(run.export)
        # Who voted for whom: mode 0600, like every secret-ish file verivote writes.
        replace_secret(run.votes, json.dumps(builder.cast, sort_keys=True, indent=1).encode())
        console.print(f"board export ({size:,} bytes): {run.export}")
        console.print(f"the simulated members' final choices (demo only): {run.votes}")
        _verify_export(run, console)
        if opened is not None:
            clock.follow_real_time()
            _serve(run, url, plan.election, opened.election, opened_members)
    return run


def _cosign(witnesses: list[Witness], url: str, election: str, console: Console) -> None:
    """Spec §10.5 Each witness checks the board's latest head against the one it cosigned last
    (a consistency proof) and cosigns it; the verifier requires 2 of the 3."""
    for j, witness in enumerate(witnesses, start=1):
        console.print(f"  witness {j}: {witness.check_and_cosign(url, election).line()}")


def _open_election(
    plan: ElectionPlan, url: str, clock: SimulatedClock, rng: random.Random
) -> list[Member]:
    """Every phase of ``plan`` up to the opening of voting (the booth release included), on
    the board at ``url``; its members, with their codes."""
    with BoardClient(url, plan.election) as client:
        builder = ElectionBuilder(plan, HttpBoard(client, clock.set), rng=rng, progress=progress)
        builder.prepare()
        return builder.members


def _serve(run: DemoRun, url: str, done: str, opened: str, members: list[Member]) -> None:
    """Print where everything is, then serve until Ctrl-C."""
    codes = run.directory / f"{opened}-codes.txt"
    lines = [
        f"# Demo members' credential codes for election {opened} (a demonstration: real",
        "# codes are private, one per member, in their letter). member, ballot style, code",
        *(f"{m.id}\t{m.style}\t{m.code.formatted()}" for m in members),
    ]
    replace_secret(codes, "\n".join(lines).encode() + b"\n")
    click.echo(f"booth: {url}/booth/{opened}/")
    click.echo(f"election page ({done}, counted): {url}/e/{done}/")
    click.echo(f"election page ({opened}, open for voting): {url}/e/{opened}/")
    click.echo(f"demo members' codes for {opened}: {codes}")
    click.echo("the board runs until Ctrl-C")
    sys.stdout.flush()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        click.echo("stopping the board")


def _check_result(
    run: DemoRun, builder: ElectionBuilder, outcome: Result, console: Console
) -> None:
    """What the demo knows and the board never did: the members' choices. The homomorphic
    counts must be theirs; each ranked contest's papers, their rankings (in the mixed order);
    and a count of their rankings (with the result's seed), the winners the result names.

    Raises:
        VerificationFailed: any of them differs.
    """
    params = builder.params
    run.counts = {
        c.contest: list(c.counts) for c in outcome.contests if isinstance(c, ContestResult)
    }
    run.expected = builder.expected_counts()
    if run.counts != run.expected:
        raise VerificationFailed("the decrypted counts differ from the votes cast")
    expected_papers = builder.expected_papers()
    for got in outcome.contests:
        if not isinstance(got, RankedContestResult):
            continue
        cast = expected_papers[got.contest]
        if Counter(p for p in got.papers if p is not None) != cast or None in got.papers:
            raise VerificationFailed(f"{got.contest}: the papers are not the rankings cast")
        contest = params.definition.contest(got.contest)
        count = count_papers(
            contest, params.candidate_lists[got.contest], cast.elements(), seed=outcome.seed
        )
        winners = () if count is None else count.elected_names
        if winners != got.elected:
            raise VerificationFailed(f"{got.contest}: the members' rankings elect {winners}")
        run.elected[got.contest] = winners
    console.print(
        "the decrypted counts and papers are the votes the members cast (last ballot each), "
        "and a count of the members' own rankings elects the same candidates"
    )


def _setup(builder: ElectionBuilder) -> None:
    """The definition; a deadline extension with its reason; the nominations; a withdrawal
    and a decision with their reasons; the candidate lists after the close; the web booth's
    release (spec §11.14)."""
    plan, definition = builder.plan, builder.definition
    builder.define()
    at = plan.at(1.5)
    extended = TimetableChange(
        "nominations_close",
        definition.timetable.nominations_close + DAY,
        "Extended by one day: a postal strike delayed CLP nomination forms",
    )
    builder.administrator(TIMETABLE_CHANGE, extended.to_json(), at=at)
    builder.nominate(at=at)
    if "youth-rep" in plan.nominees:
        withdrawal = Exclusion("youth-rep", "uma", "Withdrew on health grounds")
        builder.administrator(EXCLUSION, withdrawal.to_json(), at=at)
    hustings = Decision(
        "Hustings", "Two online hustings will be held before voting opens", "Requested by 12 CLPs"
    )
    builder.administrator(DECISION, hustings.to_json(), at=at)
    builder.candidate_lists(at=plan.at(9.5))
    builder.booth_release(at=plan.at(9.5))


def _audit(builder: ElectionBuilder, client: BoardClient, rng: random.Random) -> None:
    """A member audits a ballot before casting: the opened ballot is posted, never counted, and
    re-encrypted on 'a second device'; then they vote afresh (their ballot already counts)."""
    member = builder.members[0]
    index, ballot = builder.audit(member, nec_choices(rng, builder.params, member.style))
    precheck(builder.params, client.entry(index))  # §11.9 on "a second device": re-encrypts it
    tracker = entry_hash(ballot).hex()[:16]
    click.echo(
        f"  member {member.id} audited ballot {tracker}… (leaf {index}): it encrypts the "
        "choices shown"
    )


def _verify_export(run: DemoRun, console: Console) -> None:
    """Spec §13 What a scrutineer does next: the independent verifier over the export, which
    trusts nothing the demo computed."""
    with _phase(run, "independent verifier (verivote verify) on the export", console):
        report = verify_with_progress(str(run.export))
    for line in report.lines():
        console.print(line, markup=False, highlight=False, soft_wrap=True)
    if report.outcome != "result-verified":
        raise VerificationFailed(
            f"the independent verifier did not verify the demo's result ({report.outcome})"
        )


@click.command("demo")
@click.option("--voters", default=1000, show_default=True, help="How many members vote.")
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="directory for the board database and export (default: a new temporary one)",
)
@click.option("--seed", type=int, default=None, help="seed of the members' simulated choices")
@click.option(
    "--serve",
    is_flag=True,
    help="then leave the board running, with a second election open for voting in the web "
    "booth, until Ctrl-C",
)
@click.option("--port", default=8000, show_default=True, help="the board's port with --serve")
def command(voters: int, out: Path | None, seed: int | None, serve: bool, port: int) -> None:
    """Run a whole NEC-style election on a real local board, in under a minute."""
    if voters < 1:
        raise click.BadParameter("must be at least 1", param_hint="--voters")
    require_board_server("demo")
    directory = out or Path(tempfile.mkdtemp(prefix="verivote-demo-"))
    directory.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    run_demo(voters, directory=directory, seed=seed, port=port if serve else None)
    click.echo(f"demo finished in {time.perf_counter() - start:.1f} s")
