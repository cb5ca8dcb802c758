"""Spec §9 Merkle tree hashing and proofs (RFC 9162 section 2.1), pure and storage-agnostic.

Hashes (Spec §9.1): ``leaf_hash(d) = SHA-256(0x00 || d)``,
``node_hash(l, r) = SHA-256(0x01 || l || r)``, and the root of the empty tree is ``SHA-256()``.

Verification (``verify_inclusion``, ``verify_consistency``) follows RFC 9162 sections
2.1.3.2 and 2.1.4.2 step by step. Generation (``inclusion_proof``, ``consistency_proof``,
``root_hash``) is expressed over a ``HashReader`` (like tlog's): a callable that, given the
coordinates of complete subtrees, returns their stored hashes. A subtree at
``(level, index)`` covers leaves ``[index·2^level, (index+1)·2^level)``. Every hash a proof
needs is one stored complete subtree, or the hash of an incomplete right edge folded from at
most log2(n) of them, so a proof over a log of n leaves reads O(log n) stored hashes in one
call and never rehashes the log. ``Frontier`` is the compact range of a tree (its complete
subtrees, largest first): appending a leaf to it yields the new complete subtrees to store.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, TypeAlias

from crypto.errors import InclusionProofMismatch, InconsistentLog, MalformedInput

__all__ = [
    "EMPTY_ROOT",
    "HASH_LENGTH",
    "Frontier",
    "HashReader",
    "NodeId",
    "consistency_proof",
    "consistency_proof_nodes",
    "inclusion_proof",
    "inclusion_proof_nodes",
    "leaf_hash",
    "node_hash",
    "reader_from_mapping",
    "root_from_inclusion_proof",
    "root_from_leaf_hashes",
    "root_hash",
    "subtree_nodes",
    "verify_consistency",
    "verify_inclusion",
]

HASH_LENGTH: Final = 32
EMPTY_ROOT: Final = hashlib.sha256(b"").digest()
_MAX_SIZE: Final = 2**63

NodeId: TypeAlias = tuple[int, int]
"""A complete subtree ``(level, index)``: leaves ``[index·2^level, (index+1)·2^level)``."""

HashReader: TypeAlias = Callable[[Sequence[NodeId]], Sequence[bytes]]
"""Returns the stored hash of each complete subtree asked for, in the order asked."""


def leaf_hash(data: bytes) -> bytes:
    """Spec §9.1 The hash of a leaf: SHA-256(0x00 || data)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Spec §9.1 The hash of an interior node: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def root_from_leaf_hashes(hashes: Sequence[bytes]) -> bytes:
    """Spec §9.1 MTH of a list of leaves given by their leaf hashes (iterative, O(n))."""
    frontier = Frontier.empty()
    for h in hashes:
        frontier, _ = frontier.append(h)
    return frontier.root()


# --- complete-subtree decomposition --------------------------------------------------------


def subtree_nodes(start: int, end: int) -> list[NodeId]:
    """Spec §9.1 The complete subtrees, left to right, whose fold is MTH(D[start:end]).

    ``[start, end)`` must be a range that RFC 9162's recursion produces: ``start`` is a multiple
    of the smallest power of two >= ``end - start``. The greedy split takes, at each step, the
    largest aligned complete subtree that fits, which is exactly RFC 9162's split at the largest
    power of two smaller than the size.
    """
    if not 0 <= start < end:
        raise MalformedInput(f"empty or negative range [{start}, {end})")
    nodes: list[NodeId] = []
    while start < end:
        level = (end - start).bit_length() - 1
        while start % (1 << level):
            level -= 1
        nodes.append((level, start >> level))
        start += 1 << level
    return nodes


def _fold(hashes: Sequence[bytes]) -> bytes:
    """Hash complete subtrees given left to right into the root of their union (right first)."""
    acc = hashes[-1]
    for h in reversed(hashes[:-1]):
        acc = node_hash(h, acc)
    return acc


