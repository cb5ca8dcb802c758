"""Spec §11.4 and §11.6 The key ceremony's payloads: each wraps a §7 wire object."""

from __future__ import annotations

from dataclasses import dataclass

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
    """Spec §11.6 ``election-key``: the joint key (§7.5) and the disqualified dealers."""

    joint_key: JointKey
    disqualified: tuple[int, ...]

    @classmethod
    def from_json(cls, value: object, parameters: ThresholdParameters) -> ElectionKey:
        """Spec §11.6 Parse strictly against the ceremony's parameters (n_T, t).

        Raises:
            MalformedInput: wrong keys, a bad joint key (also fewer than t qualified dealers,
                or Y the identity), disqualified dealers not strictly increasing in 1..n_T, or
                a dealer both qualified and disqualified.
        """
        obj = expect_exact(value, "election-key payload", {"joint_key", "disqualified"})
        try:
            joint_key = JointKey.from_json(obj["joint_key"], parameters)
        except CeremonyFailed as exc:
            raise MalformedInput(f"election-key: {exc}") from None
        disqualified = tuple(
            expect_int(i, "election-key disqualified", minimum=1, maximum=parameters.trustees)
            for i in expect_items(obj["disqualified"], "disqualified", maximum=_MAX_TRUSTEES)
        )
        if list(disqualified) != sorted(set(disqualified)):
            raise MalformedInput("election-key: disqualified dealers must be strictly increasing")
        if set(disqualified) & set(joint_key.qualified):
            raise MalformedInput("election-key: a dealer is both qualified and disqualified")
        if len(disqualified) + len(joint_key.qualified) != parameters.trustees:
            raise MalformedInput("election-key: every dealer is either qualified or disqualified")
        return cls(joint_key, disqualified)

    def to_json(self) -> dict[str, JsonValue]:
        return {"joint_key": self.joint_key.to_json(), "disqualified": list(self.disqualified)}


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
