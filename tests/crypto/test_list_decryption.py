"""Spec §7.8 Partial decryption of a list with one proof per trustee: complete for every N,
combined by §7.7 into the plaintexts, and each way a trustee's list can be wrong is refused for
its named reason, blaming the trustee."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto import canonical
from crypto.elgamal import Ciphertext, PublicKey, embed, encrypt_bytes_with_randomness, extract
from crypto.errors import InsufficientShares, InvalidProof, MalformedInput, NonCanonicalEncoding
from crypto.group import IDENTITY, G, N, P, Point, Scalar
from crypto.proofs._common import ChallengeResponse
from crypto.threshold import (
    ListPartialDecryption,
    ThresholdParameters,
    check_list_plaintexts,
    combine_list_plaintext,
    partial_decrypt_list,
    threshold_decrypt_list,
    unsafe_partial_decrypt_list,
    verify_list_partial_decryption,
)
from tests.crypto.shuffle_cases import rankings, seeded
from tests.crypto.threshold.ceremony import FINGERPRINT, deterministic_ceremony
from tests.strategies import embeddable

PARAMS = ThresholdParameters(FINGERPRINT, 5, 3)
CER = deterministic_ceremony(PARAMS, seed="list-decryption")
JOINT = CER.result.joint_key
CONTEXT = FINGERPRINT + b"|nec|rankings"
ELECTION_KEY = PublicKey(JOINT.public_key)


def _encrypt(plaintexts: list[bytes]) -> tuple[Ciphertext, ...]:
    return tuple(
        encrypt_bytes_with_randomness(ELECTION_KEY, d, randomness=seeded("list", i, d))
        for i, d in enumerate(plaintexts)
    )


CIPHERTEXTS = _encrypt(rankings(4))
ALPHAS = [c.alpha for c in CIPHERTEXTS]
PARTIALS = {
    j: unsafe_partial_decrypt_list(s, ALPHAS, context=CONTEXT, nonce=seeded("nonce", j))
    for j, s in CER.key_shares.items()
}
PARTIAL = PARTIALS[2]
X_2 = JOINT.verification_key(2)


def _verify(partial: ListPartialDecryption, alphas: list[Point] = ALPHAS, **changes: Any) -> None:
    arguments: dict[str, Any] = {"verification_key": X_2, "context": CONTEXT, **changes}
    verify_list_partial_decryption(partial, alphas=alphas, **arguments)


# Completeness ----------------------------------------------------------------------------------
@pytest.mark.parametrize("size", [0, 1, 2, 3])
def test_honest_list_decryptions_verify_and_combine(size: int) -> None:
    ciphertexts = _encrypt(rankings(size))
    alphas = [c.alpha for c in ciphertexts]
    partials = [partial_decrypt_list(s, alphas, context=CONTEXT) for s in CER.key_shares.values()]
    for partial in partials:
        verify_list_partial_decryption(
            partial,
            alphas=alphas,
            verification_key=JOINT.verification_key(partial.trustee),
            context=CONTEXT,
        )
        assert partial.decryption_shares == tuple(
            a ** CER.key_shares[partial.trustee].secret for a in alphas
        )
        assert (partial.proof is None) == (size == 0)
    plaintexts = threshold_decrypt_list(ciphertexts, partials, joint_key=JOINT, context=CONTEXT)
    assert [extract(m) for m in plaintexts] == rankings(size)


@settings(max_examples=10)
@given(st.lists(embeddable, max_size=8), st.sets(st.integers(1, 5), min_size=3, max_size=5))
def test_any_t_trustees_decrypt_any_list(plaintexts: list[bytes], trustees: set[int]) -> None:
    ciphertexts = _encrypt(plaintexts)
    alphas = [c.alpha for c in ciphertexts]
    partials = [partial_decrypt_list(CER.key_shares[j], alphas, context=CONTEXT) for j in trustees]
    result = threshold_decrypt_list(ciphertexts, partials, joint_key=JOINT, context=CONTEXT)
    assert result == [embed(d) for d in plaintexts]


def test_the_proof_is_over_the_hash_weighted_combination() -> None:
    """A ``unsafe_`` core with a fixed nonce is deterministic; the random one is not."""
    share = CER.key_shares[2]
    again = unsafe_partial_decrypt_list(share, ALPHAS, context=CONTEXT, nonce=seeded("nonce", 2))
    assert again == PARTIAL
    fresh = partial_decrypt_list(share, ALPHAS, context=CONTEXT)
    assert fresh.decryption_shares == PARTIAL.decryption_shares
    assert fresh.proof != PARTIAL.proof


def test_the_prover_refuses_an_identity_alpha() -> None:
    with pytest.raises(MalformedInput, match="alpha 1 is the identity"):
        partial_decrypt_list(CER.key_shares[1], [ALPHAS[0], IDENTITY], context=CONTEXT)


# Negative cases: every mutation is refused, naming the trustee --------------------------------
BAD_PROOF = r"^list decryption by trustee 2: dleq: challenge does not match the statement$"


def _shares(*shares: Point) -> ListPartialDecryption:
    return replace(PARTIAL, decryption_shares=tuple(shares))


@pytest.mark.parametrize("index", range(4))
def test_one_wrong_share_is_caught(index: int) -> None:
    shares = list(PARTIAL.decryption_shares)
    shares[index] = shares[index] * G
    with pytest.raises(InvalidProof, match=BAD_PROOF):
        _verify(_shares(*shares))


def test_shares_that_cancel_in_an_unweighted_product_are_caught() -> None:
    """D_0·g and D_1·g^-1 keep Π D_i; the hash weights do not let them cancel."""
    s = list(PARTIAL.decryption_shares)
    with pytest.raises(InvalidProof, match=BAD_PROOF):
        _verify(_shares(s[0] * G, s[1] / G, s[2], s[3]))


def test_swapped_shares_are_caught() -> None:
    s = PARTIAL.decryption_shares
    with pytest.raises(InvalidProof, match=BAD_PROOF):
        _verify(_shares(s[1], s[0], s[2], s[3]))


def test_a_share_of_another_trustee_is_caught() -> None:
    s = list(PARTIAL.decryption_shares)
    s[3] = PARTIALS[1].decryption_shares[3]
    with pytest.raises(InvalidProof, match=BAD_PROOF):
        _verify(_shares(*s))


@pytest.mark.parametrize(
    ("shares", "message"),
    [
        (PARTIAL.decryption_shares[:3], "3 decryption shares for 4 ciphertexts"),
        ((*PARTIAL.decryption_shares, PARTIAL.decryption_shares[0]), "5 decryption shares for 4"),
    ],
    ids=["dropped", "duplicated"],
)
def test_a_list_of_the_wrong_length_is_refused(shares: tuple[Point, ...], message: str) -> None:
    with pytest.raises(InvalidProof, match=rf"^list decryption by trustee 2: {message}"):
        _verify(_shares(*shares))


@pytest.mark.parametrize(
    "changes",
    [
        {"context": FINGERPRINT + b"|youth|rankings"},
        {"context": bytes(32) + b"|nec|rankings"},
        {"verification_key": JOINT.verification_key(3)},
    ],
    ids=["other-contest", "other-election", "other-trustee-key"],
)
def test_a_list_decryption_moved_to_another_statement_is_refused(changes: dict[str, Any]) -> None:
    with pytest.raises(InvalidProof, match=BAD_PROOF):
        _verify(PARTIAL, **changes)


def test_a_list_decryption_claimed_by_another_trustee_is_refused() -> None:
    with pytest.raises(InvalidProof, match=r"^list decryption by trustee 3: dleq: challenge"):
        _verify(replace(PARTIAL, trustee=3), verification_key=JOINT.verification_key(3))


def test_a_list_decryption_of_other_alphas_is_refused() -> None:
    with pytest.raises(InvalidProof, match=BAD_PROOF):
        _verify(PARTIAL, alphas=[ALPHAS[1], ALPHAS[0], ALPHAS[2], ALPHAS[3]])


@pytest.mark.parametrize("field", ["challenge", "response"])
def test_each_proof_scalar_altered_is_refused(field: str) -> None:
    assert PARTIAL.proof is not None
    value: Scalar = getattr(PARTIAL.proof, field)
    proof = replace(PARTIAL.proof, **{field: value + Scalar(1)})
    with pytest.raises(InvalidProof, match=BAD_PROOF):
        _verify(replace(PARTIAL, proof=proof))


def test_identities_are_refused() -> None:
    s = list(PARTIAL.decryption_shares)
    s[2] = IDENTITY
    with pytest.raises(InvalidProof, match=r"trustee 2: decryption share 2 is the identity$"):
        _verify(_shares(*s))
    with pytest.raises(InvalidProof, match=r"trustee 2: alpha 1 is the identity$"):
        _verify(PARTIAL, alphas=[ALPHAS[0], IDENTITY, *ALPHAS[2:]])


def test_a_proof_must_be_present_exactly_for_a_non_empty_list() -> None:
    with pytest.raises(InvalidProof, match="present exactly when the list is not empty"):
        _verify(replace(PARTIAL, proof=None))
    empty = ListPartialDecryption(2, (), PARTIAL.proof)
    with pytest.raises(InvalidProof, match="present exactly when the list is not empty"):
        _verify(empty, alphas=[])
    _verify(ListPartialDecryption(2, (), None), alphas=[])


# Combination: blame per trustee ------------------------------------------------------------------
def _broken(j: int) -> ListPartialDecryption:
    shares = list(PARTIALS[j].decryption_shares)
    shares[0] = shares[0] * G
    return replace(PARTIALS[j], decryption_shares=tuple(shares))


def test_an_invalid_trustee_list_is_left_out_and_the_next_used() -> None:
    partials = [_broken(1), PARTIALS[2], _broken(3), PARTIALS[4], PARTIALS[5]]
    result = threshold_decrypt_list(CIPHERTEXTS, partials, joint_key=JOINT, context=CONTEXT)
    assert [extract(m) for m in result] == rankings(4)


def test_too_few_valid_lists_name_the_invalid_trustees() -> None:
    partials = [_broken(1), PARTIALS[2], _broken(4), PARTIALS[5]]
    with pytest.raises(InsufficientShares, match=r"invalid from trustee\(s\) \[1, 4\]") as info:
        threshold_decrypt_list(CIPHERTEXTS, partials, joint_key=JOINT, context=CONTEXT)
    assert (info.value.valid, info.value.threshold) == (2, 3)


def test_two_lists_from_one_trustee_are_malformed() -> None:
    with pytest.raises(MalformedInput, match="two list decryptions from trustee 2"):
        threshold_decrypt_list(
            CIPHERTEXTS, [PARTIAL, PARTIAL, PARTIALS[3]], joint_key=JOINT, context=CONTEXT
        )
    with pytest.raises(MalformedInput, match=r"not in 1\.\.5"):
        threshold_decrypt_list(
            CIPHERTEXTS, [replace(PARTIAL, trustee=6)], joint_key=JOINT, context=CONTEXT
        )


# Wire form ----------------------------------------------------------------------------------------
def _wire() -> dict[str, Any]:
    return copy.deepcopy(PARTIAL.to_json())


def test_round_trip_through_canonical_json() -> None:
    for partial, size in ((PARTIAL, 4), (ListPartialDecryption(1, (), None), 0)):
        data = canonical.encode(partial.to_json())
        assert ListPartialDecryption.from_json(canonical.decode(data), size=size) == partial
    assert set(_wire()) == {"trustee", "decryption_shares", "proof"}
    assert ListPartialDecryption(1, (), None).to_json()["proof"] is None


@pytest.mark.parametrize(
    ("edit", "error", "message"),
    [
        (lambda w: w["decryption_shares"].pop(), MalformedInput, "expected 4 decryption shares"),
        (lambda w: w["decryption_shares"].append(w["decryption_shares"][0]), MalformedInput,
         "at most 4 items, got 5"),
        (lambda w: w["decryption_shares"].__setitem__(1, w["decryption_shares"][1].upper()),
         NonCanonicalEncoding, r"decryption_shares\[1\]: .*lower-case hex"),
        (lambda w: w["decryption_shares"].__setitem__(1, "04" + w["decryption_shares"][1][2:]),
         MalformedInput, r"decryption_shares\[1\]: point prefix must be 0x02 or 0x03, got 0x04"),
        (lambda w: w["decryption_shares"].__setitem__(0, w["decryption_shares"][0][:64]),
         MalformedInput, r"decryption_shares\[0\]: point must be 66 hex digits, got 64"),
        (lambda w: w["decryption_shares"].__setitem__(0, "03" + (P - 1).to_bytes(32, "big").hex()),
         MalformedInput, r"decryption_shares\[0\]: point not on curve"),
        (lambda w: w["proof"].__setitem__("response", N.to_bytes(32, "big").hex()),
         MalformedInput, "scalar out of range"),
        (lambda w: w["proof"].__setitem__("challenge", w["proof"]["challenge"].upper()),
         NonCanonicalEncoding, "lower-case hex"),
        (lambda w: w.__setitem__("proof", None), MalformedInput, "a proof is required"),
        (lambda w: w.__setitem__("trustee", 0), MalformedInput, "trustee must be >= 1"),
        (lambda w: w.__setitem__("trustee", "2"), MalformedInput, "must be an integer"),
        (lambda w: w.pop("proof"), MalformedInput, r"missing field\(s\) proof"),
        (lambda w: w.__setitem__("extra", 1), MalformedInput, r"unknown field\(s\) extra"),
    ],
    ids=["dropped", "duplicated", "upper-case", "uncompressed-0x04", "short", "off-curve",
         "scalar-n", "upper-case-scalar", "null-proof", "trustee-0", "trustee-string",
         "no-proof", "unknown-field"],
)  # fmt: skip
def test_the_reader_refuses_each_malformed_field(
    edit: Callable[[dict[str, Any]], object], error: type[MalformedInput], message: str
) -> None:
    wire = _wire()
    edit(wire)
    with pytest.raises(error, match=message):
        ListPartialDecryption.from_json(wire, size=4)


def test_the_reader_refuses_a_proof_for_an_empty_list() -> None:
    wire = {"trustee": 1, "decryption_shares": [], "proof": _wire()["proof"]}
    with pytest.raises(MalformedInput, match=r"an empty list has no proof \(null\)"):
        ListPartialDecryption.from_json(wire, size=0)


def test_the_proof_is_a_compact_dleq_proof() -> None:
    assert isinstance(PARTIAL.proof, ChallengeResponse)


# Checking claimed plaintexts (§7.8) --------------------------------------------------------------
def test_claimed_plaintexts_are_checked_at_once_and_one_by_one() -> None:
    partials = [PARTIALS[j] for j in (1, 3, 4)]
    plaintexts = [embed(d) for d in rankings(4)]
    for i, expected in enumerate(plaintexts):
        assert combine_list_plaintext(CIPHERTEXTS, partials, i) == expected
    check_list_plaintexts(CIPHERTEXTS, partials, dict(enumerate(plaintexts)))
    check_list_plaintexts(CIPHERTEXTS, partials, {2: plaintexts[2]})
    check_list_plaintexts(CIPHERTEXTS, partials, {})
    other = [PARTIALS[j] for j in (2, 5, 4)]  # any t trustees give the same plaintexts
    check_list_plaintexts(CIPHERTEXTS, other, dict(enumerate(plaintexts)))


@pytest.mark.parametrize(
    ("name", "claims"),
    [
        ("one-plaintext-changed", {0: embed(b"\x00"), 1: None}),
        ("two-swapped", {0: 1, 1: 0}),
        ("the-identity-claimed", {3: IDENTITY}),
    ],
)
def test_a_wrong_claim_is_named(name: str, claims: dict[int, Any]) -> None:
    partials = [PARTIALS[j] for j in (1, 3, 4)]
    plaintexts = dict(enumerate(embed(d) for d in rankings(4)))
    truth = dict(plaintexts)
    for i, value in claims.items():
        if isinstance(value, int):
            plaintexts[i] = truth[value]
        elif value is not None:
            plaintexts[i] = value
    wrong = min(i for i in plaintexts if plaintexts[i] != truth[i])
    with pytest.raises(InvalidProof, match=f"plaintext {wrong} is not what"):
        check_list_plaintexts(CIPHERTEXTS, partials, plaintexts)


def test_shares_of_another_set_do_not_pass_as_the_combination() -> None:
    # two trustees' shares alone (t - 1) do not combine to the plaintexts
    partials = [PARTIALS[j] for j in (1, 3)]
    plaintexts = dict(enumerate(embed(d) for d in rankings(4)))
    with pytest.raises(InvalidProof, match="plaintext 0"):
        check_list_plaintexts(CIPHERTEXTS, partials, plaintexts)


def test_shares_computed_by_worker_processes_are_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """Spec §7.8 (informative): the shares cut into tasks for worker processes (one alpha per
    task here) give the very list decryption of one process, proof included."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    import crypto.threshold._list_decryption as list_decryption

    monkeypatch.setattr(list_decryption, "_CHUNK", 1)
    share = CER.key_shares[2]
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        parallel = unsafe_partial_decrypt_list(
            share, ALPHAS, context=CONTEXT, nonce=seeded("nonce", 2), mapper=pool.map
        )
    assert parallel == PARTIAL
    verify_list_partial_decryption(parallel, alphas=ALPHAS, verification_key=X_2, context=CONTEXT)
