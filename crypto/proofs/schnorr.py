"""Spec §6.2 Schnorr proof of knowledge of a discrete logarithm: know x with X = B^x.

The sigma protocol itself (``_prove``, ``_verify``) takes its domain-separation tag, so that
credential signatures (§8.2) reuse it under their own tag instead of duplicating it.
"""

from __future__ import annotations

from crypto.errors import InvalidProof
from crypto.group import G, Point, Scalar
from crypto.hashing import Dst, hash_to_scalar
from crypto.multiexp import multi_pow_vartime
from crypto.proofs._common import ChallengeResponse, reject_identity

__all__ = ["SchnorrProof", "prove_schnorr", "unsafe_prove_schnorr", "verify_schnorr"]

SchnorrProof = ChallengeResponse


def _challenge(dst: bytes, context: bytes, base: Point, public: Point, commitment: Point) -> Scalar:
    return hash_to_scalar(dst, context, base.to_bytes(), public.to_bytes(), commitment.to_bytes())


def _prove(
    dst: bytes, secret: Scalar, *, public: Point, context: bytes, base: Point, nonce: Scalar
) -> ChallengeResponse:
    """Spec §6.2 The prover of the sigma protocol under tag ``dst``."""
    # Step 1: commitment A = B^w.
    commitment = base**nonce
    # Step 2: challenge c = H_s(DST, context, B, X, A).
    challenge = _challenge(dst, context, base, public, commitment)
    # Step 3: response s = w + c·x.
    return ChallengeResponse(challenge, nonce + challenge * secret)


def _verify(
    dst: bytes, what: str, proof: ChallengeResponse, *, public: Point, context: bytes, base: Point
) -> None:
    """Spec §6.2 The verifier of the sigma protocol under tag ``dst``.

    Raises:
        InvalidProof: B or X is the identity, or the transcript does not verify.
    """
    reject_identity(what, base, public)
    # Step 1: A = B^s · X^-c.
    commitment = multi_pow_vartime([(base, proof.response), (public, -proof.challenge)])
    # Step 2: the challenge must be the hash of the whole statement and A.
    if _challenge(dst, context, base, public, commitment) != proof.challenge:
        raise InvalidProof(f"{what}: challenge does not match the statement")


def prove_schnorr(
    secret: Scalar, *, public: Point, context: bytes, base: Point = G
) -> SchnorrProof:
    """Spec §6.2 Prove knowledge of ``secret`` = log_base(public), bound to ``context``."""
    return unsafe_prove_schnorr(
        secret, public=public, context=context, base=base, nonce=Scalar.random()
    )


def unsafe_prove_schnorr(
    secret: Scalar, *, public: Point, context: bytes, base: Point = G, nonce: Scalar
) -> SchnorrProof:
    """Spec §6.2 The deterministic core of ``prove_schnorr``. Never reuse a nonce."""
    return _prove(Dst.SCHNORR, secret, public=public, context=context, base=base, nonce=nonce)


def verify_schnorr(proof: SchnorrProof, *, public: Point, context: bytes, base: Point = G) -> None:
    """Spec §6.2 Check a Schnorr proof for the statement (B, X) and ``context``.

    Raises:
        InvalidProof: B or X is the identity, or the proof does not verify.
    """
    _verify(Dst.SCHNORR, "schnorr", proof, public=public, context=context, base=base)