def _largest_power_of_two_below(n: int) -> int:
    return 1 << ((n - 1).bit_length() - 1)


def inclusion_proof_nodes(index: int, size: int) -> list[tuple[int, int]]:
    """Spec §9.2 The ranges ``[a, b)`` whose MTHs form PATH(index, D[0:size]), leaf first."""
    _check_size(size)
    if not 0 <= index < size:
        raise MalformedInput(f"leaf index {index} is not in a tree of size {size}")
    ranges: list[tuple[int, int]] = []
    start, end, m = 0, size, index
    while end - start > 1:
        k = _largest_power_of_two_below(end - start)
        if m < k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start, m = start + k, m - k
    ranges.reverse()
    return ranges


def consistency_proof_nodes(old_size: int, new_size: int) -> list[tuple[int, int]]:
    """Spec §9.3 The ranges ``[a, b)`` whose MTHs form PROOF(old_size, D[0:new_size])."""
    _check_size(new_size)
    if not 0 <= old_size <= new_size:
        raise MalformedInput(f"no consistency proof from size {old_size} to {new_size}")
    if old_size in (0, new_size):
        return []
    ranges: list[tuple[int, int]] = []
    start, end, m, whole = 0, new_size, old_size, True
    # SUBPROOF(m, D[start:end], whole), unrolled.
    while True:
        n = end - start
        if m == n:
            if not whole:
                ranges.append((start, end))
            break
        k = _largest_power_of_two_below(n)
        if m <= k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start, m, whole = start + k, m - k, False
    ranges.reverse()
    return ranges


def _read_ranges(ranges: Sequence[tuple[int, int]], reader: HashReader) -> list[bytes]:
    per_range = [subtree_nodes(a, b) for a, b in ranges]
    wanted = sorted({node for nodes in per_range for node in nodes})
    got = reader(wanted)
    if len(got) != len(wanted):
        raise MalformedInput(f"hash reader returned {len(got)} hashes for {len(wanted)} nodes")
    table = dict(zip(wanted, got, strict=True))
    for node, h in table.items():
        if len(h) != HASH_LENGTH:
            raise MalformedInput(f"stored hash of node {node} is {len(h)} bytes, not 32")
    return [_fold([table[node] for node in nodes]) for nodes in per_range]


def inclusion_proof(index: int, size: int, reader: HashReader) -> list[bytes]:
    """Spec §9.2 The inclusion proof of leaf ``index`` in the tree of ``size`` leaves.

    Raises:
        MalformedInput: ``index`` not in ``[0, size)``, or the reader misbehaves.
    """
    return _read_ranges(inclusion_proof_nodes(index, size), reader)


def consistency_proof(old_size: int, new_size: int, reader: HashReader) -> list[bytes]:
    """Spec §9.3 The consistency proof between the trees of ``old_size`` and ``new_size``.

    Raises:
        MalformedInput: not ``0 <= old_size <= new_size``, or the reader misbehaves.
    """
    return _read_ranges(consistency_proof_nodes(old_size, new_size), reader)


def root_hash(size: int, reader: HashReader) -> bytes:
    """Spec §9.1 MTH of the first ``size`` leaves, from at most log2(size)+1 stored subtrees."""
    _check_size(size)
    if size == 0:
        return EMPTY_ROOT
    return _read_ranges([(0, size)], reader)[0]


def reader_from_mapping(nodes: Mapping[NodeId, bytes]) -> HashReader:
    """A ``HashReader`` over an in-memory table of complete-subtree hashes.

    Raises (when called):
        MalformedInput: a node asked for is not in the table.
    """

    def read(wanted: Sequence[NodeId]) -> list[bytes]:
        try:
            return [nodes[node] for node in wanted]
        except KeyError as exc:
            raise MalformedInput(f"no stored hash for node {exc.args[0]}") from None

    return read


