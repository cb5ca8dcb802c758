"""Spec §6.4 Range proofs: completeness, an oracle from the spec, named mutations."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto.elgamal import Ciphertext, PublicKey, encrypt_with_randomness
from crypto.errors import InvalidProof, MalformedInput
from crypto.group import IDENTITY, G, N, Scalar, g_pow
from crypto.hashing import Dst, hash_to_scalar
from crypto.proofs._common import ChallengeResponse
from crypto.proofs.disjunctive import (
    DisjunctiveBranch,
    DisjunctiveProof,
    prove_range,
    unsafe_prove_range,
    verify_range,
)
from tests.crypto.proofs.disjunctive_tools import (
    CONTEXT,
    IDENTITY_BYTES,
    OFF_CURVE,
    OTHER_PK,
    PK,
    PK_TABLE,
    R,
    RangeCase,
    edit_branch,
    honest_range,
    negated,
    oracle_prove,
    range_hash,
    scalar,
    set_branch,
    simulated_pairs,
    swap_branches,
    times_g,
)
from tests.strategies import contexts, key_pairs


# §6.4 Completeness ----------------------------------------------------------------------------
@st.composite
def _range_statements(draw: st.DrawFn) -> tuple[PublicKey, int, int, Scalar, bytes]:
    _, pk = draw(key_pairs)
    maximum = draw(st.integers(min_value=0, max_value=6))
    value = draw(st.integers(min_value=0, max_value=maximum))
    r = draw(st.integers(min_value=1, max_value=N - 1).map(Scalar))
    return pk, maximum, value, r, draw(contexts)


@settings(max_examples=60)
@given(_range_statements())
def test_honest_range_proof_verifies(statement: tuple[PublicKey, int, int, Scalar, bytes]) -> None:
    pk, maximum, value, r, context = statement
    ciphertext = encrypt_with_randomness(pk, value, randomness=r)
    proof = prove_range(
        r, value=value, public_key=pk, ciphertext=ciphertext, maximum=maximum, context=context
    )
    assert len(proof.branches) == maximum + 1
    verify_range(proof, public_key=pk, ciphertext=ciphertext, maximum=maximum, context=context)
    assert DisjunctiveProof.from_json(proof.to_json(), branches=maximum + 1) == proof


@settings(max_examples=30)
@given(_range_statements())
def test_range_proof_matches_the_spec_oracle(
    statement: tuple[PublicKey, int, int, Scalar, bytes],
) -> None:
    pk, maximum, value, r, context = statement
    ciphertext = encrypt_with_randomness(pk, value, randomness=r)
    w, simulated = scalar(99), simulated_pairs(maximum)
    expected = oracle_prove(
        range_hash(context, pk, ciphertext, maximum),
        alpha=ciphertext.alpha,
        beta=ciphertext.beta,
        pk=pk.element,
        a=0,
        b=maximum,
        value=value,
        r=r,
        w=w,
        simulated=simulated,
    )
    proof = unsafe_prove_range(
        r,
        value=value,
        public_key=pk,
        ciphertext=ciphertext,
        maximum=maximum,
        context=context,
        nonce=w,
        simulated=simulated,
    )
    assert proof == expected


# §6.4 Named mutations -------------------------------------------------------------------------
CIPHERTEXT = encrypt_with_randomness(PK, 1, randomness=R)
HONEST = honest_range()  # encrypts 1 in 0..1: branch 1 is real, branch 0 simulated
HONEST_WIDE = honest_range(value=2, maximum=4)
# An honest proof of another ciphertext, with another nonce: a source of foreign commitments.
OTHER_PROOF = unsafe_prove_range(
    scalar(1003),
    value=0,
    public_key=PK,
    ciphertext=encrypt_with_randomness(PK, 0, randomness=scalar(1003)),
    maximum=1,
    context=CONTEXT,
    nonce=scalar(1004),
    simulated=simulated_pairs(1, seed=40),
)


def _weak_fiat_shamir(case: RangeCase) -> DisjunctiveProof:
    # An honest prover, but the challenge hashes the commitments only.
    return oracle_prove(
        lambda commitments: hash_to_scalar(Dst.RANGE, *commitments),
        alpha=case.ciphertext.alpha,
        beta=case.ciphertext.beta,
        pk=PK.element,
        a=0,
        b=case.maximum,
        value=1,
        r=R,
        w=scalar(7),
        simulated=simulated_pairs(case.maximum),
    )


def _fiat_shamir_without_context(case: RangeCase) -> DisjunctiveProof:
    return oracle_prove(
        range_hash(b"", PK, case.ciphertext, case.maximum),
        alpha=case.ciphertext.alpha,
        beta=case.ciphertext.beta,
        pk=PK.element,
        a=0,
        b=case.maximum,
        value=1,
        r=R,
        w=scalar(7),
        simulated=simulated_pairs(case.maximum),
    )


def _simulated_transcript(case: RangeCase) -> DisjunctiveProof:
    # Every branch simulated: each satisfies its verification equations as a sigma transcript,
    # but the challenges were chosen, not hashed, so they do not sum to the hash.
    alpha, beta, pk = case.ciphertext.alpha, case.ciphertext.beta, case.public_key.element
    return DisjunctiveProof(
        tuple(
            DisjunctiveBranch(
                (G**p.response / alpha**p.challenge).to_bytes(),
                (pk**p.response / (beta / g_pow(Scalar(j))) ** p.challenge).to_bytes(),
                p.challenge,
                p.response,
            )
            for j, p in enumerate(simulated_pairs(case.maximum + 1, seed=500))
        )
    )


def _identity_alpha(case: RangeCase) -> RangeCase:
    # Enc(1; 0) = (1, g): its proof with r = 0 is otherwise valid, so only the rule refuses it.
    zero = Scalar(0)
    ciphertext = encrypt_with_randomness(PK, 1, randomness=zero)
    proof = unsafe_prove_range(
        zero,
        value=1,
        public_key=PK,
        ciphertext=ciphertext,
        maximum=1,
        context=CONTEXT,
        nonce=scalar(7),
        simulated=simulated_pairs(1),
    )
    return replace(case, proof=proof, ciphertext=ciphertext)


def _cheating_prover(value: int, claimed: int, maximum: int, r: Scalar = R) -> RangeCase:
    # The deterministic core run on a ciphertext whose plaintext is not the claimed value.
    ciphertext = encrypt_with_randomness(PK, value, randomness=r)
    proof = unsafe_prove_range(
        R,
        value=claimed,
        public_key=PK,
        ciphertext=ciphertext,
        maximum=maximum,
        context=CONTEXT,
        nonce=scalar(7),
        simulated=simulated_pairs(maximum),
    )
    return RangeCase(proof, PK, ciphertext, maximum, CONTEXT)


def _rehashed(case: RangeCase) -> RangeCase:
    """The case with branch 0's challenge set so that the challenges sum to the hash of the
    commitments as they now are: it passes step 2 of §6.4, only the equations can refuse it."""
    proof = case.proof
    commitments = [part for b in proof.branches for part in (b.a, b.b)]
    c = range_hash(case.context, case.public_key, case.ciphertext, case.maximum)(commitments)
    rest = sum(b.challenge.value for b in proof.branches[1:])
    return replace(case, proof=set_branch(proof, 0, challenge=Scalar.reduce(c.value - rest)))


def _forged_transcript(case: RangeCase) -> RangeCase:
    """Commitments chosen freely (valid points), challenges split to sum to their hash,
    responses arbitrary: the hash check passes, no equation holds."""
    commitments = [g_pow(scalar(700 + i)).to_bytes() for i in range(2 * (case.maximum + 1))]
    c = range_hash(case.context, case.public_key, case.ciphertext, case.maximum)(commitments)
    challenges = [scalar(800 + j) for j in range(case.maximum)]
    challenges.insert(0, Scalar.reduce(c.value - sum(x.value for x in challenges)))
    branches = tuple(
        DisjunctiveBranch(commitments[2 * j], commitments[2 * j + 1], cj, scalar(900 + j))
        for j, cj in enumerate(challenges)
    )
    return replace(case, proof=DisjunctiveProof(branches))


# Mutations of the commitments: each as received (the hash check refuses it), and "rehashed"
# (the challenges re-split to match the hash, so only the equations can refuse it).
COMMITMENT_MUTATIONS: dict[str, Callable[[RangeCase], RangeCase]] = {
    "a-changed": lambda c: replace(
        c, proof=set_branch(c.proof, 0, a=times_g(c.proof.branches[0].a))
    ),
    "b-changed": lambda c: replace(
        c, proof=set_branch(c.proof, 1, b=times_g(c.proof.branches[1].b))
    ),
    "a-negated": lambda c: replace(
        c, proof=set_branch(c.proof, 1, a=negated(c.proof.branches[1].a))
    ),
    "a-b-swapped": lambda c: replace(
        c, proof=set_branch(c.proof, 1, a=c.proof.branches[1].b, b=c.proof.branches[1].a)
    ),
    "a-swapped-between-branches": lambda c: replace(
        c,
        proof=set_branch(
            set_branch(c.proof, 0, a=c.proof.branches[1].a), 1, a=c.proof.branches[0].a
        ),
    ),
    "a-off-curve": lambda c: replace(c, proof=set_branch(c.proof, 1, a=OFF_CURVE)),
    "b-off-curve": lambda c: replace(c, proof=set_branch(c.proof, 0, b=OFF_CURVE)),
    "a-identity": lambda c: replace(c, proof=set_branch(c.proof, 1, a=IDENTITY_BYTES)),
    "b-identity": lambda c: replace(c, proof=set_branch(c.proof, 0, b=IDENTITY_BYTES)),
    "a-from-another-proof": lambda c: replace(
        c, proof=set_branch(c.proof, 1, a=OTHER_PROOF.branches[1].a)
    ),
    "commitments-from-another-proof": lambda c: replace(
        c,
        proof=DisjunctiveProof(
            tuple(
                replace(b, a=o.a, b=o.b)
                for b, o in zip(c.proof.branches, OTHER_PROOF.branches, strict=True)
            )
        ),
    ),
}


def _then_rehash(mutate: Callable[[RangeCase], RangeCase]) -> Callable[[RangeCase], RangeCase]:
    return lambda case: _rehashed(mutate(case))


COMMITMENT_MUTATIONS |= {
    f"{name}-rehashed": _then_rehash(mutate) for name, mutate in list(COMMITMENT_MUTATIONS.items())
}


RANGE_MUTATIONS: dict[str, Callable[[RangeCase], RangeCase]] = {
    "response-plus-1-real-branch": lambda c: replace(c, proof=edit_branch(c.proof, 1, ds=1)),
    "response-plus-1-simulated-branch": lambda c: replace(c, proof=edit_branch(c.proof, 0, ds=1)),
    "challenge-plus-1": lambda c: replace(c, proof=edit_branch(c.proof, 0, dc=1)),
    "challenges-rebalanced-same-sum": lambda c: replace(
        c, proof=edit_branch(edit_branch(c.proof, 0, dc=5), 1, dc=-5)
    ),
    "challenges-swapped-between-branches": lambda c: replace(
        c, proof=swap_branches(c.proof, "challenge")
    ),
    "responses-swapped-between-branches": lambda c: replace(
        c, proof=swap_branches(c.proof, "response")
    ),
    "branches-reversed": lambda c: replace(
        c, proof=DisjunctiveProof(tuple(reversed(c.proof.branches)))
    ),
    "challenge-and-response-swapped": lambda c: replace(
        c,
        proof=DisjunctiveProof(
            tuple(replace(b, challenge=b.response, response=b.challenge) for b in c.proof.branches)
        ),
    ),
    "branch-dropped": lambda c: replace(c, proof=DisjunctiveProof(c.proof.branches[:1])),
    "branch-added": lambda c: replace(
        c, proof=DisjunctiveProof((*c.proof.branches, c.proof.branches[0]))
    ),
    "other-ciphertext-same-plaintext": lambda c: replace(
        c, ciphertext=encrypt_with_randomness(PK, 1, randomness=scalar(1001))
    ),
    "other-ciphertext-beta": lambda c: replace(
        c, ciphertext=Ciphertext(c.ciphertext.alpha, c.ciphertext.beta * G)
    ),
    "swapped-alpha-beta": lambda c: replace(
        c, ciphertext=Ciphertext(c.ciphertext.beta, c.ciphertext.alpha)
    ),
    "other-public-key": lambda c: replace(c, public_key=OTHER_PK),
    "other-maximum-2": lambda c: replace(c, maximum=2),
    "other-maximum-0": lambda c: replace(c, maximum=0),
    "other-context-election": lambda c: replace(
        c, context=b"other-fingerprint|credential-7|contest-1|option-2"
    ),
    "other-context-credential": lambda c: replace(
        c, context=b"election-fingerprint|credential-8|contest-1|option-2"
    ),
    "other-context-option": lambda c: replace(
        c, context=b"election-fingerprint|credential-7|contest-1|option-3"
    ),
    "empty-context": lambda c: replace(c, context=b""),
    "identity-alpha": _identity_alpha,
    "weak-fiat-shamir": lambda c: replace(c, proof=_weak_fiat_shamir(c)),
    "fiat-shamir-without-context": lambda c: replace(c, proof=_fiat_shamir_without_context(c)),
    "simulated-transcript": lambda c: replace(c, proof=_simulated_transcript(c)),
    "value-2-outside-0..1": lambda c: _cheating_prover(2, 1, 1),
    "value-2-outside-0..1-claiming-0": lambda c: _cheating_prover(2, 0, 1),
    "value-n-minus-1-outside-0..1": lambda c: _cheating_prover(N - 1, 0, 1),
    "wrong-randomness": lambda c: _cheating_prover(1, 1, 1, r=scalar(1002)),
    "rebalanced-challenges-rehashed": lambda c: _rehashed(
        replace(c, proof=edit_branch(c.proof, 1, dc=12345))
    ),
    "forged-transcript-hash-matches": _forged_transcript,
    **COMMITMENT_MUTATIONS,
}


def _check(case: RangeCase) -> None:
    verify_range(
        case.proof,
        public_key=case.public_key,
        ciphertext=case.ciphertext,
        maximum=case.maximum,
        context=case.context,
    )


@pytest.mark.parametrize("base", [HONEST, HONEST_WIDE], ids=["0..1", "0..4"])
def test_range_happy_path(base: RangeCase) -> None:
    _check(base)
    _check(replace(base, public_key=PK_TABLE))


# What refuses each mutation: by default §6.4 step 2, the challenges no longer sum to the hash of
# the statement; before it, the branch count and the identity; after it, step 3's equations.
RANGE_REFUSED_FOR = {
    "branch-dropped": "range proof: expected 2 branches, got 1",
    "branch-added": "range proof: expected 2 branches, got 3",
    "other-maximum-0": "range proof: expected 1 branches, got 2",
    "other-maximum-2": "range proof: expected 3 branches, got 2",
    "identity-alpha": "range proof: ciphertext alpha: statement contains the identity point",
    "response-plus-1-real-branch": "range proof: branch 1: A is not",
    "response-plus-1-simulated-branch": "range proof: branch 0: A is not",
    "challenges-rebalanced-same-sum": "range proof: branch 0: A is not",
    "challenges-swapped-between-branches": "range proof: branch 0: A is not",
    "responses-swapped-between-branches": "range proof: branch 0: A is not",
    "rebalanced-challenges-rehashed": "range proof: branch 0: A is not",
    "forged-transcript-hash-matches": "range proof: branch 0: A is not",
    "value-2-outside-0..1": "range proof: branch 1: B is not",
    "value-2-outside-0..1-claiming-0": "range proof: branch 0: B is not",
    "value-n-minus-1-outside-0..1": "range proof: branch 0: B is not",
    # A prover with the wrong r computes every branch's A = g^(s - c·r) wrong: branch 0 first.
    "wrong-randomness": "range proof: branch 0: A is not",
    # Re-splitting the challenges moves branch 0's: its first equation refuses these first.
    **{name: "range proof: branch 0: A is not" for name in RANGE_MUTATIONS if "-rehashed" in name},
}


@pytest.mark.parametrize("name", RANGE_MUTATIONS)
def test_range_mutation_is_rejected(name: str) -> None:
    reason = RANGE_REFUSED_FOR.get(name, "challenges do not sum to the hash of the statement")
    with pytest.raises(InvalidProof, match=reason):
        _check(RANGE_MUTATIONS[name](HONEST))


# The mutations that keep the challenges summing to the hash: step 3's equations must refuse them.
PASS_THE_HASH = [
    "response-plus-1-real-branch",
    "response-plus-1-simulated-branch",
    "challenges-rebalanced-same-sum",
    "challenges-swapped-between-branches",
    "responses-swapped-between-branches",
    "rebalanced-challenges-rehashed",
    "forged-transcript-hash-matches",
    "value-2-outside-0..1",
    "value-2-outside-0..1-claiming-0",
    "value-n-minus-1-outside-0..1",
    "wrong-randomness",
    *(name for name in RANGE_MUTATIONS if name.endswith("-rehashed")),
]


@pytest.mark.parametrize("name", PASS_THE_HASH)
def test_mutation_passing_the_hash_fails_an_equation(name: str) -> None:
    case = RANGE_MUTATIONS[name](HONEST)
    commitments = [part for b in case.proof.branches for part in (b.a, b.b)]
    challenge = range_hash(case.context, case.public_key, case.ciphertext, case.maximum)
    assert challenge(commitments).value == sum(b.challenge.value for b in case.proof.branches) % N
    with pytest.raises(InvalidProof, match=r"branch \d: [AB] is not"):
        _check(case)


def test_identity_commitment_of_a_valid_proof_is_accepted() -> None:
    # A prover knowing r simulates branch 0 with s_0 = c_0 · r: A_0 = g^(c_0·r) · alpha^-c_0 = 1.
    c0 = scalar(31)
    proof = unsafe_prove_range(
        R,
        value=1,
        public_key=PK,
        ciphertext=CIPHERTEXT,
        maximum=1,
        context=CONTEXT,
        nonce=scalar(7),
        simulated=[ChallengeResponse(c0, c0 * R)],
    )
    assert proof.branches[0].a == IDENTITY_BYTES
    _check(replace(HONEST, proof=proof))
    assert DisjunctiveProof.from_json(proof.to_json(), branches=2) == proof


@pytest.mark.parametrize("j", range(5))
def test_range_mutation_of_any_branch_of_a_wide_proof_is_rejected(j: int) -> None:
    for dc, ds in ((1, 0), (0, 1), (-1, 0)):
        reason = "challenges do not sum to the hash" if dc else f"branch {j}: A is not"
        with pytest.raises(InvalidProof, match=reason):
            _check(replace(HONEST_WIDE, proof=edit_branch(HONEST_WIDE.proof, j, dc=dc, ds=ds)))


@pytest.mark.parametrize(("value", "maximum"), [(5, 4), (7, 4), (1, 0)])
def test_cheating_prover_outside_the_range_fails(value: int, maximum: int) -> None:
    for claimed in range(maximum + 1):
        with pytest.raises(InvalidProof, match=f"branch {claimed}: B is not"):
            _check(_cheating_prover(value, claimed, maximum))


def test_identity_public_key_cannot_enter_a_statement() -> None:
    with pytest.raises(MalformedInput, match="the identity is not a valid public key"):
        PublicKey(IDENTITY)


def test_prover_refuses_bad_parameters() -> None:
    with pytest.raises(MalformedInput, match=r"value 2 not in 0\.\.1"):
        prove_range(R, value=2, public_key=PK, ciphertext=CIPHERTEXT, maximum=1, context=CONTEXT)
    with pytest.raises(MalformedInput, match=r"value -1 not in 0\.\.1"):
        prove_range(R, value=-1, public_key=PK, ciphertext=CIPHERTEXT, maximum=1, context=CONTEXT)
    with pytest.raises(
        MalformedInput, match=r"need 0 <= minimum <= maximum <= 2\^32 - 1, got 0\.\.-1"
    ):
        prove_range(R, value=0, public_key=PK, ciphertext=CIPHERTEXT, maximum=-1, context=CONTEXT)
    with pytest.raises(MalformedInput, match="need 2 simulated branches"):
        unsafe_prove_range(
            R,
            value=1,
            public_key=PK,
            ciphertext=CIPHERTEXT,
            maximum=2,
            context=CONTEXT,
            nonce=scalar(7),
            simulated=simulated_pairs(1),
        )


def test_verifier_refuses_a_maximum_beyond_32_bits() -> None:
    with pytest.raises(MalformedInput, match=r"maximum <= 2\^32 - 1, got 0\.\.4294967296"):
        verify_range(
            HONEST.proof, public_key=PK, ciphertext=CIPHERTEXT, maximum=2**32, context=CONTEXT
        )


def test_range_proof_is_a_proof_of_knowledge_of_r() -> None:
    """§6.6 Special soundness: two proofs sharing commitments under two contexts reveal r."""
    proofs = [
        unsafe_prove_range(
            R,
            value=1,
            public_key=PK,
            ciphertext=CIPHERTEXT,
            maximum=1,
            context=context,
            nonce=scalar(7),
            simulated=simulated_pairs(1),
        )
        for context in (b"credential A", b"credential B")
    ]
    first, second = (p.branches[1] for p in proofs)  # the real branch
    assert first.challenge != second.challenge
    extracted = (first.response - second.response) * (first.challenge - second.challenge).inverse()
    assert extracted == R
    assert g_pow(extracted) == CIPHERTEXT.alpha
