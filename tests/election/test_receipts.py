"""Spec §11.13 A member's receipt, checked with ``verivote receipt check`` against live boards:
it holds on the board that issued it, and it catches a board (same key) whose history differs
from the one the receipt saw, e.g. one that dropped the member's ballot."""

from __future__ import annotations

import hashlib
import json
import time
from contextlib import closing
from pathlib import Path

import httpx
from click.testing import CliRunner

from bulletin_board.credential_index import CredentialIndex, IndexHead, sign_index_head
from bulletin_board.index_server import CredentialIndexServer
from bulletin_board.log import Board
from bulletin_board.rule_sets import named_rules
from bulletin_board.storage import Storage
from bulletin_board.wire import Receipt, SignedTreeHead
from cli.main import verivote
from cli.receipt import write_receipt
from election.voter import audit_payload, sign_voter_entry
from election.wire import election_schemes, parse_receipt_file
from simulation.builder import Member
from simulation.served import SimulatedClock
from tests.election.board_log import BOARD_KEY, JSON, BoardLog
from tests.election.live_board import dishonest_board, live_board
from tests.election.scenario import (
    DEFINITION,
    ELECTION,
    NOMINATIONS_OPEN,
    VOTING_OPEN,
    Posted,
    Scenario,
)


def _ready(http: httpx.Client, clock: SimulatedClock, start: int) -> tuple[Scenario, BoardLog]:
    """An election on the board behind ``http``, up to the moment voting opens."""
    log = BoardLog(client=http, clock=clock)
    log.entries[0] = (None, start)
    s = Scenario(log=log)
    s.ready()
    return s, log


def _cast_with_receipt(s: Scenario, member: Member, board: str, path: Path) -> tuple[int, Receipt]:
    """The member casts; the board's receipt is saved as the client saves it (§11.13)."""
    index = s.log.post(s.ballot(member), VOTING_OPEN + 1000)
    assert isinstance(s.log, BoardLog)
    receipt = Receipt.from_json(s.log.receipts[-1], election_schemes(DEFINITION.fingerprint))
    write_receipt(path, board=board, receipt=receipt)
    return index, receipt


def test_a_receipt_holds_on_its_board_and_catches_a_forked_history(tmp_path: Path) -> None:
    start = NOMINATIONS_OPEN - 86_400_000
    a_db, b_db = f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'b.db'}"
    with (
        live_board(a_db, elections=(ELECTION,), now=start) as a,
        live_board(b_db, elections=(ELECTION,), now=start) as b,
        httpx.Client(timeout=60, base_url=a.url) as http_a,
        httpx.Client(timeout=60, base_url=b.url) as http_b,
    ):
        s, log = _ready(http_a, a.clock, start)
        member = s.members[0]
        path = tmp_path / "receipt.json"
        index, receipt = _cast_with_receipt(s, member, a.url, path)
        saved = parse_receipt_file(path.read_bytes())
        assert saved.tracker == hashlib.sha256(receipt.leaf.entry.raw).digest()
        ok = CliRunner().invoke(verivote, ["receipt", "check", str(path)])
        assert ok.exit_code == 0, ok.output
        assert "it is your counted ballot" in ok.output
        # board b: the same key and history up to the ballot, then another member's instead
        for entry, received in log.entries[1:index]:
            assert entry is not None
            b.clock.now = received
            answer = http_b.post(f"/v1/elections/{ELECTION}/entries", content=entry.raw,
                                 headers=JSON)  # fmt: skip
            assert answer.status_code == 201, answer.text
        b.clock.now = VOTING_OPEN + 1000
        other = http_b.post(f"/v1/elections/{ELECTION}/entries",
                            content=s.ballot(s.members[1]).raw, headers=JSON)  # fmt: skip
        assert other.status_code == 201, other.text
        forked = CliRunner().invoke(verivote, ["receipt", "check", str(path), "--board", b.url])
        assert forked.exit_code == 1, forked.output
        assert "the board CONTRADICTS your receipt" in forked.output
        assert f"two different roots for tree size {index + 1}" in forked.output
        assert forked.output.count("\n") == 1


