"""Spec §10.2 Rehearsals (issue 15 item 1): a board run with ``rehearsal`` marks its logs in leaf
0 and in every tree head, lets the administrator advance a log's clock with a signed request,
and never serves a log of the other kind. Real boards over SQLite and PostgreSQL, two board
objects on one database standing for two worker processes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bulletin_board.errors import EntryRefused, LogCorrupted, WrongElection
from bulletin_board.log import Board
from bulletin_board.rule_sets import named_rules
from bulletin_board.storage import Storage
from bulletin_board.wire import BoardKeyPayload, ClockRequest, Leaf, sign_clock_request
from crypto import canonical
from crypto.envelope import sign_entry
from crypto.errors import InvalidSignature, MalformedInput
from crypto.signing import SigningKey
from election.definition import to_ms
from election.wire import ELECTION_DEFINITION, DefinitionPayload, election_schemes
from simulation.plan import ElectionPlan, RoleKeys, contest_toml
from simulation.served import SimulatedClock
from tests.board.helpers import BOARD_KEY
from tests.jsondoc import json_object

E = "rehearsal-2027"
KEYS = RoleKeys.fixed_for_testing(3)
PLAN = ElectionPlan(
    election=E,
    contests=contest_toml(
        "rule-1", "Rule 1", "referendum", question="Adopt?", options=["Yes", "No"]
    ),
    trustees=3,
    threshold=2,
)
T0 = to_ms(PLAN.start)
DAY = 86_400_000


def _board(db_url: str, *, rehearsal: bool, clock: SimulatedClock | None = None) -> Board:
    clock = clock or SimulatedClock(T0)
    storage = Storage.open(db_url, migrate=True)
    return Board(storage, BOARD_KEY, named_rules("election"), clock=clock, rehearsal=rehearsal)


def _define(board: Board) -> None:
    from election.definition import ElectionDefinition

    definition = ElectionDefinition.from_toml(PLAN.definition_toml_for(KEYS), source="test")
    raw = sign_entry(
        election=E, type=ELECTION_DEFINITION, role="administrator",
        payload=DefinitionPayload(definition).to_json(), key=KEYS.administrator,
    )  # fmt: skip
    outcome = board.append(E, [board.precheck(raw, election=E, max_bytes=2**20)])[0]
    assert not isinstance(outcome, Exception), outcome


def _decision(board: Board, n: int) -> Leaf:
    raw = sign_entry(
        election=E, type="decision", role="administrator",
        payload={"subject": f"Decision {n}", "decision": "Noted", "reason": "Rehearsal"},
        key=KEYS.administrator,
    )  # fmt: skip
    outcome = board.append(E, [board.precheck(raw, election=E, max_bytes=2**20)])[0]
    assert not isinstance(outcome, Exception), outcome
    return outcome.receipt.leaf


def _leaf_zero(board: Board) -> BoardKeyPayload:
    row = board.leaf(E, 0)
    return BoardKeyPayload.of(Leaf.from_bytes(row.raw, election_schemes(None)).entry)


@pytest.mark.parametrize("rehearsal", [True, False])
def test_leaf_0_and_every_tree_head_say_whether_it_is_a_rehearsal(
    db_url: str, rehearsal: bool
) -> None:
    board = _board(db_url, rehearsal=rehearsal)
    first = board.create_election(E)
    assert _leaf_zero(board) == BoardKeyPayload(BOARD_KEY.verify_key.raw, rehearsal)
    _define(board)
    heads = [first, board.latest_tree_head(E), board.tree_head(E, 1)]
    assert [h.rehearsal for h in heads] == [rehearsal] * 3
    assert json_object(heads[1].to_bytes())["rehearsal"] is rehearsal
    assert board.check_storage() == {}


def test_the_administrator_advances_a_rehearsal_clock(db_url: str) -> None:
    real = SimulatedClock(T0)
    board = _board(db_url, rehearsal=True, clock=real)
    board.create_election(E)
    _define(board)
    assert board.clock(E) == T0
    to = T0 + 14 * DAY
    request = sign_clock_request(election=E, to=to, key=KEYS.administrator)
    assert board.advance_clock(E, request.to_bytes()) == to
    assert board.clock(E) == to
    real.set(T0 + 5000)  # the advanced clock runs on at the real clock's pace
    assert board.clock(E) == to + 5000
    assert _decision(board, 1).received == to + 5000
    # Another worker process on the same database reads the same clock, and appends on it.
    other = _board(db_url, rehearsal=True, clock=SimulatedClock(T0 + 6000))
    assert other.clock(E) == to + 6000
    assert _decision(other, 2).received == to + 6000
    assert other.check_storage() == {}


def _refused(board: Board, raw: bytes, code: str, match: str) -> None:
    with pytest.raises(EntryRefused, match=match) as info:
        board.advance_clock(E, raw)
    assert info.value.code == code


def test_clock_requests_are_refused_for_their_reason(db_url: str) -> None:
    board = _board(db_url, rehearsal=True)
    board.create_election(E)
    ahead = sign_clock_request(election=E, to=T0 + DAY, key=KEYS.administrator).to_bytes()
    _refused(board, ahead, "no_definition", "publish the election definition first")
    _define(board)
    stranger = sign_clock_request(election=E, to=T0 + DAY, key=SigningKey(bytes([7] * 32)))
    _refused(board, stranger.to_bytes(), "wrong_author", "not signed by the election's admin")
    board.advance_clock(E, ahead)
    _refused(board, ahead, "clock_not_later", "already reads")  # a replay never moves it again
    back = sign_clock_request(election=E, to=T0 + 1000, key=KEYS.administrator).to_bytes()
    _refused(board, back, "clock_not_later", "already reads")
    other = sign_clock_request(election="other", to=T0 + 2 * DAY, key=KEYS.administrator)
    with pytest.raises(WrongElection, match="for election 'other'"):
        board.advance_clock(E, other.to_bytes())
    forged: dict[str, Any] = canonical.decode(ahead)  # type: ignore[assignment]
    forged["to"] = T0 + 30 * DAY
    with pytest.raises(InvalidSignature, match="does not verify"):
        board.advance_clock(E, canonical.encode(forged))
    as_entry = ClockRequest(E, T0 + 3 * DAY, KEYS.administrator.verify_key.raw, b"")
    entry_signed = KEYS.administrator.sign(
        b"board/entry", canonical.encode(as_entry.unsigned_json())
    )
    forged["to"], forged["signature"] = T0 + 3 * DAY, entry_signed.hex()
    # another purpose's signature (§8.1) never serves
    with pytest.raises(InvalidSignature, match="does not verify"):
        board.advance_clock(E, canonical.encode(forged))
    with pytest.raises(MalformedInput, match="missing field"):
        board.advance_clock(E, b'{"election":"rehearsal-2027","to":1,"version":1}')
    assert board.clock(E) == T0 + DAY


def test_a_real_election_clock_is_never_advanced(db_url: str) -> None:
    board = _board(db_url, rehearsal=False)
    board.create_election(E)
    _define(board)
    ahead = sign_clock_request(election=E, to=T0 + DAY, key=KEYS.administrator).to_bytes()
    _refused(board, ahead, "not_rehearsal", "real election's log")
    assert board.clock(E) == T0


def test_one_board_never_serves_both_kinds(db_url: str) -> None:
    real = _board(db_url, rehearsal=False)
    real.create_election(E)
    rehearsal = _board(db_url, rehearsal=True)
    with pytest.raises(MalformedInput, match=f"a real election, '{E}': a rehearsal board serves"):
        rehearsal.check_mode()
    with pytest.raises(MalformedInput, match="a rehearsal board serves rehearsals only"):
        rehearsal.create_election("another")
    assert real.storage.elections() == [E]


def test_a_rehearsal_log_is_never_served_as_real(db_url: str) -> None:
    _board(db_url, rehearsal=True).create_election(E)
    real = _board(db_url, rehearsal=False)
    with pytest.raises(MalformedInput, match="serve it with --rehearsal"):
        real.check_mode()
    # Past the start check (a board that skipped it), the log is refused, never re-signed.
    with pytest.raises(LogCorrupted, match="signed rehearsal True, the log's is False"):
        _define(real)


def test_the_timetable_passes_in_minutes(db_url: str) -> None:
    """The rules judge the advanced clock: a decision "received" 20 days on is logged so."""
    board = _board(db_url, rehearsal=True)
    board.create_election(E)
    _define(board)
    voting = datetime.fromtimestamp(T0 / 1000, UTC) + timedelta(days=PLAN.timetable.voting_open)
    request = sign_clock_request(election=E, to=to_ms(voting), key=KEYS.administrator)
    board.advance_clock(E, request.to_bytes())
    assert _decision(board, 3).received == to_ms(voting)
    assert board.latest_tree_head(E).timestamp == to_ms(voting)


def test_the_pages_say_rehearsal_and_follow_its_clock(db_url: str) -> None:
    """Spec §10.2 The public pages show the rehearsal banner, and the phase on the log's
    advanced clock (the real clock is days before nominations)."""
    from fastapi.testclient import TestClient

    from bulletin_board.service import create_app

    board = _board(db_url, rehearsal=True, clock=SimulatedClock(T0))
    board.create_election(E)
    _define(board)
    voting = PLAN.at(PLAN.timetable.voting_open) + 1000
    board.advance_clock(E, sign_clock_request(election=E, to=voting, key=KEYS.administrator)
                        .to_bytes())  # fmt: skip
    with TestClient(create_app(board)) as client:
        home = client.get(f"/e/{E}/").text
        front = client.get("/").text
    assert "REHEARSAL: this is a rehearsal election. Nothing decided here counts." in home
    assert "Voting is open. It closes on" in home
    assert "Rehearsal" in front
