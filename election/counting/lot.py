"""Spec §12.6 Drawing lots: a deterministic draw from a published seed.

When a counting rule says "decide by lot", verivote never draws an unpublished random number.
Each tied candidate gets the key

    H("verivote-1/count/lot", seed, contest, purpose, I2OSP(stage, 4), I2OSP(candidate, 4))

(spec §3.2; ``candidate`` is the 1-based position in the candidate list), and the tied
candidates are ordered by their keys as 32-byte big-endian numbers, smallest first. The first
in that order is the one the rule picks: the candidate excluded, the surplus transferred
first, the candidate placed higher. The seed is published before the draw can be computed (in
an election, the result entry's seed, §11.12: a hash of the tally entry and of the combined
decryptions, which nobody knows before the trustees decrypt), so anyone re-running the
count draws the same lot and nobody could choose it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from crypto.errors import MalformedInput
from crypto.hashing import Dst, hash_bytes

__all__ = ["PURPOSES", "Lot", "decided_by_lot"]

SEED_BYTES: Final = 32

#: The purposes a draw may serve; each gives different keys.
PURPOSES: Final = frozenset({"exclude", "surplus", "elect", "block"})


def decided_by_lot(seed: bytes) -> str:
    """How every report names a tie the lot decided (issue 15 item 4): the seed and the rule,
    so that anyone can draw it again."""
    return f"decided by lot, seed {seed.hex()}, rule §12.6"


@dataclass(frozen=True, slots=True)
class Lot:
    """Spec §12.6 The published seed and contest identifier from which every lot is drawn."""

    seed: bytes
    contest: str = ""

    def __post_init__(self) -> None:
        if len(self.seed) != SEED_BYTES:
            raise MalformedInput(f"lot seed: {len(self.seed)} bytes, expected {SEED_BYTES}")

    @classmethod
    def from_hex(cls, seed_hex: str, *, contest: str = "") -> Lot:
        """Spec §12.6 A lot from a seed written as 64 lower-case hex digits (§1.2).

        Raises:
            MalformedInput: not exactly 64 lower-case hexadecimal digits.
        """
        if len(seed_hex) != 2 * SEED_BYTES or any(ch not in "0123456789abcdef" for ch in seed_hex):
            raise MalformedInput(
                f"lot seed {seed_hex!r}: expected {2 * SEED_BYTES} lower-case hex digits"
            )
        return cls(seed=bytes.fromhex(seed_hex), contest=contest)

    @classmethod
    def from_file_bytes(cls, data: bytes, *, contest: str = "") -> Lot:
        """Spec §12.6 The default seed of an ad hoc count: SHA-256 of the ballot file's bytes."""
        return cls(seed=hashlib.sha256(data).digest(), contest=contest)

    def key(self, *, purpose: str, stage: int, candidate: int) -> bytes:
        """Spec §12.6 The draw key of a 0-based ``candidate`` (hashed as its 1-based number).

        Raises:
            ValueError: an unknown purpose, or a stage or candidate out of range.
        """
        if purpose not in PURPOSES:
            raise ValueError(f"unknown lot purpose {purpose!r}")
        if not 0 <= stage < 2**32 or not 0 <= candidate < 2**32 - 1:
            raise ValueError("stage or candidate out of range")
        return hash_bytes(
            Dst.LOT,
            self.seed,
            self.contest.encode("utf-8"),
            purpose.encode("ascii"),
            stage.to_bytes(4, "big"),
            (candidate + 1).to_bytes(4, "big"),
        )

    def draw(self, candidates: Iterable[int], *, purpose: str, stage: int) -> tuple[int, ...]:
        """Spec §12.6 The tied ``candidates`` in draw order: the one the rule picks comes first."""
        return tuple(
            sorted(
                set(candidates), key=lambda c: self.key(purpose=purpose, stage=stage, candidate=c)
            )
        )
