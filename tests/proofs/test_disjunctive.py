"""Spec §6.4 and §6.5 Disjunctive proofs: completeness, an oracle from the spec, named mutations."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto import canonical
from crypto.elgamal import Ciphertext, PublicKey, SecretKey, aggregate, encrypt_with_randomness
from crypto.errors import InvalidProof, MalformedInput, NonCanonicalEncoding
from crypto.group import IDENTITY, G, N, Point, Scalar, g_pow
from crypto.hashing import Dst, hash_to_scalar
from crypto.proofs._common import ChallengeResponse
from crypto.proofs.disjunctive import (
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
    branches: list[ChallengeResponse] = []
    commitments: list[bytes] = []
    for j in range(b - a + 1):
        shifted = beta / g_pow(Scalar(a + j))
        if j == t:
            branches.append(ChallengeResponse(Scalar(0), Scalar(0)))  # filled in below
            commitments += [(G**w).to_bytes(), (pk**w).to_bytes()]
        else:
            fake = next(fakes)
            branches.append(fake)
            commitments += [
                (G**fake.response / alpha**fake.challenge).to_bytes(),
                (pk**fake.response / shifted**fake.challenge).to_bytes(),
            ]
    c = challenge_of(commitments)
    c_t = c
    for j, branch in enumerate(branches):
        if j != t:
            c_t = c_t - branch.challenge
    branches[t] = ChallengeResponse(c_t, w + c_t * r)
    return DisjunctiveProof(tuple(branches))


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


def _edit(proof: DisjunctiveProof, j: int, *, dc: int = 0, ds: int = 0) -> DisjunctiveProof:
    branches = list(proof.branches)
    c, s = branches[j].challenge, branches[j].response
    branches[j] = ChallengeResponse(c + Scalar.reduce(dc), s + Scalar.reduce(ds))
    return DisjunctiveProof(tuple(branches))


def _swap(proof: DisjunctiveProof, which: str) -> DisjunctiveProof:
    (c0, s0), (c1, s1) = ((b.challenge, b.response) for b in proof.branches[:2])
    pairs = [(c1, s0), (c0, s1)] if which == "challenges" else [(c0, s1), (c1, s0)]
    first = tuple(ChallengeResponse(c, s) for c, s in pairs)
    return DisjunctiveProof(first + proof.branches[2:])


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
    return DisjunctiveProof(tuple(_simulated(case.maximum + 1, seed=500)))


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


RANGE_MUTATIONS: dict[str, Callable[[RangeCase], RangeCase]] = {
    "response-plus-1-real-branch": lambda c: replace(c, proof=_edit(c.proof, 1, ds=1)),
    "response-plus-1-simulated-branch": lambda c: replace(c, proof=_edit(c.proof, 0, ds=1)),
    "challenge-plus-1": lambda c: replace(c, proof=_edit(c.proof, 0, dc=1)),
    "challenges-rebalanced-same-sum": lambda c: replace(
        c, proof=_edit(_edit(c.proof, 0, dc=5), 1, dc=-5)
    ),
    "challenges-swapped-between-branches": lambda c: replace(c, proof=_swap(c.proof, "challenges")),
    "responses-swapped-between-branches": lambda c: replace(c, proof=_swap(c.proof, "responses")),
    "branches-reversed": lambda c: replace(
        c, proof=DisjunctiveProof(tuple(reversed(c.proof.branches)))
    ),
    "challenge-and-response-swapped": lambda c: replace(
        c,
        proof=DisjunctiveProof(
            tuple(ChallengeResponse(b.response, b.challenge) for b in c.proof.branches)
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


@pytest.mark.parametrize("name", RANGE_MUTATIONS)
def test_range_mutation_is_rejected(name: str) -> None:
    with pytest.raises(InvalidProof):
        _check(RANGE_MUTATIONS[name](HONEST))


@pytest.mark.parametrize("j", range(5))
def test_range_mutation_of_any_branch_of_a_wide_proof_is_rejected(j: int) -> None:
    for dc, ds in ((1, 0), (0, 1), (-1, 0)):
        with pytest.raises(InvalidProof):
            _check(replace(HONEST_WIDE, proof=_edit(HONEST_WIDE.proof, j, dc=dc, ds=ds)))


@pytest.mark.parametrize(("value", "maximum"), [(5, 4), (7, 4), (1, 0)])
def test_cheating_prover_outside_the_range_fails(value: int, maximum: int) -> None:
    for claimed in range(maximum + 1):
        with pytest.raises(InvalidProof):
            _check(_cheating_prover(value, claimed, maximum))


def test_identity_public_key_cannot_enter_a_statement() -> None:
    with pytest.raises(MalformedInput):
        PublicKey(IDENTITY)


def test_prover_refuses_bad_parameters() -> None:
    with pytest.raises(MalformedInput):
        prove_range(R, value=2, public_key=PK, ciphertext=CIPHERTEXT, maximum=1, context=CONTEXT)
    with pytest.raises(MalformedInput):
        prove_range(R, value=-1, public_key=PK, ciphertext=CIPHERTEXT, maximum=1, context=CONTEXT)
    with pytest.raises(MalformedInput):
        prove_range(R, value=0, public_key=PK, ciphertext=CIPHERTEXT, maximum=-1, context=CONTEXT)
    with pytest.raises(MalformedInput):
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
    with pytest.raises(MalformedInput):
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
WIRE = HONEST.proof.to_json()
_BRANCH = WIRE["branches"][0]
BAD_WIRE: dict[str, object] = {
    "missing-branches": {},
    "unknown-field": {**WIRE, "challenge": _BRANCH["challenge"]},
    "branches-not-a-list": {"branches": _BRANCH},
    "not-an-object": WIRE["branches"],
    "too-few-branches": {"branches": WIRE["branches"][:1]},
    "too-many-branches": {"branches": [*WIRE["branches"], _BRANCH]},
    "no-branches": {"branches": []},
    "branch-not-an-object": {"branches": [_BRANCH["challenge"], _BRANCH["response"]]},
    "branch-missing-response": {"branches": [{"challenge": _BRANCH["challenge"]}, _BRANCH]},
    "branch-unknown-field": {"branches": [{**_BRANCH, "commitment": "00"}, _BRANCH]},
    "response-equals-n": {"branches": [{**_BRANCH, "response": N.to_bytes(32, "big").hex()}] * 2},
    "challenge-all-ff": {"branches": [{**_BRANCH, "challenge": "ff" * 32}, _BRANCH]},
    "truncated-scalar": {"branches": [{**_BRANCH, "response": _BRANCH["response"][:-2]}] * 2},
    "trailing-bytes": {"branches": [{**_BRANCH, "challenge": _BRANCH["challenge"] + "00"}] * 2},
    "integer-scalar": {"branches": [{**_BRANCH, "response": 5}, _BRANCH]},
    "0x-prefix": {"branches": [{**_BRANCH, "response": "0x" + _BRANCH["response"][2:]}] * 2},
}


@pytest.mark.parametrize("name", BAD_WIRE)
def test_wire_decoder_rejects(name: str) -> None:
    with pytest.raises(MalformedInput):
        DisjunctiveProof.from_json(BAD_WIRE[name], branches=2)


def test_wire_bytes_go_through_the_strict_canonical_decoder() -> None:
    data = canonical.encode(WIRE)
    assert DisjunctiveProof.from_json(canonical.decode(data), branches=2) == HONEST.proof
    duplicate = b'{"branches":[],' + data[1:]
    with pytest.raises(MalformedInput):
        DisjunctiveProof.from_json(canonical.decode(duplicate), branches=2)
    with pytest.raises(NonCanonicalEncoding):
        canonical.decode(data.replace(b",", b", ", 1))


def test_wire_decoder_rejects_upper_case_and_counts_against_the_statement() -> None:
    upper = {"branches": [{**_BRANCH, "response": _BRANCH["response"].upper()}, _BRANCH]}
    with pytest.raises(NonCanonicalEncoding):
        DisjunctiveProof.from_json(upper, branches=2)
    assert DisjunctiveProof.from_json(WIRE, branches=2) == HONEST.proof
    with pytest.raises(MalformedInput):
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


SUM_MUTATIONS: dict[str, Callable[[SumCase], SumCase]] = {
    "response-plus-1": lambda c: replace(c, proof=_edit(c.proof, 1, ds=1)),
    "challenge-plus-1": lambda c: replace(c, proof=_edit(c.proof, 0, dc=1)),
    "challenges-swapped-between-branches": lambda c: replace(c, proof=_swap(c.proof, "challenges")),
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
    "total-3-outside-1..2": lambda c: _sum_proof((*ITEMS[:3], ITEMS[0]), 2, TOTAL_R, 1, 2),
    "total-0-outside-1..3": lambda c: _sum_proof((ITEMS[1], ITEMS[3]), 1, RS[1] + RS[3], 1, 3),
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


@pytest.mark.parametrize("name", SUM_MUTATIONS)
def test_sum_mutation_is_rejected(name: str) -> None:
    with pytest.raises(InvalidProof):
        _check_sum(SUM_MUTATIONS[name](SUM_HONEST))


def test_sum_proof_refuses_an_empty_list_and_bad_bounds() -> None:
    with pytest.raises(MalformedInput):
        verify_sum_range(
            SUM_HONEST.proof, public_key=PK, ciphertexts=[], minimum=1, maximum=3, context=CONTEXT
        )
    with pytest.raises(MalformedInput):
        verify_sum_range(
            SUM_HONEST.proof,
            public_key=PK,
            ciphertexts=ITEMS,
            minimum=3,
            maximum=1,
            context=CONTEXT,
        )
    with pytest.raises(MalformedInput):
        prove_sum_range(
            TOTAL_R,
            value=2,
            public_key=PK,
            ciphertexts=[],
            minimum=0,
            maximum=2,
            context=CONTEXT,
        )