def test_issue16_8_a_ballot_the_member_only_audited_is_not_called_a_revote(tmp_path: Path) -> None:
    """Issue 16 item 8: a member casts, then audits. The board posts the audit's inner ballot as
    a ballot before the audit: the honest board then refuses the audit (ciphertext_cast); a
    board that appends it anyway is caught by the member's receipt check, which says that the
    ballot replacing theirs is one they only audited (it said "a later ballot" before)."""
    start = NOMINATIONS_OPEN - 86_400_000
    db = f"sqlite:///{tmp_path / 'board.db'}"
    with (
        live_board(db, elections=(ELECTION,), now=start) as honest,
        httpx.Client(timeout=60, base_url=honest.url) as http,
    ):
        s, log = _ready(http, honest.clock, start)
        member = s.members[0]
        path = tmp_path / "receipt.json"
        real, _ = _cast_with_receipt(s, member, honest.url, path)
        audited = s.encrypt(member)
        inner = sign_voter_entry(
            election=ELECTION,
            type="ballot",
            payload=audited.ballot.to_json(),
            credential=member.key,
        )
        audit = Posted.from_bytes(
            sign_voter_entry(
                election=ELECTION,
                type="audit",
                payload=audit_payload(inner, audited.openings),
                credential=member.key,
            )
        )
        cast = log.post(Posted.from_bytes(inner), VOTING_OPEN + 2000)  # a valid ballot as such
        honest.clock.now = VOTING_OPEN + 3000
        refused = http.post(f"/v1/elections/{ELECTION}/entries", content=audit.raw, headers=JSON)
        assert refused.status_code == 409, refused.text
        assert refused.json()["error"]["code"] == "ciphertext_cast"
    # The operator restarts the same database with the audit rule switched off.
    with (
        dishonest_board(
            db, elections=(ELECTION,), now=VOTING_OPEN + 3000, unchecked=("audit",)
        ) as board,
        httpx.Client(timeout=60, base_url=board.url) as http,
    ):
        appended = http.post(f"/v1/elections/{ELECTION}/entries", content=audit.raw, headers=JSON)
        assert appended.status_code == 201, appended.text
        opened = appended.json()["leaf_index"]
        checked = CliRunner().invoke(
            verivote, ["receipt", "check", str(path), "--board", board.url]
        )
        verified = CliRunner().invoke(
            verivote, ["verify", board.url, "--receipt", str(path), "--jobs", "1", "--quiet"]
        )
    # The independent verifier catches the board that appended the audit anyway.
    assert verified.exit_code == 1, verified.output
    assert (
        f"check 5: entry {opened}: audit: a ciphertext was cast by the ballot in leaf {cast}"
        in (verified.output)
    )
    assert f"check 6: entry {cast}: ballot: the audit in leaf {opened} opens it" in verified.output
    assert (
        f"check 6: entry {real}: receipt: the ballot was replaced by the ballot in leaf {cast}, "
        f"which the voter only audited (the audit in leaf {opened} opened it)" in verified.output
    )
    assert checked.exit_code == 1, checked.output
    assert f"your ballot is on the board at leaf {real}, unchanged" in checked.output
    assert (
        f"your ballot was REPLACED by the ballot in leaf {cast}, which you only AUDITED (the "
        f"audit in leaf {opened} opened it)" in checked.output
    )
    assert "SUPERSEDED" not in checked.output


