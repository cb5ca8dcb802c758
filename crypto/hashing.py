"""Spec §3 Hashing: domain-separated SHA-256 over length-prefixed parts.

Every hash in verivote (except the RFC 9162 Merkle hashes) goes through this module, with a
domain-separation tag (DST) from ``Dst``. A DST is never reused for two purposes; the table in
spec §3.4 lists them all and tests/crypto/test_hashing.py checks the two agree.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Final

from crypto.errors import MalformedInput
from crypto.group import N, Point, Scalar, _scalar, lift_x

__all__ = [
    "Dst",
    "encode_parts",
    "hash_bytes",
    "hash_chunks_to_int",
    "hash_encoded_to_scalar",
    "hash_to_exponents",
    "hash_to_point",
    "hash_to_scalar",
]

_MAX_PART: Final = 2**32 - 1
# I2OSP(length, 4) of the lengths most parts have (a verifier hashes millions of them).
_SHORT_PART: Final = 256
_SHORT_LENGTHS: Final = tuple(size.to_bytes(4, "big") for size in range(_SHORT_PART))


class Dst:
    """Spec §3.4 The domain-separation tags. Each is ASCII, prefixed ``verivote-1/``."""

    # §2.4 independent generators
    GENERATOR: Final = b"verivote-1/generator"
    # §6 proofs: Fiat-Shamir challenges
    SCHNORR: Final = b"verivote-1/proof/schnorr"
    DLEQ: Final = b"verivote-1/proof/dleq"
    RANGE: Final = b"verivote-1/proof/range"
    SUM_RANGE: Final = b"verivote-1/proof/sum-range"
    RANDOMNESS: Final = b"verivote-1/proof/randomness"
    # §6.8 proof of a shuffle: statement digest, batching exponents, challenge
    SHUFFLE_STATEMENT: Final = b"verivote-1/shuffle/statement"
    SHUFFLE_EXPONENT: Final = b"verivote-1/shuffle/exponent"
    SHUFFLE: Final = b"verivote-1/proof/shuffle"
    # §7 threshold keys: proof contexts (first part of the context) and the share-box key
    DKG_TRUSTEE_KEY: Final = b"verivote-1/dkg/trustee-key"
    DKG_COMMITMENT: Final = b"verivote-1/dkg/commitment"
    DKG_SHARE_EPHEMERAL: Final = b"verivote-1/dkg/share-ephemeral"
    DKG_SHARE_KEY: Final = b"verivote-1/dkg/share-box"
    DKG_COMPLAINT: Final = b"verivote-1/dkg/complaint"
    DKG_CONFIRMATION: Final = b"verivote-1/dkg/confirmation"
    DECRYPTION_SHARE: Final = b"verivote-1/decryption/share"
    DECRYPTION_LIST: Final = b"verivote-1/decryption/list"
    DECRYPTION_LIST_EXPONENT: Final = b"verivote-1/decryption/list-exponent"
    SEALED_SECRET: Final = b"verivote-1/sealed-secret"
    # §8 signatures
    ED25519: Final = b"verivote-1/sig/ed25519"
    CREDENTIAL_KEY: Final = b"verivote-1/credential/key"
    CREDENTIAL_SIGNATURE: Final = b"verivote-1/credential/signature"
    # §11 elections
    ELECTION_FINGERPRINT: Final = b"verivote-1/election/fingerprint"
    BALLOT_SELECTION: Final = b"verivote-1/ballot/selection"
    BALLOT_TOTAL: Final = b"verivote-1/ballot/total"
    BALLOT_RANKING: Final = b"verivote-1/ballot/ranking"
    BALLOT_PAPER: Final = b"verivote-1/ballot/paper"
    TALLY_DECRYPTION: Final = b"verivote-1/tally/decryption"
    MIX_CONTEXT: Final = b"verivote-1/mix/context"
    MIX_DECRYPTION: Final = b"verivote-1/mix/decryption"
    RESULT_SEED: Final = b"verivote-1/result/seed"
    # §12 counting
    LOT: Final = b"verivote-1/count/lot"

    @classmethod
    def all(cls) -> dict[str, bytes]:
        return {k: v for k, v in vars(cls).items() if isinstance(v, bytes)}


def encode_parts(*parts: bytes) -> bytes:
    """Spec §3.1 The concatenation of each part preceded by its length as 4 bytes big-endian.

    Raises:
        MalformedInput: a part is 2^32 bytes or longer.
    """
    out: list[bytes] = []
    append = out.append
    for part in parts:
        size = len(part)
        if size < _SHORT_PART:
            append(_SHORT_LENGTHS[size])
        elif size > _MAX_PART:
            raise MalformedInput(f"hash input part too long: {size} bytes")
        else:
            append(size.to_bytes(4, "big"))
        append(part)
    return b"".join(out)


def hash_bytes(dst: bytes, *parts: bytes) -> bytes:
    """Spec §3.2 H(dst, parts) = SHA-256(encode_parts(dst, parts...)), 32 bytes."""
    return hashlib.sha256(encode_parts(dst, *parts)).digest()


def hash_to_scalar(dst: bytes, *parts: bytes) -> Scalar:
    """Spec §3.3 An exactly uniform scalar: the first H(dst, parts..., I2OSP(ctr, 4)) < n.

    Rejection sampling over a 4-byte counter ctr = 0, 1, ...; since n > 2^256 - 2^129, the
    first candidate is accepted except with probability below 2^-127.
    """
    return hash_encoded_to_scalar(encode_parts(dst, *parts))


def hash_chunks_to_int(chunks: Sequence[bytes]) -> int:
    """Spec §3.3 ``hash_encoded_to_scalar(b"".join(chunks)).value``, without building the
    prefix twice nor a Scalar: for a verifier's loop over many statements."""
    value = int.from_bytes(hashlib.sha256(b"".join((*chunks, _FIRST_COUNTER))).digest(), "big")
    if value < N:
        return value
    return hash_encoded_to_scalar(b"".join(chunks)).value  # pragma: no cover - below 2^-127


