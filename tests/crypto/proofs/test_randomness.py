"""Spec §6.6 Proof of knowledge of the encryption randomness: completeness, named mutations."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import pytest
from hypothesis import given

from crypto.elgamal import (
    Ciphertext,
    PublicKey,
    SecretKey,
    encrypt_bytes_with_randomness,
    encrypt_with_randomness,
)
from crypto.errors import InvalidProof, MalformedInput
from crypto.group import IDENTITY, G, Point, Scalar, g_pow
from crypto.hashing import Dst, hash_to_scalar
from crypto.proofs.randomness import (
    RandomnessProof,
    prove_randomness,
    unsafe_prove_randomness,
    verify_randomness,
)
from tests.crypto.proofs.wire_cases import CHALLENGE_RESPONSE_WIRE
from tests.strategies import contexts, embeddable, key_pairs, nonzero_scalars, small_messages

SK = SecretKey(Scalar(0xA11CE))
PK = SK.public_key()
PK_TABLE = PK.precompute()
OTHER_PK = SecretKey(Scalar(0xB0B)).public_key()
CONTEXT = b"election-fingerprint|credential-7"
R = Scalar(0x5EC2E7 * 0x1F1F1F1F1F1F1F)
NONCE = Scalar(0xC0FFEE * 0x7777777777)
CIPHERTEXT = encrypt_with_randomness(PK, 1, randomness=R)


@given(key_pairs, small_messages, nonzero_scalars, contexts)
def test_honest_proof_verifies(
    pair: tuple[SecretKey, PublicKey], m: int, r: Scalar, context: bytes
) -> None:
    _, pk = pair
    ciphertext = encrypt_with_randomness(pk, m, randomness=r)
    proof = prove_randomness(r, public_key=pk, ciphertext=ciphertext, context=context)
    verify_randomness(proof, public_key=pk, ciphertext=ciphertext, context=context)
    assert RandomnessProof.from_json(proof.to_json()) == proof


@given(embeddable, nonzero_scalars)
def test_honest_proof_verifies_for_an_embedded_ciphertext(data: bytes, r: Scalar) -> None:
    ciphertext = encrypt_bytes_with_randomness(PK, data, randomness=r)
    proof = prove_randomness(r, public_key=PK, ciphertext=ciphertext, context=CONTEXT)
    verify_randomness(proof, public_key=PK, ciphertext=ciphertext, context=CONTEXT)


@given(nonzero_scalars, nonzero_scalars, contexts)
def test_proof_matches_the_spec_formula(r: Scalar, w: Scalar, context: bytes) -> None:
    ciphertext = encrypt_with_randomness(PK, 3, randomness=r)
    proof = unsafe_prove_randomness(
        r, public_key=PK, ciphertext=ciphertext, context=context, nonce=w
    )
    c = hash_to_scalar(
        Dst.RANDOMNESS,
        context,
        G.to_bytes(),
        PK.to_bytes(),
        ciphertext.alpha.to_bytes(),
        ciphertext.beta.to_bytes(),
        (G**w).to_bytes(),
    )
    assert proof == RandomnessProof(c, w + c * r)


@dataclass(frozen=True)
class Case:
    proof: RandomnessProof
    public_key: PublicKey
    ciphertext: Ciphertext
    context: bytes


HONEST = Case(
    unsafe_prove_randomness(R, public_key=PK, ciphertext=CIPHERTEXT, context=CONTEXT, nonce=NONCE),
    PK,
    CIPHERTEXT,
    CONTEXT,
)


def _proof_with_hash(
    parts: Callable[[Point], list[bytes]], r: Scalar = R, dst: bytes = Dst.RANDOMNESS
) -> RandomnessProof:
    commitment = g_pow(NONCE)
    c = hash_to_scalar(dst, *parts(commitment))
    return RandomnessProof(c, NONCE + c * r)


def _identity_alpha(case: Case) -> Case:
    # Enc(1; 0) = (1, g): everyone knows r = 0, so the proof is valid but worthless.
    ciphertext = encrypt_with_randomness(PK, 1, randomness=Scalar(0))
    proof = unsafe_prove_randomness(
        Scalar(0), public_key=PK, ciphertext=ciphertext, context=CONTEXT, nonce=NONCE
    )
    return Case(proof, PK, ciphertext, CONTEXT)


def _statement_parts(ciphertext: Ciphertext) -> Callable[[Point], list[bytes]]:
    return lambda a: [
        CONTEXT,
        G.to_bytes(),
        PK.to_bytes(),
        ciphertext.alpha.to_bytes(),
        ciphertext.beta.to_bytes(),
        a.to_bytes(),
    ]


MUTATIONS: dict[str, Callable[[Case], Case]] = {
    "response-plus-1": lambda c: replace(
        c, proof=RandomnessProof(c.proof.challenge, c.proof.response + Scalar(1))
    ),
    "challenge-plus-1": lambda c: replace(
        c, proof=RandomnessProof(c.proof.challenge + Scalar(1), c.proof.response)
    ),
    "swapped-challenge-response": lambda c: replace(
        c, proof=RandomnessProof(c.proof.response, c.proof.challenge)
    ),
    "copied-under-another-credential": lambda c: replace(
        c, context=b"election-fingerprint|credential-8"
    ),
    "other-election": lambda c: replace(c, context=b"other-fingerprint|credential-7"),
    "same-alpha-other-beta": lambda c: replace(
        c, ciphertext=Ciphertext(c.ciphertext.alpha, c.ciphertext.beta * G)
    ),
    "re-encrypted-ciphertext": lambda c: replace(
        c,
        ciphertext=Ciphertext(c.ciphertext.alpha * G, c.ciphertext.beta * PK.element),
    ),
    "swapped-alpha-beta": lambda c: replace(
        c, ciphertext=Ciphertext(c.ciphertext.beta, c.ciphertext.alpha)
    ),
    "other-public-key": lambda c: replace(c, public_key=OTHER_PK),
    "identity-alpha": _identity_alpha,
    "weak-fiat-shamir": lambda c: replace(c, proof=_proof_with_hash(lambda a: [a.to_bytes()])),
    "statement-without-beta-and-key": lambda c: replace(
        c,
        proof=_proof_with_hash(
            lambda a: [CONTEXT, G.to_bytes(), c.ciphertext.alpha.to_bytes(), a.to_bytes()]
        ),
    ),
    "schnorr-tag-instead": lambda c: replace(
        c, proof=_proof_with_hash(_statement_parts(c.ciphertext), dst=Dst.SCHNORR)
    ),
    "simulated-transcript": lambda c: replace(c, proof=RandomnessProof(Scalar(5), Scalar(7))),
    "wrong-randomness": lambda c: replace(
        c, proof=_proof_with_hash(_statement_parts(c.ciphertext), r=R + Scalar(1))
    ),
}


def _check(case: Case) -> None:
    verify_randomness(
        case.proof, public_key=case.public_key, ciphertext=case.ciphertext, context=case.context
    )


def test_happy_path() -> None:
    _check(HONEST)
    _check(replace(HONEST, public_key=PK_TABLE))
    _check(replace(HONEST, proof=_proof_with_hash(_statement_parts(CIPHERTEXT))))


@pytest.mark.parametrize("name", MUTATIONS)
def test_mutation_is_rejected(name: str) -> None:
    # Every mutation fails the challenge check but the identity, refused before hashing.
    reason = "randomness proof: " + (
        "ciphertext alpha: statement contains the identity point"
        if name == "identity-alpha"
        else "challenge does not match the statement"
    )
    with pytest.raises(InvalidProof, match=reason):
        _check(MUTATIONS[name](HONEST))


def test_identity_public_key_cannot_enter_a_statement() -> None:
    with pytest.raises(MalformedInput, match="the identity is not a valid public key"):
        PublicKey.from_hex(IDENTITY.to_hex())


def test_special_soundness_extracts_r() -> None:
    proofs = [
        unsafe_prove_randomness(R, public_key=PK, ciphertext=CIPHERTEXT, context=ctx, nonce=NONCE)
        for ctx in (b"credential A", b"credential B")
    ]
    first, second = proofs
    extracted = (first.response - second.response) * (first.challenge - second.challenge).inverse()
    assert extracted == R


@pytest.mark.parametrize("name", CHALLENGE_RESPONSE_WIRE)
def test_wire_rejects(name: str) -> None:
    reason, mutate = CHALLENGE_RESPONSE_WIRE[name]
    with pytest.raises(MalformedInput, match=reason):
        RandomnessProof.from_json(mutate(HONEST.proof.to_json()))
