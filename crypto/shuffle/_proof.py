"""Spec §6.8 The proof of a shuffle and its wire form.

    {"permutation_commitment": [u_0, ...], "chain": [B_0, ...],
     "commitments": {"a": A', "b": [B'_0, ...], "c": C', "d": D',
                     "f": {"alpha": F'_alpha, "beta": F'_beta}},
     "responses": {"a": s_A, "b": [s_B_0, ...], "c": s_C, "d": s_D, "e": [s_E_0, ...],
                   "f": s_F}}

The reader takes N from the statement and decodes every point once (§2.3), so the verifier
works on decoded points; the identity decodes here and is refused by the verifier (§6.8 step 1).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from crypto import canonical
from crypto.elgamal import Ciphertext
from crypto.errors import MalformedInput
from crypto.group import Point, Scalar
from crypto.wire import expect_list, expect_object

__all__ = ["ShuffleCommitments", "ShuffleProof", "ShuffleResponses"]

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class ShuffleCommitments:
    """Spec §6.8 Prover step 5: A', B'_0..B'_(N-1), C', D' and F' = (F'_alpha, F'_beta)."""

    a: Point
    b: tuple[Point, ...]
    c: Point
    d: Point
    f: Ciphertext

    def to_json(self) -> dict[str, canonical.JsonValue]:
        return {
            "a": self.a.to_hex(),
            "b": [p.to_hex() for p in self.b],
            "c": self.c.to_hex(),
            "d": self.d.to_hex(),
            "f": dict(self.f.to_json()),
        }

    @classmethod
    def from_json(cls, value: object, *, size: int, what: str) -> ShuffleCommitments:
        obj = expect_object(value, what, required={"a", "b", "c", "d", "f"})
        return cls(
            _point(obj["a"], f"{what}.a"),
            _items(obj["b"], size, f"{what}.b", _point),
            _point(obj["c"], f"{what}.c"),
            _point(obj["d"], f"{what}.d"),
            _pair(obj["f"], f"{what}.f"),
        )


@dataclass(frozen=True, slots=True)
class ShuffleResponses:
    """Spec §6.8 Prover step 7: s_A, s_B_0..s_B_(N-1), s_C, s_D, s_E_0..s_E_(N-1), s_F."""

    a: Scalar
    b: tuple[Scalar, ...]
    c: Scalar
    d: Scalar
    e: tuple[Scalar, ...]
    f: Scalar

    def to_json(self) -> dict[str, canonical.JsonValue]:
        return {
            "a": self.a.to_hex(),
            "b": [s.to_hex() for s in self.b],
            "c": self.c.to_hex(),
            "d": self.d.to_hex(),
            "e": [s.to_hex() for s in self.e],
            "f": self.f.to_hex(),
        }

    @classmethod
    def from_json(cls, value: object, *, size: int, what: str) -> ShuffleResponses:
        obj = expect_object(value, what, required={"a", "b", "c", "d", "e", "f"})
        return cls(
            _scalar(obj["a"], f"{what}.a"),
            _items(obj["b"], size, f"{what}.b", _scalar),
            _scalar(obj["c"], f"{what}.c"),
            _scalar(obj["d"], f"{what}.d"),
            _items(obj["e"], size, f"{what}.e", _scalar),
            _scalar(obj["f"], f"{what}.f"),
        )


@dataclass(frozen=True, slots=True)
class ShuffleProof:
    """Spec §6.8 A proof of a shuffle: the permutation commitment u, the chained commitments B,
    the prover's commitments and the responses. It does not carry the challenge, which the
    verifier recomputes."""

    permutation_commitment: tuple[Point, ...]
    chain: tuple[Point, ...]
    commitments: ShuffleCommitments
    responses: ShuffleResponses

    def to_json(self) -> dict[str, canonical.JsonValue]:
        return {
            "permutation_commitment": [p.to_hex() for p in self.permutation_commitment],
            "chain": [p.to_hex() for p in self.chain],
            "commitments": self.commitments.to_json(),
            "responses": self.responses.to_json(),
        }

    @classmethod
    def from_json(cls, value: object, *, size: int, what: str = "shuffle proof") -> ShuffleProof:
        """Spec §6.8 Parse a proof for a shuffle of ``size`` ciphertexts (N, from the statement,
        never from the proof), decoding every point.

        Raises:
            MalformedInput: a field missing or unknown, a list of another length than N, a
                point of the wrong length or prefix or off the curve, a scalar >= n.
            NonCanonicalEncoding: upper-case hex digits.
        """
        obj = expect_object(
            value,
            what,
            required={"permutation_commitment", "chain", "commitments", "responses"},
        )
        return cls(
            _items(obj["permutation_commitment"], size, f"{what}.permutation_commitment", _point),
            _items(obj["chain"], size, f"{what}.chain", _point),
            ShuffleCommitments.from_json(obj["commitments"], size=size, what=f"{what}.commitments"),
            ShuffleResponses.from_json(obj["responses"], size=size, what=f"{what}.responses"),
        )


def _point(value: Any, what: str) -> Point:
    try:
        return Point.from_hex(value)
    except MalformedInput as exc:
        raise type(exc)(f"{what}: {exc}") from None


def _pair(value: object, what: str) -> Ciphertext:
    """F' = (F'_alpha, F'_beta), in a ciphertext's wire form (§5.2)."""
    obj = expect_object(value, what, required={"alpha", "beta"})
    return Ciphertext(_point(obj["alpha"], f"{what}.alpha"), _point(obj["beta"], f"{what}.beta"))


def _scalar(value: Any, what: str) -> Scalar:
    try:
        return Scalar.from_hex(value)
    except MalformedInput as exc:
        raise type(exc)(f"{what}: {exc}") from None


def _items(value: object, size: int, what: str, parse: Callable[[Any, str], _T]) -> tuple[_T, ...]:
    """Exactly ``size`` items, each parsed by ``parse``."""
    items = expect_list(value, what, max_length=size)
    if len(items) != size:
        raise MalformedInput(f"{what}: expected {size} items, got {len(items)}")
    return tuple(parse(item, f"{what}[{i}]") for i, item in enumerate(items))
