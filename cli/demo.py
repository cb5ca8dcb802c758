"""``verivote demo``: a whole NEC-style election, for real, on this computer, in under a minute.

Nothing is simulated but the members' choices and the calendar: a real board (SQLite in a new
directory, served by uvicorn on 127.0.0.1) whose clock is simulated so that the timetable's
weeks pass in seconds (``create_board_app(..., clock=...)``); every entry is signed, posted over
HTTP, checked by the board's election rules and acknowledged with a checked receipt.

1. the administrator publishes the definition (a 9-seat NEC block vote with at least 5 women, a
   youth representative voted by youth members only, a rule-change referendum), nominations
   (one nominee below the threshold), a deadline extension and a withdrawal, each with a reason,
   and the candidate lists computed from the nominations on the board;
2. five trustees run the 3-of-5 key ceremony step by step (election/trustee.py), the
   administrator publishes the election key, each trustee confirms it;
3. the issuer imports the generated roll and issues one credential per member;
4. every member casts over HTTP (several concurrent clients); some revote; one audits a ballot
   first (Benaloh challenge) and checks it;
5. voting closes; the administrator tallies the counted ballots (last per member); trustees 1,
   2, 4 and 5 decrypt (trustee 3 is absent); the result is posted, printed per contest, and
   checked against the choices the simulated members made;
6. the board's final tree head is printed, and its export written for the verifier.
"""

from __future__ import annotations

import json
import multiprocessing
import random
import secrets
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

import click
from rich.console import Console

from bulletin_board.client import BoardClient
from bulletin_board.config import ServiceSettings
from bulletin_board.wire import Receipt, sign_entry
from cli._common import progress
from cli._extra import require_board_server
from cli._paper import options_of, results_table
from cli.verify import verify_with_progress
from crypto.credentials import CredentialCode, derive_credential_key
from crypto.envelope import entry_hash
from crypto.errors import VerificationFailed
from crypto.signing import SigningKey
from election.admin import candidate_list, election_key, result, tally
from election.definition import ContestKind, ElectionDefinition
from election.issuer import Letter, issue_credentials
from election.roll import Roll
from election.rules import ElectionState, apply, precheck, to_ms
from election.trustee import TrusteeState, decrypt, keygen, publish, share, verify
from election.voter import audit_payload, encrypt_ballot, sign_voter_entry
from election.wire import (
    AUDIT,
    BALLOT,
    CANDIDATE_LIST,
    COMPLAINT,
    CREDENTIALS,
    CREDENTIALS_COMPLETE,
    DEALING,
    DECISION,
    DECRYPTION,
    ELECTION_DEFINITION,
    ELECTION_KEY,
    EXCLUSION,
    KEY_CONFIRMATION,
    NOMINATION,
    RESULT,
    SHARES_ACCEPTED,
    TALLY,
    TIMETABLE_CHANGE,
    TRUSTEE_KEY,
    Candidate,
    Decision,
    DefinitionPayload,
    Exclusion,
    Nomination,
    TimetableChange,
)

ELECTION: Final = "nec-demo"
DAY: Final = timedelta(days=1)
ABSENT_TRUSTEE: Final = 3
CLIENTS: Final = 3
SENDERS: Final = 4  # requests in flight per client process
CHUNK: Final = 8  # ballots per task of a client process
WOMEN: Final = ["Ada Achebe", "Bea Brooks", "Cara Chen", "Dora Diaz", "Esi Evans", "Fay Ford"]
MEN: Final = ["Hal Hughes", "Ian Iqbal", "Jon Jones", "Kai Khan", "Leo Lewis", "Max Moore"]
YOUTH: Final = [
    ("yas", "Yas Young", "woman"),
    ("zak", "Zak Zhou", "man"),
    ("uma", "Uma Upton", "woman"),
]
Clock = Callable[[float], None]
CLPS: Final = ["Ashton CLP", "Barnet CLP", "Camden CLP", "Dover CLP", "Ealing CLP"]


