"""Spec §7 Threshold keys, end to end: any t of n decrypt, t - 1 cannot, keys agree."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto.errors import InsufficientShares, MalformedInput
from crypto.group import G, Point, Scalar, g_pow
from crypto.multiexp import multi_pow_vartime
from crypto.threshold import (
    DealerSecret,
    KeyShare,
    ThresholdParameters,
    TrusteeKeyPair,
    combine_decryption_shares,
    combine_partial_decryptions,
    confirm_key,
    derive_interpolating_value,
    partial_decrypt,
    threshold_decrypt,
    verify_dealing,
    verify_key_confirmation,
    verify_partial_decryption,
    verify_trustee_key,
)
from tests.crypto.threshold.ceremony import (
    FINGERPRINT,
    Ceremony,
    deterministic_ceremony,
    run_ceremony,
)
from tests.strategies import thresholds

CONTEXT = FINGERPRINT + b"|tally|contest-1"


def _encrypt(public_key: Point, m: int, r: Scalar) -> tuple[Point, Point]:
    return g_pow(r), g_pow(Scalar(m)) * public_key**r


def _secret_key(ceremony: Ceremony) -> Scalar:
    # x = Σ_{i∈Q} a_i0: only a test, with every dealer's polynomial in hand, can compute it.
    total = Scalar(0)
    for secret in ceremony.dealer_secrets:
        if secret.dealer in ceremony.result.joint_key.qualified:
            total = total + secret.coefficients[0]
    return total


@settings(max_examples=25, deadline=None)
@given(thresholds, st.integers(min_value=0, max_value=1000))
def test_every_t_subset_decrypts_and_no_t_minus_1_subset_does(nt: tuple[int, int], m: int) -> None:
    n, t = nt
    ceremony = run_ceremony(ThresholdParameters(FINGERPRINT, n, t))
    joint = ceremony.result.joint_key
    assert joint.qualified == tuple(range(1, n + 1))
    assert not ceremony.complaints
    alpha, beta = _encrypt(joint.public_key, m, Scalar.random())
    partials = {
        j: partial_decrypt(s, alpha, context=CONTEXT) for j, s in ceremony.key_shares.items()
    }
    for j, partial in partials.items():
        verify_partial_decryption(
            partial, alpha=alpha, verification_key=joint.verification_key(j), context=CONTEXT
        )
    expected = alpha ** _secret_key(ceremony)
    for subset in itertools.combinations(range(1, n + 1), t):
        chosen = [partials[j] for j in subset]
        assert combine_partial_decryptions(chosen, threshold=t) == expected
        assert threshold_decrypt(alpha, beta, chosen, joint_key=joint, context=CONTEXT) == g_pow(
            Scalar(m)
        )
    for subset in itertools.combinations(range(1, n + 1), t - 1):
        chosen = [partials[j] for j in subset]
        short = rf"{t - 1} valid decryption share\(s\), {t} needed"
        with pytest.raises(InsufficientShares, match=f"cannot combine: {short}"):
            combine_partial_decryptions(chosen, threshold=t)
        with pytest.raises(InsufficientShares, match=f"ciphertext 0: cannot decrypt: {short}"):
            threshold_decrypt(alpha, beta, chosen, joint_key=joint, context=CONTEXT)
        # The raw interpolation of t - 1 shares gives a wrong value (t = 1: the identity).
        raw = combine_decryption_shares({j: partials[j].decryption_share for j in subset})
        assert raw != expected


@settings(max_examples=25, deadline=None)
@given(thresholds)
def test_joint_key_matches_verification_keys_and_proofs_verify(nt: tuple[int, int]) -> None:
    n, t = nt
    parameters = ThresholdParameters(FINGERPRINT, n, t)
    ceremony = run_ceremony(parameters)
    joint = ceremony.result.joint_key
    for key in ceremony.public_keys:
        verify_trustee_key(key, parameters)
    for dealing in ceremony.dealings:
        verify_dealing(dealing, parameters)
    # Y = Π_{i∈Q} C_i0 = g^x, X_j = g^x_j, and Y is the Lagrange interpolation of any t X_j.
    assert joint.public_key == g_pow(_secret_key(ceremony))
    for j, share in ceremony.key_shares.items():
        assert g_pow(share.secret) == joint.verification_key(j) == share.verification_key
        verify_key_confirmation(confirm_key(share, joint), joint)
    for subset in itertools.combinations(range(1, n + 1), t):
        interpolated = multi_pow_vartime(
            (joint.verification_key(j), derive_interpolating_value(j, subset)) for j in subset
        )
        assert interpolated == joint.public_key


@settings(max_examples=15, deadline=None)
@given(thresholds.filter(lambda nt: nt[1] < nt[0]), st.data())
def test_any_t_qualified_trustees_decrypt_when_the_others_are_absent(
    nt: tuple[int, int], data: st.DataObject
) -> None:
    n, t = nt
    ceremony = run_ceremony(ThresholdParameters(FINGERPRINT, n, t))
    joint = ceremony.result.joint_key
    present = data.draw(st.sets(st.sampled_from(range(1, n + 1)), min_size=t, max_size=n))
    alpha, beta = _encrypt(joint.public_key, 7, Scalar.random())
    partials = [partial_decrypt(ceremony.key_shares[j], alpha, context=CONTEXT) for j in present]
    assert threshold_decrypt(alpha, beta, partials, joint_key=joint, context=CONTEXT) == g_pow(
        Scalar(7)
    )


def test_homomorphic_sum_decrypts_to_the_sum() -> None:
    ceremony = run_ceremony(ThresholdParameters(FINGERPRINT, 5, 3))
    joint = ceremony.result.joint_key
    votes = [1, 0, 1, 1, 0, 1]
    ciphertexts = [_encrypt(joint.public_key, v, Scalar.random()) for v in votes]
    alpha = ciphertexts[0][0]
    beta = ciphertexts[0][1]
    for a, b in ciphertexts[1:]:
        alpha, beta = alpha * a, beta * b
    partials = [partial_decrypt(ceremony.key_shares[j], alpha, context=CONTEXT) for j in (2, 4, 5)]
    assert threshold_decrypt(
        alpha, beta, partials, joint_key=joint, context=CONTEXT
    ) == G ** Scalar(sum(votes))


def test_key_share_secret_round_trip_and_repr_hides_secrets() -> None:
    ceremony = run_ceremony(ThresholdParameters(FINGERPRINT, 3, 2))
    share = ceremony.key_shares[2]
    again = KeyShare.import_secret(share.export_secret())
    assert again.secret == share.secret
    assert again.verification_key == share.verification_key
    for secret_holder in (share, ceremony.key_pairs[0], ceremony.dealer_secrets[0]):
        text = repr(secret_holder)
        assert "secret=" not in text
        assert "coefficients=" not in text
    assert share.secret.to_hex() not in repr(share)


def test_key_share_import_rejects_a_mismatched_verification_key() -> None:
    ceremony = run_ceremony(ThresholdParameters(FINGERPRINT, 3, 2))
    one, two = ceremony.key_shares[1], ceremony.key_shares[2]
    forged = KeyShare(1, one.secret, two.verification_key)
    with pytest.raises(MalformedInput, match="the secret does not match the verification key"):
        KeyShare.import_secret(forged.export_secret())


def test_trustee_and_dealer_secrets_round_trip_through_export() -> None:
    ceremony = deterministic_ceremony(ThresholdParameters(FINGERPRINT, 3, 2), seed="export")
    pair = ceremony.key_pairs[1]
    again = TrusteeKeyPair.import_secret(pair.export_secret())
    assert again.public == pair.public
    assert again.secret == pair.secret
    dealer = ceremony.dealer_secrets[2]
    back = DealerSecret.import_secret(dealer.export_secret())
    assert back.dealer == dealer.dealer
    assert back.coefficients == dealer.coefficients
    # A secret that does not match its public key is refused.
    other = ceremony.key_pairs[0]
    mixed = TrusteeKeyPair(pair.trustee, other.secret, pair.public)
    with pytest.raises(
        MalformedInput, match="trustee secret: the secret does not match the public"
    ):
        TrusteeKeyPair.import_secret(mixed.export_secret())
    with pytest.raises(MalformedInput, match="dealer secret: no coefficients"):
        DealerSecret.import_secret(b'{"coefficients":[],"dealer":1}')
