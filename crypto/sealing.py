"""Spec §7.1 Secrets at rest: a secret sealed under a passphrase (Argon2id + XSalsa20-Poly1305).

Pure functions, bytes in and bytes out: the caller decides where the sealed bytes live.

    sealed = "VVSEAL" || 0x01 || I2OSP(opslimit, 4) || I2OSP(memlimit, 4) || salt || nonce || box

The box key is H("verivote-1/sealed-secret", Argon2id(passphrase, salt), header), so every
header byte is authenticated. A box that does not open gives one error, ``WrongPassphrase``,
whether the passphrase is wrong or the bytes were altered.
"""

from __future__ import annotations

import secrets
from typing import Final

import nacl.exceptions
import nacl.pwhash.argon2id
import nacl.secret

from crypto.errors import MalformedInput, WrongPassphrase
from crypto.hashing import Dst, hash_bytes

__all__ = [
    "DEFAULT_MEMLIMIT",
    "DEFAULT_OPSLIMIT",
    "NONCE_LENGTH",
    "SALT_LENGTH",
    "STRENGTHS",
    "open_sealed",
    "seal",
    "unsafe_seal",
]

_MAGIC: Final = b"VVSEAL"
_VERSION: Final = 1
SALT_LENGTH: Final = nacl.pwhash.argon2id.SALTBYTES  # 16
NONCE_LENGTH: Final = nacl.secret.SecretBox.NONCE_SIZE  # 24
_HEADER_LENGTH: Final = len(_MAGIC) + 1 + 4 + 4 + SALT_LENGTH + NONCE_LENGTH  # 55
_MIN_LENGTH: Final = _HEADER_LENGTH + nacl.secret.SecretBox.MACBYTES  # 71

# libsodium's "moderate" limits: about 0.4 s and 256 MiB per attempt on a current machine.
DEFAULT_OPSLIMIT: Final = nacl.pwhash.argon2id.OPSLIMIT_MODERATE
DEFAULT_MEMLIMIT: Final = nacl.pwhash.argon2id.MEMLIMIT_MODERATE
# Spec §7.1 The named strengths a key holder may choose from.
STRENGTHS: Final = {
    "moderate": (DEFAULT_OPSLIMIT, DEFAULT_MEMLIMIT),
    "interactive": (
        nacl.pwhash.argon2id.OPSLIMIT_INTERACTIVE,
        nacl.pwhash.argon2id.MEMLIMIT_INTERACTIVE,
    ),
}
# A reader refuses limits beyond these, so a crafted header cannot make it spend minutes or GiBs.
_MAX_OPSLIMIT: Final = 16
_MAX_MEMLIMIT: Final = 2**30


def seal(secret: bytes, passphrase: bytes, *, strength: str = "moderate") -> bytes:
    """Spec §7.1 Seal ``secret`` under ``passphrase`` with fresh salt and nonce.

    ``strength`` names libsodium's Argon2id limits: ``"moderate"`` (the default: opslimit 3,
    memlimit 256 MiB, about 0.5 s) or ``"interactive"`` (opslimit 2, memlimit 64 MiB, for
    machines with little memory; four times cheaper for a passphrase guesser too).

    Raises:
        MalformedInput: the passphrase is empty, or an unknown strength.
    """
    limits = STRENGTHS.get(strength)
    if limits is None:
        raise MalformedInput(f"sealed secret: strength must be one of {', '.join(STRENGTHS)}")
    return unsafe_seal(
        secret,
        passphrase,
        salt=secrets.token_bytes(SALT_LENGTH),
        nonce=secrets.token_bytes(NONCE_LENGTH),
        opslimit=limits[0],
        memlimit=limits[1],
    )


def unsafe_seal(
    secret: bytes,
    passphrase: bytes,
    *,
    salt: bytes,
    nonce: bytes,
    opslimit: int,
    memlimit: int,
) -> bytes:
    """Spec §7.1 The deterministic core of ``seal``: for known-answer tests (and fast tests with
    low limits) only. Never reuse a salt and nonce.

    Raises:
        MalformedInput: empty passphrase, wrong salt or nonce length, limits out of bounds.
    """
    if len(salt) != SALT_LENGTH or len(nonce) != NONCE_LENGTH:
        raise MalformedInput("sealed secret: salt must be 16 bytes and nonce 24 bytes")
    _check_limits(opslimit, memlimit)
    header = (
        _MAGIC
        + bytes([_VERSION])
        + opslimit.to_bytes(4, "big")
        + memlimit.to_bytes(4, "big")
        + salt
        + nonce
    )
    key = _box_key(passphrase, header)
    box = nacl.secret.SecretBox(key).encrypt(secret, nonce).ciphertext
    return header + bytes(box)


def open_sealed(sealed: bytes, passphrase: bytes) -> bytes:
    """Spec §7.1 The secret inside ``sealed``.

    Raises:
        MalformedInput: not a verivote sealed secret (magic, version, length, limits), or an
            empty passphrase.
        WrongPassphrase: the box does not open: wrong passphrase, or altered bytes.
    """
    if len(sealed) < _MIN_LENGTH:
        raise MalformedInput(f"sealed secret: {len(sealed)} bytes, at least {_MIN_LENGTH}")
    if sealed[: len(_MAGIC)] != _MAGIC:
        raise MalformedInput("not a verivote sealed secret (bad magic)")
    if sealed[len(_MAGIC)] != _VERSION:
        raise MalformedInput(f"sealed secret: unsupported version {sealed[len(_MAGIC)]}")
    header, box = sealed[:_HEADER_LENGTH], sealed[_HEADER_LENGTH:]
    nonce = header[-NONCE_LENGTH:]
    key = _box_key(passphrase, header)
    try:
        return bytes(nacl.secret.SecretBox(key).decrypt(box, nonce))
    except nacl.exceptions.CryptoError:
        raise WrongPassphrase(
            "cannot open the sealed secret: wrong passphrase, or the file was altered"
        ) from None


def _box_key(passphrase: bytes, header: bytes) -> bytes:
    if not passphrase:
        raise MalformedInput("sealed secret: empty passphrase")
    offset = len(_MAGIC) + 1
    opslimit = int.from_bytes(header[offset : offset + 4], "big")
    memlimit = int.from_bytes(header[offset + 4 : offset + 8], "big")
    salt = header[offset + 8 : offset + 8 + SALT_LENGTH]
    _check_limits(opslimit, memlimit)
    stretched = nacl.pwhash.argon2id.kdf(32, passphrase, salt, opslimit=opslimit, memlimit=memlimit)
    return hash_bytes(Dst.SEALED_SECRET, stretched, header)


def _check_limits(opslimit: int, memlimit: int) -> None:
    if not nacl.pwhash.argon2id.OPSLIMIT_MIN <= opslimit <= _MAX_OPSLIMIT:
        raise MalformedInput(f"sealed secret: opslimit {opslimit} out of bounds")
    if not nacl.pwhash.argon2id.MEMLIMIT_MIN <= memlimit <= _MAX_MEMLIMIT:
        raise MalformedInput(f"sealed secret: memlimit {memlimit} out of bounds")