def _ident(name: str) -> str:
    return name.lower().replace(" ", "-")


NEC_CONTESTS: Final = """
[[contests]]
id = "nec"
title = "NEC: constituency section"
kind = "block"
seats = 9
nomination_threshold = 2
constraints = [ { attribute = "gender", value = "woman", min = 5 } ]

[[contests]]
id = "youth-rep"
title = "NEC: youth representative"
kind = "block"
seats = 1
sections = ["youth"]

[[contests]]
id = "rule-change"
title = "Rule change 1"
kind = "referendum"
question = "Adopt rule change 1 (one member, one vote for the NEC chair)?"
options = ["Yes", "No"]
"""
#: A single 10-candidate vote-for-1 contest (the benchmark's simple ballot).
LEADER_CONTESTS: Final = """
[[contests]]
id = "leader"
title = "Leader"
kind = "block"
seats = 1
"""
LEADERS: Final = [f"Candidate {k}" for k in range(1, 11)]


def _definition_toml(keys: Mapping[str, SigningKey], t0: datetime, contests: str = "") -> str:
    contests = contests or NEC_CONTESTS

    def at(days: int) -> str:
        return (t0 + days * DAY).strftime("%Y-%m-%dT%H:%M:%SZ")

    trustees = ",\n".join(
        f'  {{ name = "Trustee {i}", key = "{keys[f"trustee{i}"].verify_key.to_hex()}" }}'
        for i in range(1, 6)
    )
    return f"""
id = "{ELECTION}"
title = "NEC elections (demonstration)"
organisation = "Example Party"
time_zone = "Europe/London"
sections = ["member", "youth"]

[timetable]
nominations_open = {at(1)}
nominations_close = {at(8)}
voting_open = {at(15)}
voting_close = {at(22)}

[administrator]
name = "Returning Officer"
key = "{keys["administrator"].verify_key.to_hex()}"

[issuer]
name = "Membership Office"
key = "{keys["issuer"].verify_key.to_hex()}"

[trustees]
threshold = 3
members = [
{trustees}
]

{contests}"""


# --- the simulated members' choices ----------------------------------------------------------


def _weighted_sample(rng: random.Random, weights: Sequence[float], k: int) -> list[int]:
    pool = list(range(len(weights)))
    chosen = []
    for _ in range(min(k, len(pool))):
        pick = rng.choices(pool, weights=[weights[i] for i in pool])[0]
        pool.remove(pick)
        chosen.append(pick)
    return sorted(chosen)


def _choose(
    rng: random.Random, style: str, nec: Sequence[Candidate], youth: int
) -> dict[str, list[int]]:
    """A member's marks: men are a little more popular, so the quota rule has work to do."""
    weights = [2.0 if c.attributes.get("gender") == "woman" else 3.0 for c in nec]
    choices = {"nec": _weighted_sample(rng, weights, rng.randint(0, 9))}
    if "youth-rep" in style.split("+"):
        choices["youth-rep"] = [] if rng.random() < 0.1 else [rng.randrange(youth)]
    roll = rng.random()
    choices["rule-change"] = [0] if roll < 0.55 else [1] if roll < 0.95 else []
    return choices


# --- posting and following the log -----------------------------------------------------------


@dataclass
class _Log:
    """The board's log as this process follows it: every entry it posts is applied to its
    folded state from the checked receipt (no one else posts while it does)."""

    client: BoardClient
    state: ElectionState

    def post(self, raw: bytes, what: str) -> Receipt:
        receipt = self.client.post(raw, what=what)
        leaf = receipt.leaf
        apply(self.state, leaf.entry, index=leaf.index, received=leaf.received)
        return receipt

    def signed(self, type: str, payload: Mapping[str, Any], key: SigningKey, role: str) -> None:
        raw = sign_entry(
            election=self.client.election, type=type, role=role, payload=dict(payload), key=key
        )
        self.post(raw, type)


