"""Spec §7.6-§7.7 Partial decryption and combination: which shares are used, and refusals."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crypto.errors import InsufficientShares, InvalidProof, MalformedInput
from crypto.group import IDENTITY, Scalar, g_pow
from crypto.threshold import (
    PartialDecryption,
    ThresholdParameters,
    combine_partial_decryptions,
    derive_interpolating_value,
    partial_decrypt,
    partial_decrypt_many,
    threshold_decrypt,
    threshold_decrypt_many,
    unsafe_partial_decrypt,
)
from crypto.threshold._parameters import evaluate_polynomial
from tests.crypto.threshold.ceremony import FINGERPRINT, deterministic_ceremony
from tests.strategies import nonzero_scalars, scalars

PARAMS = ThresholdParameters(FINGERPRINT, 5, 3)
CER = deterministic_ceremony(PARAMS, seed="decryption")
JOINT = CER.result.joint_key
CONTEXT = FINGERPRINT + b"|tally"
R = Scalar(424242)
ALPHA = g_pow(R)
BETA = g_pow(Scalar(17)) * JOINT.public_key**R
PARTIALS = {j: partial_decrypt(s, ALPHA, context=CONTEXT) for j, s in CER.key_shares.items()}


def _corrupt(partial: PartialDecryption) -> PartialDecryption:
    return PartialDecryption(partial.trustee, partial.decryption_share * ALPHA, partial.proof)


def test_all_n_shares_decrypt_using_the_t_lowest() -> None:
    result = threshold_decrypt(ALPHA, BETA, PARTIALS.values(), joint_key=JOINT, context=CONTEXT)
    assert result == g_pow(Scalar(17))


def test_invalid_shares_are_skipped_and_the_next_lowest_used() -> None:
    partials = dict(PARTIALS)
    partials[1] = _corrupt(partials[1])
    partials[3] = _corrupt(partials[3])
    result = threshold_decrypt(ALPHA, BETA, partials.values(), joint_key=JOINT, context=CONTEXT)
    assert result == g_pow(Scalar(17))  # trustees 2, 4, 5


def test_too_few_valid_shares_is_one_clear_error() -> None:
    partials = [_corrupt(PARTIALS[1]), PARTIALS[2], _corrupt(PARTIALS[3]), PARTIALS[4]]
    with pytest.raises(InsufficientShares) as info:
        threshold_decrypt(ALPHA, BETA, partials, joint_key=JOINT, context=CONTEXT)
    assert info.value.valid == 2
    assert info.value.threshold == 3
    assert "2 valid decryption share(s), 3 needed" in str(info.value)
    assert "[1, 3]" in str(info.value)


def test_combination_uses_exactly_the_t_lowest_indices() -> None:
    # Give trustee 5 a "share" that is wrong but unchecked: the raw combiner must not use it.
    unchecked = [*(PARTIALS[j] for j in (1, 2, 3)), _corrupt(PARTIALS[5])]
    assert combine_partial_decryptions(unchecked, threshold=3) == ALPHA ** _secret()
    # With the wrong share among the t lowest, the result changes.
    unchecked = [PARTIALS[1], _corrupt(PARTIALS[2]), PARTIALS[3], PARTIALS[4]]
    assert combine_partial_decryptions(unchecked, threshold=3) != ALPHA ** _secret()


def _secret() -> Scalar:
    total = Scalar(0)
    for secret in CER.dealer_secrets:
        total = total + secret.coefficients[0]
    return total


def test_duplicate_trustee_is_refused() -> None:
    with pytest.raises(MalformedInput, match="two partial decryptions from trustee 1"):
        combine_partial_decryptions([PARTIALS[1], PARTIALS[1], PARTIALS[2]], threshold=3)
    with pytest.raises(MalformedInput, match="two partial decryptions from trustee 1"):
        threshold_decrypt(
            ALPHA, BETA, [PARTIALS[1], PARTIALS[1], PARTIALS[2]], joint_key=JOINT, context=CONTEXT
        )


def test_identity_alpha_is_refused() -> None:
    with pytest.raises(MalformedInput, match="partial decryption: alpha is the identity"):
        partial_decrypt(CER.key_shares[1], IDENTITY, context=CONTEXT)


def test_partial_decryption_known_answer_is_deterministic() -> None:
    a = unsafe_partial_decrypt(CER.key_shares[1], ALPHA, context=CONTEXT, nonce=Scalar(9))
    b = unsafe_partial_decrypt(CER.key_shares[1], ALPHA, context=CONTEXT, nonce=Scalar(9))
    assert a == b
    assert a.decryption_share == ALPHA ** CER.key_shares[1].secret


def test_batch_decryption_of_a_tally() -> None:
    rs = [Scalar(1000 + k) for k in range(6)]
    ms = [0, 1, 5, 42, 100, 7]
    ciphertexts = [
        (g_pow(r), g_pow(Scalar(m)) * JOINT.public_key**r) for r, m in zip(rs, ms, strict=True)
    ]
    alphas = [a for a, _ in ciphertexts]
    batches = {
        j: list(partial_decrypt_many(CER.key_shares[j], alphas, context=CONTEXT))
        for j in (5, 2, 4, 1)
    }
    # Trustee 1's share for ciphertext 3 is bad: that ciphertext uses 2, 4, 5, the others 1, 2, 4.
    batches[1][3] = _corrupt(batches[1][3])
    out = threshold_decrypt_many(ciphertexts, batches.values(), joint_key=JOINT, context=CONTEXT)
    assert out == [g_pow(Scalar(m)) for m in ms]
    # A batch of the wrong length, or mixing trustees, is refused.
    with pytest.raises(MalformedInput, match="partial decryptions: batch of 5 for 6 ciphertexts"):
        threshold_decrypt_many(ciphertexts, [batches[1][:-1]], joint_key=JOINT, context=CONTEXT)
    with pytest.raises(MalformedInput, match="partial decryptions: one batch mixes trustees"):
        threshold_decrypt_many(
            ciphertexts, [[*batches[1][:-1], batches[2][-1]]], joint_key=JOINT, context=CONTEXT
        )
    # Two trustees cannot decrypt anything.
    with pytest.raises(InsufficientShares, match=r"2 valid decryption share\(s\), 3 needed"):
        threshold_decrypt_many(
            ciphertexts, [batches[1], batches[2]], joint_key=JOINT, context=CONTEXT
        )


def test_batch_with_precomputed_tables_agrees(monkeypatch: pytest.MonkeyPatch) -> None:
    from crypto.threshold import _decryption

    ciphertexts = [
        (g_pow(Scalar(5 + k)), g_pow(Scalar(k)) * JOINT.public_key ** Scalar(5 + k))
        for k in range(4)
    ]
    alphas = [a for a, _ in ciphertexts]
    batches = [partial_decrypt_many(CER.key_shares[j], alphas, context=CONTEXT) for j in (1, 2, 3)]
    monkeypatch.setattr(_decryption, "_TABLE_THRESHOLD", 1)
    with_tables = threshold_decrypt_many(ciphertexts, batches, joint_key=JOINT, context=CONTEXT)
    assert with_tables == [g_pow(Scalar(k)) for k in range(4)]


def test_verification_rejects_a_proof_for_another_trustees_key() -> None:
    from crypto.threshold import verify_partial_decryption

    with pytest.raises(InvalidProof, match="by trustee 1: dleq: challenge does not match"):
        verify_partial_decryption(
            PARTIALS[1], alpha=ALPHA, verification_key=JOINT.verification_key(2), context=CONTEXT
        )


@given(st.lists(scalars, min_size=1, max_size=7), st.data())
def test_lagrange_at_zero_recovers_the_constant_term(
    coefficients: list[Scalar], data: st.DataObject
) -> None:
    t = len(coefficients)
    indices = data.draw(st.lists(st.integers(1, 255), min_size=t, max_size=t, unique=True))
    total = Scalar(0)
    for j in indices:
        total = total + derive_interpolating_value(j, indices) * evaluate_polynomial(
            coefficients, j
        )
    assert total == coefficients[0]


@given(st.lists(nonzero_scalars, min_size=2, max_size=7), st.data())
def test_lagrange_with_one_point_too_few_misses(
    coefficients: list[Scalar], data: st.DataObject
) -> None:
    t = len(coefficients)
    indices = data.draw(st.lists(st.integers(1, 255), min_size=t - 1, max_size=t - 1, unique=True))
    total = Scalar(0)
    for j in indices:
        total = total + derive_interpolating_value(j, indices) * evaluate_polynomial(
            coefficients, j
        )
    # Equal only if the top coefficient's contribution vanishes: Π_{m} (-m) · a_{t-1} = 0, never.
    assert total != coefficients[0]


@pytest.mark.parametrize(
    ("index", "indices", "reason"),
    [
        (4, [1, 2, 3], r"index 4 is not in the interpolation set \[1, 2, 3\]"),
        (1, [1, 1, 2], "interpolation index 1 appears twice"),
        (0, [0, 1], r"interpolation index 0 not in 1\.\.255"),
        (1, [1, 256], r"interpolation index 256 not in 1\.\.255"),
        (1, [1, -2], r"interpolation index -2 not in 1\.\.255"),
    ],
)
def test_lagrange_refuses_bad_sets(index: int, indices: list[int], reason: str) -> None:
    with pytest.raises(MalformedInput, match=reason):
        derive_interpolating_value(index, indices)


def test_threshold_below_one_is_refused() -> None:
    with pytest.raises(MalformedInput, match="threshold t must be at least 1, got 0"):
        combine_partial_decryptions([PARTIALS[1]], threshold=0)
