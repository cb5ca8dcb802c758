"""Spec §8.2 credential signatures and §8.3 credential codes and key derivation."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crypto.credentials import (
    ALPHABET,
    CODE_LENGTH,
    CredentialCode,
    CredentialKey,
    CredentialSignature,
    credential_signature_holds,
    derive_credential_key,
    sign_with_credential,
    unsafe_sign_with_credential,
    verify_credential_signature,
)
from crypto.errors import InvalidProof, InvalidSignature, MalformedInput
from crypto.group import IDENTITY, G, N, Point, Scalar, g_pow
from crypto.hashing import Dst, hash_to_scalar
from crypto.proofs.schnorr import unsafe_prove_schnorr, verify_schnorr
from tests.crypto.proofs.wire_cases import CHALLENGE_RESPONSE_WIRE
from tests.crypto.test_group import BAD_POINT_ENCODINGS

FINGERPRINT = bytes(range(32))
OTHER_FINGERPRINT = bytes(range(1, 33))
entropies = st.binary(min_size=15, max_size=15)
SAMPLES = [
    bytes(15),
    b"\xff" * 15,
    bytes(range(15)),
    bytes.fromhex("0123456789abcdef0123456789abcd"),
]


def _oracle_check_symbol(values: list[int]) -> int:
    # Spec §8.3, literally: the sum of v_k · α^(24-k) over GF(2)[x]/(x^5+x^2+1) must vanish.
    def mul(a: int, b: int) -> int:
        r = 0
        for i in range(5):
            if b >> i & 1:
                r ^= a << i
        for bit in range(9, 4, -1):
            if r >> bit & 1:
                r ^= 0b100101 << (bit - 5)
        return r

    def power(k: int) -> int:
        r = 1
        for _ in range(k):
            r = mul(r, 2)
        return r

    total = 0
    for k, v in enumerate(values):
        total ^= mul(v, power(24 - k))
    return total  # with weight α^0 = 1 on the check symbol, it must equal this sum


# Codes ----------------------------------------------------------------------------------------
@given(entropies)
def test_code_shape_and_round_trip(entropy: bytes) -> None:
    code = CredentialCode.unsafe_from_entropy(entropy)
    text = code.formatted()
    assert len(text) == 29
    assert [len(g) for g in text.split("-")] == [5] * 5
    assert set(text.replace("-", "")) <= set(ALPHABET)
    assert CredentialCode.parse(text) == code
    # 24 payload symbols are the 120 bits, big-endian.
    payload = text.replace("-", "")[:24]
    number = 0
    for c in payload:
        number = number * 32 + ALPHABET.index(c)
    assert number.to_bytes(15, "big") == entropy
    # The check symbol follows the spec's equation.
    values = [ALPHABET.index(c) for c in payload]
    assert ALPHABET.index(text[-1]) == _oracle_check_symbol(values)


def _all_single_substitutions(code: str) -> list[str]:
    return [
        code[:k] + c + code[k + 1 :] for k in range(CODE_LENGTH) for c in ALPHABET if c != code[k]
    ]


def _all_transpositions(code: str, adjacent_only: bool) -> list[str]:
    out = []
    for k in range(CODE_LENGTH):
        for m in range(k + 1, k + 2 if adjacent_only else CODE_LENGTH):
            if m < CODE_LENGTH and code[k] != code[m]:
                out.append(code[:k] + code[m] + code[k + 1 : m] + code[k] + code[m + 1 :])
    return out


def _refused(text: str) -> bool:
    """True iff the parser refuses ``text`` for its check symbol (not for anything else)."""
    try:
        CredentialCode.parse(text)
    except MalformedInput as exc:
        return "check character does not match" in str(exc)
    return False


@pytest.mark.parametrize("entropy", SAMPLES)
def test_every_single_substitution_is_detected_exhaustively(entropy: bytes) -> None:
    code = CredentialCode.unsafe_from_entropy(entropy).normalised().decode()
    variants = _all_single_substitutions(code)
    assert len(variants) == CODE_LENGTH * 31
    assert all(_refused(v) for v in variants)


@given(entropies)
def test_every_single_substitution_is_detected(entropy: bytes) -> None:
    code = CredentialCode.unsafe_from_entropy(entropy).normalised().decode()
    assert all(_refused(v) for v in _all_single_substitutions(code))


@given(entropies)
def test_every_adjacent_transposition_is_detected(entropy: bytes) -> None:
    code = CredentialCode.unsafe_from_entropy(entropy).normalised().decode()
    assert all(_refused(v) for v in _all_transpositions(code, adjacent_only=True))


@given(entropies)
def test_every_transposition_at_any_distance_is_detected(entropy: bytes) -> None:
    code = CredentialCode.unsafe_from_entropy(entropy).normalised().decode()
    assert all(_refused(v) for v in _all_transpositions(code, adjacent_only=False))


def test_the_check_weight_is_primitive() -> None:
    # α = x has order 31 in GF(32): the 25 weights α^0..α^24 are distinct, which is what
    # makes transpositions at any distance detectable.
    from crypto.credentials import _times_x

    seen, value = [], 1
    for _ in range(31):
        seen.append(value)
        value = _times_x(value)
    assert value == 1
    assert len(set(seen)) == 31


CODE = CredentialCode.unsafe_from_entropy(bytes(range(15)))
TEXT = CODE.formatted()


@pytest.mark.parametrize(
    "typed",
    [
        TEXT,
        TEXT.lower(),
        TEXT.replace("-", ""),
        TEXT.replace("-", " "),
        "  " + TEXT.replace("-", " - ") + "\n",
        TEXT.replace("-", "\u2013"),
        TEXT.replace("-", "\u2011"),
        TEXT.replace("0", "O"),
        TEXT.replace("0", "o"),
        TEXT.replace("1", "I"),
        TEXT.replace("1", "l"),
    ],
)
def test_normalisation(typed: str) -> None:
    assert CredentialCode.parse(typed) == CODE


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "25 characters"),
        (TEXT[:-1], "25 characters"),
        (TEXT + "0", "25 characters"),
        (TEXT[:3] + "U" + TEXT[4:], "'U' (character 4) is not used"),
        (TEXT[:3] + "!" + TEXT[4:], "'!' (character 4) is not used"),
        (TEXT[:3] + "\u00e9" + TEXT[4:], "is not used"),
        (TEXT[:3] + "\uff10" + TEXT[4:], "is not used"),  # full-width zero
        (TEXT[:3] + "_" + TEXT[4:], "is not used"),
    ],
)
def test_parser_rejects_with_a_clear_message(typed: str, message: str) -> None:
    with pytest.raises(MalformedInput, match=re.escape(message)):
        CredentialCode.parse(typed)


def test_codes_are_random_and_secret() -> None:
    codes = {CredentialCode.generate().formatted() for _ in range(50)}
    assert len(codes) == 50
    assert TEXT not in repr(CODE)
    key = derive_credential_key(CODE, fingerprint=FINGERPRINT)
    assert key.secret.to_hex() not in repr(key)
    assert "secret" not in repr(key)
    with pytest.raises(TypeError, match="credential codes are secrets and are not hashable"):
        hash(CODE)


def test_unsafe_from_entropy_refuses_the_wrong_length() -> None:
    with pytest.raises(MalformedInput, match="credential entropy must be 15 bytes, got 14"):
        CredentialCode.unsafe_from_entropy(bytes(14))


# Key derivation -------------------------------------------------------------------------------
def test_derivation_matches_the_spec_oracle() -> None:
    parts = [Dst.CREDENTIAL_KEY, FINGERPRINT, TEXT.replace("-", "").encode(), bytes(4)]
    digest = hashlib.sha256(b"".join(len(p).to_bytes(4, "big") + p for p in parts)).digest()
    x = int.from_bytes(digest, "big")
    assert x < N
    key = derive_credential_key(CredentialCode.parse(TEXT.lower()), fingerprint=FINGERPRINT)
    assert key.secret == Scalar(x)
    assert key.public == g_pow(Scalar(x))


def test_derivation_depends_on_the_election() -> None:
    a = derive_credential_key(CODE, fingerprint=FINGERPRINT)
    b = derive_credential_key(CODE, fingerprint=OTHER_FINGERPRINT)
    assert a.public != b.public
    with pytest.raises(MalformedInput, match="election fingerprint must be 32 bytes, got 31"):
        derive_credential_key(CODE, fingerprint=bytes(31))


# Signatures -----------------------------------------------------------------------------------
KEY = derive_credential_key(CODE, fingerprint=FINGERPRINT)
OTHER_KEY = derive_credential_key(
    CredentialCode.unsafe_from_entropy(bytes(15)), fingerprint=FINGERPRINT
)
MESSAGE = hashlib.sha256(b"a ballot").digest()
SIGNATURE = unsafe_sign_with_credential(KEY, MESSAGE, nonce=Scalar(0xC0FFEE))


@given(entropies, st.binary(max_size=64))
def test_honest_signature_verifies(entropy: bytes, message: bytes) -> None:
    key = derive_credential_key(
        CredentialCode.unsafe_from_entropy(entropy), fingerprint=FINGERPRINT
    )
    signature = sign_with_credential(key, message)
    verify_credential_signature(
        signature, credential=key.public, message=message, fingerprint=FINGERPRINT
    )


def _weak() -> CredentialSignature:
    nonce = Scalar(5)
    c = hash_to_scalar(Dst.CREDENTIAL_SIGNATURE, g_pow(nonce).to_bytes())
    return CredentialSignature(c, nonce + c * KEY.secret)


def _as_schnorr_proof() -> CredentialSignature:
    # A §6.2 proof of knowledge of x over the same context is not a credential signature.
    context = len(FINGERPRINT).to_bytes(4, "big") + FINGERPRINT + len(MESSAGE).to_bytes(4, "big")
    return unsafe_prove_schnorr(
        KEY.secret, public=KEY.public, context=context + MESSAGE, nonce=Scalar(0xC0FFEE)
    )


SIGNATURE_MUTATIONS: dict[str, Callable[[], tuple[CredentialSignature, Point, bytes, bytes]]] = {
    "other-message": lambda: (SIGNATURE, KEY.public, MESSAGE[:-1] + b"\x00", FINGERPRINT),
    "other-fingerprint": lambda: (SIGNATURE, KEY.public, MESSAGE, OTHER_FINGERPRINT),
    "other-credential": lambda: (SIGNATURE, OTHER_KEY.public, MESSAGE, FINGERPRINT),
    "identity-credential": lambda: (SIGNATURE, IDENTITY, MESSAGE, FINGERPRINT),
    "generator-as-credential": lambda: (SIGNATURE, G, MESSAGE, FINGERPRINT),
    "response-plus-1": lambda: (
        CredentialSignature(SIGNATURE.challenge, SIGNATURE.response + Scalar(1)),
        KEY.public,
        MESSAGE,
        FINGERPRINT,
    ),
    "challenge-plus-1": lambda: (
        CredentialSignature(SIGNATURE.challenge + Scalar(1), SIGNATURE.response),
        KEY.public,
        MESSAGE,
        FINGERPRINT,
    ),
    "weak-fiat-shamir": lambda: (_weak(), KEY.public, MESSAGE, FINGERPRINT),
    "schnorr-proof-not-a-signature": lambda: (
        _as_schnorr_proof(),
        KEY.public,
        MESSAGE,
        FINGERPRINT,
    ),
    "signed-in-another-election": lambda: (
        unsafe_sign_with_credential(
            derive_credential_key(CODE, fingerprint=OTHER_FINGERPRINT), MESSAGE, nonce=Scalar(3)
        ),
        KEY.public,
        MESSAGE,
        FINGERPRINT,
    ),
}


def test_signature_happy_path() -> None:
    verify_credential_signature(
        SIGNATURE, credential=KEY.public, message=MESSAGE, fingerprint=FINGERPRINT
    )


@pytest.mark.parametrize("name", SIGNATURE_MUTATIONS)
def test_signature_mutation_is_rejected(name: str) -> None:
    signature, credential, message, fingerprint = SIGNATURE_MUTATIONS[name]()
    # Every mutation fails the challenge check but the identity, refused before hashing.
    reason = "credential signature: " + (
        "statement contains the identity point"
        if name == "identity-credential"
        else "challenge does not match the statement"
    )
    with pytest.raises(InvalidSignature, match=reason):
        verify_credential_signature(
            signature, credential=credential, message=message, fingerprint=fingerprint
        )


def _sig_bytes(signature: CredentialSignature) -> bytes:
    return signature.challenge.to_bytes() + signature.response.to_bytes()


@given(entropies, st.binary(max_size=64))
def test_the_encoded_check_holds_for_honest_signatures(entropy: bytes, message: bytes) -> None:
    """credential_signature_holds, the key decoded only inside the recovery: complete."""
    key = derive_credential_key(
        CredentialCode.unsafe_from_entropy(entropy), fingerprint=FINGERPRINT
    )
    signature = _sig_bytes(sign_with_credential(key, message))
    assert credential_signature_holds(
        signature, credential=key.public.to_bytes(), message=message, fingerprint=FINGERPRINT
    )


@pytest.mark.parametrize("name", SIGNATURE_MUTATIONS)
def test_the_encoded_check_says_no_to_every_mutation(name: str) -> None:
    signature, credential, message, fingerprint = SIGNATURE_MUTATIONS[name]()
    assert not credential_signature_holds(
        _sig_bytes(signature), credential=credential.to_bytes(), message=message,
        fingerprint=fingerprint,
    )  # fmt: skip


@pytest.mark.parametrize("name", BAD_POINT_ENCODINGS)
def test_the_encoded_check_says_no_to_a_credential_that_does_not_decode(name: str) -> None:
    """Off the curve, x >= p, other prefixes and lengths: the recovery refuses them, and the
    caller's decoding (Point.from_bytes) names the fault."""
    _, encoding = BAD_POINT_ENCODINGS[name]
    signature = _sig_bytes(SIGNATURE)
    assert not credential_signature_holds(
        signature, credential=encoding, message=MESSAGE, fingerprint=FINGERPRINT
    )