@dataclass
class DemoRun:
    """What a demonstration did: where its files are, the phase timings (s), the result."""

    directory: Path
    export: Path
    votes: Path
    tree_size: int
    root: str
    phases: dict[str, float] = field(default_factory=dict)
    counts: dict[str, list[int]] = field(default_factory=dict)
    expected: dict[str, list[int]] = field(default_factory=dict)


@contextmanager
def _phase(run: DemoRun, name: str, console: Console) -> Iterator[None]:
    start = time.perf_counter()
    yield
    run.phases[name] = time.perf_counter() - start
    console.print(f"[green]✓[/green] {name} ({run.phases[name]:.1f} s)")


def demo_keys() -> dict[str, SigningKey]:
    """Fresh signing keys of the administrator, the issuer and trustees 1 to 5."""
    names = ["administrator", "issuer", *(f"trustee{i}" for i in range(1, 6))]
    return {name: SigningKey.generate() for name in names}


@contextmanager
def demo_board(db: str, board_key: SigningKey, t0: datetime) -> Iterator[tuple[str, Clock]]:
    """A board on ``db`` served on 127.0.0.1 on a simulated clock starting at ``t0``; yields
    its URL and ``at(days)``, which moves the clock to ``t0`` plus that many days."""
    from bulletin_board.service import create_board_app
    from cli._server import SimulatedClock, serve_in_thread

    clock = SimulatedClock(to_ms(t0))
    app = create_board_app(
        db, board_key, clock=clock, elections=[ELECTION], settings=ServiceSettings(write_rate=0)
    )

    def at(days: float) -> None:
        clock.now = to_ms(t0 + days * DAY)

    with serve_in_thread(app) as url:
        yield url, at


@dataclass
class Prepared:
    """An election ready for voting: its keys, the trustees' states, the members' letters."""

    keys: dict[str, SigningKey]
    definition: ElectionDefinition
    log: _Log
    states: dict[int, TrusteeState]
    letters: list[Letter]


def prepare_election(
    client: BoardClient,
    at: Clock,
    *,
    t0: datetime,
    voters: int,
    rng: random.Random,
    run: DemoRun,
    console: Console,
    contests: str = NEC_CONTESTS,
) -> Prepared:
    """Phases 1 to 3 (the board's clock from ``t0`` to ``t0`` + 9.5 days): definition,
    timetable, nominations, candidate lists; the key ceremony; roll and credentials. Voting
    opens at ``t0`` + 15 days and closes at ``t0`` + 22 days."""
    keys = demo_keys()
    definition = ElectionDefinition.from_toml(_definition_toml(keys, t0, contests), source="demo")
    log = _Log(client, ElectionState(ELECTION, leaves=client.entry))
    with _phase(run, "definition, timetable, nominations, candidate lists", console):
        _setup(log, definition, keys["administrator"], at)
    with _phase(run, "key ceremony (3 of 5 trustees)", console):
        states = _ceremony(log, definition, keys, keys["administrator"])
    with _phase(run, f"roll of {voters:,} members and credentials", console):
        letters = _credentials(log, definition, keys["issuer"], voters, rng)
    return Prepared(keys, definition, log, states, letters)


