"""Spec §11.4 and §11.6 The key ceremony's payloads: each wraps a §7 wire object."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from crypto.canonical import JsonValue
from crypto.errors import CeremonyFailed, MalformedInput
from crypto.threshold import (
    Complaint,
    Dealing,
    JointKey,
    KeyConfirmation,
    ThresholdParameters,
    TrusteePublicKey,
)
from crypto.wire import expect_int
from election.wire._common import expect_exact, expect_items

_MAX_TRUSTEES = 255

ABSENCE_REASONS: Final = ("no-key", "no-dealing", "dealer-at-fault")
"""Spec §7.5 Why a trustee is absent (left out of the qualified set)."""


@dataclass(frozen=True, slots=True)
class Absence:
    """Spec §7.5 and §11.6 An absent trustee and its reason (one of ``ABSENCE_REASONS``)."""

    trustee: int
    reason: str

    @classmethod
    def from_json(cls, value: object, parameters: ThresholdParameters) -> Absence:
        """Raises: MalformedInput (wrong keys, an index outside 1..n_T, an unknown reason)."""
        obj = expect_exact(value, "election-key absent trustee", {"trustee", "reason"})
        trustee = expect_int(
            obj["trustee"], "election-key absent trustee", minimum=1, maximum=parameters.trustees
        )
        reason = obj["reason"]
        if reason not in ABSENCE_REASONS:
            raise MalformedInput(
                f"election-key: absent trustee {trustee}'s reason must be one of "
                f"{', '.join(ABSENCE_REASONS)}: {reason!r}"
            )
        return cls(trustee, str(reason))

    def to_json(self) -> dict[str, JsonValue]:
        return {"reason": self.reason, "trustee": self.trustee}


@dataclass(frozen=True, slots=True)
class TrusteeKeyPayload:
    """Spec §7.1 ``trustee-key``: ``{"key": trustee key}``."""

    key: TrusteePublicKey

    @property
    def trustee(self) -> int:
        return self.key.trustee

    @classmethod
    def from_json(cls, value: object) -> TrusteeKeyPayload:
        """Raises: MalformedInput."""
        obj = expect_exact(value, "trustee-key payload", {"key"})
        return cls(TrusteePublicKey.from_json(obj["key"]))

    def to_json(self) -> dict[str, JsonValue]:
        return {"key": self.key.to_json()}


@dataclass(frozen=True, slots=True)
class DealingPayload:
    """Spec §7.2 ``dealing``: ``{"dealing": dealing}``."""

    dealing: Dealing

    @property
    def trustee(self) -> int:
        return self.dealing.dealer

    @classmethod
    def from_json(cls, value: object) -> DealingPayload:
        """Raises: MalformedInput."""
        obj = expect_exact(value, "dealing payload", {"dealing"})
        return cls(Dealing.from_json(obj["dealing"]))

    def to_json(self) -> dict[str, JsonValue]:
        return {"dealing": self.dealing.to_json()}


@dataclass(frozen=True, slots=True)
class ComplaintPayload:
    """Spec §7.4 ``complaint``: ``{"complaint": complaint}``; its author is the complainant."""

    complaint: Complaint

    @property
    def trustee(self) -> int:
        return self.complaint.complainant

    @classmethod
    def from_json(cls, value: object) -> ComplaintPayload:
        """Raises: MalformedInput."""
        obj = expect_exact(value, "complaint payload", {"complaint"})
        return cls(Complaint.from_json(obj["complaint"]))

    def to_json(self) -> dict[str, JsonValue]:
        return {"complaint": self.complaint.to_json()}


@dataclass(frozen=True, slots=True)
class SharesAccepted:
    """Spec §11.4 ``shares-accepted``: trustee j has checked every share addressed to it (and
    complained about every bad one)."""

    trustee: int

    @classmethod
    def from_json(cls, value: object) -> SharesAccepted:
        """Raises: MalformedInput."""
        obj = expect_exact(value, "shares-accepted payload", {"trustee"})
        return cls(expect_int(obj["trustee"], "shares-accepted trustee", minimum=1, maximum=255))

    def to_json(self) -> dict[str, JsonValue]:
        return {"trustee": self.trustee}


@dataclass(frozen=True, slots=True)
class ElectionKey:
    """Spec §11.6 ``election-key``: the joint key (§7.5) and the absent trustees."""

    joint_key: JointKey
    absent: tuple[Absence, ...]

    @property
    def holders(self) -> tuple[int, ...]:
        """Spec §7.5 The key-share holders: the qualified set Q."""
        return self.joint_key.qualified

    @classmethod
    def from_json(cls, value: object, parameters: ThresholdParameters) -> ElectionKey:
        """Spec §11.6 Parse strictly against the ceremony's parameters (n_T, t).

        Raises:
            MalformedInput: wrong keys, a bad joint key (also fewer than t qualified dealers,
                or Y the identity), absent trustees not strictly increasing in 1..n_T, or a
                trustee both qualified and absent, or neither.
        """
        obj = expect_exact(value, "election-key payload", {"joint_key", "absent"})
        try:
            joint_key = JointKey.from_json(obj["joint_key"], parameters)
        except CeremonyFailed as exc:
            raise MalformedInput(f"election-key: {exc}") from None
        absent = tuple(
            Absence.from_json(item, parameters)
            for item in expect_items(obj["absent"], "absent", maximum=_MAX_TRUSTEES)
        )
        indices = [a.trustee for a in absent]
        if indices != sorted(set(indices)):
            raise MalformedInput("election-key: absent trustees must be strictly increasing")
        if set(indices) & set(joint_key.qualified):
            raise MalformedInput("election-key: a trustee is both qualified and absent")
        if len(indices) + len(joint_key.qualified) != parameters.trustees:
            raise MalformedInput("election-key: every trustee is either qualified or absent")
        return cls(joint_key, absent)

    def to_json(self) -> dict[str, JsonValue]:
        return {
            "absent": [a.to_json() for a in self.absent],
            "joint_key": self.joint_key.to_json(),
        }


@dataclass(frozen=True, slots=True)
class KeyConfirmationPayload:
    """Spec §7.5 ``key-confirmation``: ``{"confirmation": key confirmation}``."""

    confirmation: KeyConfirmation

    @property
    def trustee(self) -> int:
        return self.confirmation.trustee

    @classmethod
    def from_json(cls, value: object) -> KeyConfirmationPayload:
        """Raises: MalformedInput."""
        obj = expect_exact(value, "key-confirmation payload", {"confirmation"})
        return cls(KeyConfirmation.from_json(obj["confirmation"]))

    def to_json(self) -> dict[str, JsonValue]:
        return {"confirmation": self.confirmation.to_json()}
