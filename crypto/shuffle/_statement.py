"""Spec §6.8 The statement of a shuffle and the hashes over it: the statement digest d, the
128-bit batching exponents e_j, and the challenge c.

Every point enters a hash as one 33-byte part (§3.1); the long lists are encoded in one join,
which gives exactly the bytes ``encode_parts`` would.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from crypto.elgamal import Ciphertext, PublicKey
from crypto.group import ENCODED_POINT_LENGTH, G, Point, Scalar
from crypto.hashing import Dst, encode_parts, hash_to_exponents, hash_to_scalar

__all__ = ["EXPONENT_BITS", "MAX_SHUFFLE_SIZE", "ShuffleStatement"]

# Spec §6.8 The batching exponents e_j are the first 16 bytes of a hash: 0 <= e_j < 2^128.
EXPONENT_BITS: Final = 128
# Spec §6.8 N is hashed as 4 bytes, and the generators need indices up to N.
MAX_SHUFFLE_SIZE: Final = 2**32 - 2

_POINT_PART: Final = ENCODED_POINT_LENGTH.to_bytes(4, "big")
_G_BYTES: Final = G.to_bytes()


@dataclass(frozen=True, slots=True)
class ShuffleStatement:
    """Spec §6.8 What a proof of a shuffle is about.

    ``inputs`` are re-encrypted and permuted into ``outputs`` under ``public_key``; ``context``
    is the caller's byte string (election fingerprint, contest, mix number) and
    ``generator_seed`` the seed ``gs`` of the generators (§11 fixes both). A statement holds
    what a caller claims: ``check_shuffle_proof`` judges it, including whether the lists have
    the same length and whether an output is the identity.
    """

    public_key: PublicKey
    inputs: tuple[Ciphertext, ...]
    outputs: tuple[Ciphertext, ...]
    context: bytes
    generator_seed: bytes

    @property
    def size(self) -> int:
        """N, the number of inputs."""
        return len(self.inputs)


def _points_part(points: Iterable[Point]) -> bytes:
    """encode_parts(p_0, p_1, ...) for points, each a 33-byte part (§3.1)."""
    return b"".join(_POINT_PART + p.to_bytes() for p in points)


def _ciphertexts_part(ciphertexts: Iterable[Ciphertext]) -> bytes:
    """encode_parts(alpha_0, beta_0, alpha_1, ...) (§5.2: alpha then beta)."""
    return b"".join(
        _POINT_PART + c.alpha.to_bytes() + _POINT_PART + c.beta.to_bytes() for c in ciphertexts
    )


def statement_digest(statement: ShuffleStatement, permutation_commitment: Sequence[Point]) -> bytes:
    """Spec §6.8 Prover step 2: d = H("verivote-1/shuffle/statement", ctx, g, pk, gs,
    I2OSP(N, 4), alpha_0, beta_0, ..., alpha'_0, beta'_0, ..., u_0, ..., u_(N-1))."""
    head = encode_parts(
        Dst.SHUFFLE_STATEMENT,
        statement.context,
        _G_BYTES,
        statement.public_key.to_bytes(),
        statement.generator_seed,
        statement.size.to_bytes(4, "big"),
    )
    hasher = hashlib.sha256(head)
    hasher.update(_ciphertexts_part(statement.inputs))
    hasher.update(_ciphertexts_part(statement.outputs))
    hasher.update(_points_part(permutation_commitment))
    return hasher.digest()


def batching_exponents(digest: bytes, size: int) -> list[int]:
    """Spec §6.8 Prover step 3: e_j = OS2IP(first 16 bytes of H("verivote-1/shuffle/exponent",
    d, I2OSP(j, 4))), for j = 0, ..., size - 1."""
    return hash_to_exponents(Dst.SHUFFLE_EXPONENT, digest, size)


def challenge(
    digest: bytes,
    chain: Sequence[Point],
    a: Point,
    b: Sequence[Point],
    c: Point,
    d: Point,
    f: Ciphertext,
) -> Scalar:
    """Spec §6.8 Prover step 6: c = H_s("verivote-1/proof/shuffle", d, B_0, ..., B_(N-1), A',
    B'_0, ..., B'_(N-1), C', D', F'_alpha, F'_beta)."""
    return hash_to_scalar(
        Dst.SHUFFLE,
        digest,
        *(p.to_bytes() for p in chain),
        a.to_bytes(),
        *(p.to_bytes() for p in b),
        c.to_bytes(),
        d.to_bytes(),
        f.alpha.to_bytes(),
        f.beta.to_bytes(),
    )
