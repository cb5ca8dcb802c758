"""Spec §8.2 Credential signatures and §8.3 credential codes: what a member types, the key it
gives, and the Schnorr signature that key makes on a ballot.

A credential code is 24 random symbols (120 bits) and one check symbol from the Crockford
base-32 alphabet, printed in five groups of five: ``XXXXX-XXXXX-XXXXX-XXXXX-XXXXX``. The check
symbol makes the 25 symbols a codeword of a linear code over GF(32) whose weights are distinct
powers of a primitive element, so every single substitution and every transposition of two
different symbols (adjacent or not) is detected.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field
from typing import Final

from crypto.errors import InvalidProof, InvalidSignature, MalformedInput
from crypto.group import G, N, Point, Scalar, g_pow
from crypto.hashing import Dst, encode_parts, hash_chunks_to_int, hash_to_scalar
from crypto.multiexp import g_pow_mul_encoded
from crypto.proofs._common import ChallengeResponse
from crypto.proofs.schnorr import _prove, _verify

__all__ = [
    "ALPHABET",
    "CODE_LENGTH",
    "CredentialCode",
    "CredentialKey",
    "CredentialSignature",
    "credential_signature_holds",
    "derive_credential_key",
    "sign_with_credential",
    "unsafe_sign_with_credential",
    "verify_credential_signature",
]

# Spec §8.3 Crockford's base 32: digits and upper-case letters without I, L, O, U.
ALPHABET: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_VALUE: Final = {c: v for v, c in enumerate(ALPHABET)}
# Read as what they look like (Crockford): O is 0, I and L are 1.
_ALIASES: Final = {"O": "0", "I": "1", "L": "1"}
# Separators a reader drops: white space, ASCII hyphen and the Unicode dashes mail clients use.
_DASHES: Final = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2212")
#: Spec §8.3 (1) The white space a reader drops: exactly these 29 code points (those Python's
#: str.isspace() calls white space today; listed, so that no Unicode update changes codes).
_SPACES: Final = frozenset(
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)
ENTROPY_BYTES: Final = 15  # 120 bits = 24 symbols of 5 bits
_PAYLOAD: Final = 24
CODE_LENGTH: Final = _PAYLOAD + 1
_GROUP: Final = 5
# GF(32) = GF(2)[x] / (x^5 + x^2 + 1); the check weights are powers of x, which has order 31.
_MODULUS: Final = 0b100101
_FINGERPRINT_LENGTH: Final = 32


def _times_x(v: int) -> int:
    v <<= 1
    return v ^ _MODULUS if v & 0b100000 else v


def _syndrome(values: list[int]) -> int:
    """Σ_k v_k · x^(len-1-k) in GF(32), by Horner's rule."""
    h = 0
    for v in values:
        h = _times_x(h) ^ v
    return h


@dataclass(frozen=True, slots=True, eq=False)
class CredentialCode:
    """Spec §8.3 A member's credential code: 25 symbols, the last a check symbol. Never in repr.

    Build one with ``generate``, ``parse`` (what the member typed) or, for known-answer tests,
    ``unsafe_from_entropy``.
    """

    _symbols: str = field(repr=False)

    @classmethod
    def generate(cls) -> CredentialCode:
        """Spec §8.3 A fresh code from 120 bits of ``secrets``."""
        return cls.unsafe_from_entropy(secrets.token_bytes(ENTROPY_BYTES))

    @classmethod
    def unsafe_from_entropy(cls, entropy: bytes) -> CredentialCode:
        """Spec §8.3 The code for exactly 15 bytes of entropy (big-endian, 5 bits a symbol).

        Raises:
            MalformedInput: not 15 bytes.
        """
        if len(entropy) != ENTROPY_BYTES:
            raise MalformedInput(f"credential entropy must be 15 bytes, got {len(entropy)}")
        number = int.from_bytes(entropy, "big")
        values = [(number >> (5 * (_PAYLOAD - 1 - k))) & 31 for k in range(_PAYLOAD)]
        check = _times_x(_syndrome(values))
        return cls("".join(ALPHABET[v] for v in [*values, check]))

    @classmethod
    def parse(cls, text: str) -> CredentialCode:
        """Spec §8.3 Read a typed code: drop white space and dashes (the code points §8.3 (1)
        lists), upper-case, read O as 0 and I, L as 1, then check the length and the check
        symbol.

        Raises:
            MalformedInput: a character outside the alphabet, not 25 characters, or a check
                symbol that does not match (a mistyped or swapped character), each with its
                own message.
        """
        symbols = []
        for position, char in enumerate(text, start=1):
            if char in _SPACES or char in _DASHES:
                continue
            upper = char.upper() if char.isascii() else char
            upper = _ALIASES.get(upper, upper)
            if upper not in _VALUE:
                raise MalformedInput(
                    f"credential code: {char!r} (character {position}) is not used in codes"
                )
            symbols.append(upper)
        if len(symbols) != CODE_LENGTH:
            raise MalformedInput(
                f"a credential code has {CODE_LENGTH} characters (5 groups of 5), "
                f"got {len(symbols)}"
            )
        if _syndrome([_VALUE[c] for c in symbols]) != 0:
            raise MalformedInput(
                "credential code: the check character does not match; "
                "a character is mistyped or two are swapped"
            )
        return cls("".join(symbols))

    def formatted(self) -> str:
        """Spec §8.3 The code as printed for the member: five groups of five, joined by '-'."""
        s = self._symbols
        return "-".join(s[k : k + _GROUP] for k in range(0, CODE_LENGTH, _GROUP))

    def normalised(self) -> bytes:
        """Spec §8.3 The 25 upper-case ASCII symbols, no separators: the key derivation input."""
        return self._symbols.encode("ascii")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CredentialCode) and hmac.compare_digest(
            self._symbols, other._symbols
        )

    def __hash__(self) -> int:
        raise TypeError("credential codes are secrets and are not hashable")

    def __repr__(self) -> str:
        return "CredentialCode(<secret>)"


