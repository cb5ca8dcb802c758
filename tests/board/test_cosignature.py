"""Spec §10.5 Cosignatures: the known answer of tests/vectors/cosignatures, round trips, and
every named mutation refused for its reason."""

from __future__ import annotations

from typing import Any

import pytest

from bulletin_board.cosignature import Cosignature, sign_cosignature
from bulletin_board.wire import SignedTreeHead, sign_tree_head
from crypto.errors import MalformedInput, VerificationFailed
from tests.vectors import load
from tests.vectors.cosignatures.generate import BOARD, WITNESS

VECTORS = load("cosignatures/cosignatures")
REFUSED: dict[str, dict[str, Any]] = {case["name"]: case for case in VECTORS["refused"]}


def _head() -> SignedTreeHead:
    return SignedTreeHead.from_bytes(VECTORS["tree_head"].encode())


def test_the_known_cosignature_verifies_and_matches_its_head() -> None:
    cosignature = Cosignature.from_bytes(VECTORS["cosignature"].encode())
    assert cosignature.witness.hex() == VECTORS["witness_key"]
    assert cosignature.matches(_head())
    assert cosignature.to_bytes() == VECTORS["cosignature"].encode()


def test_signing_is_deterministic_and_round_trips() -> None:
    head = _head()
    cosignature = Cosignature.from_bytes(VECTORS["cosignature"].encode())
    again = sign_cosignature(head, cosigned=cosignature.cosigned, key=WITNESS)
    assert again.to_bytes() == VECTORS["cosignature"].encode()


@pytest.mark.parametrize("name", REFUSED)
def test_mutations_are_refused_for_their_reason(name: str) -> None:
    case = REFUSED[name]
    with pytest.raises((MalformedInput, VerificationFailed), match=case["reason"]):
        Cosignature.from_bytes(case["bytes"].encode())


def test_a_cosignature_matches_only_its_own_head() -> None:
    head = _head()
    cosignature = Cosignature.from_bytes(VECTORS["cosignature"].encode())
    for other in (
        sign_tree_head(election=head.election, tree_size=head.tree_size + 1,
                       root_hash=head.root_hash, timestamp=head.timestamp, rehearsal=False,
                       key=BOARD),
        sign_tree_head(election=head.election, tree_size=head.tree_size, root_hash=b"\x00" * 32,
                       timestamp=head.timestamp, rehearsal=False, key=BOARD),
        sign_tree_head(election="other", tree_size=head.tree_size, root_hash=head.root_hash,
                       timestamp=head.timestamp, rehearsal=False, key=BOARD),
    ):  # fmt: skip
        assert not cosignature.matches(other)


def test_a_witness_cannot_cosign_before_the_head() -> None:
    head = _head()
    with pytest.raises(MalformedInput, match="cosigned before the tree head's timestamp"):
        sign_cosignature(head, cosigned=head.timestamp - 1, key=WITNESS)
