"""simulation/: the election builder the demo, the tests and the benchmarks share. A plan
(members, contests, t of n trustees, who is absent, the clock) becomes a whole election on a
board running the rules, whose decrypted counts equal what the simulated members cast and whose
export the independent verifier accepts."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crypto.credentials import derive_credential_key
from crypto.errors import InconsistentLog
from crypto.merkle import Frontier
from crypto.signing import SigningKey
from election.definition import ContestKind
from election.rules import Refusal
from election.wire import ContestResult
from simulation.boards import MemoryBoard
from simulation.builder import ElectionBuilder
from simulation.choices import random_choices
from simulation.plan import ElectionPlan, Nominee, RoleKeys, Timetable, contest_toml
from tests.crypto.threshold.ceremony import wrong_share_to
from verifier import verify_export_file

START = datetime(2027, 5, 3, 8, 30, tzinfo=UTC)
BOARD_KEY = SigningKey(bytes([77] * 32))


def _plan(**changes: object) -> ElectionPlan:
    nominees = {
        "council": [
            Nominee(f"c{i}", f"Candidate {i}", {"gender": "woman" if i % 2 else "man"},
                    ("North Branch", "South Branch"))
            for i in range(4)
        ],
        "chair": [Nominee("ann", "Ann Ames"), Nominee("bob", "Bob Best")],
    }  # fmt: skip
    settings: dict[str, object] = {
        "election": "plan-2027",
        "contests": (
            contest_toml(
                "council",
                "Council",
                "block",
                seats=2,
                nomination_threshold=2,
                constraints=[{"attribute": "gender", "value": "woman", "min": 1}],
            )
            + contest_toml("chair", "Chair", "block", seats=1, sections=["officers"])
            + contest_toml(
                "motion",
                "Motion 1",
                "referendum",
                question="Adopt motion 1?",
                options=["Yes", "No", "Abstain"],
            )
        ),
        "nominees": nominees,
        "sections": ("member", "officers"),
        "trustees": 3,
        "threshold": 2,
        "absent": frozenset({2}),
        "start": START,
        "timetable": Timetable(1, 3, 5, 6),
        "members": 14,
        "section_shares": {"officers": 0.3},
    }
    settings.update(changes)
    return ElectionPlan(**settings)  # type: ignore[arg-type]


def test_a_plan_writes_the_definition_it_describes() -> None:
    plan = _plan()
    keys = RoleKeys.fixed_for_testing(3)
    builder = ElectionBuilder(plan, MemoryBoard(plan.election), keys=keys)
    definition = builder.definition
    assert definition.id == "plan-2027"
    assert (len(definition.trustees), definition.threshold) == (3, 2)
    assert definition.administrator.key == keys.administrator.verify_key
    assert definition.timetable.nominations_open == START + timedelta(days=1)
    assert definition.timetable.voting_close == START + timedelta(days=6)
    assert [(c.id, c.kind) for c in definition.contests] == [
        ("council", ContestKind.BLOCK),
        ("chair", ContestKind.BLOCK),
        ("motion", ContestKind.REFERENDUM),
    ]
    assert definition.contest("motion").options == ("Yes", "No", "Abstain")
    assert plan.at(1.5) == plan.at(0) + 36 * 3_600_000
    with pytest.raises(ValueError, match="2 trustee keys for 3 trustees"):
        plan.definition_toml(administrator="aa" * 32, issuer="bb" * 32, trustees=["cc" * 32] * 2)
    assert RoleKeys.fixed_for_testing(3) == keys  # reproducible, for tests only


def test_a_whole_election_counts_what_the_members_cast(tmp_path: Path) -> None:
    plan = _plan()
    rng = random.Random(5)
    board = MemoryBoard(plan.election, created=plan.at(0))
    builder = ElectionBuilder(plan, board, rng=rng)
    builder.prepare()
    members = builder.members
    assert len(members) == 14
    assert {m.style for m in members} == {"council+motion", "council+chair+motion"}
    votes = [(m, random_choices(rng, builder.params, m.style)) for m in members]
    revote = (members[0], random_choices(rng, builder.params, members[0].style))
    builder.vote_all([*votes, revote])
    index, ballot = builder.audit(members[1], votes[1][1])
    assert board.read(index).type == "audit"
    assert ballot in board.read(index).raw  # the opened ballot, never counted
    outcome = builder.count()
    counted = {c.contest: list(c.counts) for c in outcome.contests if isinstance(c, ContestResult)}
    assert counted == builder.expected_counts()
    assert builder.cast[members[0].id] == revote[1]
    assert sum(counted["motion"]) == sum(1 for _, c in votes if c["motion"])
    assert outcome.trustees == (1, 3)  # trustee 2 was absent
    export = tmp_path / "plan.export"
    board.write_export(export, BOARD_KEY, every=10)
    report = verify_export_file(export, jobs=1)
    assert report.outcome == "result-verified", "\n".join(report.lines())


def test_an_issued_members_key_is_derived_from_their_code_when_first_used() -> None:
    plan = _plan(members=3, absent=frozenset())
    builder = ElectionBuilder(plan, MemoryBoard(plan.election, checked=False))
    builder.prepare()
    member = builder.members[0]
    assert member._key is None  # not derived at issue
    key = member.key
    derived = derive_credential_key(member.code, fingerprint=builder.definition.fingerprint)
    assert (key.secret, key.public) == (derived.secret, derived.public)
    assert member.key is key  # derived once
    # The credential the issuer published is the one the key signs with.
    assert key.public.to_bytes() in builder.state.credentials.credentials


def test_ballots_built_by_worker_processes() -> None:
    plan = _plan(members=20, absent=frozenset())
    rng = random.Random(9)
    builder = ElectionBuilder(plan, MemoryBoard(plan.election, checked=False), rng=rng)
    builder.prepare()
    votes = [(m, random_choices(rng, builder.params, m.style)) for m in builder.members]
    builder.vote_all(votes, processes=2)
    assert builder.state.voting.ballots == 20
    outcome = builder.count()
    counted = {c.contest: list(c.counts) for c in outcome.contests if isinstance(c, ContestResult)}
    assert counted == builder.expected_counts()


def test_the_rules_run_on_every_entry() -> None:
    plan = _plan()
    board = MemoryBoard(plan.election, created=plan.at(0))
    builder = ElectionBuilder(plan, board)
    builder.prepare()
    member = builder.members[0]
    choices = random_choices(random.Random(1), builder.params, member.style)
    size = len(board.entries)
    with pytest.raises(Refusal) as refused:
        builder.vote(member, choices, at=plan.at(plan.timetable.voting_open) - 1)
    assert refused.value.code == "voting_not_open"
    assert len(board.entries) == size  # nothing appended
    with pytest.raises(Refusal) as late:
        builder.vote(member, choices, at=plan.at(plan.timetable.voting_close))
    assert late.value.code == "voting_closed"


def test_a_cheating_trustee_is_disqualified_by_the_ceremony() -> None:
    plan = _plan(trustees=5, threshold=3, absent=frozenset({1}))
    builder = ElectionBuilder(plan, MemoryBoard(plan.election, created=plan.at(0)))
    builder.define()
    builder.ceremony(tamper={2: wrong_share_to(4)})
    key = builder.params.election_key
    assert key is not None
    assert [(a.trustee, a.reason) for a in key.absent] == [(2, "dealer-at-fault")]
    assert key.joint_key.qualified == (1, 3, 4, 5)
    assert builder.trustees[4].complaints == (2,)


@pytest.mark.slow
def test_a_shared_clock_sent_to_another_process_reads_the_same_file(tmp_path: Path) -> None:
    """The board's writer and workers are spawned with the simulation's clock (pickled): each
    copy maps the clock's file again, so the simulation's ``set`` is seen by all at once."""
    import pickle

    from simulation.served import SharedClock

    clock = SharedClock(tmp_path / "clock", 1_000)
    copy = pickle.loads(pickle.dumps(clock))
    assert copy is not clock
    assert copy() == 1_000
    clock.set(2_000)
    assert copy() == 2_000


def test_an_election_on_a_board_served_by_worker_processes(tmp_path: Path) -> None:
    """The scale run's set-up: the board in two worker processes on a clock shared through a
    file (each write seen by both at once), the devices' processes posting ballots the builder
    folds afterwards (only the leaves it missed), the trustees' mixes and list decryptions on
    two processes; the decrypted papers and counts are the votes, and the export verifies."""
    from bulletin_board.client import BoardClient
    from bulletin_board.keyfile import load_or_create_board_key
    from simulation.boards import HttpBoard
    from simulation.plans import nec_choices, nec_plan
    from simulation.served import SharedClock, served_board_processes

    plan = nec_plan(start=START, members=12, election="nec-workers")
    clock = SharedClock(tmp_path / "clock", plan.at(0))
    key_path = tmp_path / "board.key"
    load_or_create_board_key(key_path)
    db = f"sqlite:///{tmp_path / 'board.db'}"
    rng = random.Random(3)
    with (
        served_board_processes(db, key_path, clock=clock, elections=[plan.election]) as url,
        BoardClient(url, plan.election) as client,
    ):
        assert client.clock() == plan.at(0)
        board = HttpBoard(client, clock.set)
        builder = ElectionBuilder(plan, board, rng=rng, jobs=2)
        builder.prepare()
        votes = [(m, nec_choices(rng, builder.params, m.style)) for m in builder.members]
        builder.vote_all(votes, processes=2)  # each device's senders post on forks of a client
        assert board.size == client.tree_head().tree_size  # caught up with what devices posted
        with client.fork() as fork:  # what it trusts is shared; its connections are its own
            assert fork._origin is client._origin
            assert fork._http is not client._http
            assert fork.tree_head() == client.tree_head()
        assert builder.state.voting.ballots == 12
        member = builder.members[0]
        builder.vote(member, nec_choices(random.Random(4), builder.params, member.style))
        assert len(builder.state.voting.superseded) == 1  # read back by the tally
        board.check_head()
        folded = board.frontier
        board.frontier = Frontier.empty()
        for _ in range(board.size):
            board.frontier = board.frontier.append(bytes(32))[0]
        with pytest.raises(InconsistentLog, match="do not hash"):
            board.check_head()
        board.frontier = folded
        outcome = builder.count()
        counted = {c.contest: c.counts for c in outcome.contests if isinstance(c, ContestResult)}
        assert {c: list(n) for c, n in counted.items()} == builder.expected_counts()
        mixes = builder.state.tallying.lists["nec"]
        assert mixes.mixes == plan.trustees - len(plan.absent)
        export = tmp_path / "workers.export"
        client.export_to(export)
    report = verify_export_file(export, jobs=1)
    assert report.outcome == "result-verified", "\n".join(report.lines())