@dataclass(frozen=True, slots=True, eq=False)
class CredentialKey:
    """Spec §8.3 The credential key pair (x, X = g^x) a code gives in one election."""

    fingerprint: bytes
    secret: Scalar = field(repr=False)
    public: Point


def derive_credential_key(code: CredentialCode, *, fingerprint: bytes) -> CredentialKey:
    """Spec §8.3 x = H_s("verivote-1/credential/key", F, normalised code); the public
    credential is X = g^x.

    Raises:
        MalformedInput: F is not 32 bytes, or x = 0 (probability 2^-256; issue another code).
    """
    _check_fingerprint(fingerprint)
    secret = hash_to_scalar(Dst.CREDENTIAL_KEY, fingerprint, code.normalised())
    if not secret:
        raise MalformedInput("credential code gives the zero key; issue another code")
    return CredentialKey(fingerprint, secret, g_pow(secret))


CredentialSignature = ChallengeResponse
"""Spec §8.2 A credential signature travels as ``{"challenge": c, "response": s}``."""


def _context(fingerprint: bytes, message: bytes) -> bytes:
    return encode_parts(fingerprint, message)


def sign_with_credential(key: CredentialKey, message: bytes) -> CredentialSignature:
    """Spec §8.2 Sign ``message`` (a ballot's hash) with the credential key, for key's election."""
    return unsafe_sign_with_credential(key, message, nonce=Scalar.random())


def unsafe_sign_with_credential(
    key: CredentialKey, message: bytes, *, nonce: Scalar
) -> CredentialSignature:
    """Spec §8.2 The deterministic core of ``sign_with_credential``. Never reuse a nonce: two
    signatures with one nonce reveal the credential key."""
    return _prove(
        Dst.CREDENTIAL_SIGNATURE,
        key.secret,
        public=key.public,
        context=_context(key.fingerprint, message),
        base=G,
        nonce=nonce,
    )


def verify_credential_signature(
    signature: CredentialSignature, *, credential: Point, message: bytes, fingerprint: bytes
) -> None:
    """Spec §8.2 Check a credential signature on ``message`` in the election ``fingerprint``.

    Raises:
        MalformedInput: the fingerprint is not 32 bytes.
        InvalidSignature: the credential is the identity, or the signature does not verify.
    """
    _check_fingerprint(fingerprint)
    try:
        _verify(
            Dst.CREDENTIAL_SIGNATURE,
            "credential signature",
            signature,
            public=credential,
            context=_context(fingerprint, message),
            base=G,
        )
    except InvalidProof as exc:
        raise InvalidSignature(str(exc)) from None


def credential_signature_holds(
    signature: bytes, *, credential: bytes, message: bytes, fingerprint: bytes
) -> bool:
    """Spec §8.2 and §6.2 The credential signature's 64 bytes (c || s) verify on ``message``
    for the credential ``credential`` as encoded (33 bytes), in the election ``fingerprint``,
    the credential decoded only inside libsecp256k1's recovery (``g_pow_mul_encoded``). True
    only if they do; False says nothing: ``verify_credential_signature`` then decides, and
    names the fault (a credential off the curve, c or s out of range, a wrong signature)."""
    if len(signature) != 64 or len(fingerprint) != _FINGERPRINT_LENGTH:
        return False
    c, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    if c >= N or s >= N:
        return False
    # Step 1: A = g^s · X^-c; step 2: c = H_s(DST, context, g, X, A).
    commitment = g_pow_mul_encoded(s, credential, -c % N)
    if commitment is None:
        return False
    context = _context(fingerprint, message)
    statement = encode_parts(
        Dst.CREDENTIAL_SIGNATURE, context, _G_BYTES, credential, commitment
    )  # fmt: skip
    return hash_chunks_to_int((statement,)) == c


_G_BYTES: Final = G.to_bytes()


def _check_fingerprint(fingerprint: bytes) -> None:
    if len(fingerprint) != _FINGERPRINT_LENGTH:
        raise MalformedInput(f"election fingerprint must be 32 bytes, got {len(fingerprint)}")