def run_demo(
    voters: int,
    *,
    directory: Path,
    db: str | None = None,
    clients: int = CLIENTS,
    revote_share: float = 0.05,
    seed: int | None = None,
    console: Console | None = None,
) -> DemoRun:
    """Run the whole election with ``voters`` members; files go to ``directory``, the board's
    database is ``db`` (default: SQLite in ``directory``)."""
    console = console or Console()
    # the simulated members' choices only: never a secret
    rng = random.Random(seed if seed is not None else secrets.randbits(64))  # noqa: S311
    t0 = datetime.now(UTC).replace(microsecond=0)
    db = db or f"sqlite:///{directory / 'board.db'}"
    run = DemoRun(directory, directory / f"{ELECTION}.export", directory / "votes-cast.json", 0, "")
    with (
        demo_board(db, SigningKey.generate(), t0) as (url, at),
        BoardClient(url, ELECTION) as client,
    ):
        console.print(f"board at {url} (database {db}); simulated clock from {t0:%Y-%m-%d}")
        ready = prepare_election(
            client, at, t0=t0, voters=voters, rng=rng, run=run, console=console
        )
        keys, letters, admin = ready.keys, ready.letters, ready.keys["administrator"]
        at(15.1)
        params = ready.log.state.params
        assert params is not None
        assert params.public_key is not None
        nec = params.candidate_lists["nec"].candidates
        youth = len(params.candidate_lists["youth-rep"].candidates)
        with _phase(run, f"voting: {voters:,} members over HTTP ({clients} clients)", console):
            final = _vote(url, letters, nec, youth, rng, clients, revote_share)
        with _phase(run, "audited ballot checked (Benaloh challenge)", console):
            _audit(url, letters[0], params, nec, youth, rng)
        with _phase(run, "close, fold and check the log, tally", console):
            at(22.01)
            state, _ = client.fold()
            log = _Log(client, state)
            log.signed(TALLY, tally(state).to_json(), admin, "administrator")
        with _phase(run, f"decryption by trustees 1, 2, 4, 5 ({ABSENT_TRUSTEE} absent)", console):
            for j, trustee_state in ready.states.items():
                if j != ABSENT_TRUSTEE:
                    payload = decrypt(trustee_state, log.state)
                    log.signed(DECRYPTION, payload.to_json(), keys[f"trustee{j}"], "trustee")
        with _phase(run, "result", console):
            outcome = result(log.state)
            log.signed(RESULT, outcome.to_json(), admin, "administrator")
        results_table(params, outcome, console)
        run.counts = {c.contest: list(c.counts or ()) for c in outcome.contests}
        run.expected = _expected(params.definition, final, params)
        if run.counts != run.expected:
            raise VerificationFailed("the decrypted counts differ from the votes cast")
        console.print("the decrypted counts equal the votes the members cast (last ballot each)")
        head = client.tree_head()
        run.tree_size, run.root = head.tree_size, head.root_hash.hex()
        console.print(f"final tree head: size {head.tree_size}, root {run.root}")
        size = client.export_to(run.export)
    run.votes.write_text(json.dumps(final, sort_keys=True, indent=1))
    console.print(f"board export ({size:,} bytes): {run.export}")
    console.print(f"the simulated members' final choices (demo only): {run.votes}")
    _verify_export(run, console)
    return run


def _setup(
    log: _Log, definition: ElectionDefinition, admin: SigningKey, at: Callable[[float], None]
) -> None:
    def post(type: str, payload: Mapping[str, Any]) -> None:
        log.signed(type, payload, admin, "administrator")

    post(ELECTION_DEFINITION, DefinitionPayload(definition).to_json())
    at(1.5)
    extended = definition.timetable.nominations_close + DAY
    post(
        TIMETABLE_CHANGE,
        TimetableChange(
            "nominations_close",
            extended,
            "Extended by one day: a postal strike delayed CLP nomination forms",
        ).to_json(),
    )
    day = datetime.fromtimestamp(log.state.last_received / 1000, UTC).date()
    if "leader" in [c.id for c in definition.contests]:
        for k, name in enumerate(LEADERS):
            candidate = Candidate(_ident(name), name, {})
            post(NOMINATION, Nomination("leader", candidate, CLPS[k % 5], day).to_json())
    else:
        nominees = [(n, "woman") for n in WOMEN] + [(n, "man") for n in MEN]
        for k, (name, gender) in enumerate(nominees):
            candidate = Candidate(_ident(name), name, {"gender": gender})
            for clp in (CLPS[k % 5], CLPS[(k + 1) % 5]):
                post(NOMINATION, Nomination("nec", candidate, clp, day).to_json())
        below = Candidate("odd-one", "Oli Odd", {"gender": "man"})
        post(NOMINATION, Nomination("nec", below, CLPS[0], day).to_json())
        for ident, name, gender in YOUTH:
            candidate = Candidate(ident, name, {"gender": gender})
            for by in ("Young Members", "Youth Conference"):
                post(NOMINATION, Nomination("youth-rep", candidate, by, day).to_json())
        post(EXCLUSION, Exclusion("youth-rep", "uma", "Withdrew on health grounds").to_json())
    post(
        DECISION,
        Decision(
            "Hustings",
            "Two online hustings will be held before voting opens",
            "Requested by 12 CLPs",
        ).to_json(),
    )
    at(9.5)
    for contest in definition.contests:
        if contest.kind is not ContestKind.REFERENDUM:
            post(CANDIDATE_LIST, candidate_list(log.state, contest.id).to_json())


