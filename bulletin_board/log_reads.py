"""Spec §9-§10 The read side of the board's log: tree heads, leaves, proofs and receipts, each
checked against what is stored (Spec §10.2) and refused on a log found corrupted.

``LogReads`` is the part of ``bulletin_board.log.Board`` that reads only: it holds no view of
the log and takes no lock, so any process of a board (its workers, its writer) serves reads
straight from the database.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from typing import Any

from bulletin_board.errors import BadRange, LogCorrupted, NotFound, UnknownElection, UnknownTreeSize
from bulletin_board.integrity import Quarantine, check_latest, check_leaf_row, check_tree_head_row
from bulletin_board.rules import Rules
from bulletin_board.storage import LeafRow, Storage
from bulletin_board.wire import Leaf, Receipt, SignedTreeHead
from crypto.errors import VerivoteError
from crypto.merkle import HashReader, NodeId, consistency_proof, inclusion_proof
from crypto.signing import SigningKey

__all__ = ["LogReads"]


class LogReads:
    """Spec §9-§10 Reads of the logs of one board database (the base of ``Board``)."""

    storage: Storage
    key: SigningKey
    rules: Rules[Any]
    rehearsal: bool
    _quarantine: Quarantine

    @property
    def public_key(self) -> bytes:
        return self.key.verify_key.raw

    def _parse_stored(self, election: str, row: LeafRow, expected: int) -> Leaf:
        check_leaf_row(row, expected, election=election)
        try:
            return Leaf.from_bytes(row.raw, self.rules.schemes, verify=False)
        except VerivoteError as exc:
            raise LogCorrupted(f"leaves row {row.index} of {election!r}: {exc}") from None

    def _reader(self, election: str) -> HashReader:
        def read(wanted: Sequence[NodeId]) -> list[bytes]:
            return self.storage.read_nodes(election, wanted)

        return read

    def _unknown(self, election: str, what: Exception) -> Exception:
        if not self.storage.has_election(election):
            return UnknownElection(f"no election log {election!r} on this board")
        return what

    def latest_tree_head(self, election: str) -> SignedTreeHead:
        """Spec §10.2 The latest signed tree head, checked against its row and the leaves.
        Raises: UnknownElection, NotFound, LogCorrupted."""
        self._quarantine.refuse(election)
        stored, size = self.storage.latest_tree_head_and_size(election)
        if stored is None and size == 0:
            raise self._unknown(election, NotFound(f"{election!r} has no tree head yet"))
        with self._quarantine.watch(election):
            head = check_latest(
                stored, size, election=election, board_key=self.public_key,
                rehearsal=self.rehearsal,
            )  # fmt: skip
        assert head is not None  # check_latest refuses leaves without a head
        return head

    def tree_head(self, election: str, tree_size: int) -> SignedTreeHead:
        """Spec §10.2 The tree head published for ``tree_size``, checked against its row.

        Raises: UnknownElection, UnknownTreeSize, LogCorrupted.
        """
        self._quarantine.refuse(election)
        stored = self.storage.tree_head(election, tree_size)
        if stored is None:
            raise self._unknown(
                election, UnknownTreeSize(f"no tree head of size {tree_size} for {election!r}")
            )
        with self._quarantine.watch(election):
            return check_tree_head_row(
                stored, election=election, board_key=self.public_key, rehearsal=self.rehearsal
            )

    def leaf(self, election: str, index: int) -> LeafRow:
        """Raises: UnknownElection, NotFound (no leaf at that index), LogCorrupted."""
        self._quarantine.refuse(election)
        row = self.storage.leaf(election, index)
        if row is None:
            raise self._unknown(election, NotFound(f"no leaf {index} in {election!r}"))
        return row

    def leaf_by_hash(
        self, election: str, *, leaf_hash: bytes | None = None, entry_hash: bytes | None = None
    ) -> LeafRow:
        """Raises: UnknownElection, NotFound (no leaf or entry with that hash), LogCorrupted."""
        self._quarantine.refuse(election)
        row = self.storage.leaf_by_hash(election, leaf_hash=leaf_hash, entry_hash=entry_hash)
        if row is None:
            what = "leaf" if leaf_hash is not None else "entry"
            raise self._unknown(election, NotFound(f"no {what} with that hash in {election!r}"))
        return row

    def leaves(self, election: str, start: int, end: int) -> Generator[LeafRow, None, None]:
        """Leaves ``[start, min(end, size))``. Raises: UnknownElection, BadRange, LogCorrupted."""
        self._quarantine.refuse(election)
        size = self.storage.size(election)
        if size == 0 and not self.storage.has_election(election):
            raise UnknownElection(f"no election log {election!r} on this board")
        if not 0 <= start <= size or end < start:
            raise BadRange(f"range [{start}, {end}) is not within the log of {size} leaves")
        return self.storage.leaves(election, start, min(end, size))

    def inclusion_proof(self, election: str, *, index: int, tree_size: int) -> list[bytes]:
        """Spec §9.2 The inclusion proof of leaf ``index`` to a published tree size.

        Raises: UnknownElection, UnknownTreeSize, BadRange.
        """
        self.tree_head(election, tree_size)
        if not 0 <= index < tree_size:
            raise BadRange(f"leaf {index} is not in the tree of size {tree_size}")
        return inclusion_proof(index, tree_size, self._reader(election))

    def consistency_proof(self, election: str, *, first: int, second: int) -> list[bytes]:
        """Spec §9.3 The consistency proof between two published tree sizes.

        Raises: UnknownElection, UnknownTreeSize, BadRange.
        """
        if first > second:
            raise BadRange(f"first size {first} is above second size {second}")
        self.tree_head(election, first)
        self.tree_head(election, second)
        return consistency_proof(first, second, self._reader(election))

    def receipt(self, election: str, index: int) -> Receipt:
        """Spec §10.3 A receipt for leaf ``index`` against the latest tree head."""
        sth = self.latest_tree_head(election)
        row = self.leaf(election, index)
        proof = inclusion_proof(index, sth.tree_size, self._reader(election))
        with self._quarantine.watch(election):
            leaf = self._parse_stored(election, row, index)
        return Receipt(leaf, sth, tuple(proof))