def hash_encoded_to_scalar(prefix: bytes) -> Scalar:
    """Spec §3.3 ``hash_to_scalar(dst, parts...)`` from ``encode_parts(dst, parts...)``, for a
    caller that encodes some of the parts faster itself (many of one known length)."""
    # ctr = 0 first, in one call: all but always accepted.
    value = int.from_bytes(hashlib.sha256(prefix + _FIRST_COUNTER).digest(), "big")
    if value < N:
        return _scalar(value)
    started = hashlib.sha256(prefix)  # pragma: no cover - probability below 2^-127
    for counter in range(1, 2**32):  # pragma: no cover
        h = started.copy()
        h.update(encode_parts(counter.to_bytes(4, "big")))
        value = int.from_bytes(h.digest(), "big")
        if value < N:
            return _scalar(value)
    raise AssertionError("unreachable: 2^32 consecutive rejections")  # pragma: no cover


# encode_parts(I2OSP(0, 4)): the counter part of hash_to_scalar's first candidate.
_FIRST_COUNTER: Final = encode_parts((0).to_bytes(4, "big"))


def hash_to_point(dst: bytes, *parts: bytes) -> Point:
    """Spec §2.4 Hash to the curve by try-and-increment: nobody knows the result's discrete log.

    For ctr = 0, 1, ...: x = H(dst, parts..., I2OSP(ctr, 4)); the first x that is the
    x-coordinate of a curve point gives the point with that x and even y.
    """
    prefix = hashlib.sha256(encode_parts(dst, *parts))
    for counter in range(2**32):
        h = prefix.copy()
        h.update(encode_parts(counter.to_bytes(4, "big")))
        try:
            return lift_x(h.digest())
        except MalformedInput:
            continue
    raise AssertionError("unreachable: 2^32 consecutive misses")  # pragma: no cover


def hash_to_exponents(dst: bytes, digest: bytes, count: int) -> list[int]:
    """Spec §6.8, §7.8 128-bit exponents from a digest: for j = 0, ..., count - 1,
    e_j = OS2IP(first 16 bytes of H(dst, digest, I2OSP(j, 4))), so 0 <= e_j < 2^128.

    Raises:
        MalformedInput: ``count`` is negative or does not fit a 4-byte index.
    """
    if not 0 <= count <= _MAX_PART + 1:
        raise MalformedInput(f"exponent count must be in [0, 2^32], got {count}")
    prefix = hashlib.sha256(encode_parts(dst, digest))
    out = []
    for j in range(count):
        h = prefix.copy()
        h.update(encode_parts(j.to_bytes(4, "big")))
        out.append(int.from_bytes(h.digest()[:16], "big"))
    return out
