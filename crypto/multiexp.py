"""Spec §2.5 Variable-time exponentiation, for public exponents only (verification, §6.7).

Everything here runs in time that depends on the exponents; secrets go through the
constant-time ``g_pow`` and ``Point.__pow__`` of ``crypto.group``.

* ``FixedBase``: a long-lived base (g, an election public key) with a precomputed window
  table; ``g_pow_vartime`` uses g's.
* ``multi_pow_vartime``: a product of b_i^(k_i), by table entries, one Strauss double
  multiplication (g and one base) and one multiplication per other base, or Pippenger's bucket
  method when a cost model predicts it is faster (many bases).
* ``MultiPowAccumulator``: the same product built term by term, for batch verification
  (§6.7).

All of it is built on libsecp256k1's n-ary point addition and its variable-time
multiplication, through the plumbing of ``crypto.group``. When the C extension is built
(``crypto._accel.NATIVE``), Pippenger's loops and ``MultiPowAccumulator.add_encoded``'s decoding
run in C over the same libsecp256k1 calls; otherwise in Python. The results are the same.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Final, TypeAlias

from coincurve._libsecp256k1 import ffi, lib

from crypto._accel import NATIVE, POINT_SIZE, raw_from_packed
from crypto._pippenger import (
    PIPPENGER_MIN_BASES,
    SCALAR_BYTES,
    group_by_length,
    pippenger_window,
)
from crypto._pippenger import pippenger as _pippenger
from crypto.errors import MalformedInput
from crypto.group import (
    _CTX,
    _G_COMPRESSED,
    _IDENTITY_ENCODING,
    ENCODED_POINT_LENGTH,
    ENCODED_SCALAR_LENGTH,
    G,
    N,
    Point,
    Scalar,
    _combine,
    _combine_raw,
    _point_from_raw,
    _scalar,
    _tweak_mul,
)

__all__ = [
    "PACKED",
    "FixedBase",
    "Mapper",
    "MultiPowAccumulator",
    "Points",
    "chunks",
    "decode_packed",
    "g_pow_mul_encoded",
    "g_pow_vartime",
    "multi_pow_vartime",
    "pack_points",
    "packed_point",
    "sum_packed",
    "unpack_points",
]

#: How a producer runs its independent exponentiations (a mixer's shuffle and proof, §6.8, a
#: trustee's list decryption, §7.8): ``mapper(function, items)`` yields ``function(item)`` for
#: each item, in order: in this process (the built-in ``map``, the default) or in worker
#: processes (``Executor.map``), so ``function`` is a module-level function and the items are
#: picklable. What is computed never depends on the mapper.
Mapper: TypeAlias = Callable[[Callable[[Any], Any], Iterable[Any]], Iterable[Any]]


# Spec §2.5 Fixed-base tables: 32 windows of 8 bits; window i holds d·256^i·B for d = 1..255.
_WINDOWS: Final = 32
_DIGITS: Final = 255
# Index of entry d (1..255) of window i is i·255 + d - 1 = _ROW_OFFSETS[i] + d.
_ROW_OFFSETS: Final = tuple(range(-1, _WINDOWS * _DIGITS - 1, _DIGITS))


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class FixedBase(Point):
    """A long-lived base (g, an election public key) carrying a precomputed window table.

    A FixedBase *is* a Point (it compares, hashes and encodes as one), so any function taking a
    Point takes it; ``multi_pow_vartime`` and ``pow_vartime`` then use the table, at the cost of
    one n-ary addition of at most 32 entries instead of a scalar multiplication. Building the
    table costs about 8,000 point additions (tens of milliseconds), 520 KB for the table and
    390 KB for the tuple of pointers to its entries.
    """

    _table: Any  # cffi "secp256k1_pubkey[8160]", or None for the identity
    _entry_pointers: tuple[Any, ...]  # a pointer to each entry (indexing beats cffi arithmetic)

    @classmethod
    def precompute(cls, point: Point) -> FixedBase:
        if point._raw is None:
            return cls(point._encoding, None, None, ())
        table = ffi.new("secp256k1_pubkey[]", _WINDOWS * _DIGITS)
        if NATIVE is not None:
            packed = NATIVE.table(ffi.buffer(point._raw, POINT_SIZE), _WINDOWS, _DIGITS)
            ffi.memmove(table, packed, len(packed))
            pointers = tuple(table + k for k in range(_WINDOWS * _DIGITS))
            return cls(point._encoding, point._raw, table, pointers)
        window_base = point._raw
        for i in range(_WINDOWS):
            row = i * _DIGITS
            ffi.memmove(table + row, window_base, 64)
            for d in range(1, _DIGITS):
                raw = _combine_raw([table + row + d - 1, window_base])
                ffi.memmove(table + row + d, raw, 64)
            window_base = _combine_raw([table + row + _DIGITS - 1, window_base])  # 256·base
        pointers = tuple(table + k for k in range(_WINDOWS * _DIGITS))
        return cls(point._encoding, point._raw, table, pointers)

    def _entries(self, exponent: Scalar) -> list[Any]:
        pointers = self._entry_pointers
        if not pointers:
            return []
        digits = exponent.value.to_bytes(32, "little")
        return [pointers[row + d] for row, d in zip(_ROW_OFFSETS, digits, strict=True) if d]

    def pow_vartime(self, exponent: Scalar) -> Point:
        """B^k in variable time: only for public exponents."""
        return _combine(self._entries(exponent))

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (FixedBase.precompute, (Point.from_bytes(self._encoding),))


#: Points in a mapper's task or result: as they are in this process; to and from other
#: processes as their 33-byte encodings (§2.3) joined (pickling each Point would cost as much as
#: some of the exponentiations).
Points: TypeAlias = bytes | Sequence[Point]


def pack_points(points: Sequence[Point], remote: bool) -> Points:
    """``points`` for a task run in this process, or in another if ``remote``."""
    return b"".join(p.to_bytes() for p in points) if remote else points


def unpack_points(points: Points) -> Sequence[Point]:
    """The points of ``pack_points``.

    Raises:
        MalformedInput: bytes that are not 33-byte encodings of points.
    """
    if not isinstance(points, bytes):
        return points
    step = ENCODED_POINT_LENGTH
    return [Point.from_bytes(points[k : k + step]) for k in range(0, len(points), step)]


def chunks(items: Sequence[Any], size: int) -> list[Sequence[Any]]:
    """``items`` cut into consecutive slices of ``size`` (the last may be shorter), for a
    ``Mapper``."""
    return [items[k : k + size] for k in range(0, len(items), size)]


@cache
def _g_table() -> FixedBase:
    return FixedBase.precompute(G)


def g_pow_vartime(exponent: Scalar) -> Point:
    """Spec §2.5 g^k from the precomputed table, in variable time: only for public exponents."""
    return _g_table().pow_vartime(exponent)


def multi_pow_vartime(terms: Iterable[tuple[Point, Scalar]]) -> Point:
    """Spec §2.5 The product of b_i^(k_i), in variable time: only for public exponents.

    FixedBase terms contribute table entries and g terms accumulate into one exponent. The
    other ("variable") bases go one of two ways, whichever ``pippenger_window``'s cost model
    predicts is faster for their number and exponent lengths:

    * few bases: the g term and the first variable base are done together by one Strauss
      double multiplication (libsecp256k1's public-key recovery, see ``_g_pow_mul_raw``); each
      remaining base costs one scalar multiplication (~22 µs);
    * many bases (a few hundred with 256-bit exponents, fewer with 128-bit ones): Pippenger's
      bucket method (``_pippenger``): per base, about 15 µs (256-bit exponents) and 8 µs
      (128-bit) with a few thousand bases, 9 µs and 5 µs with a hundred thousand.

    Everything is then summed in one libsecp256k1 call. ``MultiPowAccumulator`` is the same
    computation, built term by term.
    """
    entries: list[Any] = []
    g_exponent = 0
    raws: list[Any] = []
    encodings: list[bytes] = []
    exponents: list[int] = []
    for base, exponent in terms:
        if exponent.value == 0 or base._raw is None:
            continue
        if isinstance(base, FixedBase):
            entries.extend(base._entries(exponent))
        elif base._encoding == _G_COMPRESSED:
            g_exponent += exponent.value
        else:
            raws.append(base._raw)
            encodings.append(base._encoding)
            exponents.append(exponent.value)
    return _multi_pow(entries, g_exponent % N, raws, encodings, exponents)


# The prefix of the inverse's encoding: y and -y have opposite parities (0x02 <-> 0x03).
_OTHER_PREFIX: Final = {0x02: b"\x03", 0x03: b"\x02"}
_COMPRESSED_PREFIXES: Final = frozenset({0x02, 0x03})


class MultiPowAccumulator:
    """Spec §2.5 A product of b_i^(k_i) built term by term, then computed once in variable time:
    only for public exponents. The accumulating form of ``multi_pow_vartime``, for batch
    verification (§6.7).

    Exponents are Python integers, taken mod n. ``add_encoded`` takes bases as their encodings
    and decodes them straight into libsecp256k1's form, without building Point objects.
    """

    __slots__ = (
        "_encodings",
        "_entries",
        "_exponents",
        "_g_exponent",
        "_packed",
        "_packed_exponents",
        "_raws",
    )

    def __init__(self) -> None:
        self._entries: list[Any] = []  # fixed-base table entries
        self._g_exponent = 0
        self._raws: list[Any] = []  # the variable bases, their encodings and exponents
        self._encodings: list[bytes] = []
        self._exponents: list[int] = []
        # With the C extension, add_encoded's bases: packed secp256k1_pubkey structures and
        # their exponents.
        self._packed = bytearray()
        self._packed_exponents: list[int] = []

    def add(self, base: Point, exponent: int) -> None:
        """Multiply in base^exponent (a FixedBase contributes at most 32 table entries)."""
        k = exponent % N
        if k == 0 or base._raw is None:
            return
        if isinstance(base, FixedBase):
            self._entries.extend(base._entries(_scalar(k)))
        elif base._encoding == _G_COMPRESSED:
            self._g_exponent += k
        else:
            self._raws.append(base._raw)
            self._encodings.append(base._encoding)
            self._exponents.append(k)

    def add_encoded(self, terms: Iterable[tuple[bytes, int]], *, inverse: bool = False) -> None:
        """Multiply in b^k for each (encoding of b, k), or (b^-1)^k if ``inverse``: all of the
        terms, or none if one encoding does not decode (§2.3; 33 zero bytes are the identity).
        The inverse is decoded directly, its encoding's first byte flipped (0x02 <-> 0x03).

        Raises:
            MalformedInput: an encoding of the wrong length or prefix, or x off the curve.
        """
        if NATIVE is not None:
            terms = list(terms)
            if self._add_encoded_native(terms, inverse):
                return
        raws: list[Any] = []
        encodings: list[bytes] = []
        exponents: list[int] = []
        new, parse = ffi.new, lib.secp256k1_ec_pubkey_parse
        for encoding, exponent in terms:
            if len(encoding) != ENCODED_POINT_LENGTH:
                raise MalformedInput(f"point must be 33 bytes, got {len(encoding)}")
            prefix = encoding[0]
            if prefix != 0x02 and prefix != 0x03:
                if encoding == _IDENTITY_ENCODING:
                    continue
                raise MalformedInput(f"point prefix must be 0x02 or 0x03, got {prefix:#04x}")
            if inverse:
                encoding = _OTHER_PREFIX[prefix] + encoding[1:]
            raw = new("secp256k1_pubkey *")
            if not parse(_CTX, raw, encoding, ENCODED_POINT_LENGTH):
                raise MalformedInput(f"point not on curve: {encoding.hex()}")
            k = exponent % N
            if k:
                raws.append(raw)
                encodings.append(encoding)
                exponents.append(k)
        self._raws += raws
        self._encodings += encodings
        self._exponents += exponents

    def _add_encoded_native(self, terms: list[tuple[bytes, int]], inverse: bool) -> bool:
        """``add_encoded`` with the bases decoded in one call of the C extension, when every
        encoding is well-formed and every exponent non-zero (else False: nothing added)."""
        assert NATIVE is not None
        encodings = [encoding for encoding, _ in terms]
        exponents = [exponent % N for _, exponent in terms]
        joined = b"".join(encodings)
        # The common case at once: every encoding 33 bytes, starting 0x02 or 0x03, and no
        # exponent zero; the C extension flips the first bytes for the inverses.
        if (
            len(joined) == ENCODED_POINT_LENGTH * len(encodings)
            and set(joined[::ENCODED_POINT_LENGTH]) <= _COMPRESSED_PREFIXES
            and all(exponents)
        ):
            packed = NATIVE.parse(joined, inverse)
            if isinstance(packed, int):
                encoding = encodings[packed]
                if inverse:
                    encoding = _OTHER_PREFIX[encoding[0]] + encoding[1:]
                raise MalformedInput(f"point not on curve: {encoding.hex()}")
            self._packed += packed
            self._packed_exponents += exponents
            return True
        return False

    def add_packed(self, packed: bytes, exponents: Sequence[int]) -> None:
        """Multiply in b_i^(k_i) for the points packed by ``decode_packed`` or ``packed_point``
        (64 bytes each) and their exponents, in order. Only with the C extension (``PACKED``)."""
        if NATIVE is None or len(packed) != POINT_SIZE * len(exponents):
            raise ValueError("add_packed: needs the C extension and one exponent per point")
        ks = [k % N for k in exponents]
        if not all(ks):
            keep = [i for i, k in enumerate(ks) if k]
            packed = b"".join(packed[POINT_SIZE * i : POINT_SIZE * (i + 1)] for i in keep)
            ks = [ks[i] for i in keep]
        self._packed += packed
        self._packed_exponents += ks

    def compute(self, extra: Sequence[tuple[Point, int]] = ()) -> Point:
        """The product of the terms added and of ``extra``, which is not kept."""
        more = MultiPowAccumulator()
        for base, exponent in extra:
            more.add(base, exponent)
        return _multi_pow(
            [*self._entries, *more._entries],
            (self._g_exponent + more._g_exponent) % N,
            [*self._raws, *more._raws],
            [*self._encodings, *more._encodings],
            [*self._packed_exponents, *self._exponents, *more._exponents],
            packed=bytes(self._packed),
        )


#: Whether the packed form of points (``decode_packed``, ``packed_point``, ``sum_packed``,
#: ``MultiPowAccumulator.add_packed``) is available: the C extension is built.
PACKED: Final = NATIVE is not None


def decode_packed(encodings: bytes, *, inverse: bool = False) -> bytes | None:
    """Spec §2.3 The points of ``encodings`` (33-byte compressed encodings, first byte 0x02
    or 0x03, which the caller has checked), or their inverses, decoded in one call into
    libsecp256k1's form packed 64 bytes each; None if one is not on the curve. Only with
    the C extension (``PACKED``)."""
    if NATIVE is None:
        raise ValueError("decode_packed: needs the C extension")
    packed = NATIVE.parse(encodings, inverse)
    return None if isinstance(packed, int) else bytes(packed)


def packed_point(point: Point) -> bytes:
    """A point other than the identity in the packed form of ``decode_packed``."""
    if point._raw is None:
        raise ValueError("packed_point: the identity has no packed form")
    return bytes(ffi.buffer(point._raw, POINT_SIZE))


def sum_packed(packed: bytes) -> Point:
    """The sum (the product, written multiplicatively) of the packed points, in one
    libsecp256k1 addition. Only with the C extension (``PACKED``)."""
    if NATIVE is None:
        raise ValueError("sum_packed: needs the C extension")
    if not packed:
        return _combine([])
    # Pippenger with every exponent 1 and 1-bit windows is exactly one n-ary addition.
    out = NATIVE.pippenger(packed, _ONE_LE * (len(packed) // POINT_SIZE), 1)
    return _combine([] if out is None else [raw_from_packed(out)])


_ONE_LE: Final = (1).to_bytes(ENCODED_SCALAR_LENGTH, "little")


def _multi_pow(
    entries: list[Any],
    g_exponent: int,
    raws: list[Any],
    encodings: list[bytes],
    exponents: list[int],
    *,
    packed: bytes = b"",
) -> Point:
    """Table entries, g^g_exponent and each variable base raws[i] (encoded as encodings[i])
    to the power exponents[i] (0 < exponents[i] < n), summed; see ``multi_pow_vartime``.

    ``packed`` holds the first variable bases as packed ``secp256k1_pubkey`` structures (the C
    extension's form; their exponents first in ``exponents``), then come ``raws`` and their
    ``encodings`` (only with the extension)."""
    terms = list(entries)
    if NATIVE is not None and len(exponents) >= PIPPENGER_MIN_BASES:
        counts = [0] * len(SCALAR_BYTES)
        for bits, count in Counter(map(int.bit_length, exponents)).items():
            counts[(bits + 7) >> 3] += count
        window = pippenger_window(counts, native=True)
        if window:
            if g_exponent:
                terms += _g_table()._entries(_scalar(g_exponent))
            points = packed + b"".join(ffi.buffer(raw, POINT_SIZE) for raw in raws)
            digits = b"".join(k.to_bytes(ENCODED_SCALAR_LENGTH, "little") for k in exponents)
            out = NATIVE.pippenger(points, digits, window)
            if out is not None:
                terms.append(raw_from_packed(out))
            return _combine(terms)
    if packed:
        # Few bases: libsecp256k1's form of each, for the per-base multiplications.
        size = POINT_SIZE
        unpacked = [raw_from_packed(packed[i : i + size]) for i in range(0, len(packed), size)]
        raws = [*unpacked, *raws]
        encodings = [*(_point_from_raw(raw).to_bytes() for raw in unpacked), *encodings]
    if len(raws) >= PIPPENGER_MIN_BASES:
        by_length = group_by_length(exponents)
        window = pippenger_window([len(group) for group in by_length])
        if window:
            if g_exponent:
                terms += _g_table()._entries(_scalar(g_exponent))
            raw = _pippenger(raws, exponents, by_length, window)
            if raw is not None:
                terms.append(raw)
            return _combine(terms)
    first = 0
    if g_exponent and raws:
        raw = _g_pow_mul_raw(g_exponent, raws[0], encodings[0], exponents[0])
        if raw is not None:
            terms.append(raw)
        first = 1
    elif g_exponent:
        terms += _g_table()._entries(_scalar(g_exponent))
    terms += (_tweak_mul(raw, k) for raw, k in zip(raws[first:], exponents[first:], strict=True))
    return _combine(terms)


def g_pow_mul_encoded(a: int, encoding: bytes, b: int) -> bytes | None:
    """g^a · B^b for the point B given only by its compressed ``encoding`` (0x02 or 0x03 and
    x), as an encoding, by ``_g_pow_mul_raw``'s one ECDSA recovery, which decodes B itself: B
    is never decoded separately. None when the recovery fails: B does not decode, its x is
    not below n, or the result is the identity; the caller then decodes B and computes the
    general way, which tells these apart."""
    if len(encoding) != ENCODED_POINT_LENGTH or encoding[0] not in (2, 3):
        return None
    if int.from_bytes(encoding[1:], "big") >= N:
        return None
    out = _recover(a, encoding, b)
    return None if out is None else _point_from_raw(out).to_bytes()


def _g_pow_mul_raw(a: int, raw: Any, encoding: bytes, b: int) -> Any:
    """g^a · B^b with one variable-time Strauss multiplication, for the raw point B encoded as
    ``encoding`` and 0 < b < n (None for the identity).

    libsecp256k1 exposes its double multiplication only inside ECDSA public-key recovery,
    which returns Q = r^-1·(s·R - z·G) for the point R with x-coordinate r. Taking R = B,
    s = b·r and z = -a·r gives Q = b·B + a·G. When B's x is not below n (probability
    about 2^-128) we fall back to two multiplications.
    """
    if int.from_bytes(encoding[1:], "big") >= N:  # pragma: no cover - needs an x in [n, p)
        return _combine_raw([*_g_table()._entries(_scalar(a)), _tweak_mul(raw, b)])
    return _recover(a, encoding, b)  # B is a point and b·x is not 0: None is the identity


def _recover(a: int, encoding: bytes, b: int) -> Any:
    """g^a · B^b by one ECDSA recovery (see ``_g_pow_mul_raw``) for B's compressed encoding
    with x < n; None when libsecp256k1 refuses: the result is the identity, x is not on the
    curve, or b·x = 0 (mod n)."""
    x = int.from_bytes(encoding[1:], "big")
    signature = ffi.new("secp256k1_ecdsa_recoverable_signature *")
    compact = encoding[1:] + (b * x % N).to_bytes(32, "big")
    recid = encoding[0] - 2  # y parity
    if not lib.secp256k1_ecdsa_recoverable_signature_parse_compact(_CTX, signature, compact, recid):
        return None
    out = ffi.new("secp256k1_pubkey *")
    if not lib.secp256k1_ecdsa_recover(_CTX, out, signature, (-a * x % N).to_bytes(32, "big")):
        return None
    return out
