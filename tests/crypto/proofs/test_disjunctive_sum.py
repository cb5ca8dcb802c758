"""Spec §6.5 Sum proofs: completeness, an oracle from the spec, named mutations."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto.elgamal import Ciphertext, PublicKey, SecretKey, aggregate, encrypt_with_randomness
from crypto.errors import InvalidProof, MalformedInput
from crypto.group import Scalar
from crypto.proofs.disjunctive import (
    DisjunctiveProof,
    prove_sum_range,
    unsafe_prove_sum_range,
    verify_sum_range,
)
from tests.crypto.proofs.disjunctive_tools import (
    CONTEXT,
    IDENTITY_BYTES,
    OFF_CURVE,
    OTHER_PK,
    PK,
    PK_TABLE,
    edit_branch,
    oracle_prove,
    scalar,
    set_branch,
    simulated_pairs,
    sum_hash,
    swap_branches,
    times_g,
)
from tests.strategies import contexts, key_pairs


@st.composite
def _sum_statements(draw: st.DrawFn) -> tuple[list[int], int, int, bytes]:
    votes = draw(st.lists(st.integers(min_value=0, max_value=1), min_size=1, max_size=8))
    minimum = draw(st.integers(min_value=0, max_value=sum(votes)))
    maximum = draw(st.integers(min_value=sum(votes), max_value=sum(votes) + 3))
    return votes, minimum, maximum, draw(contexts)


@settings(max_examples=40)
@given(key_pairs, _sum_statements())
def test_honest_sum_proof_verifies(
    pair: tuple[SecretKey, PublicKey], statement: tuple[list[int], int, int, bytes]
) -> None:
    _, pk = pair
    votes, minimum, maximum, context = statement
    rs = [scalar(300 + i) for i in range(len(votes))]
    items = [encrypt_with_randomness(pk, v, randomness=r) for v, r in zip(votes, rs, strict=True)]
    total_r = Scalar.reduce(sum(r.value for r in rs))
    proof = prove_sum_range(
        total_r,
        value=sum(votes),
        public_key=pk,
        ciphertexts=items,
        minimum=minimum,
        maximum=maximum,
        context=context,
    )
    verify_sum_range(
        proof, public_key=pk, ciphertexts=items, minimum=minimum, maximum=maximum, context=context
    )
    w, simulated = scalar(98), simulated_pairs(maximum - minimum)
    assert unsafe_prove_sum_range(
        total_r,
        value=sum(votes),
        public_key=pk,
        ciphertexts=items,
        minimum=minimum,
        maximum=maximum,
        context=context,
        nonce=w,
        simulated=simulated,
    ) == oracle_prove(
        sum_hash(context, pk, items, minimum, maximum),
        alpha=aggregate(items).alpha,
        beta=aggregate(items).beta,
        pk=pk.element,
        a=minimum,
        b=maximum,
        value=sum(votes),
        r=total_r,
        w=w,
        simulated=simulated,
    )


@dataclass(frozen=True)
class SumCase:
    proof: DisjunctiveProof
    public_key: PublicKey
    ciphertexts: tuple[Ciphertext, ...]
    minimum: int
    maximum: int
    context: bytes


VOTES = (1, 0, 1, 0)
RS = tuple(scalar(400 + i) for i in range(len(VOTES)))
ITEMS = tuple(encrypt_with_randomness(PK, v, randomness=r) for v, r in zip(VOTES, RS, strict=True))
TOTAL_R = Scalar.reduce(sum(r.value for r in RS))


def _sum_proof(items: Sequence[Ciphertext], value: int, r: Scalar, a: int, b: int) -> SumCase:
    proof = unsafe_prove_sum_range(
        r,
        value=value,
        public_key=PK,
        ciphertexts=items,
        minimum=a,
        maximum=b,
        context=CONTEXT,
        nonce=scalar(8),
        simulated=simulated_pairs(b - a),
    )
    return SumCase(proof, PK, tuple(items), a, b, CONTEXT)


SUM_HONEST = _sum_proof(ITEMS, 2, TOTAL_R, 1, 3)
_ZERO = encrypt_with_randomness(PK, 0, randomness=scalar(450))


def _same_product_other_list(case: SumCase) -> SumCase:
    x = _ZERO
    x_inverse = Ciphertext(x.alpha.inverse(), x.beta.inverse())
    items = (case.ciphertexts[0] * x, case.ciphertexts[1] * x_inverse, *case.ciphertexts[2:])
    assert aggregate(items) == aggregate(case.ciphertexts)
    return replace(case, ciphertexts=items)


def _product_only_fiat_shamir(case: SumCase) -> SumCase:
    # A challenge over the product (as if it were a single ciphertext), not the list.
    total = aggregate(case.ciphertexts)
    proof = oracle_prove(
        sum_hash(CONTEXT, PK, [total], case.minimum, case.maximum),
        alpha=total.alpha,
        beta=total.beta,
        pk=PK.element,
        a=case.minimum,
        b=case.maximum,
        value=2,
        r=TOTAL_R,
        w=scalar(8),
        simulated=simulated_pairs(case.maximum - case.minimum),
    )
    return replace(case, proof=proof)


def _identity_alpha_in_list(case: SumCase) -> SumCase:
    zero_r = encrypt_with_randomness(PK, 0, randomness=Scalar(0))
    return _sum_proof((*ITEMS, zero_r), 2, TOTAL_R, 1, 3)


def _sum_rehashed(case: SumCase) -> SumCase:
    """As ``_rehashed``, for a sum proof."""
    proof = case.proof
    commitments = [part for b in proof.branches for part in (b.a, b.b)]
    hash_of = sum_hash(case.context, case.public_key, case.ciphertexts, case.minimum, case.maximum)
    rest = sum(b.challenge.value for b in proof.branches[1:])
    return replace(
        case, proof=set_branch(proof, 0, challenge=Scalar.reduce(hash_of(commitments).value - rest))
    )


SUM_MUTATIONS: dict[str, Callable[[SumCase], SumCase]] = {
    "response-plus-1": lambda c: replace(c, proof=edit_branch(c.proof, 1, ds=1)),
    "challenge-plus-1": lambda c: replace(c, proof=edit_branch(c.proof, 0, dc=1)),
    "challenges-swapped-between-branches": lambda c: replace(
        c, proof=swap_branches(c.proof, "challenge")
    ),
    "ciphertext-replaced": lambda c: replace(
        c, ciphertexts=(encrypt_with_randomness(PK, 1, randomness=scalar(460)), *c.ciphertexts[1:])
    ),
    "same-product-other-list": _same_product_other_list,
    "list-reordered-same-product": lambda c: replace(c, ciphertexts=tuple(reversed(c.ciphertexts))),
    "ciphertext-dropped": lambda c: replace(c, ciphertexts=c.ciphertexts[:-1]),
    "encryption-of-zero-appended": lambda c: replace(c, ciphertexts=(*c.ciphertexts, _ZERO)),
    "other-minimum-wrong-branch-count": lambda c: replace(c, minimum=2),
    "range-shifted-same-branch-count": lambda c: replace(c, minimum=2, maximum=4),
    "other-maximum": lambda c: replace(c, maximum=4),
    "other-public-key": lambda c: replace(c, public_key=OTHER_PK),
    "other-context-credential": lambda c: replace(
        c, context=b"election-fingerprint|credential-8|contest-1|option-2"
    ),
    "identity-alpha-in-list": _identity_alpha_in_list,
    "product-only-fiat-shamir": _product_only_fiat_shamir,
    "total-3-outside-1..2": lambda c: _sum_proof(
        (*ITEMS[:3], ITEMS[0]), 2, Scalar.reduce(sum(r.value for r in (*RS[:3], RS[0]))), 1, 2
    ),
    "total-0-outside-1..3": lambda c: _sum_proof((ITEMS[1], ITEMS[3]), 1, RS[1] + RS[3], 1, 3),
    "a-changed": lambda c: replace(
        c, proof=set_branch(c.proof, 1, a=times_g(c.proof.branches[1].a))
    ),
    "a-changed-rehashed": lambda c: _sum_rehashed(
        replace(c, proof=set_branch(c.proof, 1, a=times_g(c.proof.branches[1].a)))
    ),
    "b-off-curve-rehashed": lambda c: _sum_rehashed(
        replace(c, proof=set_branch(c.proof, 2, b=OFF_CURVE))
    ),
    "b-identity-rehashed": lambda c: _sum_rehashed(
        replace(c, proof=set_branch(c.proof, 0, b=IDENTITY_BYTES))
    ),
    "response-minus-1-simulated-branch": lambda c: replace(c, proof=edit_branch(c.proof, 2, ds=-1)),
}


def _check_sum(case: SumCase) -> None:
    verify_sum_range(
        case.proof,
        public_key=case.public_key,
        ciphertexts=case.ciphertexts,
        minimum=case.minimum,
        maximum=case.maximum,
        context=case.context,
    )


def test_sum_happy_path() -> None:
    _check_sum(SUM_HONEST)
    _check_sum(replace(SUM_HONEST, public_key=PK_TABLE))
    exact = _sum_proof(ITEMS, 2, TOTAL_R, 2, 2)
    assert len(exact.proof.branches) == 1
    _check_sum(exact)


# As for range proofs: by default the challenges no longer sum to the hash of the statement.
SUM_REFUSED_FOR = {
    "other-minimum-wrong-branch-count": "sum proof: expected 2 branches, got 3",
    "other-maximum": "sum proof: expected 4 branches, got 3",
    "identity-alpha-in-list": "sum proof: ciphertext 4 alpha: statement contains the identity",
    "response-plus-1": "sum proof: branch 1: A is not",
    "response-minus-1-simulated-branch": "sum proof: branch 2: A is not",
    "challenges-swapped-between-branches": "sum proof: branch 0: A is not",
    "total-3-outside-1..2": "sum proof: branch 1: B is not",
    "total-0-outside-1..3": "sum proof: branch 0: B is not",
    **{name: "sum proof: branch 0: A is not" for name in SUM_MUTATIONS if "-rehashed" in name},
}


@pytest.mark.parametrize("name", SUM_MUTATIONS)
def test_sum_mutation_is_rejected(name: str) -> None:
    reason = SUM_REFUSED_FOR.get(name, "sum proof: challenges do not sum to the hash")
    with pytest.raises(InvalidProof, match=reason):
        _check_sum(SUM_MUTATIONS[name](SUM_HONEST))


def test_sum_proof_refuses_an_empty_list_and_bad_bounds() -> None:
    empty_list = r"sum proof: need 1 to 2\^32 - 1 ciphertexts, got 0"
    with pytest.raises(MalformedInput, match=empty_list):
        verify_sum_range(
            SUM_HONEST.proof, public_key=PK, ciphertexts=[], minimum=1, maximum=3, context=CONTEXT
        )
    with pytest.raises(MalformedInput, match=r"maximum <= 2\^32 - 1, got 3\.\.1"):
        verify_sum_range(
            SUM_HONEST.proof,
            public_key=PK,
            ciphertexts=ITEMS,
            minimum=3,
            maximum=1,
            context=CONTEXT,
        )
    with pytest.raises(MalformedInput, match=empty_list):
        prove_sum_range(
            TOTAL_R,
            value=2,
            public_key=PK,
            ciphertexts=[],
            minimum=0,
            maximum=2,
            context=CONTEXT,
        )
