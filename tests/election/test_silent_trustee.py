"""Issue 16 item 6 (D5; spec §7.1, §7.5, §11.4, §11.6): a silent trustee cannot stall the key
ceremony. With trustees 2 of 3, one never posts a key, one posts a key and never deals, one's
dealing draws an upheld complaint: each time the ceremony completes (at ``ceremony_close`` when
someone is missing), the election key names the absent with their reason, the other two hold
the key shares, and the election runs to a result the independent verifier accepts, mixed and
decrypted by those two only. An election key that omits, invents or mislabels an absent trustee
is refused by the board and fails the verifier; fewer than t qualified is a clear refusal."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bulletin_board.pages.describe import absent_trustees
from bulletin_board.pages.digest import digest_export
from bulletin_board.pages.i18n import catalogues
from crypto.errors import MalformedInput
from crypto.signing import SigningKey
from election import admin
from election.definition import to_ms
from election.rules import Refusal
from election.wire import ELECTION_KEY, ContestResult
from simulation.boards import MemoryBoard
from simulation.builder import ElectionBuilder
from simulation.choices import random_choices
from simulation.plan import ElectionPlan, Nominee, Timetable, contest_toml
from tests.crypto.threshold.ceremony import wrong_share_to
from verifier import verify_export_file

BOARD_KEY = SigningKey(bytes([78] * 32))
START = datetime(2027, 6, 1, 8, 0, tzinfo=UTC)


def _plan() -> ElectionPlan:
    return ElectionPlan(
        election="silent-2027",
        start=START,
        contests=(
            contest_toml("chair", "Chair", "block", seats=1)
            + contest_toml("leader", "Leader", "ranked", seats=1, max_selections=2, method="irv")
        ),
        nominees={
            "chair": [Nominee("ann", "Ann Ames"), Nominee("bob", "Bob Best")],
            "leader": [Nominee("cy", "Cy Cole"), Nominee("di", "Di Dunn"), Nominee("ed", "Ed Eze")],
        },
        sections=("member",),
        trustees=3,
        threshold=2,
        members=5,
        timetable=Timetable(1, 3, 9, 10),  # trustee keys close on day 6, the ceremony on 7.5
    )


def _builder(*, checked: bool = True) -> ElectionBuilder:
    plan = _plan()
    builder = ElectionBuilder(
        plan, MemoryBoard(plan.election, created=plan.at(0), checked=checked), rng=random.Random(4)
    )
    builder.define()
    builder.nominate()
    builder.candidate_lists()
    return builder


def _memory(builder: ElectionBuilder) -> MemoryBoard:
    board = builder.board
    assert isinstance(board, MemoryBoard)
    return board


def _absent(builder: ElectionBuilder) -> list[tuple[int, str]]:
    params = builder.params
    assert params.election_key is not None
    return [(a.trustee, a.reason) for a in params.election_key.absent]


def _verify(builder: ElectionBuilder, tmp_path: Path) -> Any:
    export = tmp_path / "silent.export"
    _memory(builder).write_export(export, BOARD_KEY, every=10)
    return verify_export_file(export, jobs=1)


@pytest.mark.parametrize(
    ("silent", "cheat", "absent", "waits"),
    [
        ({3: "key"}, None, [(3, "no-key")], True),
        ({2: "dealing"}, None, [(2, "no-dealing")], True),
        ({}, 3, [(3, "dealer-at-fault")], False),
    ],
    ids=["never-posts-a-key", "posts-a-key-never-deals", "complaint-upheld"],
)
def test_the_ceremony_completes_without_the_silent_and_the_election_is_verified(
    silent: dict[int, str], cheat: int | None, absent: list[tuple[int, str]], waits: bool,
    tmp_path: Path,
) -> None:  # fmt: skip
    builder = _builder()
    plan = builder.plan
    tamper = {cheat: wrong_share_to(1)} if cheat else None
    builder.ceremony(silent=silent, tamper=tamper)
    assert _absent(builder) == absent
    key = builder.params.election_key
    assert key is not None
    holders = key.holders
    assert holders == tuple(j for j in (1, 2, 3) if j != absent[0][0])
    received = next(
        at for entry, at in _memory(builder).entries[1:] if entry and entry.type == ELECTION_KEY
    )
    ceremony_close = to_ms(builder.definition.timetable.ceremony_close)
    assert (received >= ceremony_close) is waits  # nobody waits when nobody is missing
    assert builder.state.ceremony.confirmations == set(holders)
    builder.issue(at=plan.at(plan.timetable.ceremony_closes) + 60_000)
    rng = random.Random(8)
    votes = [(m, random_choices(rng, builder.params, m.style)) for m in builder.members]
    builder.vote_all(votes)
    # the absent trustee neither mixes nor decrypts: it holds no key share (§7.5)
    builder.tally()
    gone = absent[0][0]
    with pytest.raises(Refusal) as refused:
        builder.post(builder.mix_entry(gone, "leader"), builder._counting(None))
    assert refused.value.code == "no_key_share"
    builder.decrypt()
    builder.mix()
    builder.decrypt_ranked()
    outcome = builder.result()
    assert outcome.trustees == holders
    counted = {c.contest: list(c.counts) for c in outcome.contests if isinstance(c, ContestResult)}
    assert counted == builder.expected_counts()
    report = _verify(builder, tmp_path)
    assert report.outcome == "result-verified", "\n".join(report.lines())


def _forgeries(builder: ElectionBuilder, when: int) -> dict[str, dict[str, Any]]:
    honest = admin.election_key(builder.state, when).key.to_json()
    joint: dict[str, Any] = dict(honest["joint_key"])  # type: ignore[arg-type]
    return {
        "mislabelled": {**honest, "absent": [{"reason": "no-key", "trustee": 2}]},
        "omitted": {
            "absent": [],
            "joint_key": {**joint, "qualified": [1, 2, 3]},
        },
        "invented": {
            "absent": [
                {"reason": "no-dealing", "trustee": 1},
                {"reason": "no-dealing", "trustee": 2},
            ],
            "joint_key": {**joint, "qualified": [3]},
        },
    }


def _silent_ceremony(builder: ElectionBuilder) -> int:
    """Trustee 2 posts a key and never deals; the others deal; the ceremony closes."""
    builder.ceremony(silent={2: "dealing"}, at=None, confirm=False, key=False)
    return builder.plan.at(builder.plan.timetable.ceremony_closes) + 1000


def test_a_forged_absent_list_is_refused_by_the_board() -> None:
    builder = _builder()
    when = _silent_ceremony(builder)
    forged = _forgeries(builder, when)
    for name in ("mislabelled", "omitted"):
        with pytest.raises(Refusal) as refused:
            builder.administrator(ELECTION_KEY, forged[name], at=when)
        assert refused.value.code == "election_key_mismatch", name
        assert "the ceremony gives absent 2 (no-dealing)" in str(refused.value), name
    # inventing two absent leaves one qualified dealer, below t = 2: not a key at all (the
    # board answers it 400 malformed)
    with pytest.raises(MalformedInput, match=r"only 1 qualified dealer\(s\) \[3\], t = 2"):
        builder.administrator(ELECTION_KEY, forged["invented"], at=when)
    early = when - 2000  # before ceremony_close, trustee 2 is still awaited
    with pytest.raises(Refusal) as waiting:
        admin.election_key(builder.state, early)
    assert waiting.value.code == "ceremony_incomplete"
    assert "wait for them or for the ceremony's close" in str(waiting.value)
    builder.administrator(
        ELECTION_KEY, admin.election_key(builder.state, when).key.to_json(), at=when
    )
    assert _absent(builder) == [(2, "no-dealing")]


@pytest.mark.parametrize("name", ["mislabelled", "omitted"])
def test_a_forged_absent_list_fails_the_verifier(name: str, tmp_path: Path) -> None:
    builder = _builder(checked=False)  # a board that accepts anything
    when = _silent_ceremony(builder)
    forged = _forgeries(builder, when)[name]
    index = builder.administrator(ELECTION_KEY, forged, at=when)
    report = _verify(builder, tmp_path)
    assert not report.passed
    messages = [f.message for f in report.findings() if (f.check, f.index) == (3, index)]
    assert any(
        "absent trustees are not the ones the ceremony gives (2 no-dealing)" in m for m in messages
    ), "\n".join(report.lines())


def test_fewer_than_t_qualified_is_a_clear_refusal() -> None:
    builder = _builder()
    builder.ceremony(silent={2: "key", 3: "dealing"}, confirm=False, key=False)
    when = builder.plan.at(builder.plan.timetable.ceremony_closes) + 1000
    with pytest.raises(Refusal) as refused:
        admin.election_key(builder.state, when)
    assert refused.value.code == "ceremony_failed"
    assert "only 1 qualified dealer(s), t = 2 needed" in str(refused.value)
    assert "publish a new definition (a new election id)" in str(refused.value)


def test_the_deadlines_close_the_ceremony() -> None:
    builder = _builder()
    plan = builder.plan
    builder.ceremony(silent={3: "key"}, confirm=False, key=False)
    late = plan.at(plan.timetable.keys_close) + 5000
    public = builder.trustees[3].key_pair.public
    with pytest.raises(Refusal) as refused:
        builder.trustee(3, "trustee-key", {"key": public.to_json()}, at=late)
    assert refused.value.code == "trustee_keys_closed"


def test_the_public_pages_name_the_absent_trustees(tmp_path: Path) -> None:
    builder = _builder()
    builder.ceremony(silent={2: "dealing"}, confirm=False)
    export = tmp_path / "pages.export"
    _memory(builder).write_export(export, BOARD_KEY, every=10)
    digest, _ = digest_export(export.read_bytes().splitlines(keepends=True))
    assert digest.election_key is not None
    assert digest.election_key.value == ((2, "no-dealing"),)
    english, welsh = catalogues()["en"], catalogues()["cy"]
    named = absent_trustees(english, digest, digest.election_key.value)
    assert named == "trustee 2 (Trustee 2): did not deal by the deadline"
    assert "ymddiriedolwr 2 (Trustee 2)" in absent_trustees(
        welsh, digest, digest.election_key.value
    )
