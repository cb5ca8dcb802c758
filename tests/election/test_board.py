"""Spec §10-§11 The election's rules on a real board: a whole election over HTTP on SQLite and
PostgreSQL, refusals with their codes, the voter signature scheme, processes with stale views,
reads back within a batch, exports, an in-process uvicorn on a simulated clock."""

from __future__ import annotations

import copy
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from bulletin_board.election_rules import election_rules
from bulletin_board.export import export_fingerprint, verify_export
from bulletin_board.log import Board
from bulletin_board.storage import Storage
from bulletin_board.wire import Entry, Receipt
from crypto.errors import InvalidSignature
from election.rules import LoggedEntry, Refusal
from election.wire import election_schemes
from simulation.served import SimulatedClock as Clock
from tests.board.server import BoardServer, free_port
from tests.crypto.threshold.ceremony import wrong_share_to
from tests.election.board_log import BOARD_KEY, JSON, BoardLog, board_log
from tests.election.scenario import (
    DAY,
    DEFINITION,
    ELECTION,
    NOMINATIONS_OPEN,
    NOW,
    VOTING_CLOSE,
    VOTING_OPEN,
    Posted,
    Scenario,
    admin,
    refused,
    reprove,
    stranger,
    trustee,
    voter,
)


def _scenario(log: BoardLog) -> Scenario:
    return Scenario(log=log)


def test_a_whole_election_over_http(db_url: str) -> None:
    with board_log(db_url) as log:
        s = _scenario(log)
        s.ready(tamper={2: wrong_share_to(4)})
        absent = log.state.params.election_key.absent  # type: ignore[union-attr]
        assert [(a.trustee, a.reason) for a in absent] == [(2, "dealer-at-fault")]
        a, b = s.members[0], s.members[1]
        refused(log, s.ballot(a), VOTING_OPEN - 1, "voting_not_open")
        for m in s.members:
            log.post(s.ballot(m), NOW)
        log.post(s.ballot(a, s.choices(a, nec_clp=[1, 3])), NOW + 1)  # revote
        log.post(s.audit(b), NOW + 2)
        refused(log, s.ballot(b), VOTING_CLOSE, "voting_closed")
        log.post(s.tally_entry(), VOTING_CLOSE)
        for j in (3, 4, 5):  # trustee 1 away; 2, absent from the key (a cheat), holds no share
            log.post(s.decryption_entry(j), VOTING_CLOSE + 1)
        s.mix_and_decrypt((3, 4, 5), VOTING_CLOSE + 1)  # and they mix the ranked contest
        result = s.result_entry()
        log.post(result, VOTING_CLOSE + 2)
        counts = result.payload["contests"][0]["counts"]
        assert counts == [3, 1, 3, 1, 0]  # a revoted from ana and cat to ben and dan
        # every receipt verifies under the election's schemes and the board's key
        schemes = election_schemes(DEFINITION.fingerprint)
        for receipt in log.receipts:
            Receipt.from_json(receipt, schemes).check(
                entry=Receipt.from_json(receipt, schemes).leaf.entry.raw,
                board_key=BOARD_KEY.verify_key.raw,
            )


def test_refusals_are_409_with_the_rules_code(db_url: str) -> None:
    with board_log(db_url) as log:
        s = _scenario(log)
        s.define()
        again = admin("election-definition", {"definition": DEFINITION.to_json()})
        response = log.client.post(
            f"/v1/elections/{ELECTION}/entries", content=again.raw, headers=JSON
        )
        assert response.status_code == 200  # the same bytes: a replay, answered with its receipt
        changed = {**DEFINITION.to_json(), "title": "NEC election 2027 (revised)"}
        other = admin("election-definition", {"definition": changed})
        response = log.client.post(
            f"/v1/elections/{ELECTION}/entries", content=other.raw, headers=JSON
        )
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "definition_exists"
        bad = admin("decision", {"subject": "x"})
        response = log.client.post(
            f"/v1/elections/{ELECTION}/entries", content=bad.raw, headers=JSON
        )
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "malformed"
        note = admin("note", {"n": 1})
        response = log.client.post(
            f"/v1/elections/{ELECTION}/entries", content=note.raw, headers=JSON
        )
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "unknown_type"


