"""The verifier over HTTP: a real board served by uvicorn, the built election posted to it
entry by entry on a simulated clock, then verified from its URL, with receipts and a kept tree
head (monitor mode)."""

from __future__ import annotations

import httpx

from tests.election.board_log import JSON
from tests.election.live_board import live_board
from tests.election.scenario import ELECTION
from tests.verifier.election import Built
from verifier import verify_source


def test_a_live_board_verifies_with_receipts_and_a_kept_tree_head(
    built: Built, db_url: str
) -> None:
    with live_board(db_url, elections=(ELECTION,), now=built.leaves[0][1]) as board:
        log = f"{board.url}/v1/elections/{ELECTION}"
        receipts: dict[int, bytes] = {}
        kept = b""
        with httpx.Client() as client:
            for raw, received in built.leaves[1:]:
                board.clock.now = received
                response = client.post(f"{log}/entries", content=raw, headers=JSON)
                assert response.status_code == 201, response.text
                receipts[response.json()["leaf_index"]] = response.content
                if len(receipts) == 30:
                    kept = client.get(f"{log}/sth").content
        counted = verify_source(log, jobs=1, receipt=receipts[49], since=kept)
        assert list(counted.findings()) == []
        assert counted.passed
        assert "receipt: the ballot in leaf 49 is in the log, counted" in counted.notes
        revoted = verify_source(board.url, jobs=2, receipt=receipts[48])
        assert revoted.passed
        assert any("replaced by the revote in leaf 52" in note for note in revoted.notes)


def test_a_receipt_the_log_contradicts_fails(built: Built, db_url: str) -> None:
    with live_board(db_url, elections=(ELECTION,), now=built.leaves[0][1]) as board:
        log = f"{board.url}/v1/elections/{ELECTION}"
        receipts: dict[int, bytes] = {}
        with httpx.Client() as client:
            for raw, received in built.leaves[1:51]:
                board.clock.now = received
                response = client.post(f"{log}/entries", content=raw, headers=JSON)
                receipts[response.json()["leaf_index"]] = response.content
        # The receipt names leaf 49 but the log holds another entry there: shift its index.
        receipt = receipts[49].replace(b'"leaf_index":49', b'"leaf_index":50')
        report = verify_source(log, jobs=1, receipt=receipt)
        assert not report.passed
        assert any(f.check == 1 and "receipt" in f.message for f in report.findings())
