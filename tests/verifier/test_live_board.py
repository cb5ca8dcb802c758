"""The verifier over HTTP: a real board served by uvicorn, the built election posted to it
entry by entry on a simulated clock, then verified from its URL, with receipts and a kept tree
head (monitor mode)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx
import pytest

from crypto import canonical
from tests.election.board_log import JSON
from tests.election.live_board import live_board
from tests.election.scenario import ELECTION
from tests.jsondoc import json_object
from tests.verifier.election import Built, entry_of, export_bytes
from verifier import UnreadableInput, verify_source


def test_a_live_board_verifies_with_receipts_and_a_kept_tree_head(
    built: Built, db_url: str
) -> None:
    with live_board(db_url, elections=(ELECTION,), now=built.leaves[0][1]) as board:
        log = f"{board.url}/v1/elections/{ELECTION}"
        receipts: dict[int, bytes] = {}
        kept = b""
        with httpx.Client(timeout=60) as client:
            for raw, received in built.leaves[1:]:
                board.clock.now = received
                response = client.post(f"{log}/entries", content=raw, headers=JSON)
                assert response.status_code == 201, response.text
                receipts[response.json()["leaf_index"]] = response.content
                if len(receipts) == 30:
                    kept = client.get(f"{log}/sth").content
        counted = verify_source(log, jobs=1, receipt=receipts[49], since=kept)
        assert list(counted.findings()) == []
        assert counted.outcome == "result-verified"
        assert "receipt: the ballot in leaf 49 is in the log, counted" in counted.notes
        # The receipt file `verivote cast` saves (§11.13) wraps the board's receipt.
        inner = json_object(receipts[48])
        entry = canonical.encode(inner["leaf"]["entry"])
        saved: dict[str, canonical.JsonValue] = {
            "format": "verivote-receipt",
            "version": 1,
            "board": board.url,
            "election": ELECTION,
            "tracker": hashlib.sha256(entry).hexdigest(),
            "receipt": inner,
        }
        revoted = verify_source(board.url, jobs=2, receipt=canonical.encode(saved))
        assert revoted.passed
        assert any("replaced by the revote in leaf 52" in note for note in revoted.notes)


def test_a_receipt_the_log_contradicts_fails(built: Built, db_url: str) -> None:
    with live_board(db_url, elections=(ELECTION,), now=built.leaves[0][1]) as board:
        log = f"{board.url}/v1/elections/{ELECTION}"
        receipts: dict[int, bytes] = {}
        with httpx.Client(timeout=60) as client:
            for raw, received in built.leaves[1:51]:
                board.clock.now = received
                response = client.post(f"{log}/entries", content=raw, headers=JSON)
                receipts[response.json()["leaf_index"]] = response.content
        # The receipt names leaf 49 but the log holds another entry there: shift its index.
        receipt = receipts[49].replace(b'"leaf_index":49', b'"leaf_index":50')
        report = verify_source(log, jobs=1, receipt=receipt)
        assert not report.passed
        assert any(f.check == 1 and "receipt" in f.message for f in report.findings())


def test_a_receipt_file_whose_tracker_is_not_its_ballot_is_unreadable(
    built: Built, tmp_path: Path
) -> None:
    export = tmp_path / "export.jsonl"
    export.write_bytes(export_bytes(built.leaves))
    with pytest.raises(UnreadableInput, match="tracker"):
        verify_source(
            str(export),
            jobs=1,
            receipt=canonical.encode(
                {
                    "format": "verivote-receipt",
                    "version": 1,
                    "board": "http://127.0.0.1:1",
                    "election": ELECTION,
                    "tracker": "00" * 32,
                    "receipt": {"leaf": {"entry": entry_of(built.leaves[49][0])}},
                }
            ),
        )