def test_voter_signatures_bind_the_election_fingerprint(db_url: str) -> None:
    with board_log(db_url) as log:
        s = _scenario(log)
        s.ready()
        member = s.members[0]
        entry = s.ballot(member)
        raw = bytearray(entry.raw)
        # the signature's last byte, just before '","type":"ballot"'
        position = raw.rindex(b'","type"') - 1
        raw[position] = ord("0") if raw[position] != ord("0") else ord("1")
        with pytest.raises(
            InvalidSignature, match="credential signature: challenge does not match the statement"
        ):
            log.post(Posted.from_bytes(bytes(raw)), NOW)
        from crypto.credentials import derive_credential_key

        other = derive_credential_key(member.code, fingerprint=bytes(32))  # another election
        forged = voter("ballot", dict(entry.payload), other)  # signed for another election
        with pytest.raises(
            InvalidSignature, match="credential signature: challenge does not match the statement"
        ):
            log.post(forged, NOW)
        log.post(entry, NOW)


def test_no_voter_entry_verifies_before_the_definition(db_url: str) -> None:
    with board_log(db_url) as log:
        s = Scenario()
        s.ready()
        with pytest.raises(
            InvalidSignature, match="no election definition yet: voter signatures cannot verify"
        ):
            log.post(s.ballot(s.members[0]), NOW)


def test_two_processes_with_stale_views(db_url: str) -> None:
    """Board B appends the election key and credentials; board A's view predates them, yet A
    accepts a ballot (its precheck refreshes the stale, non-final snapshot)."""
    clock = Clock(NOMINATIONS_OPEN)
    one = Board(Storage.open(db_url, migrate=True), BOARD_KEY, election_rules(), clock=clock)
    two = Board(Storage.open(db_url), BOARD_KEY, election_rules(), clock=clock)
    one.create_election(ELECTION)
    s = Scenario()

    def append(board: Board, entry: LoggedEntry) -> Any:
        assert isinstance(entry, Posted | Entry)
        return board.append(
            ELECTION, [board.precheck(entry.raw, election=ELECTION, max_bytes=2**20)]
        )[0]

    s.define()
    s.nominate()
    s.candidate_lists()
    for entry, when in s.log.entries[1:]:
        assert entry is not None
        clock.now = when
        append(one, entry)
    mirror = s.log
    s.log = Scenario().log  # rebuild locally while posting through board two
    for entry, when in mirror.entries[1:]:
        assert entry is not None
        s.log.post(entry, when)
    before = len(s.log.entries)
    s.ceremony()
    s.issue()
    for entry, when in s.log.entries[before:]:
        assert entry is not None
        clock.now = when
        outcome = two.append(
            ELECTION, [two.precheck(entry.raw, election=ELECTION, max_bytes=2**20)]
        )[0]
        assert not isinstance(outcome, Exception), outcome
    assert one._views[ELECTION].state.params.election_key is None
    ballot = s.ballot(s.members[0])
    clock.now = NOW
    outcome = one.append(ELECTION, [one.precheck(ballot.raw, election=ELECTION, max_bytes=2**20)])[
        0
    ]
    assert not isinstance(outcome, Exception), outcome
    assert one._views[ELECTION].state.params.final
    # board two folds board one's ballot before checking a revote
    revote = s.ballot(s.members[0], s.choices(s.members[0], nec_clp=[4]))
    outcome = two.append(ELECTION, [two.precheck(revote.raw, election=ELECTION, max_bytes=2**20)])[
        0
    ]
    assert not isinstance(outcome, Exception), outcome
    assert two._views[ELECTION].state.voting.superseded == [outcome.receipt.leaf.index - 1]
    for board in (one, two):
        board.storage.close()


