"""Spec §7.1 Ceremony parameters, index and polynomial helpers, and §7.7 Lagrange coefficients."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from crypto.errors import MalformedInput
from crypto.group import Point, Scalar
from crypto.hashing import encode_parts
from crypto.multiexp import multi_pow_vartime
from crypto.wire import expect_int

FINGERPRINT_LENGTH: Final = 32
MAX_TRUSTEES: Final = 255


@dataclass(frozen=True, slots=True)
class ThresholdParameters:
    """Spec §7.1 The ceremony parameters: election fingerprint F, n_T trustees, threshold t.

    Trustees are numbered 1..n_T (Shamir evaluation points must be non-zero); any t of them
    decrypt, t - 1 learn nothing.

    Raises:
        MalformedInput: F is not 32 bytes, or not 1 <= t <= n_T <= 255.
    """

    fingerprint: bytes
    trustees: int
    threshold: int

    def __post_init__(self) -> None:
        if len(self.fingerprint) != FINGERPRINT_LENGTH:
            raise MalformedInput(
                f"election fingerprint must be 32 bytes, got {len(self.fingerprint)}"
            )
        if not 1 <= self.trustees <= MAX_TRUSTEES:
            raise MalformedInput(f"trustees n_T must be in 1..{MAX_TRUSTEES}, got {self.trustees}")
        if not 1 <= self.threshold <= self.trustees:
            raise MalformedInput(
                f"threshold t must be in 1..n_T = {self.trustees}, got {self.threshold}"
            )

    @property
    def indices(self) -> range:
        """The trustee indices 1..n_T."""
        return range(1, self.trustees + 1)

    @property
    def context(self) -> bytes:
        """Spec §7.1 The ceremony context κ = encode_parts(F, I2OSP(n_T, 4), I2OSP(t, 4))."""
        return encode_parts(self.fingerprint, _i2osp4(self.trustees), _i2osp4(self.threshold))

    def check_index(self, index: int, what: str) -> int:
        """Raises: MalformedInput when ``index`` is not a trustee index 1..n_T."""
        if not 1 <= index <= self.trustees:
            raise MalformedInput(f"{what}: trustee index {index} not in 1..{self.trustees}")
        return index


def _i2osp4(value: int) -> bytes:
    return value.to_bytes(4, "big")


def label_context(label: bytes, parameters: ThresholdParameters, *parts: bytes) -> bytes:
    """A proof context: encode_parts(label, κ, parts...)."""
    return encode_parts(label, parameters.context, *parts)


def index_bytes(index: int) -> bytes:
    """I2OSP(index, 4), how a trustee index enters a hash."""
    return _i2osp4(index)


def parse_index(value: object, what: str) -> int:
    """Raises: MalformedInput when ``value`` is not an integer in 1..255."""
    return expect_int(value, what, minimum=1, maximum=MAX_TRUSTEES)


def evaluate_polynomial(coefficients: Sequence[Scalar], at: int) -> Scalar:
    """Spec §7.2 f(at) = Σ_k a_k · at^k mod n, by Horner's rule."""
    point = Scalar(at)
    result = Scalar(0)
    for coefficient in reversed(coefficients):
        result = result * point + coefficient
    return result


def powers(at: int, count: int) -> list[Scalar]:
    """[at^0, at^1, ..., at^(count-1)] mod n."""
    out = [Scalar(1)]
    base = Scalar(at)
    for _ in range(count - 1):
        out.append(out[-1] * base)
    return out


def evaluate_commitments(commitments: Sequence[Point], at: int) -> Point:
    """Spec §7.2 Π_k C_k^(at^k): g^f(at) from the Feldman commitments to f (public exponents)."""
    return multi_pow_vartime(zip(commitments, powers(at, len(commitments)), strict=True))


def derive_interpolating_value(index: int, indices: Collection[int]) -> Scalar:
    """Spec §7.7 The Lagrange coefficient at 0 of ``index`` within the set ``indices``.

    λ_j = Π_{m ∈ T, m ≠ j} m · (m - j)^-1 mod n, so that f(0) = Σ_{j ∈ T} λ_j · f(j) for any
    polynomial f of degree below |T|.

    Raises:
        MalformedInput: an index is not positive, appears twice, or ``index`` is not in the set.
    """
    members = _distinct_positive(indices)
    if index not in members:
        raise MalformedInput(f"index {index} is not in the interpolation set {sorted(members)}")
    numerator = Scalar(1)
    denominator = Scalar(1)
    for m in members:
        if m != index:
            numerator = numerator * Scalar(m)
            denominator = denominator * Scalar.reduce(m - index)
    return numerator * denominator.inverse()


def _distinct_positive(indices: Iterable[int]) -> set[int]:
    members: set[int] = set()
    for m in indices:
        if not 1 <= m <= MAX_TRUSTEES:
            raise MalformedInput(f"interpolation index {m} not in 1..{MAX_TRUSTEES}")
        if m in members:
            raise MalformedInput(f"interpolation index {m} appears twice")
        members.add(m)
    return members
