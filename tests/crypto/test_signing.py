"""Spec §8.1 Ed25519 role signatures with a purpose tag."""

from __future__ import annotations

import pytest

from crypto.errors import InvalidSignature, MalformedInput
from crypto.signing import SigningKey, VerifyKey, parse_signature_hex

KEY = SigningKey(bytes(range(32)))


def test_sign_and_verify() -> None:
    signature = KEY.sign(b"board/sth", b"message")
    KEY.verify_key.verify(b"board/sth", b"message", signature)
    assert len(signature) == 64
    assert parse_signature_hex(signature.hex()) == signature


@pytest.mark.parametrize(
    "mutation",
    ["other-purpose", "other-message", "flipped-bit", "other-key", "truncated", "s-plus-l"],
)
def test_verify_rejects(mutation: str) -> None:
    signature = KEY.sign(b"p", b"m")
    purpose, message, key = b"p", b"m", KEY.verify_key
    if mutation == "other-purpose":
        purpose = b"q"
    elif mutation == "other-message":
        message = b"n"
    elif mutation == "flipped-bit":
        signature = bytes([signature[0] ^ 1]) + signature[1:]
    elif mutation == "other-key":
        key = SigningKey.generate().verify_key
    elif mutation == "truncated":
        signature = signature[:63]
    elif mutation == "s-plus-l":
        # S + L is the same signature in a non-canonical encoding; libsodium must refuse it.
        ell = 2**252 + 27742317777372353535851937790883648493
        s = int.from_bytes(signature[32:], "little") + ell
        signature = signature[:32] + s.to_bytes(32, "little")
    reason = "must be 64 bytes" if mutation == "truncated" else "does not verify"
    with pytest.raises(InvalidSignature, match=f"Ed25519 signature {reason}"):
        key.verify(purpose, message, signature)


def test_key_parsing() -> None:
    vk = KEY.verify_key
    assert VerifyKey.from_hex(vk.to_hex()) == vk
    with pytest.raises(MalformedInput, match="public key must be 64 hex digits, got 62"):
        VerifyKey.from_hex(vk.to_hex()[:-2])
    with pytest.raises(MalformedInput, match="public key must be 32 bytes, got 5"):
        VerifyKey(b"short")
    assert "seed" not in repr(KEY) or bytes(range(32)).hex() not in repr(KEY)
