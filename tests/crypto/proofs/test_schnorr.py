"""Spec §6.2 Schnorr proof of knowledge: completeness and named mutations."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from hypothesis import given

from crypto.errors import InvalidProof, MalformedInput
from crypto.group import IDENTITY, G, Point, Scalar, g_pow
from crypto.hashing import Dst, hash_to_scalar
from crypto.proofs.schnorr import SchnorrProof, prove_schnorr, unsafe_prove_schnorr, verify_schnorr
from tests.crypto.proofs.wire_cases import CHALLENGE_RESPONSE_WIRE
from tests.strategies import contexts, nonzero_scalars

CONTEXT = b"election-fingerprint|credential"


@given(nonzero_scalars, contexts)
def test_honest_proof_verifies(secret: Scalar, context: bytes) -> None:
    public = g_pow(secret)
    verify_schnorr(
        prove_schnorr(secret, public=public, context=context), public=public, context=context
    )


@given(nonzero_scalars, nonzero_scalars)
def test_honest_proof_verifies_for_another_base(secret: Scalar, b: Scalar) -> None:
    base = g_pow(b)
    public = base**secret
    proof = prove_schnorr(secret, public=public, context=CONTEXT, base=base)
    verify_schnorr(proof, public=public, context=CONTEXT, base=base)


@dataclass
class Case:
    proof: SchnorrProof
    public: Point
    base: Point
    context: bytes


SECRET = Scalar(0x1234567)
PUBLIC = g_pow(SECRET)
HONEST = unsafe_prove_schnorr(SECRET, public=PUBLIC, context=CONTEXT, nonce=Scalar(0xABCDEF))


def _weak_fiat_shamir() -> SchnorrProof:
    # The challenge hashes only the commitment: a proof under another statement's hash.
    nonce = Scalar(99)
    c = hash_to_scalar(Dst.SCHNORR, g_pow(nonce).to_bytes())
    return SchnorrProof(c, nonce + c * SECRET)


def _simulated() -> SchnorrProof:
    # A simulated transcript: (c, s) chosen first, A = g^s X^-c. Valid as a sigma transcript,
    # but c is not the hash, so it must fail as a non-interactive proof.
    return SchnorrProof(Scalar(5), Scalar(7))


MUTATIONS: dict[str, Callable[[Case], Case]] = {
    "response-plus-1": lambda c: Case(
        SchnorrProof(c.proof.challenge, c.proof.response + Scalar(1)), c.public, c.base, c.context
    ),
    "challenge-plus-1": lambda c: Case(
        SchnorrProof(c.proof.challenge + Scalar(1), c.proof.response), c.public, c.base, c.context
    ),
    "swapped-challenge-response": lambda c: Case(
        SchnorrProof(c.proof.response, c.proof.challenge), c.public, c.base, c.context
    ),
    "wrong-statement-public": lambda c: Case(c.proof, c.public * G, c.base, c.context),
    "wrong-statement-base": lambda c: Case(c.proof, c.public, g_pow(Scalar(2)), c.context),
    "wrong-context-election": lambda c: Case(
        c.proof, c.public, c.base, b"other-election|credential"
    ),
    "wrong-context-credential": lambda c: Case(
        c.proof, c.public, c.base, b"election-fingerprint|other"
    ),
    "identity-public": lambda c: Case(c.proof, IDENTITY, c.base, c.context),
    "identity-base": lambda c: Case(c.proof, c.public, IDENTITY, c.context),
    "weak-fiat-shamir": lambda c: Case(_weak_fiat_shamir(), c.public, c.base, c.context),
    "simulated-transcript": lambda c: Case(_simulated(), c.public, c.base, c.context),
}


def test_happy_path() -> None:
    verify_schnorr(HONEST, public=PUBLIC, context=CONTEXT)


# Every mutation fails the challenge check, but those putting the identity in the statement,
# which the verifier refuses before hashing.
REFUSED_FOR = {
    "identity-public": "schnorr: statement contains the identity point",
    "identity-base": "schnorr: statement contains the identity point",
}


@pytest.mark.parametrize("name", MUTATIONS)
def test_mutation_is_rejected(name: str) -> None:
    case = MUTATIONS[name](Case(HONEST, PUBLIC, G, CONTEXT))
    reason = REFUSED_FOR.get(name, "schnorr: challenge does not match the statement")
    with pytest.raises(InvalidProof, match=reason):
        verify_schnorr(case.proof, public=case.public, context=case.context, base=case.base)


def test_wire_round_trip() -> None:
    assert SchnorrProof.from_json(HONEST.to_json()) == HONEST


@pytest.mark.parametrize("name", CHALLENGE_RESPONSE_WIRE)
def test_wire_rejects(name: str) -> None:
    reason, mutate = CHALLENGE_RESPONSE_WIRE[name]
    with pytest.raises(MalformedInput, match=reason):
        SchnorrProof.from_json(mutate(HONEST.to_json()))