def test_the_credential_index_answers_as_the_full_fold_and_a_lying_head_is_caught(
    tmp_path: Path,
) -> None:
    """Spec §11.15 A member revotes: the first receipt's check through the board's credential
    index says SUPERSEDED as the full fold does; the index head it kept matches the log in
    `verify --index-head`; a head the board signed over an index that hides the revote fails."""
    start = NOMINATIONS_OPEN - 86_400_000
    db = f"sqlite:///{tmp_path / 'board.db'}"
    with (
        live_board(db, elections=(ELECTION,), now=start) as board,
        httpx.Client(timeout=60, base_url=board.url) as http,
    ):
        s, _log = _ready(http, board.clock, start)
        member = s.members[0]
        first, second = tmp_path / "first.json", tmp_path / "second.json"
        _cast_with_receipt(s, member, board.url, first)
        revote, _ = _cast_with_receipt(s, member, board.url, second)
        kept = tmp_path / "index-head.json"
        runner = CliRunner()
        indexed = runner.invoke(
            verivote, ["receipt", "check", str(first), "--keep-index", str(kept)]
        )
        full = runner.invoke(verivote, ["receipt", "check", str(first), "--full"])
        last = runner.invoke(verivote, ["receipt", "check", str(second)])
        size = int(http.get(f"/v1/elections/{ELECTION}/sth").json()["tree_size"])
        # the board signs an index that leaves the revote out
        leaves = [
            (i, http.get(f"/v1/elections/{ELECTION}/leaves/{i}").json()["leaf"])
            for i in range(size)
        ]
        hiding = CredentialIndex()
        for i, leaf in leaves:
            if i != revote:
                hiding.add_json(i, leaf)
        hiding.size = size
        sth = SignedTreeHead.from_json(http.get(f"/v1/elections/{ELECTION}/sth").json())
        forged = tmp_path / "forged-head.json"
        forged.write_bytes(sign_index_head(sth, hiding, BOARD_KEY).to_bytes())
        verified = runner.invoke(
            verivote, ["verify", board.url, "--index-head", str(kept), "--jobs", "1", "--quiet",
                       "--in-progress"],
        )  # fmt: skip
        lying = runner.invoke(
            verivote, ["verify", board.url, "--index-head", str(forged), "--jobs", "1", "--quiet",
                       "--in-progress"],
        )  # fmt: skip
    superseded = f"it is SUPERSEDED by a later ballot of your credential (leaf {revote})"
    assert indexed.exit_code == 0, indexed.output
    assert superseded in indexed.output
    assert f"read from the board's signed credential index at size {size}" in indexed.output
    assert full.exit_code == 0, full.output
    assert superseded in full.output
    assert "credential index" not in full.output
    assert last.exit_code == 0
    assert "it is your counted ballot (your last)" in last.output
    assert IndexHead.from_json(json.loads(kept.read_bytes())).sth.tree_size == size
    assert verified.exit_code == 0, verified.output
    assert f"the credential index head of size {size} matches the log" in verified.output
    assert lying.exit_code == 1, lying.output
    assert (
        f"check 1: the credential index head of size {size}: differs from the index recomputed "
        "from the log: the board hid or invented leaves of some credential" in lying.output
    )


def _folded_to(server: CredentialIndexServer, size: int) -> int:
    deadline = time.monotonic() + 60
    while server.folded(ELECTION) < size and time.monotonic() < deadline:
        time.sleep(0.01)  # polling the background fold, not synchronising on time
    return server.folded(ELECTION)


def test_a_board_folds_its_credential_index_before_the_first_question(tmp_path: Path) -> None:
    """A board started over a stored log folds each election's credential index in the
    background, so that the first member to ask does not wait for the whole log (some 20 s at
    126,000 leaves): the fold covers the log and answers as a fold made when asked; a log it
    cannot read is skipped, not fatal."""
    start = NOMINATIONS_OPEN - 86_400_000
    db = f"sqlite:///{tmp_path / 'board.db'}"
    with (
        live_board(db, elections=(ELECTION,), now=start) as board,
        httpx.Client(timeout=60, base_url=board.url) as http,
        closing(Storage.open(db, migrate=False)) as storage,
    ):
        s, _log = _ready(http, board.clock, start)
        for member in s.members[:3]:
            s.log.post(s.ballot(member), VOTING_OPEN + 1000)
        size = int(http.get(f"/v1/elections/{ELECTION}/sth").json()["tree_size"])
        reader = Board(storage, BOARD_KEY, named_rules("election"))  # a board started over it
        server = CredentialIndexServer(reader)
        assert server.folded(ELECTION) == 0
        server.start_warming(lambda: ["not-an-election", ELECTION], chunk=4)
        try:
            assert _folded_to(server, size) == size > 4
        finally:
            server.stop_warming()
        credential = s.members[2].key.public.to_bytes()
        assert server.answer(ELECTION, credential) == CredentialIndexServer(reader).answer(
            ELECTION, credential
        )
