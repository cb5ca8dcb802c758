"""Spec §9 Merkle hashing and proofs against the RFC 6962 reference vectors (see README)."""

from __future__ import annotations

from typing import Any

import pytest

from crypto.errors import InclusionProofMismatch, InconsistentLog, MalformedInput
from crypto.merkle import (
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    reader_from_mapping,
    root_from_leaf_hashes,
    verify_consistency,
    verify_inclusion,
)
from tests.vectors import load

DOC = load("merkle/rfc6962_reference")
LEAF_HASHES = [leaf_hash(bytes.fromhex(d)) for d in DOC["leaves"]]
ROOTS = {r["size"]: bytes.fromhex(r["root"]) for r in DOC["roots"]}


def _nodes() -> dict[tuple[int, int], bytes]:
    table = {(0, i): h for i, h in enumerate(LEAF_HASHES)}
    level = 0
    while any(k[0] == level for k in table):
        row = sorted(k[1] for k in table if k[0] == level)
        for i in row:
            if i % 2 == 0 and (level, i + 1) in table:
                table[(level + 1, i // 2)] = node_hash(table[(level, i)], table[(level, i + 1)])
        level += 1
    return table


READER = reader_from_mapping(_nodes())


@pytest.mark.parametrize("size", sorted(ROOTS))
def test_roots(size: int) -> None:
    assert root_from_leaf_hashes(LEAF_HASHES[:size]) == ROOTS[size]


@pytest.mark.parametrize("case", DOC["inclusion"], ids=lambda c: f"{c['index']}-{c['tree_size']}")
def test_inclusion_vectors(case: dict[str, Any]) -> None:
    proof = [bytes.fromhex(h) for h in case["proof"]]
    index, size = case["index"], case["tree_size"]
    verify_inclusion(
        leaf_hash=LEAF_HASHES[index], index=index, tree_size=size, proof=proof, root=ROOTS[size]
    )
    assert inclusion_proof(index, size, READER) == proof


@pytest.mark.parametrize(
    "case", DOC["consistency"], ids=lambda c: f"{c['old_size']}-{c['new_size']}"
)
def test_consistency_vectors(case: dict[str, Any]) -> None:
    proof = [bytes.fromhex(h) for h in case["proof"]]
    old, new = case["old_size"], case["new_size"]
    verify_consistency(
        old_size=old, new_size=new, old_root=ROOTS[old], new_root=ROOTS[new], proof=proof
    )
    assert consistency_proof(old, new, READER) == proof


def test_vector_mutations_fail() -> None:
    """Each vector, corrupted: a bit flip in each hash, truncation, or an extra hash; each
    refused by its check (the proof's length, or the root it leads to)."""
    for case in DOC["inclusion"]:
        proof = [bytes.fromhex(h) for h in case["proof"]]
        index, size = case["index"], case["tree_size"]
        too_short = (MalformedInput, "inclusion proof too short", proof[:-1])
        too_long = (MalformedInput, "inclusion proof too long", [*proof, ROOTS[size]])
        variants: list[tuple[type[Exception], str, list[bytes]]]
        variants = [too_short, too_long] if proof else [too_long]
        variants += [
            (
                InclusionProofMismatch,
                f"leaf {index} of tree size {size}: expected root",
                [bytes([h[0] ^ 8]) + h[1:] if j == i else h for j, h in enumerate(proof)],
            )
            for i in range(len(proof))
        ]
        for error, reason, bad in variants:
            with pytest.raises(error, match=reason):
                verify_inclusion(
                    leaf_hash=LEAF_HASHES[index],
                    index=index,
                    tree_size=size,
                    proof=bad,
                    root=ROOTS[size],
                )
    for case in DOC["consistency"]:
        proof = [bytes.fromhex(h) for h in case["proof"]]
        old, new = case["old_size"], case["new_size"]
        if not proof:
            continue
        shorter = "empty consistency proof" if len(proof) == 1 else "consistency proof too short"
        cases = [
            (shorter, proof[:-1]),
            ("consistency proof too long", [*proof, ROOTS[new]]),
            ("consistency proof too long", [ROOTS[old], *proof]),
        ]
        cases += [
            (
                "consistency proof gives (old|new) root",
                [bytes([h[0] ^ 16]) + h[1:] if j == i else h for j, h in enumerate(proof)],
            )
            for i in range(len(proof))
        ]
        for reason, bad in cases:
            with pytest.raises(InconsistentLog, match=reason):
                verify_consistency(
                    old_size=old, new_size=new, old_root=ROOTS[old], new_root=ROOTS[new], proof=bad
                )