# --- the compact range ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Frontier:
    """Spec §9.1 The compact range of a tree: its maximal complete subtrees, largest first.

    ``nodes[i]`` is ``(level, index, hash)``; the levels are the set bits of ``size``.
    """

    size: int
    nodes: tuple[tuple[int, int, bytes], ...]

    @classmethod
    def empty(cls) -> Frontier:
        return cls(0, ())

    @classmethod
    def from_reader(cls, size: int, reader: HashReader) -> Frontier:
        """The frontier of the first ``size`` leaves, read from stored subtree hashes."""
        _check_size(size)
        if size == 0:
            return cls.empty()
        wanted = subtree_nodes(0, size)
        got = reader(wanted)
        if len(got) != len(wanted) or any(len(h) != HASH_LENGTH for h in got):
            raise MalformedInput("hash reader returned the wrong hashes for a frontier")
        return cls(size, tuple((lv, ix, h) for (lv, ix), h in zip(wanted, got, strict=True)))

    def append(self, leaf: bytes) -> tuple[Frontier, list[tuple[int, int, bytes]]]:
        """Add a leaf hash; return the new frontier and the complete subtrees it creates.

        The list holds the leaf itself at ``(0, size)`` and every parent completed by it,
        bottom-up: exactly what a log stores for this append.
        """
        if len(leaf) != HASH_LENGTH:
            raise MalformedInput(f"leaf hash must be 32 bytes, got {len(leaf)}")
        nodes = list(self.nodes)
        level, index, h = 0, self.size, leaf
        created = [(level, index, h)]
        while nodes and nodes[-1][0] == level:
            _, left_index, left = nodes.pop()
            level, index, h = level + 1, left_index >> 1, node_hash(left, h)
            created.append((level, index, h))
        nodes.append((level, index, h))
        return Frontier(self.size + 1, tuple(nodes)), created

    def root(self) -> bytes:
        """Spec §9.1 MTH of the tree this frontier describes."""
        if not self.nodes:
            return EMPTY_ROOT
        return _fold([h for _, _, h in self.nodes])

    def node_table(self) -> dict[NodeId, bytes]:
        return {(lv, ix): h for lv, ix, h in self.nodes}


# --- verification (RFC 9162 sections 2.1.3.2 and 2.1.4.2) ---------------------------------


def _check_size(size: int) -> None:
    if not 0 <= size < _MAX_SIZE:
        raise MalformedInput(f"tree size out of range: {size}")


def _check_hashes(what: str, hashes: Sequence[bytes]) -> None:
    for i, h in enumerate(hashes):
        if len(h) != HASH_LENGTH:
            raise MalformedInput(f"{what} {i} is {len(h)} bytes, not 32")


def root_from_inclusion_proof(
    *, leaf_hash: bytes, index: int, tree_size: int, proof: Sequence[bytes]
) -> bytes:
    """Spec §9.2 The root an inclusion proof leads to (RFC 9162 section 2.1.3.2, steps 1-6).

    Raises:
        MalformedInput: ``index >= tree_size``, a hash not 32 bytes, or a proof of the wrong
            length for ``(index, tree_size)``.
    """
    _check_size(tree_size)
    _check_hashes("leaf hash", [leaf_hash])
    _check_hashes("proof hash", proof)
    if not 0 <= index < tree_size:
        raise MalformedInput(f"leaf index {index} is not in a tree of size {tree_size}")
    # 2. fn = leaf_index, sn = tree_size - 1, r = leaf_hash.
    fn, sn, r = index, tree_size - 1, leaf_hash
    # 3. For each p in the proof:
    for p in proof:
        # a. If sn is 0, the proof is too long.
        if sn == 0:
            raise MalformedInput(
                f"inclusion proof too long for leaf {index} of tree size {tree_size}"
            )
        # b. If LSB(fn) is set, or fn equals sn:
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            # If LSB(fn) is not set, shift fn and sn right until LSB(fn) is set or fn is 0.
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        # c. Shift fn and sn right by one.
        fn >>= 1
        sn >>= 1
    # 4. sn must be 0.
    if sn != 0:
        raise MalformedInput(f"inclusion proof too short for leaf {index} of tree size {tree_size}")
    return r