def _ceremony(
    log: _Log, definition: ElectionDefinition, keys: Mapping[str, SigningKey], admin: SigningKey
) -> dict[int, TrusteeState]:
    """Each trustee's four steps (election/trustee.py), each reading the log as it is."""
    states: dict[int, TrusteeState] = {}
    indices = range(1, len(definition.trustees) + 1)

    def post(j: int, type: str, payload: Mapping[str, Any]) -> None:
        log.signed(type, payload, keys[f"trustee{j}"], "trustee")

    for j in indices:
        states[j], public = keygen(definition, j)
        post(j, TRUSTEE_KEY, {"key": public.key.to_json()})
    for j in indices:
        states[j], dealing = share(states[j], log.state)
        post(j, DEALING, dealing.to_json())
    for j in indices:
        states[j], complaints, accepted = verify(states[j], log.state)
        for complaint in complaints:
            post(j, COMPLAINT, complaint.to_json())
        post(j, SHARES_ACCEPTED, accepted.to_json())
    log.signed(ELECTION_KEY, election_key(log.state).key.to_json(), admin, "administrator")
    for j in indices:
        states[j], confirmation = publish(states[j], log.state)
        post(j, KEY_CONFIRMATION, confirmation.to_json())
    return states


def _credentials(
    log: _Log, definition: ElectionDefinition, issuer: SigningKey, voters: int, rng: random.Random
) -> list[Letter]:
    rows = ["member_id,name,email,sections"]
    for i in range(1, voters + 1):
        sections = "member;youth" if rng.random() < 0.15 else "member"
        rows.append(f"M{i:06d},Member {i},member{i}@example.org,{sections}")
    roll = Roll.read_csv("\n".join(rows) + "\n", definition, source="members.csv")
    with progress("issuing credentials", voters) as advance:
        issued = issue_credentials(roll, definition, advance=advance)
    for part in issued.issued.parts():
        log.signed(CREDENTIALS, part.to_json(), issuer, "issuer")
    log.signed(CREDENTIALS_COMPLETE, issued.issued.complete().to_json(), issuer, "issuer")
    return list(issued.letters)


# --- the members' devices: worker processes, each with its own HTTP client -------------------

_DEVICE: dict[str, Any] = {}


def _device_start(url: str) -> None:
    """A worker process: a client of the board and the election's parameters from its log."""
    client = BoardClient(url, ELECTION)
    state, _ = client.fold()
    _DEVICE.update(client=client, params=state.params, senders=ThreadPoolExecutor(SENDERS))


def _device_cast(tasks: list[tuple[str, str, dict[str, list[int]]]]) -> int:
    """Encrypt and sign each member's ballot, posting each as soon as it is built (a few
    requests in flight, so the board commits them in groups); how many were cast, each
    receipt checked."""
    client, params, senders = _DEVICE["client"], _DEVICE["params"], _DEVICE["senders"]
    posted = []
    for code, style, choices in tasks:
        credential = derive_credential_key(
            CredentialCode.parse(code), fingerprint=params.fingerprint
        )
        ballot = encrypt_ballot(
            params.layout, style, choices, public_key=params.public_key, credential=credential
        )
        raw = sign_voter_entry(
            election=ELECTION, type=BALLOT, payload=ballot.ballot.to_json(), credential=credential
        )
        posted.append(senders.submit(client.post, raw, what="ballot"))
    for future in posted:
        future.result()
    return len(posted)


