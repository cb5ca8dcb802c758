"""Spec §2 The group: secp256k1 through libsecp256k1, written multiplicatively as in the spec.

``Scalar`` is an integer mod n (§2.2). ``Point`` is an element of the group (§2.3), including
the identity, which libsecp256k1 cannot represent and which we therefore carry ourselves.

Group arithmetic goes straight to libsecp256k1 through coincurve's cffi bindings
(``coincurve._libsecp256k1``), because coincurve's object API re-parses and re-serialises
around every call. That module is private to coincurve, so pyproject pins coincurve's major
version and tests/crypto/test_group.py exercises every call we make.

Two kinds of exponentiation (§2.5):

* ``g_pow(k)`` (``ecmult_gen``) and ``point ** k`` (``ecmult_const``, through the ECDH entry
  point: libsecp256k1's public-key tweak is variable-time), here, run in constant time; use
  them for secrets (keys, encryption randomness, proof nonces).
* the ``*_vartime`` functions of ``crypto.multiexp`` (precomputed ``FixedBase`` tables,
  ``multi_pow_vartime``, ``MultiPowAccumulator``) run in time that depends on the exponent;
  use them only where every exponent is public (verification).

The libsecp256k1 plumbing below (``_CTX``, ``_combine_raw``, ``_tweak_mul``, ...) is shared
with ``crypto.multiexp`` and nothing else.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

from coincurve._libsecp256k1 import ffi, lib

from crypto.errors import MalformedInput
from crypto.wire import parse_hex

__all__ = [
    "ENCODED_POINT_LENGTH",
    "ENCODED_SCALAR_LENGTH",
    "IDENTITY",
    "G",
    "N",
    "P",
    "Point",
    "Scalar",
    "g_pow",
    "lift_x",
    "product",
]

# Spec §2.1 Parameters of secp256k1 (SEC 2 v2, section 2.4.1).
P: Final = 2**256 - 2**32 - 977
N: Final = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
_G_COMPRESSED: Final = bytes.fromhex(
    "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
)

ENCODED_SCALAR_LENGTH: Final = 32
ENCODED_POINT_LENGTH: Final = 33
# Spec §2.3: the identity is encoded as 33 zero bytes; no curve point starts with 0x00.
_IDENTITY_ENCODING: Final = bytes(ENCODED_POINT_LENGTH)

_CTX: Final = lib.secp256k1_context_create(lib.SECP256K1_CONTEXT_NONE)
# Blind libsecp256k1's fixed-base multiplication against side channels.
if not lib.secp256k1_context_randomize(_CTX, secrets.token_bytes(32)):  # pragma: no cover
    raise RuntimeError("libsecp256k1: context randomisation failed")


@dataclass(frozen=True, slots=True)
class Scalar:
    """Spec §2.2 An integer mod n. Constructing one checks 0 <= value < n.

    Raises:
        MalformedInput: value out of range.
    """

    value: int

    def __post_init__(self) -> None:
        if not 0 <= self.value < N:
            raise MalformedInput(f"scalar out of range [0, n): {self.value:#x}")

    # Named constructors -------------------------------------------------------------------
    @classmethod
    def reduce(cls, value: int) -> Scalar:
        """The scalar congruent to ``value`` mod n (for any Python integer)."""
        return _scalar(value % N)

    @classmethod
    def random(cls) -> Scalar:
        """A uniformly random non-zero scalar from ``secrets`` (rejection sampling)."""
        return _scalar(secrets.randbelow(N - 1) + 1)

    @classmethod
    def from_bytes(cls, data: bytes) -> Scalar:
        """Spec §2.2: exactly 32 bytes, big-endian, value < n.

        Raises:
            MalformedInput: wrong length or value >= n.
        """
        if len(data) != ENCODED_SCALAR_LENGTH:
            raise MalformedInput(f"scalar must be 32 bytes, got {len(data)}")
        return cls(int.from_bytes(data, "big"))

    @classmethod
    def from_hex(cls, text: str) -> Scalar:
        """Spec §2.2: 64 lower-case hex digits.

        Raises:
            MalformedInput: not 64 hex digits, or value >= n.
            NonCanonicalEncoding: upper-case hex digits or white space.
        """
        return cls.from_bytes(parse_hex(text, ENCODED_SCALAR_LENGTH, "scalar"))

    # Encoding -------------------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        return self.value.to_bytes(ENCODED_SCALAR_LENGTH, "big")

    def to_hex(self) -> str:
        return self.to_bytes().hex()

    # Arithmetic mod n -------------------------------------------------------------------------
    def __add__(self, other: Scalar) -> Scalar:
        return _scalar((self.value + other.value) % N)

    def __sub__(self, other: Scalar) -> Scalar:
        return _scalar((self.value - other.value) % N)

    def __mul__(self, other: Scalar) -> Scalar:
        return _scalar((self.value * other.value) % N)

    def __neg__(self) -> Scalar:
        return _scalar(-self.value % N)

    def inverse(self) -> Scalar:
        """The multiplicative inverse mod n.

        Raises:
            ZeroDivisionError: the scalar is zero.
        """
        if self.value == 0:
            raise ZeroDivisionError("zero scalar has no inverse")
        return _scalar(pow(self.value, -1, N))

    def __bool__(self) -> bool:
        return self.value != 0

    def __repr__(self) -> str:
        return f"Scalar({self.value:#066x})"


def _scalar(value: int) -> Scalar:
    """Build a Scalar from a value already known to be in range (skips the check)."""
    s = object.__new__(Scalar)
    object.__setattr__(s, "value", value)
    return s


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Point:
    """Spec §2.3 An element of the secp256k1 group, the identity included.

    Use the named constructors; the fields are private. Points compare and hash by encoding.
    """

    _encoding: bytes
    _raw: Any  # cffi "secp256k1_pubkey *" holding the point, or None for the identity

    # Named constructors -------------------------------------------------------------------
    @classmethod
    def from_bytes(cls, data: bytes) -> Point:
        """Spec §2.3: 33-byte compressed SEC1, or 33 zero bytes for the identity.

        Exactly one encoding is accepted per point: uncompressed (0x04) and hybrid
        (0x06/0x07) encodings, x >= p and x not on the curve are all rejected.

        Raises:
            MalformedInput: wrong length, wrong prefix, x >= p or x off the curve.
        """
        if len(data) != ENCODED_POINT_LENGTH:
            raise MalformedInput(f"point must be 33 bytes, got {len(data)}")
        if data == _IDENTITY_ENCODING:
            return IDENTITY
        if data[0] not in (0x02, 0x03):
            raise MalformedInput(f"point prefix must be 0x02 or 0x03, got {data[0]:#04x}")
        raw = ffi.new("secp256k1_pubkey *")
        if not lib.secp256k1_ec_pubkey_parse(_CTX, raw, data, ENCODED_POINT_LENGTH):
            raise MalformedInput(f"point not on curve: {data.hex()}")
        return cls(bytes(data), raw)

    @classmethod
    def from_hex(cls, text: str) -> Point:
        """Spec §2.3: 66 lower-case hex digits of the encoding.

        Raises:
            MalformedInput: not 66 hex digits, or not a valid encoding.
            NonCanonicalEncoding: upper-case hex digits or white space.
        """
        return cls.from_bytes(parse_hex(text, ENCODED_POINT_LENGTH, "point"))

    # Encoding -------------------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        return self._encoding

    def to_hex(self) -> str:
        return self._encoding.hex()

    @property
    def is_identity(self) -> bool:
        return self._raw is None

    # Group operations (multiplicative notation) ---------------------------------------------
    def __mul__(self, other: Point) -> Point:
        if self._raw is None:
            return other
        if other._raw is None:
            return self
        return _combine([self._raw, other._raw])

    def inverse(self) -> Point:
        if self._raw is None:
            return self
        raw = ffi.new("secp256k1_pubkey *")
        ffi.memmove(raw, self._raw, 64)
        lib.secp256k1_ec_pubkey_negate(_CTX, raw)
        return _point_from_raw(raw)

    def __truediv__(self, other: Point) -> Point:
        return self * other.inverse()

    def __pow__(self, exponent: Scalar) -> Point:
        """Spec §2.5 Constant-time exponentiation (libsecp256k1's ``ecmult_const``, reached
        through its ECDH entry point; for g, its faster fixed-base ``g_pow``); safe for secret
        exponents."""
        if self._raw is None or exponent.value == 0:
            return IDENTITY
        if self._encoding == _G_COMPRESSED:
            return g_pow(exponent)
        return _pow_constant_time(self._raw, exponent.value)

    # Value semantics --------------------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        return isinstance(other, Point) and self._encoding == other._encoding

    def __hash__(self) -> int:
        return hash(self._encoding)

    def __repr__(self) -> str:
        return "Point(identity)" if self._raw is None else f"Point({self._encoding.hex()})"

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (Point.from_bytes, (self._encoding,))


IDENTITY: Final = Point(_IDENTITY_ENCODING, None)
G: Final = Point.from_bytes(_G_COMPRESSED)


# libsecp256k1 plumbing ------------------------------------------------------------------------
def _point_from_raw(raw: Any) -> Point:
    out = ffi.new("unsigned char[33]")
    outlen = ffi.new("size_t *", ENCODED_POINT_LENGTH)
    lib.secp256k1_ec_pubkey_serialize(_CTX, out, outlen, raw, lib.SECP256K1_EC_COMPRESSED)
    return Point(bytes(ffi.buffer(out, ENCODED_POINT_LENGTH)), raw)


def _combine_raw(raws: list[Any]) -> Any:
    """Sum of the raw points, or None when the sum is the identity."""
    if not raws:
        return None
    if len(raws) == 1:
        return raws[0]
    out = ffi.new("secp256k1_pubkey *")
    if not lib.secp256k1_ec_pubkey_combine(_CTX, out, raws, len(raws)):
        return None  # the only failure on valid inputs: the sum is the point at infinity
    return out


def _combine(raws: list[Any]) -> Point:
    raw = _combine_raw(raws)
    return IDENTITY if raw is None else _point_from_raw(raw)


def _copy_xy_py(output: Any, x32: Any, y32: Any, data: Any) -> int:
    """An ECDH "hash" that returns the shared point itself: x || y, 64 bytes."""
    ffi.memmove(output, x32, 32)
    ffi.memmove(output + 32, y32, 32)
    return 1


# Kept alive for the life of the module: libsecp256k1 calls it through a C function pointer.
_copy_xy: Final = ffi.callback(
    "int(unsigned char *, const unsigned char *, const unsigned char *, void *)", _copy_xy_py
)


def _pow_constant_time(raw: Any, k: int) -> Point:
    """k · raw for 0 < k < n in constant time.

    libsecp256k1 multiplies a variable base in constant time (``ecmult_const``) only inside
    ``secp256k1_ecdh``; its public-key tweak (``_tweak_mul``) uses the variable-time ``ecmult``,
    whose running time reveals the scalar. The ECDH call hands the point to a "hash" callback,
    which here copies x and y out.
    """
    xy = ffi.new("unsigned char[64]")
    if not lib.secp256k1_ecdh(_CTX, xy, raw, k.to_bytes(32, "big"), _copy_xy, ffi.NULL):
        raise AssertionError("unreachable: scalar in range and base not the identity")
    out = ffi.new("secp256k1_pubkey *")
    if not lib.secp256k1_ec_pubkey_parse(_CTX, out, b"\x04" + ffi.buffer(xy, 64)[:], 65):
        raise AssertionError("unreachable: libsecp256k1 returned a point off the curve")
    return _point_from_raw(out)


def _tweak_mul(raw: Any, k: int) -> Any:
    """k · raw for 0 < k < n, in VARIABLE time (libsecp256k1's ``ecmult``): public k only."""
    out = ffi.new("secp256k1_pubkey *")
    ffi.memmove(out, raw, 64)
    if not lib.secp256k1_ec_pubkey_tweak_mul(_CTX, out, k.to_bytes(32, "big")):
        raise AssertionError("unreachable: tweak in range and base not the identity")
    return out


def product(points: Iterable[Point]) -> Point:
    """Spec §2.5 The group product of ``points`` (the identity for none), in one n-ary addition.

    Much faster than folding ``*``: libsecp256k1 adds in Jacobian coordinates and normalises
    once. Used to aggregate ciphertexts for a tally.
    """
    raws = [p._raw for p in points if p._raw is not None]
    result = IDENTITY
    for start in range(0, len(raws), _PRODUCT_CHUNK):
        result = result * _combine(raws[start : start + _PRODUCT_CHUNK])
    return result


_PRODUCT_CHUNK: Final = 4096


def g_pow(exponent: Scalar) -> Point:
    """Spec §2.5 g^k with libsecp256k1's constant-time, blinded fixed-base multiplication."""
    if exponent.value == 0:
        return IDENTITY
    raw = ffi.new("secp256k1_pubkey *")
    if not lib.secp256k1_ec_pubkey_create(_CTX, raw, exponent.value.to_bytes(32, "big")):
        raise AssertionError("unreachable: secret key in range")
    return _point_from_raw(raw)


def lift_x(x: bytes) -> Point:
    """Spec §2.4 The point with x-coordinate ``x`` (32 bytes, big-endian) and even y.

    Raises:
        MalformedInput: x >= p, or no curve point has this x.
    """
    return Point.from_bytes(b"\x02" + x)