def test_reuse_within_one_batch_is_caught_by_reading_back_the_pending_leaf(db_url: str) -> None:
    with board_log(db_url) as log:
        s = _scenario(log)
        s.ready()
    board = Board(Storage.open(db_url), BOARD_KEY, election_rules(), clock=Clock(NOW))
    a, b = s.members[0], s.members[1]
    original = s.encrypt(a)
    first = voter("ballot", original.ballot.to_json(), a.key)
    copied = reprove(s, original, b)
    entries = [board.precheck(e.raw, election=ELECTION, max_bytes=2**20) for e in (first, copied)]
    outcomes = board.append(ELECTION, entries)
    assert not isinstance(outcomes[0], Exception)
    assert getattr(outcomes[1], "code", None) == "ciphertext_reused"
    board.storage.close()


def test_an_election_export_verifies_with_the_voter_scheme(db_url: str, tmp_path: Path) -> None:
    with board_log(db_url) as log:
        s = _scenario(log)
        s.ready()
        log.post(s.ballot(s.members[0]), NOW)
        log.post(s.audit(s.members[1]), NOW)
        response = log.client.get(f"/v1/elections/{ELECTION}/export")
        assert response.status_code == 200
    path = tmp_path / "nec.board"
    path.write_bytes(response.content)
    with path.open("rb") as handle:
        assert export_fingerprint(handle) == DEFINITION.fingerprint
    with path.open("rb") as handle:
        summary = verify_export(handle, election_schemes(DEFINITION.fingerprint))
    assert summary.leaves == len(s.log.entries)
    with (
        path.open("rb") as handle,
        pytest.raises(
            InvalidSignature, match="credential signature: challenge does not match the statement"
        ),
    ):
        verify_export(handle, election_schemes(bytes(32)))
    from click.testing import CliRunner

    from cli.main import verivote

    result = CliRunner().invoke(verivote, ["board", "verify-export", str(path)])
    assert result.exit_code == 0, result.output
    assert f"{summary.leaves} leaves" in result.output


def test_an_in_process_uvicorn_board_runs_on_a_simulated_clock(tmp_path: Path) -> None:
    from bulletin_board.service import create_board_app

    clock = Clock(NOMINATIONS_OPEN - 86_400_000)
    app = create_board_app(
        f"sqlite:///{tmp_path / 'board.db'}", BOARD_KEY, clock=clock, elections=[ELECTION]
    )
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{port}/v1/elections/{ELECTION}"
        for _ in range(400):
            if server.started:
                break
            time.sleep(0.05)  # polling readiness, not synchronising on time
        s = Scenario()
        entry = admin("election-definition", {"definition": DEFINITION.to_json()})
        response = httpx.post(f"{url}/entries", content=entry.raw, headers=JSON, timeout=30)
        assert response.status_code == 201, response.text
        assert response.json()["leaf"]["received"] == clock.now
        clock.now = VOTING_CLOSE + 10
        decision = admin("decision", {"subject": "Count", "decision": "Done", "reason": "Closed"})
        response = httpx.post(f"{url}/entries", content=decision.raw, headers=JSON, timeout=30)
        assert response.json()["leaf"]["received"] == VOTING_CLOSE + 10
        assert s
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def test_board_serve_runs_the_election_rules_by_default(tmp_path: Path) -> None:
    with BoardServer(
        f"sqlite:///{tmp_path / 'b.db'}", tmp_path / "board.key", create=ELECTION, rules=None
    ) as server:
        note = admin("note", {"n": 1})
        url = f"{server.url}/v1/elections/{ELECTION}/entries"
        response = httpx.post(url, content=note.raw, headers=JSON, timeout=30)
        assert response.json()["error"]["code"] == "unknown_type"
        definition = admin("election-definition", {"definition": DEFINITION.to_json()})
        response = httpx.post(url, content=definition.raw, headers=JSON, timeout=30)
        assert response.status_code == 201, response.text


