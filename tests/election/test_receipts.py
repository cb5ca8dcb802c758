"""Spec §11.13 A member's receipt, checked with ``verivote receipt check`` against live boards:
it holds on the board that issued it, and it catches a board (same key) whose history differs
from the one the receipt saw, e.g. one that dropped the member's ballot."""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx
from click.testing import CliRunner

from bulletin_board.wire import Receipt
from cli.main import verivote
from cli.receipt import write_receipt
from election.wire import election_schemes, parse_receipt_file
from tests.election.board_log import JSON, BoardLog
from tests.election.live_board import live_board
from tests.election.scenario import DEFINITION, ELECTION, NOMINATIONS_OPEN, VOTING_OPEN, Scenario


def test_a_receipt_holds_on_its_board_and_catches_a_forked_history(tmp_path: Path) -> None:
    start = NOMINATIONS_OPEN - 86_400_000
    a_db, b_db = f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'b.db'}"
    with (
        live_board(a_db, elections=(ELECTION,), now=start) as a,
        live_board(b_db, elections=(ELECTION,), now=start) as b,
        httpx.Client(base_url=a.url) as http_a,
        httpx.Client(base_url=b.url) as http_b,
    ):
        log = BoardLog(client=http_a, clock=a.clock)
        log.entries[0] = (None, start)
        s = Scenario(log=log)
        s.ready()
        member = s.members[0]
        index = log.post(s.ballot(member), VOTING_OPEN + 1000)
        receipt = Receipt.from_json(log.receipts[-1], election_schemes(DEFINITION.fingerprint))
        path = tmp_path / "receipt.json"
        write_receipt(path, board=a.url, receipt=receipt)
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
