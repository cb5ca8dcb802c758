"""Spec §9 Merkle proofs against a naive oracle written from RFC 9162 §2.1's definitions.

The oracle (``mth``, ``path``, ``proof``) is the RFC's recursive text, transcribed; the code
under test generates proofs from stored complete subtrees and verifies them with the RFC's
iterative algorithms. Every size up to 64 and every index / old size is compared, then random
larger trees; then named mutations of valid proofs must all fail.
"""

from __future__ import annotations

import hashlib
import random

import pytest

from crypto.errors import InclusionProofMismatch, InconsistentLog, MalformedInput
from crypto.merkle import (
    EMPTY_ROOT,
    Frontier,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    reader_from_mapping,
    root_from_leaf_hashes,
    root_hash,
    subtree_nodes,
    verify_consistency,
    verify_inclusion,
)

# --- the oracle: RFC 9162 §2.1.1, §2.1.3.1, §2.1.4.1 -----------------------------------------


def _k(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(d: list[bytes]) -> bytes:
    if not d:
        return hashlib.sha256(b"").digest()
    if len(d) == 1:
        return hashlib.sha256(b"\x00" + d[0]).digest()
    k = _k(len(d))
    return hashlib.sha256(b"\x01" + mth(d[:k]) + mth(d[k:])).digest()


def path(m: int, d: list[bytes]) -> list[bytes]:
    if len(d) == 1:
        return []
    k = _k(len(d))
    if m < k:
        return [*path(m, d[:k]), mth(d[k:])]
    return [*path(m - k, d[k:]), mth(d[:k])]


def subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    if m == len(d):
        return [] if b else [mth(d)]
    k = _k(len(d))
    if m <= k:
        return [*subproof(m, d[:k], b), mth(d[k:])]
    return [*subproof(m - k, d[k:], False), mth(d[:k])]


def proof(m: int, d: list[bytes]) -> list[bytes]:
    if m in (0, len(d)):
        return []
    return subproof(m, d, True)


# --- a log built with Frontier.append, stored as a table of complete subtrees ---------------


def _data(n: int, seed: int = 0) -> list[bytes]:
    return [f"leaf {seed} {i}".encode() for i in range(n)]


def _store(data: list[bytes]) -> tuple[dict[tuple[int, int], bytes], list[Frontier]]:
    table: dict[tuple[int, int], bytes] = {}
    frontiers = [Frontier.empty()]
    for d in data:
        f, created = frontiers[-1].append(leaf_hash(d))
        for level, index, h in created:
            assert (level, index) not in table
            table[(level, index)] = h
        frontiers.append(f)
    return table, frontiers


MAX = 64
DATA = _data(2 * MAX)
TABLE, FRONTIERS = _store(DATA)
READER = reader_from_mapping(TABLE)


def test_hash_definitions() -> None:
    assert leaf_hash(b"x") == hashlib.sha256(b"\x00x").digest()
    a, b = b"a" * 32, b"b" * 32
    assert node_hash(a, b) == hashlib.sha256(b"\x01" + a + b).digest()
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert root_from_leaf_hashes([]) == EMPTY_ROOT


@pytest.mark.parametrize("size", range(MAX + 1))
def test_roots_match_oracle(size: int) -> None:
    expected = mth(DATA[:size])
    assert FRONTIERS[size].root() == expected
    assert root_hash(size, READER) == expected
    assert root_from_leaf_hashes([leaf_hash(d) for d in DATA[:size]]) == expected
    assert Frontier.from_reader(size, READER) == FRONTIERS[size]


@pytest.mark.parametrize("size", range(1, MAX + 1))
def test_inclusion_every_index(size: int) -> None:
    root = mth(DATA[:size])
    for index in range(size):
        expected = path(index, DATA[:size])
        got = inclusion_proof(index, size, READER)
        assert got == expected, (index, size)
        verify_inclusion(
            leaf_hash=leaf_hash(DATA[index]), index=index, tree_size=size, proof=got, root=root
        )


@pytest.mark.parametrize("new", range(MAX + 1))
def test_consistency_every_old_size(new: int) -> None:
    new_root = mth(DATA[:new])
    for old in range(new + 1):
        expected = proof(old, DATA[:new])
        got = consistency_proof(old, new, READER)
        assert got == expected, (old, new)
        verify_consistency(
            old_size=old, new_size=new, old_root=mth(DATA[:old]), new_root=new_root, proof=got
        )


def test_random_larger_trees() -> None:
    rng = random.Random(9162)
    for _ in range(4):
        size = rng.randrange(65, 3000)
        data = _data(size, seed=size)
        table, frontiers = _store(data)
        reader = reader_from_mapping(table)
        hashes = [leaf_hash(d) for d in data]
        for _ in range(20):
            n = rng.randrange(1, size + 1)
            m = rng.randrange(0, n + 1)
            i = rng.randrange(0, n)
            root_n = root_from_leaf_hashes(hashes[:n])
            assert frontiers[n].root() == root_n
            p = inclusion_proof(i, n, reader)
            assert p == path(i, data[:n])
            verify_inclusion(leaf_hash=hashes[i], index=i, tree_size=n, proof=p, root=root_n)
            c = consistency_proof(m, n, reader)
            assert c == proof(m, data[:n])
            verify_consistency(
                old_size=m,
                new_size=n,
                old_root=root_from_leaf_hashes(hashes[:m]),
                new_root=root_n,
                proof=c,
            )


def test_subtree_nodes() -> None:
    assert subtree_nodes(0, 8) == [(3, 0)]
    assert subtree_nodes(0, 7) == [(2, 0), (1, 2), (0, 6)]
    assert subtree_nodes(8, 13) == [(2, 2), (0, 12)]
    with pytest.raises(MalformedInput, match=r"empty or negative range \[3, 3\)"):
        subtree_nodes(3, 3)


def test_reader_missing_node_is_an_error() -> None:
    with pytest.raises(MalformedInput, match=r"no stored hash for node \(3, 24\)"):
        inclusion_proof(0, 200, READER)
    with pytest.raises(MalformedInput, match="leaf index 5 is not in a tree of size 5"):
        inclusion_proof(5, 5, READER)
    with pytest.raises(MalformedInput, match="no consistency proof from size 6 to 5"):
        consistency_proof(6, 5, READER)


# --- named mutations -------------------------------------------------------------------------

SOME = hashlib.sha256(b"some hash").digest()


def _flip(p: list[bytes], i: int) -> list[bytes]:
    return [bytes([h[0] ^ 1]) + h[1:] if j == i else h for j, h in enumerate(p)]


# Size mutations come with the root of a tree of that size: a tree head for another size.
INCLUSION_MUTATIONS = [
    "bit-flip",
    "truncated",
    "extra-hash",
    "preceding-hash",
    "index-plus-1",
    "index-minus-1",
    "index-xor-2",
    "size-minus-1",
    "size-plus-1",
    "size-times-2",
    "wrong-leaf",
    "wrong-root",
    "empty-root",
    "short-hash",
]


@pytest.mark.parametrize("mutation", INCLUSION_MUTATIONS)
@pytest.mark.parametrize(("index", "size"), [(0, 2), (5, 8), (6, 7), (12, 13), (0, 64), (40, 45)])
def test_tampered_inclusion_proofs_fail(mutation: str, index: int, size: int) -> None:
    p = inclusion_proof(index, size, READER)
    leaf, root, i, n = leaf_hash(DATA[index]), mth(DATA[:size]), index, size
    if mutation == "bit-flip":
        p = _flip(p, len(p) // 2)
    elif mutation == "truncated":
        p = p[:-1]
    elif mutation == "extra-hash":
        p = [*p, SOME]
    elif mutation == "preceding-hash":
        p = [SOME, *p]
    elif mutation == "index-plus-1":
        i += 1
    elif mutation == "index-minus-1":
        i -= 1
    elif mutation == "index-xor-2":
        i ^= 2
    elif mutation == "size-minus-1":
        n -= 1
        root = mth(DATA[:n])
    elif mutation == "size-plus-1":
        n += 1
        root = mth(DATA[:n])
    elif mutation == "size-times-2":
        n *= 2
        root = mth(DATA[:n])
    elif mutation == "wrong-leaf":
        leaf = leaf_hash(b"another leaf")
    elif mutation == "wrong-root":
        root = SOME
    elif mutation == "empty-root":
        root = EMPTY_ROOT
    elif mutation == "short-hash":
        p = [*p[:-1], p[-1][:31]]
    reason = _inclusion_refusal(i, n, p)
    error = InclusionProofMismatch if reason.endswith("expected root") else MalformedInput
    with pytest.raises(error, match=reason):
        verify_inclusion(leaf_hash=leaf, index=i, tree_size=n, proof=p, root=root)


def _inclusion_refusal(index: int, size: int, p: list[bytes]) -> str:
    """The check a mutated inclusion proof fails, predicted from the oracle's path length:
    the index's range, a hash's length, the proof's length, else the root it leads to."""
    if not 0 <= index < size:
        return f"leaf index {index} is not in a tree of size {size}"
    if any(len(h) != 32 for h in p):
        return "proof hash [0-9]+ is 31 bytes, not 32"
    expected = len(path(index, DATA[:size]))
    if len(p) != expected:
        too = "long" if len(p) > expected else "short"
        return f"inclusion proof too {too} for leaf {index} of tree size {size}$"
    return f"leaf {index} of tree size {size}: expected root"


def test_inclusion_mismatch_carries_both_roots() -> None:
    p = inclusion_proof(3, 9, READER)
    with pytest.raises(InclusionProofMismatch) as info:
        verify_inclusion(leaf_hash=leaf_hash(DATA[3]), index=3, tree_size=9, proof=p, root=SOME)
    assert info.value.expected == SOME
    assert info.value.calculated == mth(DATA[:9])


CONSISTENCY_MUTATIONS = [
    "bit-flip",
    "truncated",
    "extra-hash",
    "preceding-old-root",
    "empty-proof",
    "old-size-minus-1",
    "old-size-plus-1",
    "new-size-minus-1",
    "new-size-times-2",
    "wrong-old-root",
    "wrong-new-root",
    "swapped-roots",
    "sizes-swapped",
]


@pytest.mark.parametrize("mutation", CONSISTENCY_MUTATIONS)
@pytest.mark.parametrize(("old", "new"), [(1, 8), (6, 8), (2, 5), (6, 7), (13, 64), (32, 45)])
def test_tampered_consistency_proofs_fail(mutation: str, old: int, new: int) -> None:
    p = consistency_proof(old, new, READER)
    m, n, r1, r2 = old, new, mth(DATA[:old]), mth(DATA[:new])
    if mutation == "bit-flip":
        p = _flip(p, len(p) // 2)
    elif mutation == "truncated":
        p = p[:-1]
    elif mutation == "extra-hash":
        p = [*p, SOME]
    elif mutation == "preceding-old-root":
        p = [r1, *p]
    elif mutation == "empty-proof":
        p = []
    elif mutation == "old-size-minus-1":
        m -= 1
        r1 = mth(DATA[:m])
    elif mutation == "old-size-plus-1":
        m += 1
        r1 = mth(DATA[:m])
    elif mutation == "new-size-minus-1":
        n -= 1
        r2 = mth(DATA[:n])
    elif mutation == "new-size-times-2":
        n *= 2
        r2 = mth(DATA[:n])
    elif mutation == "wrong-old-root":
        r1 = SOME
    elif mutation == "wrong-new-root":
        r2 = SOME
    elif mutation == "swapped-roots":
        r1, r2 = r2, r1
    elif mutation == "sizes-swapped":
        m, n = n, m
    with pytest.raises(InconsistentLog, match=_consistency_refusal(m, n, p)):
        verify_consistency(old_size=m, new_size=n, old_root=r1, new_root=r2, proof=p)


def _consistency_refusal(old: int, new: int, p: list[bytes]) -> str:
    """The check a mutated consistency proof fails, predicted from the sizes and the oracle's
    proof length; a proof of the right length fails on a root it does not reproduce."""
    if new < old:
        return f"tree size went down from {old} to {new}"
    if old == new:
        return "consistency proof between equal sizes must be empty"
    if old == 0:
        return "consistency proof from the empty tree must be empty"
    if not p:
        return f"empty consistency proof from size {old} to {new}"
    expected = len(proof(old, DATA[:new]))
    if len(p) != expected:
        too = "long" if len(p) > expected else "short"
        return rf"consistency proof too {too} \({old} to {new}\)"
    return "consistency proof gives (old|new) root"


def test_consistency_edge_cases() -> None:
    r = mth(DATA[:5])
    verify_consistency(old_size=0, new_size=5, old_root=EMPTY_ROOT, new_root=r, proof=[])
    verify_consistency(old_size=5, new_size=5, old_root=r, new_root=r, proof=[])
    with pytest.raises(InconsistentLog, match="two different roots for tree size 5"):
        verify_consistency(old_size=5, new_size=5, old_root=r, new_root=SOME, proof=[])
    with pytest.raises(InconsistentLog, match="between equal sizes must be empty"):
        verify_consistency(old_size=5, new_size=5, old_root=r, new_root=r, proof=[SOME])
    with pytest.raises(InconsistentLog, match="from the empty tree must be empty"):
        verify_consistency(old_size=0, new_size=5, old_root=EMPTY_ROOT, new_root=r, proof=[SOME])
    with pytest.raises(MalformedInput, match="tree size out of range: -1"):
        verify_consistency(old_size=-1, new_size=5, old_root=r, new_root=r, proof=[])


def test_frontier_append_lists_created_nodes() -> None:
    f = FRONTIERS[7]
    f8, created = f.append(leaf_hash(DATA[7]))
    assert [(lv, ix) for lv, ix, _ in created] == [(0, 7), (1, 3), (2, 1), (3, 0)]
    assert f8.nodes == ((3, 0, mth(DATA[:8])),)
    with pytest.raises(MalformedInput, match="leaf hash must be 32 bytes, got 5"):
        f.append(b"short")