def test_precheck_refusal_does_not_reach_the_lock(db_url: str) -> None:
    with board_log(db_url) as log:
        s = _scenario(log)
        s.ready()
        entry = s.ballot(s.members[0])
        payload = copy.deepcopy(dict(entry.payload))
        payload["contests"][0]["total"]["branches"][0]["response"] = "00" * 32
        with pytest.raises(Refusal) as info:
            log.post(voter("ballot", payload, s.members[0].key), NOW)
        assert info.value.code == "invalid_proof"


def test_bad_ballots_are_refused_over_http_with_their_codes(db_url: str) -> None:
    """Issue #4: a ballot from an unlisted or wrong-style credential, with a tampered proof,
    copied from another voter, after the close, each a 409 with the rules' code; a replay is
    answered with the first receipt and changes nothing (the revote still counts)."""
    from simulation.builder import Member
    from tests.election.scenario import STYLE_YOUTH

    with board_log(db_url) as log:
        s = _scenario(log)
        s.ready()
        a, b = s.members[0], s.members[1]
        refused(log, s.ballot(stranger()), NOW, "unknown_credential")
        refused(log, s.ballot(Member(a.code, a.key, STYLE_YOUTH)), NOW, "wrong_style")
        entry = s.ballot(a)
        payload = copy.deepcopy(dict(entry.payload))
        branch = payload["contests"][0]["proofs"][0]["branches"][0]
        branch["response"] = (int(branch["response"], 16) ^ 1).to_bytes(32, "big").hex()
        refused(log, voter("ballot", payload, a.key), NOW, "invalid_proof")
        original = s.encrypt(a)
        first = voter("ballot", original.ballot.to_json(), a.key)
        index = log.post(first, NOW)
        refused(log, voter("ballot", original.ballot.to_json(), b.key), NOW, "invalid_proof")
        refused(log, reprove(s, original, b), NOW, "ciphertext_reused")
        revote = log.post(s.ballot(a, s.choices(a, nec_clp=[1])), NOW + 1)
        size = len(log.entries)
        response = log.client.post(
            f"/v1/elections/{ELECTION}/entries", content=first.raw, headers=JSON
        )
        assert response.status_code == 200  # a replay: the first receipt, nothing appended
        assert response.json()["leaf_index"] == index
        sth = log.client.get(f"/v1/elections/{ELECTION}/sth").json()
        assert sth["tree_size"] == size
        credential = log.state.credentials.credentials[a.key.public.to_bytes()]
        assert credential.last_ballot == revote  # the replayed ballot does not count again
        refused(log, s.ballot(b), VOTING_CLOSE, "voting_closed")


def test_a_trustee_with_no_key_takes_no_part_in_the_ceremony(db_url: str) -> None:
    """Issue 16 item 6 (spec §7.1, §11.4): trustee 5 never posts its key; after
    ``trustee_keys_close`` its dealing and its shares-accepted are each a 409
    ``not_a_participant`` and nothing is appended to the board's log."""
    with board_log(db_url) as log:
        s = _scenario(log)
        s.define()
        keys = s.trustee_key_entries()
        for entry in keys[:4]:
            log.post(entry, NOMINATIONS_OPEN + DAY)
        dealings = s.dealing_entries()  # against all five keys, trustee 5's unpublished one
        closed = log.state.instant("trustee_keys_close") + 1000
        size = len(log.entries)
        for entry in (dealings[4], trustee("shares-accepted", {"trustee": 5}, 5)):
            log.clock.now = closed
            response = log.client.post(
                f"/v1/elections/{ELECTION}/entries", content=entry.raw, headers=JSON
            )
            assert response.status_code == 409, response.text
            error = response.json()["error"]
            assert error["code"] == "not_a_participant"
            assert "trustee 5 has no trustee key on the log" in error["message"]
            refused(log, entry, closed, "not_a_participant")  # the rules agree
            sth = log.client.get(f"/v1/elections/{ELECTION}/sth").json()
            assert sth["tree_size"] == size  # nothing appended
