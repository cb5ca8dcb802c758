"""Spec §2.5 Pippenger's bucket method in pure Python, and the cost model that picks its window
width (for the C extension's loop, crypto/_native.c, too): the part of ``crypto.multiexp``
that runs when many variable bases are summed at once.

Variable time, for public exponents only (see ``crypto.multiexp``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from crypto.group import ENCODED_SCALAR_LENGTH, _combine_raw

__all__ = [
    "PIPPENGER_MIN_BASES",
    "SCALAR_BYTES",
    "group_by_length",
    "pippenger",
    "pippenger_window",
]


# Spec §2.5 Pippenger's bucket method over libsecp256k1's n-ary addition ----------------------
#
# For a window width c, each exponent k_i is cut into c-bit digits d_(i,w) (window w covers bits
# c·w .. c·w + c - 1). For each window, base i goes into bucket d_(i,w); each bucket is summed by
# one ``_combine_raw`` call into S_d, and the window's value sum_d d·S_d is taken bit by bit as
# sum_j 2^j·T_j, with T_j the sum of the S_d whose digit d has bit j set. Windows and bits are
# folded by Horner's rule, most significant first, one call per bit: acc <- acc + acc + T_j
# (libsecp256k1's addition doubles correctly, and handles sums passing through the identity).
#
# Cost: per base and window, one point addition (~0.2 µs) and a few dozen ns of Python; per
# window, up to 2^c - 1 calls (~2 µs each) and c·2^(c-1) additions. A base skips the windows
# above its exponent's byte length, so 128-bit exponents cost half of 256-bit ones. Digits are
# read from the exponents' little-endian bytes: a byte is a digit for c = 8, a nibble (through
# bytes.translate) for c = 4; other widths shift the integers, which is slower in Python.

# Costs in µs measured on this project's benchmark machine; only their ratios matter.
_COST_ADD: Final = 0.2  # one point added inside a _combine_raw call
_COST_CALL: Final = 2.1  # fixed cost of a _combine_raw call (the final inversion, cffi)
_COST_DIGIT_FAST: Final = 0.05  # Python bucketing per base and window, c = 4 or 8
_COST_DIGIT_SLOW: Final = 0.09  # the same with integer shifts, other c
_COST_DIGIT_NATIVE: Final = 0.05  # the same in the C extension, any c (memory: bases span MBs)
_COST_TWEAK: Final = 22.0  # one _tweak_mul with an exponent of 128 bits or more
_COST_TWEAK_FIXED: Final = 4.5  # ... of which this much whatever the exponent's length
_WINDOWS_TRIED: Final = range(2, 13)
# Below this many variable bases the cost model is not even consulted.
PIPPENGER_MIN_BASES: Final = 32
SCALAR_BYTES: Final = range(ENCODED_SCALAR_LENGTH + 1)
_LOW_NIBBLES: Final = bytes(b & 15 for b in range(256))
_HIGH_NIBBLES: Final = bytes(b >> 4 for b in range(256))
# _BIT_MEMBERS[c][j]: the digits d in 1 .. 2^c - 1 with bit j set.
_BIT_MEMBERS: Final = tuple(
    tuple(tuple(d for d in range(1, 1 << c) if d >> j & 1) for j in range(c))
    for c in range(_WINDOWS_TRIED.stop)
)


def group_by_length(exponents: list[int]) -> list[list[int]]:
    """Indices of ``exponents`` grouped by byte length: entry L lists those L bytes long."""
    groups: list[list[int]] = [[] for _ in SCALAR_BYTES]
    append = [group.append for group in groups]
    for i, k in enumerate(exponents):
        append[(k.bit_length() + 7) >> 3](i)
    return groups


def pippenger_window(counts: list[int], *, native: bool = False) -> int:
    """The window width predicted fastest, or 0 if one multiplication per base is faster.

    ``counts[L]`` is the number of exponents L bytes long. The model charges each width c for
    the additions and Python steps per base and window and for the calls per window (see the
    comment above); the alternative costs one ``_tweak_mul`` per base. ``native``: the C
    extension's signed windows (crypto/_native.c: 2^(c-1) buckets, their sums grouped by the
    high and the low half of the digit), its bucketing as cheap for every width.
    """
    longest_first = [(length, counts[length]) for length in reversed(SCALAR_BYTES) if length]
    longest_first = [(length, count) for length, count in longest_first if count]
    best = 0
    best_cost = sum(
        count * min(_COST_TWEAK, _COST_TWEAK_FIXED + length * (_COST_TWEAK / 16))
        for length, count in longest_first
    )
    for c in _WINDOWS_TRIED:
        window_cost = _native_window_cost(c) if native else _python_window_cost(c)
        if native:
            per_base = _COST_ADD + _COST_DIGIT_NATIVE
        else:
            per_base = _COST_ADD + (_COST_DIGIT_FAST if c in (4, 8) else _COST_DIGIT_SLOW)
        cost = 0.0
        members = 0  # how many bases take part in the windows being charged
        windows_above = 0
        for length, count in longest_first:
            # exponents this long use windows 0 .. windows - 1 (signed: one more bit, a carry)
            windows = -(-(8 * length + native) // c)
            cost += (windows_above - windows) * window_cost(members) if members else 0.0
            members += count
            cost += count * windows * per_base
            windows_above = windows
        cost += windows_above * window_cost(members)
        if cost < best_cost:
            best, best_cost = c, cost
    return best


def _python_window_cost(c: int) -> Callable[[int], float]:
    """The cost of one window of ``pippenger`` with ``members`` bases, beyond theirs."""

    def cost(members: int) -> float:
        used = min((1 << c) - 1, members)
        return used * _COST_CALL + c * (_COST_CALL + used * _COST_ADD / 2)

    return cost


def _native_window_cost(c: int) -> Callable[[int], float]:
    """The same for crypto/_native.c: a call per bucket, then the high halves' and low halves'
    sums (each bucket's sum added twice) and c Horner steps over a few of them each."""
    low_bits = c // 2
    highs, lows = (1 << (c - 1)) >> low_bits, (1 << low_bits) - 1

    def cost(members: int) -> float:
        used = min(1 << (c - 1), members)
        halves = (highs + lows) * _COST_CALL + 2 * used * _COST_ADD
        horner = c * _COST_CALL + (highs * (c - low_bits) + lows * low_bits) / 2 * _COST_ADD
        return used * _COST_CALL + halves + horner

    return cost


def pippenger(bases: list[Any], exponents: list[int], by_length: list[list[int]], c: int) -> Any:
    """Sum of k_i·B_i (raw points B_i, integers 0 < k_i < 2^256), or None for the identity.

    ``by_length`` is ``group_by_length(exponents)``. See the comment above: the bases are put
    in decreasing order of their exponents' byte length, so that those taking part in a window
    are a prefix of the list.
    """
    order = [i for group in reversed(by_length) for i in group]
    raws = [bases[i] for i in order]
    ks = [exponents[i] for i in order]
    # longer[L]: how many exponents are longer than L bytes.
    longer: list[int] = []
    remaining = len(order)
    for group in by_length:
        remaining -= len(group)
        longer.append(remaining)
    top_bits = 8 * max(length for length, group in enumerate(by_length) if group)
    digits = low = high = b""
    if c in (4, 8):
        digits = b"".join(k.to_bytes(ENCODED_SCALAR_LENGTH, "little") for k in ks)
    if c == 4:
        low, high = digits.translate(_LOW_NIBBLES), digits.translate(_HIGH_NIBBLES)
    mask = (1 << c) - 1
    bit_members = _BIT_MEMBERS[c]
    acc: Any = None
    for w in reversed(range(-(-top_bits // c))):
        shift = c * w
        members = longer[shift >> 3]
        buckets: list[list[Any]] = [[] for _ in range(mask + 1)]
        append = [bucket.append for bucket in buckets]
        # The hot loop: one indexed call per base and window.
        if c == 8:
            for d, raw in zip(digits[w : 32 * members : 32], raws, strict=False):
                append[d](raw)
        elif c == 4:
            source = high if w & 1 else low
            for d, raw in zip(source[w >> 1 : 32 * members : 32], raws, strict=False):
                append[d](raw)
        else:
            for k, raw in zip(ks[:members], raws, strict=False):
                append[(k >> shift) & mask](raw)
        sums = [None, *map(_combine_raw, buckets[1:])]
        for j in reversed(range(c)):
            parts = [s for s in map(sums.__getitem__, bit_members[j]) if s is not None]
            if acc is not None:
                parts += (acc, acc)
            acc = _combine_raw(parts)
    return acc
