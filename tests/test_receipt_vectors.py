"""Spec §11.13 known answers: tests/vectors/receipts/receipts.json, with bulletin_board/wire.py
and crypto/merkle.py (steps 1-4 of the receipt check).

The booth's JavaScript checks the same file (booth/tests/vectors.test.mjs)."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from bulletin_board.wire import ED25519, ED25519_ROLES, Receipt, SignatureScheme, SignedTreeHead
from crypto import canonical
from crypto.errors import (
    InclusionProofMismatch,
    InconsistentLog,
    InvalidSignature,
    MalformedInput,
    NonCanonicalEncoding,
    VerivoteError,
)
from crypto.merkle import root_from_leaf_hashes, verify_consistency, verify_inclusion
from election.wire import BALLOT, CredentialScheme, parse_receipt_file
from tests.vectors import load

VECTOR = load("receipts/receipts")
SCHEMES: dict[str, SignatureScheme] = {
    **dict.fromkeys(ED25519_ROLES, ED25519),
    "voter": CredentialScheme(bytes.fromhex(VECTOR["fingerprint"])),
}
ERRORS: dict[str, type[VerivoteError]] = {
    "malformed": MalformedInput,
    "non_canonical": NonCanonicalEncoding,
    "invalid_signature": InvalidSignature,
    "inclusion_mismatch": InclusionProofMismatch,
}


def read_file(text: str) -> Receipt:
    """Step 1 of §11.13, as cli/receipt.py reads the file (without a board): the file
    (election.wire), the receipt's signatures and inclusion proof, then the tracker."""
    document = parse_receipt_file(text.encode())
    receipt = Receipt.from_json(dict(document.receipt), SCHEMES)
    if receipt.leaf.entry.type != BALLOT:
        raise MalformedInput("the receipt is not for a ballot")
    document.check_tracker()
    return receipt


def test_log_and_receipt_file() -> None:
    leaf_hashes = [bytes.fromhex(h) for h in VECTOR["leaf_hashes"]]
    for raw, h in zip(VECTOR["leaves"], leaf_hashes, strict=True):
        assert hashlib.sha256(b"\x00" + raw.encode()).digest() == h
    receipt = read_file(VECTOR["receipt_file"])
    assert receipt.leaf.entry.raw == VECTOR["entry"].encode()
    assert receipt.sth.root_hash == root_from_leaf_hashes(leaf_hashes[: receipt.sth.tree_size])
    assert receipt.sth.board_key.hex() == VECTOR["board_key"]
    assert VECTOR["receipt_file"].endswith("\n")
    assert canonical.encode(canonical.decode(VECTOR["receipt_file"].encode().strip())) + b"\n" == (
        VECTOR["receipt_file"].encode()
    )


@pytest.mark.parametrize("case", VECTOR["offline"], ids=lambda c: c["reason"])
def test_tampered_file(case: dict[str, Any]) -> None:
    with pytest.raises(ERRORS[case["error"]]) as caught:
        read_file(case["receipt_file"])
    if case["error"] == "malformed":
        assert not isinstance(caught.value, InvalidSignature | InclusionProofMismatch)


@pytest.mark.parametrize("case", VECTOR["framing"], ids=lambda c: c["reason"])
def test_file_framing(case: dict[str, Any]) -> None:
    """Spec §11.13 and §4.2 (a file a person handles, issue 15 item 7): any one JSON text of the
    file is read, pretty-printed or reordered, a byte-order mark first; its signatures and
    tracker hold over the canonical encodings. What is not one JSON text is malformed."""
    if case["error"] == "none":
        receipt = read_file(case["receipt_file"])
        assert receipt.leaf.entry.raw == VECTOR["entry"].encode()
        assert receipt.to_bytes() == read_file(VECTOR["receipt_file"]).to_bytes()
        return
    with pytest.raises(ERRORS[case["error"]]) as caught:
        read_file(case["receipt_file"])
    assert type(caught.value) is MalformedInput, caught.value


@pytest.mark.parametrize("case", VECTOR["board"], ids=lambda c: c["reason"])
def test_board_state(case: dict[str, Any]) -> None:
    receipt = read_file(VECTOR["receipt_file"])
    current = SignedTreeHead.from_json(case["current_sth"])
    key = bytes.fromhex(case["board_key"])

    def check() -> None:
        # Step 2: the receipt's tree head is signed by the board's key (leaf 0's).
        if receipt.sth.board_key != key or current.board_key != key:
            raise MalformedInput("receipt's tree head is signed by another board key")
        # §10.2 A log is a rehearsal's or not for its whole life.
        if current.rehearsal != receipt.sth.rehearsal:
            raise InconsistentLog("the tree heads disagree on whether this is a rehearsal")
        # Steps 3 and 4.
        verify_consistency(
            old_size=receipt.sth.tree_size,
            new_size=current.tree_size,
            old_root=receipt.sth.root_hash,
            new_root=current.root_hash,
            proof=[bytes.fromhex(h) for h in case["consistency_proof"]],
        )
        verify_inclusion(
            leaf_hash=receipt.leaf.hash,
            index=receipt.leaf.index,
            tree_size=current.tree_size,
            proof=[bytes.fromhex(h) for h in case["inclusion_proof"]],
            root=current.root_hash,
        )

    if case["error"] == "none":
        check()
    elif case["error"] == "malformed":
        with pytest.raises(MalformedInput, match="another board key"):
            check()
    else:
        with pytest.raises(
            (InconsistentLog, InclusionProofMismatch), match=BOARD_REFUSALS[case["reason"]]
        ):
            check()


# The check of §11.13 that refuses each board state, by the vector's reason.
BOARD_REFUSALS = {
    "a fork that dropped the ballot": "consistency proof gives old root",
    "the log shrank": "tree size went down from 6 to 5",
    "a consistency proof for another tree": r"consistency proof too long \(6 to 9\)",
    "an inclusion proof of another leaf": "leaf 4 of tree size 9: expected root",
    "a tree head that says rehearsal where the receipt's does not (§10.2)": (
        "disagree on whether this is a rehearsal"
    ),
}
