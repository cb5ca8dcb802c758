"""Spec §6.1 What every proof shares: the (challenge, response) wire form and statement checks."""

from __future__ import annotations

from dataclasses import dataclass

from crypto.errors import InvalidProof
from crypto.group import Point, Scalar
from crypto.wire import expect_object


@dataclass(frozen=True, slots=True)
class ChallengeResponse:
    """Spec §6.1 A sigma-protocol transcript in compact form: {"challenge", "response"}.

    The verifier recomputes the commitments from (challenge, response) and the statement, then
    checks that hashing them gives the same challenge.
    """

    challenge: Scalar
    response: Scalar

    def to_json(self) -> dict[str, str]:
        return {"challenge": self.challenge.to_hex(), "response": self.response.to_hex()}

    @classmethod
    def from_json(cls, value: object, what: str = "proof") -> ChallengeResponse:
        """Raises: MalformedInput (fields missing or unknown, bad hex, scalar >= n)."""
        obj = expect_object(value, what, required={"challenge", "response"})
        return cls(Scalar.from_hex(obj["challenge"]), Scalar.from_hex(obj["response"]))


def reject_identity(what: str, *points: Point) -> None:
    """Spec §6.1 A statement containing the identity where the spec forbids it is invalid.

    Raises:
        InvalidProof: one of ``points`` is the identity.
    """
    for point in points:
        if point.is_identity:
            raise InvalidProof(f"{what}: statement contains the identity point")
