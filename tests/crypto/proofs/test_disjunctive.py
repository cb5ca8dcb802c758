"""Spec §6.4 and §6.5 Disjunctive proofs: completeness, an oracle from the spec, named mutations."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto import canonical
from crypto.elgamal import Ciphertext, PublicKey, SecretKey, aggregate, encrypt_with_randomness
from crypto.errors import InvalidProof, MalformedInput, NonCanonicalEncoding
from crypto.group import IDENTITY, G, N, P, Point, Scalar, g_pow
from crypto.hashing import Dst, hash_to_scalar
from crypto.proofs._common import ChallengeResponse
from crypto.proofs.disjunctive import (
    DisjunctiveBranch,
    DisjunctiveProof,
    prove_range,
    prove_sum_range,
    unsafe_prove_range,
    unsafe_prove_sum_range,
    verify_range,
    verify_sum_range,
)
from tests.strategies import contexts, key_pairs

SK = SecretKey(Scalar(0xD15))
PK = SK.public_key()
PK_TABLE = PK.precompute()
OTHER_PK = SecretKey(Scalar(0xD16)).public_key()
CONTEXT = b"election-fingerprint|credential-7|contest-1|option-2"


def _s(label: int) -> Scalar:
    return Scalar.reduce(0x5EED0000 + label * 0x9E3779B97F4A7C15)


def _simulated(count: int, seed: int = 0) -> list[ChallengeResponse]:
    return [ChallengeResponse(_s(seed + 2 * j + 1), _s(seed + 2 * j + 2)) for j in range(count)]


# A spec oracle: the disjunctive core of §6.4 written straight from the text, hash pluggable ----
ChallengeFn = Callable[[list[bytes]], Scalar]


def _oracle_prove(
    challenge_of: ChallengeFn,
    *,
    alpha: Point,
    beta: Point,
    pk: Point,
    a: int,
    b: int,
    value: int,
    r: Scalar,
    w: Scalar,
    simulated: Sequence[ChallengeResponse],
) -> DisjunctiveProof:
    t = value - a
    fakes = iter(simulated)
    pairs: list[ChallengeResponse] = []
    commitments: list[bytes] = []
    for j in range(b - a + 1):
        shifted = beta / g_pow(Scalar(a + j))
        if j == t:
            pairs.append(ChallengeResponse(Scalar(0), Scalar(0)))  # filled in below
            commitments += [(G**w).to_bytes(), (pk**w).to_bytes()]
        else:
            fake = next(fakes)
            pairs.append(fake)
            commitments += [
                (G**fake.response / alpha**fake.challenge).to_bytes(),
                (pk**fake.response / shifted**fake.challenge).to_bytes(),
            ]
    c = challenge_of(commitments)
    c_t = c
    for j, pair in enumerate(pairs):
        if j != t:
            c_t = c_t - pair.challenge
    pairs[t] = ChallengeResponse(c_t, w + c_t * r)
    return DisjunctiveProof(
        tuple(
            DisjunctiveBranch(commitments[2 * j], commitments[2 * j + 1], p.challenge, p.response)
            for j, p in enumerate(pairs)
        )
    )


def _range_hash(context: bytes, pk: PublicKey, ciphertext: Ciphertext, maximum: int) -> ChallengeFn:
    return lambda commitments: hash_to_scalar(
        Dst.RANGE,
        context,
        G.to_bytes(),
        pk.to_bytes(),
        ciphertext.alpha.to_bytes(),
        ciphertext.beta.to_bytes(),
        (0).to_bytes(4, "big"),
        maximum.to_bytes(4, "big"),
        *commitments,
    )


def _sum_hash(
    context: bytes, pk: PublicKey, items: Sequence[Ciphertext], a: int, b: int
) -> ChallengeFn:
    listed = [part for c in items for part in (c.alpha.to_bytes(), c.beta.to_bytes())]
    return lambda commitments: hash_to_scalar(
        Dst.SUM_RANGE,
        context,
        G.to_bytes(),
        pk.to_bytes(),
        len(items).to_bytes(4, "big"),
        *listed,
        a.to_bytes(4, "big"),
        b.to_bytes(4, "big"),
        *commitments,
    )


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
    w, simulated = _s(99), _simulated(maximum)
    expected = _oracle_prove(
        _range_hash(context, pk, ciphertext, maximum),
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
@dataclass(frozen=True)
class RangeCase:
    proof: DisjunctiveProof
    public_key: PublicKey
    ciphertext: Ciphertext
    maximum: int
    context: bytes


R = _s(1000)
CIPHERTEXT = encrypt_with_randomness(PK, 1, randomness=R)


def _honest(value: int = 1, maximum: int = 1, r: Scalar = R, **kw: object) -> RangeCase:
    ciphertext = encrypt_with_randomness(PK, value, randomness=r)
    proof = unsafe_prove_range(
        r,
        value=value,
        public_key=PK,
        ciphertext=ciphertext,
        maximum=maximum,
        context=CONTEXT,
        nonce=_s(7),
        simulated=_simulated(maximum),
    )
    return RangeCase(proof, PK, ciphertext, maximum, CONTEXT)


HONEST = _honest()  # encrypts 1 in 0..1: branch 1 is real, branch 0 simulated
HONEST_WIDE = _honest(value=2, maximum=4)
# An honest proof of another ciphertext, with another nonce: a source of foreign commitments.
OTHER_PROOF = unsafe_prove_range(
    _s(1003),
    value=0,
    public_key=PK,
    ciphertext=encrypt_with_randomness(PK, 0, randomness=_s(1003)),
    maximum=1,
    context=CONTEXT,
    nonce=_s(1004),
    simulated=_simulated(1, seed=40),
)


def _set(proof: DisjunctiveProof, j: int, **changes: object) -> DisjunctiveProof:
    branches = list(proof.branches)
    branches[j] = replace(branches[j], **changes)  # type: ignore[arg-type]
    return DisjunctiveProof(tuple(branches))


def _edit(proof: DisjunctiveProof, j: int, *, dc: int = 0, ds: int = 0) -> DisjunctiveProof:
    c, s = proof.branches[j].challenge, proof.branches[j].response
    return _set(proof, j, challenge=c + Scalar.reduce(dc), response=s + Scalar.reduce(ds))


def _swap(proof: DisjunctiveProof, which: str) -> DisjunctiveProof:
    first, second = proof.branches[:2]
    one = replace(first, **{which: getattr(second, which)})
    two = replace(second, **{which: getattr(first, which)})
    return DisjunctiveProof((one, two, *proof.branches[2:]))


def _weak_fiat_shamir(case: RangeCase) -> DisjunctiveProof:
    # An honest prover, but the challenge hashes the commitments only.
    return _oracle_prove(
        lambda commitments: hash_to_scalar(Dst.RANGE, *commitments),
        alpha=case.ciphertext.alpha,
        beta=case.ciphertext.beta,
        pk=PK.element,
        a=0,
        b=case.maximum,
        value=1,
        r=R,
        w=_s(7),
        simulated=_simulated(case.maximum),
    )


def _fiat_shamir_without_context(case: RangeCase) -> DisjunctiveProof:
    return _oracle_prove(
        _range_hash(b"", PK, case.ciphertext, case.maximum),
        alpha=case.ciphertext.alpha,
        beta=case.ciphertext.beta,
        pk=PK.element,
        a=0,
        b=case.maximum,
        value=1,
        r=R,
        w=_s(7),
        simulated=_simulated(case.maximum),
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
            for j, p in enumerate(_simulated(case.maximum + 1, seed=500))
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
        nonce=_s(7),
        simulated=_simulated(1),
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
        nonce=_s(7),
        simulated=_simulated(maximum),
    )
    return RangeCase(proof, PK, ciphertext, maximum, CONTEXT)


def _off_curve_encoding() -> bytes:
    x = 1
    while True:
        try:
            Point.from_bytes(b"\x02" + x.to_bytes(32, "big"))
        except MalformedInput:
            return b"\x02" + x.to_bytes(32, "big")
        x += 1


OFF_CURVE = _off_curve_encoding()
IDENTITY_BYTES = IDENTITY.to_bytes()


def _rehashed(case: RangeCase) -> RangeCase:
    """The case with branch 0's challenge set so that the challenges sum to the hash of the
    commitments as they now are: it passes step 2 of §6.4, only the equations can refuse it."""
    proof = case.proof
    commitments = [part for b in proof.branches for part in (b.a, b.b)]
    c = _range_hash(case.context, case.public_key, case.ciphertext, case.maximum)(commitments)
    rest = sum(b.challenge.value for b in proof.branches[1:])
    return replace(case, proof=_set(proof, 0, challenge=Scalar.reduce(c.value - rest)))


def _times_g(encoding: bytes) -> bytes:
    return (Point.from_bytes(encoding) * G).to_bytes()


def _negated(encoding: bytes) -> bytes:
    return Point.from_bytes(encoding).inverse().to_bytes()


def _forged_transcript(case: RangeCase) -> RangeCase:
    """Commitments chosen freely (valid points), challenges split to sum to their hash,
    responses arbitrary: the hash check passes, no equation holds."""
    commitments = [g_pow(_s(700 + i)).to_bytes() for i in range(2 * (case.maximum + 1))]
    c = _range_hash(case.context, case.public_key, case.ciphertext, case.maximum)(commitments)
    challenges = [_s(800 + j) for j in range(case.maximum)]
    challenges.insert(0, Scalar.reduce(c.value - sum(x.value for x in challenges)))
    branches = tuple(
        DisjunctiveBranch(commitments[2 * j], commitments[2 * j + 1], cj, _s(900 + j))
        for j, cj in enumerate(challenges)
    )
    return replace(case, proof=DisjunctiveProof(branches))


# Mutations of the commitments: each as received (the hash check refuses it), and "rehashed"
# (the challenges re-split to match the hash, so only the equations can refuse it).
COMMITMENT_MUTATIONS: dict[str, Callable[[RangeCase], RangeCase]] = {
    "a-changed": lambda c: replace(c, proof=_set(c.proof, 0, a=_times_g(c.proof.branches[0].a))),
    "b-changed": lambda c: replace(c, proof=_set(c.proof, 1, b=_times_g(c.proof.branches[1].b))),
    "a-negated": lambda c: replace(c, proof=_set(c.proof, 1, a=_negated(c.proof.branches[1].a))),
    "a-b-swapped": lambda c: replace(
        c, proof=_set(c.proof, 1, a=c.proof.branches[1].b, b=c.proof.branches[1].a)
    ),
    "a-swapped-between-branches": lambda c: replace(
        c,
        proof=_set(_set(c.proof, 0, a=c.proof.branches[1].a), 1, a=c.proof.branches[0].a),
    ),
    "a-off-curve": lambda c: replace(c, proof=_set(c.proof, 1, a=OFF_CURVE)),
    "b-off-curve": lambda c: replace(c, proof=_set(c.proof, 0, b=OFF_CURVE)),
    "a-identity": lambda c: replace(c, proof=_set(c.proof, 1, a=IDENTITY_BYTES)),
    "b-identity": lambda c: replace(c, proof=_set(c.proof, 0, b=IDENTITY_BYTES)),
    "a-from-another-proof": lambda c: replace(
        c, proof=_set(c.proof, 1, a=OTHER_PROOF.branches[1].a)
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
    "response-plus-1-real-branch": lambda c: replace(c, proof=_edit(c.proof, 1, ds=1)),
    "response-plus-1-simulated-branch": lambda c: replace(c, proof=_edit(c.proof, 0, ds=1)),
    "challenge-plus-1": lambda c: replace(c, proof=_edit(c.proof, 0, dc=1)),
    "challenges-rebalanced-same-sum": lambda c: replace(
        c, proof=_edit(_edit(c.proof, 0, dc=5), 1, dc=-5)
    ),
    "challenges-swapped-between-branches": lambda c: replace(c, proof=_swap(c.proof, "challenge")),
    "responses-swapped-between-branches": lambda c: replace(c, proof=_swap(c.proof, "response")),
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
        c, ciphertext=encrypt_with_randomness(PK, 1, randomness=_s(1001))
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
    "wrong-randomness": lambda c: _cheating_prover(1, 1, 1, r=_s(1002)),
    "rebalanced-challenges-rehashed": lambda c: _rehashed(
        replace(c, proof=_edit(c.proof, 1, dc=12345))
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
    challenge = _range_hash(case.context, case.public_key, case.ciphertext, case.maximum)
    assert challenge(commitments).value == sum(b.challenge.value for b in case.proof.branches) % N
    with pytest.raises(InvalidProof, match=r"branch \d: [AB] is not"):
        _check(case)


def test_identity_commitment_of_a_valid_proof_is_accepted() -> None:
    # A prover knowing r simulates branch 0 with s_0 = c_0 · r: A_0 = g^(c_0·r) · alpha^-c_0 = 1.
    c0 = _s(31)
    proof = unsafe_prove_range(
        R,
        value=1,
        public_key=PK,
        ciphertext=CIPHERTEXT,
        maximum=1,
        context=CONTEXT,
        nonce=_s(7),
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
            _check(replace(HONEST_WIDE, proof=_edit(HONEST_WIDE.proof, j, dc=dc, ds=ds)))


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
            nonce=_s(7),
            simulated=_simulated(1),
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
            nonce=_s(7),
            simulated=_simulated(1),
        )
        for context in (b"credential A", b"credential B")
    ]
    first, second = (p.branches[1] for p in proofs)  # the real branch
    assert first.challenge != second.challenge
    extracted = (first.response - second.response) * (first.challenge - second.challenge).inverse()
    assert extracted == R
    assert g_pow(extracted) == CIPHERTEXT.alpha


# §6.4 Wire form -------------------------------------------------------------------------------
def _uncompressed_hex(compressed_hex: str) -> str:
    data = bytes.fromhex(compressed_hex)
    x = int.from_bytes(data[1:], "big")
    y = pow(x**3 + 7, (P + 1) // 4, P)
    if y % 2 != data[0] - 2:
        y = P - y
    return (x.to_bytes(32, "big") + y.to_bytes(32, "big")).hex()


WIRE: Any = HONEST.proof.to_json()
_BRANCH = WIRE["branches"][0]
# name: (the reader's reason, the wire form)
BAD_WIRE: dict[str, tuple[str, object]] = {
    "missing-branches": (r"proof: missing field\(s\) branches", {}),
    "unknown-field": (
        r"proof: unknown field\(s\) challenge",
        {**WIRE, "challenge": _BRANCH["challenge"]},
    ),
    "branches-not-a-list": ("proof.branches must be a list, got dict", {"branches": _BRANCH}),
    "not-an-object": ("proof must be a JSON object, got list", WIRE["branches"]),
    "too-few-branches": ("proof: expected 2 branches, got 1", {"branches": WIRE["branches"][:1]}),
    "too-many-branches": (
        "proof.branches: at most 2 items, got 3",
        {"branches": [*WIRE["branches"], _BRANCH]},
    ),
    "no-branches": ("proof: expected 2 branches, got 0", {"branches": []}),
    "branch-not-an-object": (
        r"proof.branches\[0\] must be a JSON object, got str",
        {"branches": [_BRANCH["challenge"], _BRANCH["response"]]},
    ),
    "branch-missing-response": (
        r"proof.branches\[0\]: missing field\(s\) a, b, response",
        {"branches": [{"challenge": _BRANCH["challenge"]}, _BRANCH]},
    ),
    "branch-unknown-field": (
        r"proof.branches\[0\]: unknown field\(s\) commitment",
        {"branches": [{**_BRANCH, "commitment": "00"}, _BRANCH]},
    ),
    "response-equals-n": (
        r"scalar out of range \[0, n\)",
        {"branches": [{**_BRANCH, "response": N.to_bytes(32, "big").hex()}] * 2},
    ),
    "challenge-all-ff": (
        r"scalar out of range \[0, n\)",
        {"branches": [{**_BRANCH, "challenge": "ff" * 32}, _BRANCH]},
    ),
    "truncated-scalar": (
        "scalar must be 64 hex digits, got 62",
        {"branches": [{**_BRANCH, "response": _BRANCH["response"][:-2]}] * 2},
    ),
    "trailing-bytes": (
        "scalar must be 64 hex digits, got 66",
        {"branches": [{**_BRANCH, "challenge": _BRANCH["challenge"] + "00"}] * 2},
    ),
    "integer-scalar": (
        "scalar must be a hex string, got int",
        {"branches": [{**_BRANCH, "response": 5}, _BRANCH]},
    ),
    "0x-prefix": (
        "scalar is not hex: '0x",
        {"branches": [{**_BRANCH, "response": "0x" + _BRANCH["response"][2:]}] * 2},
    ),
    "branch-missing-a": (
        r"proof.branches\[0\]: missing field\(s\) a$",
        {"branches": [{k: v for k, v in _BRANCH.items() if k != "a"}, _BRANCH]},
    ),
    "branch-missing-b": (
        r"proof.branches\[0\]: missing field\(s\) b$",
        {"branches": [{k: v for k, v in _BRANCH.items() if k != "b"}, _BRANCH]},
    ),
    "compact-form-of-version-1": (
        r"proof.branches\[0\]: missing field\(s\) a, b$",
        {
            "branches": [
                {"challenge": b["challenge"], "response": b["response"]} for b in WIRE["branches"]
            ]
        },
    ),
    **{
        f"{field}-{name}": (
            rf"proof.branches\[0\].{field}{reason}",
            {"branches": [{**_BRANCH, field: bad}, _BRANCH]},
        )
        for field in ("a", "b")
        for name, (reason, bad) in {
            "uncompressed-65-bytes": (
                " must be 66 hex digits, got 130",
                "04" + _uncompressed_hex(_BRANCH[field]),
            ),
            "uncompressed-prefix-33-bytes": (
                ": commitment prefix .* got 0x04",
                "04" + _BRANCH[field][2:],
            ),
            "hybrid-even-prefix-33-bytes": (
                ": commitment prefix .* got 0x06",
                "06" + _BRANCH[field][2:],
            ),
            "hybrid-odd-prefix-33-bytes": (
                ": commitment prefix .* got 0x07",
                "07" + _BRANCH[field][2:],
            ),
            "hybrid-65-bytes": (
                " must be 66 hex digits, got 130",
                "06" + _uncompressed_hex(_BRANCH[field]),
            ),
            "prefix-05": (": commitment prefix .* got 0x05", "05" + _BRANCH[field][2:]),
            "identity-with-garbage": (": commitment prefix .* got 0x00", "00" * 32 + "01"),
            "zero-prefix-then-x": (": commitment prefix .* got 0x00", "00" + _BRANCH[field][2:]),
            "truncated": (" must be 66 hex digits, got 64", _BRANCH[field][:-2]),
            "trailing-bytes": (" must be 66 hex digits, got 68", _BRANCH[field] + "00"),
            "empty": (" must be 66 hex digits, got 0", ""),
            "not-hex": (" is not hex", "zz" + _BRANCH[field][2:]),
            "integer": (" must be a hex string, got int", 2),
            "null": (" must be a hex string, got NoneType", None),
            "0x-prefix": (" must be 66 hex digits, got 64", "0x" + _BRANCH[field][4:]),
        }.items()
    },
}


@pytest.mark.parametrize("name", BAD_WIRE)
def test_wire_decoder_rejects(name: str) -> None:
    reason, wire = BAD_WIRE[name]
    with pytest.raises(MalformedInput, match=reason):
        DisjunctiveProof.from_json(wire, branches=2)


def test_wire_form_is_the_full_transcript() -> None:
    branch = HONEST.proof.branches[1]
    assert WIRE["branches"][1] == {
        "a": branch.a.hex(),
        "b": branch.b.hex(),
        "challenge": branch.challenge.to_hex(),
        "response": branch.response.to_hex(),
    }
    assert branch.a == g_pow(_s(7)).to_bytes()  # the real branch: A = g^w, B = pk^w
    assert branch.b == (PK.element ** _s(7)).to_bytes()
    identity = {"branches": [{**_BRANCH, "a": "00" * 33}, WIRE["branches"][1]]}
    assert DisjunctiveProof.from_json(identity, branches=2).branches[0].a == bytes(33)


@pytest.mark.parametrize(
    "bad", [b"\x04" + bytes(32), b"\x06" + bytes(32), bytes(32), b"\x00" * 32 + b"\x01"]
)
def test_branch_constructor_checks_the_commitment_format(bad: bytes) -> None:
    good = HONEST.proof.branches[0]
    reason = "a commitment must be 33 bytes" if len(bad) != 33 else "commitment prefix must be"
    with pytest.raises(MalformedInput, match=f"branch a: {reason}"):
        replace(good, a=bad)
    with pytest.raises(MalformedInput, match=f"branch b: {reason}"):
        replace(good, b=bad)


def test_wire_bytes_go_through_the_strict_canonical_decoder() -> None:
    data = canonical.encode(WIRE)
    assert DisjunctiveProof.from_json(canonical.decode(data), branches=2) == HONEST.proof
    duplicate = b'{"branches":[],' + data[1:]
    with pytest.raises(MalformedInput, match="duplicate JSON key: 'branches'"):
        DisjunctiveProof.from_json(canonical.decode(duplicate), branches=2)
    with pytest.raises(NonCanonicalEncoding, match="not in canonical form"):
        canonical.decode(data.replace(b",", b", ", 1))


def test_wire_decoder_rejects_upper_case_and_counts_against_the_statement() -> None:
    for field in ("a", "b", "challenge", "response"):
        upper = {"branches": [{**_BRANCH, field: _BRANCH[field].upper()}, _BRANCH]}
        with pytest.raises(NonCanonicalEncoding, match="must be lower-case hex"):
            DisjunctiveProof.from_json(upper, branches=2)
    assert DisjunctiveProof.from_json(WIRE, branches=2) == HONEST.proof
    with pytest.raises(MalformedInput, match="proof: expected 3 branches, got 2"):
        DisjunctiveProof.from_json(WIRE, branches=3)


# §6.5 Sum proofs ------------------------------------------------------------------------------
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
    rs = [_s(300 + i) for i in range(len(votes))]
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
    w, simulated = _s(98), _simulated(maximum - minimum)
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
    ) == _oracle_prove(
        _sum_hash(context, pk, items, minimum, maximum),
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
RS = tuple(_s(400 + i) for i in range(len(VOTES)))
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
        nonce=_s(8),
        simulated=_simulated(b - a),
    )
    return SumCase(proof, PK, tuple(items), a, b, CONTEXT)


SUM_HONEST = _sum_proof(ITEMS, 2, TOTAL_R, 1, 3)
_ZERO = encrypt_with_randomness(PK, 0, randomness=_s(450))


def _same_product_other_list(case: SumCase) -> SumCase:
    x = _ZERO
    x_inverse = Ciphertext(x.alpha.inverse(), x.beta.inverse())
    items = (case.ciphertexts[0] * x, case.ciphertexts[1] * x_inverse, *case.ciphertexts[2:])
    assert aggregate(items) == aggregate(case.ciphertexts)
    return replace(case, ciphertexts=items)


def _product_only_fiat_shamir(case: SumCase) -> SumCase:
    # A challenge over the product (as if it were a single ciphertext), not the list.
    total = aggregate(case.ciphertexts)
    proof = _oracle_prove(
        _sum_hash(CONTEXT, PK, [total], case.minimum, case.maximum),
        alpha=total.alpha,
        beta=total.beta,
        pk=PK.element,
        a=case.minimum,
        b=case.maximum,
        value=2,
        r=TOTAL_R,
        w=_s(8),
        simulated=_simulated(case.maximum - case.minimum),
    )
    return replace(case, proof=proof)


def _identity_alpha_in_list(case: SumCase) -> SumCase:
    zero_r = encrypt_with_randomness(PK, 0, randomness=Scalar(0))
    return _sum_proof((*ITEMS, zero_r), 2, TOTAL_R, 1, 3)


def _sum_rehashed(case: SumCase) -> SumCase:
    """As ``_rehashed``, for a sum proof."""
    proof = case.proof
    commitments = [part for b in proof.branches for part in (b.a, b.b)]
    hash_of = _sum_hash(case.context, case.public_key, case.ciphertexts, case.minimum, case.maximum)
    rest = sum(b.challenge.value for b in proof.branches[1:])
    return replace(
        case, proof=_set(proof, 0, challenge=Scalar.reduce(hash_of(commitments).value - rest))
    )


SUM_MUTATIONS: dict[str, Callable[[SumCase], SumCase]] = {
    "response-plus-1": lambda c: replace(c, proof=_edit(c.proof, 1, ds=1)),
    "challenge-plus-1": lambda c: replace(c, proof=_edit(c.proof, 0, dc=1)),
    "challenges-swapped-between-branches": lambda c: replace(c, proof=_swap(c.proof, "challenge")),
    "ciphertext-replaced": lambda c: replace(
        c, ciphertexts=(encrypt_with_randomness(PK, 1, randomness=_s(460)), *c.ciphertexts[1:])
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
    "a-changed": lambda c: replace(c, proof=_set(c.proof, 1, a=_times_g(c.proof.branches[1].a))),
    "a-changed-rehashed": lambda c: _sum_rehashed(
        replace(c, proof=_set(c.proof, 1, a=_times_g(c.proof.branches[1].a)))
    ),
    "b-off-curve-rehashed": lambda c: _sum_rehashed(
        replace(c, proof=_set(c.proof, 2, b=OFF_CURVE))
    ),
    "b-identity-rehashed": lambda c: _sum_rehashed(
        replace(c, proof=_set(c.proof, 0, b=IDENTITY_BYTES))
    ),
    "response-minus-1-simulated-branch": lambda c: replace(c, proof=_edit(c.proof, 2, ds=-1)),
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