def verify_inclusion(
    *, leaf_hash: bytes, index: int, tree_size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Spec §9.2 Check that leaf ``index`` with hash ``leaf_hash`` is in the tree ``root``.

    Raises:
        MalformedInput: the proof cannot apply to ``(index, tree_size)`` (wrong length,
            index out of range, hashes not 32 bytes).
        InclusionProofMismatch: the proof leads to another root (carries both roots).
    """
    _check_hashes("root", [root])
    calculated = root_from_inclusion_proof(
        leaf_hash=leaf_hash, index=index, tree_size=tree_size, proof=proof
    )
    if calculated != root:
        raise InclusionProofMismatch(
            f"leaf {index} of tree size {tree_size}", expected=root, calculated=calculated
        )


def verify_consistency(
    *,
    old_size: int,
    new_size: int,
    old_root: bytes,
    new_root: bytes,
    proof: Sequence[bytes],
) -> None:
    """Spec §9.3 Check that the tree ``new_root`` extends the tree ``old_root``.

    RFC 9162 section 2.1.4.2; a shrinking log, equal sizes with different roots, or any proof that
    does not reproduce both roots raises ``InconsistentLog``.

    Raises:
        MalformedInput: a size out of range or a hash not 32 bytes.
        InconsistentLog: the two tree heads cannot both be views of one append-only log.
    """
    _check_size(old_size)
    _check_size(new_size)
    _check_hashes("old root", [old_root])
    _check_hashes("new root", [new_root])
    _check_hashes("proof hash", proof)
    if new_size < old_size:
        raise InconsistentLog(f"tree size went down from {old_size} to {new_size}")
    if old_size == new_size:
        if proof:
            raise InconsistentLog("consistency proof between equal sizes must be empty")
        if old_root != new_root:
            raise InconsistentLog(
                f"two different roots for tree size {old_size}: "
                f"{old_root.hex()} and {new_root.hex()}"
            )
        return
    if old_size == 0:
        if proof:
            raise InconsistentLog("consistency proof from the empty tree must be empty")
        return
    # 1. An empty proof fails.
    if not proof:
        raise InconsistentLog(f"empty consistency proof from size {old_size} to {new_size}")
    path = list(proof)
    # 2. If first is an exact power of 2, prepend first_hash to the proof.
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    # 3. fn = first - 1, sn = second - 1.
    fn, sn = old_size - 1, new_size - 1
    # 4. If LSB(fn) is set, shift fn and sn right until LSB(fn) is not set.
    while fn & 1:
        fn >>= 1
        sn >>= 1
    # 5. fr = sr = the first value in the path.
    fr = sr = path[0]
    # 6. For each subsequent value c in the path:
    for c in path[1:]:
        # a. If sn is 0, the proof is too long.
        if sn == 0:
            raise InconsistentLog(f"consistency proof too long ({old_size} to {new_size})")
        # b. If LSB(fn) is set, or fn equals sn:
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        # c. Shift fn and sn right by one.
        fn >>= 1
        sn >>= 1
    # 7. fr must equal first_hash, sr second_hash, and sn must be 0.
    if sn != 0:
        raise InconsistentLog(f"consistency proof too short ({old_size} to {new_size})")
    if fr != old_root:
        raise InconsistentLog(
            f"consistency proof gives old root {fr.hex()}, the old tree head says "
            f"{old_root.hex()} (size {old_size})"
        )
    if sr != new_root:
        raise InconsistentLog(
            f"consistency proof gives new root {sr.hex()}, the new tree head says "
            f"{new_root.hex()} (size {new_size})"
        )
