"""Spec §6.6 Proof of knowledge of the encryption randomness r of a ciphertext (alpha = g^r).

Bound by its context to the voter's credential, it stops ballot copying: whoever copies a
ciphertext from the board cannot prove knowledge of its r under another credential (Cortier and
Smyth, *Attacking and fixing Helios*, CSF 2011). The whole ciphertext and the public key are in
the statement, so the proof cannot be moved to another ciphertext sharing alpha either.
"""

from __future__ import annotations

from typing import Final

from crypto.elgamal import Ciphertext, PublicKey
from crypto.errors import InvalidProof
from crypto.group import G, Point, Scalar, g_pow
from crypto.hashing import Dst, hash_to_scalar
from crypto.multiexp import multi_pow_vartime
from crypto.proofs._common import ChallengeResponse, reject_identity

__all__ = [
    "RandomnessProof",
    "prove_randomness",
    "unsafe_prove_randomness",
    "verify_randomness",
]

RandomnessProof = ChallengeResponse

_G_BYTES: Final = G.to_bytes()


def _challenge(
    context: bytes, public_key: PublicKey, ciphertext: Ciphertext, commitment: Point
) -> Scalar:
    return hash_to_scalar(
        Dst.RANDOMNESS,
        context,
        _G_BYTES,
        public_key.to_bytes(),
        ciphertext.alpha.to_bytes(),
        ciphertext.beta.to_bytes(),
        commitment.to_bytes(),
    )


def prove_randomness(
    randomness: Scalar, *, public_key: PublicKey, ciphertext: Ciphertext, context: bytes
) -> RandomnessProof:
    """Spec §6.6 Prove knowledge of ``randomness`` = log_g(alpha), bound to ``context``."""
    return unsafe_prove_randomness(
        randomness,
        public_key=public_key,
        ciphertext=ciphertext,
        context=context,
        nonce=Scalar.random(),
    )


def unsafe_prove_randomness(
    randomness: Scalar,
    *,
    public_key: PublicKey,
    ciphertext: Ciphertext,
    context: bytes,
    nonce: Scalar,
) -> RandomnessProof:
    """Spec §6.6 The deterministic core of ``prove_randomness``. Never reuse a nonce."""
    # Step 1: commitment A = g^w.
    commitment = g_pow(nonce)
    # Step 2: c = H_s(DST, ctx, g, pk, alpha, beta, A).
    challenge = _challenge(context, public_key, ciphertext, commitment)
    # Step 3: s = w + c·r.
    return RandomnessProof(challenge, nonce + challenge * randomness)


def verify_randomness(
    proof: RandomnessProof, *, public_key: PublicKey, ciphertext: Ciphertext, context: bytes
) -> None:
    """Spec §6.6 Check a proof of knowledge of the randomness of ``ciphertext`` for ``context``.

    Raises:
        InvalidProof: alpha is the identity, or the proof does not verify.
    """
    reject_identity("randomness proof: ciphertext alpha", ciphertext.alpha)
    # Step 1: A = g^s · alpha^-c.
    commitment = multi_pow_vartime([(G, proof.response), (ciphertext.alpha, -proof.challenge)])
    # Step 2: the challenge must be the hash of the whole statement and A.
    if _challenge(context, public_key, ciphertext, commitment) != proof.challenge:
        raise InvalidProof("randomness proof: challenge does not match the statement")
