"""Spec §6.7 Batch verification: honest batches pass, each bad proof is named exactly, and a
batch accepts exactly what single verification (§6.4, §6.5) accepts."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import replace
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import crypto.batch
import crypto.multiexp
from crypto.batch import WEIGHT_BITS, BatchVerifier
from crypto.elgamal import Ciphertext, PublicKey, SecretKey, encrypt_with_randomness
from crypto.errors import InvalidBatch, InvalidProof, MalformedInput
from crypto.group import G, Scalar, g_pow, product
from crypto.hashing import Dst, hash_to_scalar
from crypto.proofs._common import ChallengeResponse
from crypto.proofs.disjunctive import (
    DisjunctiveBranch,
    DisjunctiveProof,
    prove_range,
    unsafe_prove_range,
    unsafe_prove_sum_range,
    verify_range,
    verify_sum_range,
)
from tests.crypto.native_tools import PATHS, bucket_spy
from tests.crypto.proofs.disjunctive_tools import (
    CONTEXT,
    OTHER_PK,
    PK,
    PK_TABLE,
    SK,
    R,
    RangeCase,
    edit_branch,
    scalar,
)
from tests.crypto.proofs.test_disjunctive import HONEST, HONEST_WIDE, RANGE_MUTATIONS
from tests.crypto.proofs.test_disjunctive_sum import SUM_HONEST, SUM_MUTATIONS, SumCase

Case = RangeCase | SumCase
KEYS = (PK_TABLE, PK, OTHER_PK, SecretKey(Scalar(0xD17)).public_key().precompute())


def _range(pk: PublicKey, value: int, maximum: int, seed: int) -> RangeCase:
    r = scalar(seed)
    ciphertext = encrypt_with_randomness(pk, value, randomness=r)
    context = CONTEXT + seed.to_bytes(8, "big")
    proof = prove_range(
        r, value=value, public_key=pk, ciphertext=ciphertext, maximum=maximum, context=context
    )
    return RangeCase(proof, pk, ciphertext, maximum, context)


def _sum(
    pk: PublicKey,
    votes: Sequence[int],
    minimum: int,
    maximum: int,
    seed: int,
    *,
    claimed: int | None = None,
) -> tuple[SumCase, list[RangeCase]]:
    """A contest as a ballot has it: one 0/1 range proof per ciphertext, and the sum proof
    (by the deterministic core, claiming ``claimed`` as the total if given: a cheat)."""
    rs = [scalar(seed + i) for i in range(len(votes))]
    items = [encrypt_with_randomness(pk, v, randomness=r) for v, r in zip(votes, rs, strict=True)]
    context = CONTEXT + b"|total" + seed.to_bytes(8, "big")
    proof = unsafe_prove_sum_range(
        Scalar.reduce(sum(r.value for r in rs)),
        value=sum(votes) if claimed is None else claimed,
        public_key=pk,
        ciphertexts=items,
        minimum=minimum,
        maximum=maximum,
        context=context,
        nonce=Scalar.random(),
        simulated=[
            ChallengeResponse(scalar(seed + 50 + j), scalar(seed + 90 + j))
            for j in range(maximum - minimum)
        ],
    )
    selections = [
        RangeCase(
            prove_range(r, value=v, public_key=pk, ciphertext=c, maximum=1, context=context),
            pk,
            c,
            1,
            context,
        )
        for v, r, c in zip(votes, rs, items, strict=True)
    ]
    return SumCase(proof, pk, tuple(items), minimum, maximum, context), selections


def _pool() -> list[Case]:
    cases: list[Case] = []
    for i in range(40):
        cases.append(_range(KEYS[i % len(KEYS)], i % 2, 1, 5000 + i))
    cases += [_range(OTHER_PK, 3, 4, 5100), _range(PK, 0, 0, 5101), HONEST, HONEST_WIDE]
    for k, votes in enumerate([(1, 0, 0, 0, 0), (0, 1, 1), (0, 0)]):
        total, selections = _sum(KEYS[k], votes, 0, 2, 5200 + 10 * k)
        cases += [*selections, total]
    total, _ = _sum(OTHER_PK, (1, 1, 0), 1, 3, 5300)  # a sum proof without its range proofs
    return [*cases, total, SUM_HONEST]


POOL = _pool()


def _add(batch: BatchVerifier, case: Case, label: object) -> None:
    if isinstance(case, RangeCase):
        batch.add_range(
            case.proof,
            public_key=case.public_key,
            ciphertext=case.ciphertext,
            maximum=case.maximum,
            context=case.context,
            label=label,
        )
    else:
        batch.add_sum_range(
            case.proof,
            public_key=case.public_key,
            ciphertexts=case.ciphertexts,
            minimum=case.minimum,
            maximum=case.maximum,
            context=case.context,
            label=label,
        )


def _single(case: Case) -> str | None:
    """The reason single verification gives, or None if it accepts."""
    try:
        if isinstance(case, RangeCase):
            verify_range(
                case.proof,
                public_key=case.public_key,
                ciphertext=case.ciphertext,
                maximum=case.maximum,
                context=case.context,
            )
        else:
            verify_sum_range(
                case.proof,
                public_key=case.public_key,
                ciphertexts=case.ciphertexts,
                minimum=case.minimum,
                maximum=case.maximum,
                context=case.context,
            )
    except InvalidProof as exc:
        return str(exc)
    return None


def _batch_failures(cases: Sequence[Case]) -> list[tuple[object, str]]:
    """The (label, reason) pairs the batch names, labels being ("proof", position)."""
    return _run(cases)[0]


def _run(cases: Sequence[Case]) -> tuple[list[tuple[object, str]], int]:
    """The failures named, and how many proofs were verified alone (the fallback)."""
    batch = BatchVerifier()
    failures: tuple[tuple[object, str], ...] = ()
    labels: tuple[object, ...] = ()
    with (
        mock.patch.object(crypto.batch, "verify_range", wraps=verify_range) as single_range,
        mock.patch.object(crypto.batch, "verify_sum_range", wraps=verify_sum_range) as single_sum,
    ):
        for i, case in enumerate(cases):
            _add(batch, case, ("proof", i))
        assert len(batch) == len(cases)
        try:
            batch.verify()
        except InvalidBatch as exc:
            failures, labels = exc.failures, exc.labels
            if not failures:
                raise
    assert labels == tuple(label for label, _ in failures)
    fallback = single_range.call_count + single_sum.call_count
    if not failures:  # valid proofs satisfy the combined equation: no fallback to single checks
        assert fallback == 0
    return list(failures), fallback


NOT_ON_CURVE = "is not a point on the curve"


def _assert_named_as_single_verification_would(cases: Sequence[Case]) -> None:
    """The batch names exactly the proofs single verification rejects, with its reasons; only a
    commitment that does not decode is named as such (single verification, which never decodes
    commitments, says its equation fails)."""
    expected = [(("proof", i), _single(case)) for i, case in enumerate(cases)]
    expected = [(label, reason) for label, reason in expected if reason is not None]
    failures = _batch_failures(cases)
    assert [label for label, _ in failures] == [label for label, _ in expected]
    for (_, reason), (_, single) in zip(failures, expected, strict=True):
        assert reason == single or (reason.endswith(NOT_ON_CURVE) and " is not " in str(single))


# Honest batches ---------------------------------------------------------------------------------
def test_empty_batch_verifies() -> None:
    BatchVerifier().verify()


@pytest.mark.parametrize("path", PATHS)
def test_honest_pool_verifies_through_the_bucket_method(path: str) -> None:
    assert all(_single(case) is None for case in POOL)
    with bucket_spy(path) as spy:
        assert _batch_failures(POOL) == []
    assert spy.call_count == 1  # enough bases for Pippenger's method


def test_honest_pool_twice_and_each_proof_alone() -> None:
    assert _batch_failures([*POOL, *POOL]) == []  # repeated proofs and ciphertexts merge
    for case in POOL[-6:]:
        assert _batch_failures([case]) == []


@st.composite
def _honest_batches(draw: st.DrawFn) -> list[Case]:
    cases: list[Case] = []
    for n in range(draw(st.integers(min_value=1, max_value=8))):
        pk = draw(st.sampled_from(KEYS))
        seed = draw(st.integers(min_value=1, max_value=2**32)) * 64 + 8 * n
        if draw(st.booleans()):
            maximum = draw(st.integers(min_value=0, max_value=3))
            value = draw(st.integers(min_value=0, max_value=maximum))
            cases.append(_range(pk, value, maximum, seed))
        else:
            votes = draw(st.lists(st.integers(min_value=0, max_value=1), min_size=1, max_size=4))
            minimum = draw(st.integers(min_value=0, max_value=sum(votes)))
            maximum = draw(st.integers(min_value=sum(votes), max_value=sum(votes) + 2))
            total, selections = _sum(pk, votes, minimum, maximum, seed)
            cases += [*selections, total] if draw(st.booleans()) else [total]
    return draw(st.permutations(cases))


@settings(max_examples=25, deadline=None)
@given(_honest_batches())
def test_honest_random_batches_verify(cases: list[Case]) -> None:
    """Range and sum proofs mixed, several public keys, with and without tables."""
    assert _batch_failures(cases) == []


# One bad proof among many ------------------------------------------------------------------------
@pytest.mark.parametrize("name", RANGE_MUTATIONS)
def test_bad_range_proof_among_many_is_named_exactly(name: str) -> None:
    bad = RANGE_MUTATIONS[name](HONEST)
    assert _single(bad) is not None
    position = sum(map(ord, name)) % len(POOL)
    cases = [*POOL[:position], bad, *POOL[position:]]
    assert [label for label, _ in _batch_failures(cases)] == [("proof", position)]
    _assert_named_as_single_verification_would(cases)


@pytest.mark.parametrize("name", SUM_MUTATIONS)
def test_bad_sum_proof_among_many_is_named_exactly(name: str) -> None:
    bad = SUM_MUTATIONS[name](SUM_HONEST)
    assert _single(bad) is not None
    cases = [*POOL, bad, *POOL[:5]]
    assert [label for label, _ in _batch_failures(cases)] == [("proof", len(POOL))]
    _assert_named_as_single_verification_would(cases)


def test_several_bad_proofs_are_all_named_in_order() -> None:
    names = ["response-plus-1-real-branch", "a-changed", "a-off-curve-rehashed", "identity-alpha"]
    bad = [RANGE_MUTATIONS[name](HONEST) for name in names]
    sum_bad = SUM_MUTATIONS["a-changed-rehashed"](SUM_HONEST)
    cases = [bad[0], *POOL[:10], bad[1], sum_bad, *POOL[10:20], bad[2], bad[3]]
    failures = _batch_failures(cases)
    assert [label for label, _ in failures] == [("proof", i) for i in (0, 11, 12, 23, 24)]
    assert failures[3][1] == "range proof: branch 1: A is not a point on the curve"
    _assert_named_as_single_verification_would(cases)


def test_a_forged_transcript_passing_the_hash_is_caught_by_the_combined_equation() -> None:
    forged = RANGE_MUTATIONS["forged-transcript-hash-matches"](HONEST)
    failures, fallback = _run([*POOL[:20], forged])
    assert [label for label, _ in failures] == [("proof", 20)]
    assert "branch 0: A is not" in failures[0][1]
    assert fallback == 21  # the equation failed, so each proof was verified alone


def test_a_hash_failure_needs_no_exponentiation_and_no_fallback() -> None:
    bad = RANGE_MUTATIONS["challenge-plus-1"](HONEST)
    failures, fallback = _run([*POOL[:20], bad])
    assert failures == [
        (("proof", 20), "range proof: challenges do not sum to the hash of the statement")
    ]
    assert fallback == 0  # named at once; the other proofs passed the equation


def test_an_off_curve_commitment_fails_its_decoding() -> None:
    bad = RANGE_MUTATIONS["b-off-curve-rehashed"](HONEST)
    batch = BatchVerifier()
    _add(batch, bad, "bad")
    with pytest.raises(InvalidBatch) as caught:
        batch.verify()
    assert caught.value.failures == (
        ("bad", "range proof: branch 0: B is not a point on the curve"),
    )
    # Single verification never decodes it; the rehashed challenge fails branch 0 first.
    assert _single(bad) == "range proof: branch 0: A is not g^s · alpha^-c"


def test_an_identity_commitment_of_a_valid_proof_is_accepted() -> None:
    c0 = scalar(31)
    proof = unsafe_prove_range(
        R,
        value=1,
        public_key=PK,
        ciphertext=HONEST.ciphertext,
        maximum=1,
        context=CONTEXT,
        nonce=scalar(7),
        simulated=[ChallengeResponse(c0, c0 * R)],
    )
    assert proof.branches[0].a == bytes(33)
    case = replace(HONEST, proof=proof)
    assert _batch_failures([*POOL[:5], case]) == []
    assert _batch_failures([case]) == []
    bad = replace(case, proof=edit_branch(proof, 0, ds=1))  # the identity no longer matches
    assert [label for label, _ in _batch_failures([*POOL[:5], bad])] == [("proof", 5)]


# Weights ----------------------------------------------------------------------------------------
def _all_weights_one(bits: int) -> int:
    return sum(1 << (WEIGHT_BITS * i) for i in range(bits // WEIGHT_BITS))


def test_weights_must_be_secret_and_random() -> None:
    """Two invalid proofs whose errors cancel when the weights are known (here all 1): the
    batch is fooled by such weights and not by those drawn from ``secrets``."""
    up = replace(HONEST, proof=edit_branch(HONEST.proof, 1, ds=1))  # leaves g^1 in A_1, pk^1 in B_1
    other = POOL[1]
    assert isinstance(other, RangeCase)
    down = replace(other, proof=edit_branch(other.proof, 1, ds=-1))  # leaves g^-1 and pk^-1
    assert other.public_key == PK  # the same key, so that the pk factors cancel too
    assert _single(up) is not None
    assert _single(down) is not None
    with mock.patch.object(secrets, "randbits", _all_weights_one):
        assert _batch_failures([up, down]) == []  # fooled
    assert [label for label, _ in _batch_failures([up, down])] == [("proof", 0), ("proof", 1)]


def test_the_two_equations_of_a_branch_need_independent_weights() -> None:
    """A false statement (Enc(2) in 0..1) whose branch 1 satisfies only the product of its two
    equations, A·B = (g·pk)^s · (alpha·beta/g)^-c: made with the secret key, as a coalition of
    trustees could. Equal weights for A and B would accept it."""
    r, w, m = scalar(61), scalar(62), scalar(63)
    ciphertext = encrypt_with_randomness(PK, 2, randomness=r)
    alpha, beta, pk = ciphertext.alpha, ciphertext.beta, PK.element
    c0, s0 = scalar(64), scalar(65)
    a0 = (G**s0 / alpha**c0).to_bytes()
    b0 = (pk**s0 / beta**c0).to_bytes()
    a1 = g_pow(m)  # free, and B_1 makes the product (g·pk)^w
    b1 = (G * pk) ** w / a1
    c = hash_to_scalar(
        Dst.RANGE,
        CONTEXT,
        G.to_bytes(),
        pk.to_bytes(),
        alpha.to_bytes(),
        beta.to_bytes(),
        (0).to_bytes(4, "big"),
        (1).to_bytes(4, "big"),
        a0,
        b0,
        a1.to_bytes(),
        b1.to_bytes(),
    )
    c1 = c - c0
    x = r + (Scalar(1) + SK.scalar).inverse()  # alpha·beta/g = (g·pk)^x
    s1 = w + c1 * x
    proof = DisjunctiveProof(
        (
            DisjunctiveBranch(a0, b0, c0, s0),
            DisjunctiveBranch(a1.to_bytes(), b1.to_bytes(), c1, s1),
        )
    )
    assert (G**s1 / alpha**c1) * (pk**s1 / (beta / G) ** c1) == a1 * b1
    cheat = RangeCase(proof, PK, ciphertext, 1, CONTEXT)
    assert _single(cheat) == "range proof: branch 1: A is not g^s · alpha^-c"

    def same_weight_for_a_and_b(bits: int) -> int:
        z = scalar(66).value & ((1 << WEIGHT_BITS) - 1)
        return sum(z << (WEIGHT_BITS * i) for i in range(bits // WEIGHT_BITS))

    with mock.patch.object(secrets, "randbits", same_weight_for_a_and_b):
        assert _batch_failures([cheat, *POOL[:3]]) == []  # fooled
    assert [label for label, _ in _batch_failures([cheat, *POOL[:3]])] == [("proof", 0)]


def test_weights_are_drawn_fresh_once_every_proof_is_in_hand() -> None:
    """Step 2: no weight is drawn while proofs are added; ``verify`` draws two 128-bit weights
    per branch of every proof, in one call, and another batch draws its own."""
    draws: list[int] = []
    real = secrets.randbits

    def recording(bits: int) -> int:
        draws.append(bits)
        return real(bits)

    with mock.patch.object(secrets, "randbits", recording):
        batch = BatchVerifier()
        cases: list[Case] = [HONEST, HONEST_WIDE, SUM_HONEST]
        for i, case in enumerate(cases):
            _add(batch, case, ("proof", i))
        assert draws == []
        batch.verify()
        # Two 128-bit weights per branch: 2 + 5 + 3 branches.
        assert draws == [2 * (2 + 5 + 3) * WEIGHT_BITS]
        assert _batch_failures([HONEST]) == []
    assert draws == [2 * (2 + 5 + 3) * WEIGHT_BITS, 2 * 2 * WEIGHT_BITS]


# Ballots: sum proofs over ciphertexts the batch already has -----------------------------------
def test_a_ballot_spreads_the_sum_proof_over_its_selections() -> None:
    total, selections = _sum(PK_TABLE, (0, 0, 1, 0, 0, 0, 0, 0, 0, 0), 1, 1, 6000)
    ballot: list[Case] = [*selections, total]
    with mock.patch("crypto.batch.product", wraps=product) as aggregate:
        assert _batch_failures(ballot) == []
    assert aggregate.call_count == 0  # no alpha* or beta* computed
    with mock.patch("crypto.batch.product", wraps=product) as aggregate:
        assert _batch_failures([total]) == []
    assert aggregate.call_count == 2  # alone, the sum proof takes alpha* and beta*
    for name in ("response-plus-1", "a-changed-rehashed", "b-identity-rehashed"):
        bad = SUM_MUTATIONS[name](replace(SUM_HONEST))
        bad_total = replace(total, proof=bad.proof)
        failures = _batch_failures([*selections, bad_total])
        assert [label for label, _ in failures] == [("proof", len(selections))]
    # Two marks where at most one is allowed, the sum proof claiming one.
    cheat, cheat_selections = _sum(PK_TABLE, (1, 1, 0), 0, 1, 6100, claimed=1)
    assert _single(cheat) is not None
    assert [label for label, _ in _batch_failures([*cheat_selections, cheat])] == [("proof", 3)]


# The batch accepts exactly what single verification accepts ------------------------------------
MUTATED: list[Case] = [
    *(mutate(HONEST) for mutate in RANGE_MUTATIONS.values()),
    *(mutate(SUM_HONEST) for mutate in SUM_MUTATIONS.values()),
]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.one_of(st.sampled_from(POOL), st.sampled_from(MUTATED)), min_size=1, max_size=12)
)
def test_batch_accepts_exactly_what_single_verification_accepts(cases: list[Case]) -> None:
    _assert_named_as_single_verification_would(cases)


# Malformed statements ---------------------------------------------------------------------------
def test_malformed_statements_raise_at_once() -> None:
    batch = BatchVerifier()
    with pytest.raises(MalformedInput, match=r"maximum <= 2\^32 - 1, got 0\.\.4294967296"):
        batch.add_range(
            HONEST.proof,
            public_key=PK,
            ciphertext=HONEST.ciphertext,
            maximum=2**32,
            context=b"",
            label=0,
        )
    with pytest.raises(MalformedInput, match=r"sum proof: need 1 to 2\^32 - 1 ciphertexts, got 0"):
        batch.add_sum_range(
            SUM_HONEST.proof,
            public_key=PK,
            ciphertexts=[],
            minimum=0,
            maximum=1,
            context=b"",
            label=1,
        )
    with pytest.raises(MalformedInput, match=r"maximum <= 2\^32 - 1, got 2\.\.1"):
        batch.add_sum_range(
            SUM_HONEST.proof,
            public_key=PK,
            ciphertexts=SUM_HONEST.ciphertexts,
            minimum=2,
            maximum=1,
            context=b"",
            label=2,
        )
    assert len(batch) == 0
    batch.verify()


def test_identity_alpha_is_named_like_single_verification() -> None:
    zero = encrypt_with_randomness(PK, 0, randomness=Scalar(0))
    case = SumCase(SUM_HONEST.proof, PK, (*SUM_HONEST.ciphertexts, zero), 1, 3, CONTEXT)
    range_case = RANGE_MUTATIONS["identity-alpha"](HONEST)
    assert _batch_failures([case, range_case]) == [
        (("proof", 0), _single(case)),
        (("proof", 1), _single(range_case)),
    ]
    assert isinstance(zero, Ciphertext)
