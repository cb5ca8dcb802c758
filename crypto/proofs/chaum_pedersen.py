"""Spec §6.3 Chaum-Pedersen proof of discrete-log equality: know x with h1 = g1^x, h2 = g2^x."""

from __future__ import annotations

from crypto.errors import InvalidProof
from crypto.group import Point, Scalar
from crypto.hashing import Dst, hash_to_scalar
from crypto.multiexp import multi_pow_vartime
from crypto.proofs._common import ChallengeResponse, reject_identity

__all__ = ["DleqProof", "prove_dleq", "unsafe_prove_dleq", "verify_dleq"]

DleqProof = ChallengeResponse


def _challenge(
    context: bytes, g1: Point, h1: Point, g2: Point, h2: Point, a1: Point, a2: Point
) -> Scalar:
    return hash_to_scalar(
        Dst.DLEQ,
        context,
        g1.to_bytes(),
        h1.to_bytes(),
        g2.to_bytes(),
        h2.to_bytes(),
        a1.to_bytes(),
        a2.to_bytes(),
    )


def prove_dleq(
    secret: Scalar, *, g1: Point, h1: Point, g2: Point, h2: Point, context: bytes
) -> DleqProof:
    """Spec §6.3 Prove log_g1(h1) = log_g2(h2) = ``secret``, bound to ``context``."""
    return unsafe_prove_dleq(
        secret, g1=g1, h1=h1, g2=g2, h2=h2, context=context, nonce=Scalar.random()
    )


def unsafe_prove_dleq(
    secret: Scalar, *, g1: Point, h1: Point, g2: Point, h2: Point, context: bytes, nonce: Scalar
) -> DleqProof:
    """Spec §6.3 The deterministic core of ``prove_dleq``. Never reuse a nonce."""
    # Step 1: commitments A1 = g1^w, A2 = g2^w.
    a1, a2 = g1**nonce, g2**nonce
    # Step 2: c = H_s(DST, context, g1, h1, g2, h2, A1, A2).
    challenge = _challenge(context, g1, h1, g2, h2, a1, a2)
    # Step 3: s = w + c·x.
    return DleqProof(challenge, nonce + challenge * secret)


def verify_dleq(
    proof: DleqProof, *, g1: Point, h1: Point, g2: Point, h2: Point, context: bytes
) -> None:
    """Spec §6.3 Check a DLEQ proof for the statement (g1, h1, g2, h2) and ``context``.

    Raises:
        InvalidProof: a statement point is the identity, or the proof does not verify.
    """
    reject_identity("dleq", g1, h1, g2, h2)
    minus_c = -proof.challenge
    # Step 1: A1 = g1^s · h1^-c, A2 = g2^s · h2^-c.
    a1 = multi_pow_vartime([(g1, proof.response), (h1, minus_c)])
    a2 = multi_pow_vartime([(g2, proof.response), (h2, minus_c)])
    # Step 2: the challenge must be the hash of the whole statement and the commitments.
    if _challenge(context, g1, h1, g2, h2, a1, a2) != proof.challenge:
        raise InvalidProof("dleq: challenge does not match the statement")