def _vote(
    url: str,
    letters: Sequence[Letter],
    nec: Sequence[Candidate],
    youth: int,
    rng: random.Random,
    clients: int,
    revote_share: float,
) -> dict[str, dict[str, list[int]]]:
    """Every member casts once from one of ``clients`` devices (processes); a share of them
    cast again (the last counts)."""
    plans = [(letter, _choose(rng, letter.style, nec, youth)) for letter in letters]
    revotes = [
        (letter, _choose(rng, letter.style, nec, youth))
        for letter in letters
        if rng.random() < revote_share
    ]
    final = {letter.member.id: choices for letter, choices in plans + revotes}
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        clients, mp_context=context, initializer=_device_start, initargs=(url,)
    ) as pool:
        for label, batch in (("casting ballots", plans), ("revotes", revotes)):
            tasks = [(letter.code.formatted(), letter.style, choices) for letter, choices in batch]
            chunks = [tasks[k : k + CHUNK] for k in range(0, len(tasks), CHUNK)]
            with progress(label, len(batch)) as advance:
                for done in pool.map(_device_cast, chunks):
                    advance(done)
    return final


def _audit(
    url: str,
    letter: Letter,
    params: Any,
    nec: Sequence[Candidate],
    youth: int,
    rng: random.Random,
) -> None:
    """A member audits a ballot before casting: the opened ballot is posted, never counted, and
    re-encrypted on 'a second device'; then they vote afresh (their ballot already counts)."""
    credential = derive_credential_key(letter.code, fingerprint=params.fingerprint)
    choices = _choose(rng, letter.style, nec, youth)
    encrypted = encrypt_ballot(
        params.layout, letter.style, choices, public_key=params.public_key, credential=credential
    )
    inner = sign_voter_entry(
        election=ELECTION, type=BALLOT, payload=encrypted.ballot.to_json(), credential=credential
    )
    raw = sign_voter_entry(
        election=ELECTION,
        type=AUDIT,
        payload=audit_payload(inner, encrypted.openings),
        credential=credential,
    )
    with BoardClient(url, ELECTION) as client:
        receipt = client.post(raw, what="audit")
        entry = client.entry(receipt.leaf.index)
        precheck(params, entry)  # §11.9 on "a second device": it re-encrypts from its openings
    tracker = entry_hash(inner).hex()[:16]
    click.echo(
        f"  member {letter.member.id} audited ballot {tracker}… (leaf "
        f"{receipt.leaf.index}): it encrypts the choices shown"
    )


def _expected(
    definition: ElectionDefinition, final: Mapping[str, Mapping[str, Sequence[int]]], params: Any
) -> dict[str, list[int]]:
    counts: dict[str, Counter[int]] = {c.id: Counter() for c in definition.contests}
    for choices in final.values():
        for contest, marks in choices.items():
            counts[contest].update(marks)
    return {
        c.id: [counts[c.id][k] for k in range(len(options_of(params, c.id)[0]))]
        for c in definition.contests
    }


def _verify_export(run: DemoRun, console: Console) -> None:
    """Spec §13 What a scrutineer does next: the independent verifier over the export, which
    trusts nothing the demo computed."""
    with _phase(run, "independent verifier (verivote verify) on the export", console):
        report = verify_with_progress(str(run.export))
    for line in report.lines():
        console.print(line, markup=False, highlight=False)
    if not report.passed:
        raise VerificationFailed("the independent verifier rejected the demo's export")


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
def command(voters: int, out: Path | None, seed: int | None) -> None:
    """Run a whole NEC-style election on a real local board, in under a minute."""
    if voters < 1:
        raise click.BadParameter("must be at least 1", param_hint="--voters")
    require_board_server("demo")
    directory = out or Path(tempfile.mkdtemp(prefix="verivote-demo-"))
    directory.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    run_demo(voters, directory=directory, seed=seed)
    click.echo(f"demo finished in {time.perf_counter() - start:.1f} s")
