"""Spec §8.2-§8.3 known answers: tests/vectors/credentials/credentials.json, recomputed."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from crypto.credentials import (
    ALPHABET,
    CredentialCode,
    CredentialSignature,
    derive_credential_key,
    unsafe_sign_with_credential,
    verify_credential_signature,
)
from crypto.errors import MalformedInput
from crypto.group import Point, Scalar, g_pow
from tests.vectors import load

VECTOR = load("credentials/credentials")
CASES = {c["label"]: c for c in VECTOR["cases"]}


def _gf32_check(values: list[int]) -> int:
    # Spec §8.3 from the text: h_{k+1} = α·h_k + v_k over GF(2)[x]/(x^5 + x^2 + 1), α = x.
    h = 0
    for v in values:
        h <<= 1
        if h & 32:
            h ^= 0b100101
        h ^= v
    h <<= 1
    return h ^ 0b100101 if h & 32 else h


@pytest.mark.parametrize("label", CASES)
def test_credential_vector(label: str) -> None:
    c: dict[str, Any] = CASES[label]
    code = CredentialCode.unsafe_from_entropy(bytes.fromhex(c["entropy"]))
    assert code.formatted() == c["code"]
    assert code.normalised().decode() == c["normalised"] == c["code"].replace("-", "")
    values = [ALPHABET.index(ch) for ch in c["normalised"][:24]]
    assert ALPHABET[_gf32_check(values)] == c["check_symbol"] == c["code"][-1]
    for typed in c["typed_variants"]:
        assert CredentialCode.parse(typed) == code
    for bad in (c["typo"], c["transposed"]):
        if bad is not None:
            with pytest.raises(MalformedInput, match="check character"):
                CredentialCode.parse(bad)
    fingerprint = bytes.fromhex(c["fingerprint"])
    key = derive_credential_key(code, fingerprint=fingerprint)
    parts = [b"verivote-1/credential/key", fingerprint, c["normalised"].encode(), bytes(4)]
    digest = hashlib.sha256(b"".join(len(p).to_bytes(4, "big") + p for p in parts)).digest()
    assert key.secret.to_hex() == c["secret"] == digest.hex()
    assert key.public.to_hex() == c["credential"] == g_pow(key.secret).to_hex()
    message = bytes.fromhex(c["message"])
    signature = unsafe_sign_with_credential(
        key, message, nonce=Scalar.from_hex(c["signature_nonce"])
    )
    assert signature.to_json() == c["signature"]
    verify_credential_signature(
        CredentialSignature.from_json(c["signature"]),
        credential=Point.from_hex(c["credential"]),
        message=message,
        fingerprint=fingerprint,
    )


def test_same_code_gives_other_keys_in_other_elections() -> None:
    assert CASES["counting"]["code"] == CASES["other-election"]["code"]
    assert CASES["counting"]["credential"] != CASES["other-election"]["credential"]