@pytest.mark.parametrize(
    ("name", "signature"),
    [
        ("challenge-is-n", N.to_bytes(32, "big") + _sig_bytes(SIGNATURE)[32:]),
        ("response-is-n", _sig_bytes(SIGNATURE)[:32] + N.to_bytes(32, "big")),
        ("zero", bytes(64)),
        ("short", _sig_bytes(SIGNATURE)[:63]),
        ("long", _sig_bytes(SIGNATURE) + b"\x00"),
    ],
)
def test_the_encoded_check_says_no_to_scalars_out_of_range(name: str, signature: bytes) -> None:
    assert not credential_signature_holds(
        signature, credential=KEY.public.to_bytes(), message=MESSAGE, fingerprint=FINGERPRINT
    )
    assert not credential_signature_holds(
        _sig_bytes(SIGNATURE), credential=KEY.public.to_bytes(), message=MESSAGE,
        fingerprint=FINGERPRINT[:31],
    )  # fmt: skip


def test_signature_is_not_a_schnorr_proof_either() -> None:
    context = len(FINGERPRINT).to_bytes(4, "big") + FINGERPRINT + len(MESSAGE).to_bytes(4, "big")
    with pytest.raises(InvalidProof, match="schnorr: challenge does not match the statement"):
        verify_schnorr(SIGNATURE, public=KEY.public, context=context + MESSAGE)


def test_signature_wire_round_trip() -> None:
    assert CredentialSignature.from_json(SIGNATURE.to_json()) == SIGNATURE


@pytest.mark.parametrize("name", CHALLENGE_RESPONSE_WIRE)
def test_signature_wire_rejects(name: str) -> None:
    reason, mutate = CHALLENGE_RESPONSE_WIRE[name]
    with pytest.raises(MalformedInput, match=reason):
        CredentialSignature.from_json(mutate(SIGNATURE.to_json()))


def test_key_is_bound_to_its_election() -> None:
    assert isinstance(KEY, CredentialKey)
    assert KEY.fingerprint == FINGERPRINT
