"""Spec §8.1 Ed25519 role signatures (administrator, issuer, trustee, board).

Every signature is over ``encode_parts("verivote-1/sig/ed25519", purpose, message)`` (§3.1),
where ``purpose`` names what is signed, so a signature made for one purpose can never be
replayed as another. PyNaCl (libsodium)
verifies strictly: it rejects s >= L, non-canonical encodings and small-order keys and R.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

import nacl.exceptions
import nacl.signing

from crypto.errors import InvalidSignature, MalformedInput
from crypto.hashing import Dst, encode_parts
from crypto.wire import parse_hex

__all__ = ["SIGNATURE_LENGTH", "SigningKey", "VerifyKey", "parse_signature_hex"]

VERIFY_KEY_LENGTH: Final = 32
SIGNATURE_LENGTH: Final = 64


@dataclass(frozen=True, slots=True)
class VerifyKey:
    """Spec §8.1 An Ed25519 public key: 32 bytes, 64 lower-case hex digits in JSON."""

    raw: bytes

    def __post_init__(self) -> None:
        if len(self.raw) != VERIFY_KEY_LENGTH:
            raise MalformedInput(f"Ed25519 public key must be 32 bytes, got {len(self.raw)}")

    @classmethod
    def from_hex(cls, text: str) -> VerifyKey:
        """Raises: MalformedInput (wrong length, not lower-case hex)."""
        return cls(parse_hex(text, VERIFY_KEY_LENGTH, "Ed25519 public key"))

    def to_hex(self) -> str:
        return self.raw.hex()

    def verify(self, purpose: bytes, message: bytes, signature: bytes) -> None:
        """Spec §8.1 Check an Ed25519 signature made for ``purpose`` over ``message``.

        Raises:
            InvalidSignature: the signature does not verify (any reason, one message).
        """
        if len(signature) != SIGNATURE_LENGTH:
            raise InvalidSignature("Ed25519 signature must be 64 bytes")
        try:
            nacl.signing.VerifyKey(self.raw).verify(_signed_bytes(purpose, message), signature)
        except (nacl.exceptions.BadSignatureError, nacl.exceptions.ValueError):
            raise InvalidSignature("Ed25519 signature does not verify") from None


@dataclass(frozen=True, slots=True)
class SigningKey:
    """Spec §8.1 An Ed25519 private key, held as its 32-byte seed (never printed)."""

    seed: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.seed) != 32:
            raise MalformedInput("Ed25519 seed must be 32 bytes")

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(bytes(nacl.signing.SigningKey.generate()))

    @property
    def verify_key(self) -> VerifyKey:
        return VerifyKey(bytes(nacl.signing.SigningKey(self.seed).verify_key))

    def sign(self, purpose: bytes, message: bytes) -> bytes:
        """Spec §8.1 The 64-byte Ed25519 signature made for ``purpose`` over ``message``."""
        signed = nacl.signing.SigningKey(self.seed).sign(_signed_bytes(purpose, message))
        return bytes(signed.signature)


def _signed_bytes(purpose: bytes, message: bytes) -> bytes:
    return encode_parts(Dst.ED25519, purpose, message)


def parse_signature_hex(text: str) -> bytes:
    """Spec §8.1 A signature in JSON: 128 lower-case hex digits.

    Raises:
        MalformedInput: wrong length or not lower-case hex.
    """
    return parse_hex(text, SIGNATURE_LENGTH, "signature")
