"""Spec §6.3 Chaum-Pedersen DLEQ proof: completeness and named mutations."""

from __future__ import annotations

import pytest
from hypothesis import given

from crypto.errors import InvalidProof
from crypto.group import IDENTITY, G, Point, Scalar, g_pow
from crypto.hashing import Dst, hash_to_scalar
from crypto.proofs.chaum_pedersen import DleqProof, prove_dleq, unsafe_prove_dleq, verify_dleq
from tests.strategies import contexts, nonzero_scalars

CONTEXT = b"election|trustee 2"
SECRET = Scalar(424242)
G2 = g_pow(Scalar(777))
H1, H2 = g_pow(SECRET), G2**SECRET
HONEST = unsafe_prove_dleq(SECRET, g1=G, h1=H1, g2=G2, h2=H2, context=CONTEXT, nonce=Scalar(31337))


@given(nonzero_scalars, nonzero_scalars, contexts)
def test_honest_proof_verifies(secret: Scalar, b: Scalar, context: bytes) -> None:
    g2 = g_pow(b)
    h1, h2 = g_pow(secret), g2**secret
    proof = prove_dleq(secret, g1=G, h1=h1, g2=g2, h2=h2, context=context)
    verify_dleq(proof, g1=G, h1=h1, g2=g2, h2=h2, context=context)


def _statement(**changes: Point) -> dict[str, Point]:
    return {"g1": G, "h1": H1, "g2": G2, "h2": H2} | changes


def _weak() -> DleqProof:
    nonce = Scalar(5)
    c = hash_to_scalar(Dst.DLEQ, g_pow(nonce).to_bytes(), (G2**nonce).to_bytes())
    return DleqProof(c, nonce + c * SECRET)


MUTATIONS: dict[str, tuple[DleqProof, dict[str, Point], bytes]] = {
    "response-plus-1": (
        DleqProof(HONEST.challenge, HONEST.response + Scalar(1)),
        _statement(),
        CONTEXT,
    ),
    "challenge-plus-1": (
        DleqProof(HONEST.challenge + Scalar(1), HONEST.response),
        _statement(),
        CONTEXT,
    ),
    "swapped-challenge-response": (
        DleqProof(HONEST.response, HONEST.challenge),
        _statement(),
        CONTEXT,
    ),
    "wrong-h2": (HONEST, _statement(h2=H2 * G), CONTEXT),
    "unequal-logs": (HONEST, _statement(h2=G2 ** (SECRET + Scalar(1))), CONTEXT),
    "swapped-bases": (HONEST, _statement(g1=G2, h1=H2, g2=G, h2=H1), CONTEXT),
    "wrong-context": (HONEST, _statement(), b"election|trustee 3"),
    "identity-g2": (HONEST, _statement(g2=IDENTITY, h2=IDENTITY), CONTEXT),
    "identity-h1": (HONEST, _statement(h1=IDENTITY), CONTEXT),
    "weak-fiat-shamir": (_weak(), _statement(), CONTEXT),
}


def test_happy_path() -> None:
    verify_dleq(HONEST, **_statement(), context=CONTEXT)


# Every mutation fails the challenge check, but those putting the identity in the statement,
# which the verifier refuses before hashing.
REFUSED_FOR = {
    "identity-g2": "dleq: statement contains the identity point",
    "identity-h1": "dleq: statement contains the identity point",
}


@pytest.mark.parametrize("name", MUTATIONS)
def test_mutation_is_rejected(name: str) -> None:
    proof, statement, context = MUTATIONS[name]
    reason = REFUSED_FOR.get(name, "dleq: challenge does not match the statement")
    with pytest.raises(InvalidProof, match=reason):
        verify_dleq(proof, **statement, context=context)


def test_cheating_prover_with_unequal_logs_fails() -> None:
    # A prover who does not know a common log cannot make a proof that verifies.
    h2 = G2 ** (SECRET + Scalar(1))
    proof = prove_dleq(SECRET, g1=G, h1=H1, g2=G2, h2=h2, context=CONTEXT)
    with pytest.raises(InvalidProof, match="dleq: challenge does not match the statement"):
        verify_dleq(proof, g1=G, h1=H1, g2=G2, h2=h2, context=CONTEXT)
