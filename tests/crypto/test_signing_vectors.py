"""Spec §8.1, §10.1, §10.2 known answers: tests/vectors/signing/ed25519.json, with PyNaCl.

The booth's JavaScript checks the same file (booth/tests/vectors.test.mjs)."""

from __future__ import annotations

from typing import Any

import pytest

from bulletin_board.wire import (
    ED25519,
    ED25519_ROLES,
    BoardKeyPayload,
    SignedTreeHead,
    parse_entry,
)
from crypto import canonical
from crypto.errors import InvalidSignature
from crypto.hashing import Dst, encode_parts
from crypto.signing import VerifyKey
from tests.vectors import load

VECTOR = load("signing/ed25519")
SCHEMES = dict.fromkeys(ED25519_ROLES, ED25519)


@pytest.mark.parametrize("case", VECTOR["signatures"], ids=lambda c: c["reason"])
def test_role_signature(case: dict[str, Any]) -> None:
    purpose, message = case["purpose"].encode(), bytes.fromhex(case["message"])
    assert encode_parts(Dst.ED25519, purpose, message).hex() == case["signed_bytes"]
    key = VerifyKey(bytes.fromhex(case["public_key"]))
    signature = bytes.fromhex(case["signature"])
    if case["valid"]:
        key.verify(purpose, message, signature)
    else:
        with pytest.raises(InvalidSignature, match="does not verify"):
            key.verify(purpose, message, signature)


@pytest.mark.parametrize("case", VECTOR["entries"], ids=lambda c: c["reason"])
def test_entry(case: dict[str, Any]) -> None:
    raw = case["raw"].encode()
    if case["valid"]:
        assert parse_entry(raw, SCHEMES).raw == raw
    else:
        with pytest.raises(InvalidSignature, match="does not verify"):
            parse_entry(raw, SCHEMES)


@pytest.mark.parametrize("case", VECTOR["tree_heads"], ids=lambda c: c["reason"])
def test_tree_head(case: dict[str, Any]) -> None:
    raw = case["raw"].encode()
    if case["valid"]:
        head = SignedTreeHead.from_json(canonical.decode(raw))
        assert head.to_bytes() == raw
        assert head.rehearsal == ("rehearsal" in case["reason"])
    else:
        with pytest.raises(InvalidSignature, match="does not verify"):
            SignedTreeHead.from_json(canonical.decode(raw))


def test_leaf_zero_payload() -> None:
    """Spec §10.1 The board-key entry's payload: its key (the author's) and the rehearsal flag."""
    entry = parse_entry(VECTOR["entries"][0]["raw"].encode(), SCHEMES)
    assert BoardKeyPayload.of(entry) == BoardKeyPayload(entry.key, rehearsal=False)
