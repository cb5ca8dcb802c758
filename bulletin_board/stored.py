"""Spec §10 The small records a board's storage (bulletin_board/storage.py) hands its callers:
a stored leaf, tree head and cosignature, each with its exact bytes, read from and written to
a table row."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

__all__ = ["LeafRow", "StoredCosignature", "StoredTreeHead"]


@dataclass(frozen=True, slots=True)
class StoredCosignature:
    """Spec §10.5 A stored cosignature: the head's size, the witness, its time, exact bytes."""

    tree_size: int
    witness: bytes
    cosigned: int
    raw: bytes

    @classmethod
    def from_row(cls, row: sa.Row[Any]) -> StoredCosignature:
        return cls(row.tree_size, bytes(row.witness), row.cosigned, bytes(row.cosignature))


@dataclass(frozen=True, slots=True)
class LeafRow:
    """A stored leaf: its index, hash and exact bytes."""

    index: int
    leaf_hash: bytes
    entry_hash: bytes
    received: int
    raw: bytes

    def to_row(self, election: str) -> dict[str, Any]:
        return {
            "election_id": election,
            "leaf_index": self.index,
            "leaf_hash": self.leaf_hash,
            "entry_hash": self.entry_hash,
            "received": self.received,
            "leaf": self.raw,
        }

    @classmethod
    def from_row(cls, row: sa.Row[Any]) -> LeafRow:
        return cls(
            row.leaf_index, bytes(row.leaf_hash), bytes(row.entry_hash), row.received,
            bytes(row.leaf),
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class StoredTreeHead:
    """A stored signed tree head: its size, timestamp, root and exact signed bytes."""

    tree_size: int
    timestamp: int
    root_hash: bytes
    raw: bytes

    def to_row(self, election: str) -> dict[str, Any]:
        return {
            "election_id": election,
            "tree_size": self.tree_size,
            "timestamp": self.timestamp,
            "root_hash": self.root_hash,
            "sth": self.raw,
        }

    @classmethod
    def from_row(cls, row: sa.Row[Any]) -> StoredTreeHead:
        return cls(row.tree_size, row.timestamp, bytes(row.root_hash), bytes(row.sth))
