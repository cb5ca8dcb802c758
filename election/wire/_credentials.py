"""Spec §11.7 The issuer's payloads: public credentials in sorted parts per ballot style, the
count per style, and reissues."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from types import MappingProxyType

from crypto.canonical import JsonValue
from crypto.errors import MalformedInput
from crypto.group import Point
from crypto.wire import expect_int, parse_text
from election.wire._common import (
    MAX_COUNT,
    MAX_CREDENTIALS_PER_PART,
    MAX_STYLES,
    expect_exact,
    expect_items,
    parse_credential,
    parse_style,
)


@dataclass(frozen=True, slots=True)
class CredentialsPart:
    """Spec §11.7 ``credentials``: part ``part`` of the public credentials of one ballot style,
    1 to 10,000 of them, strictly increasing by their 33-byte encoding."""

    style: str
    part: int
    credentials: tuple[Point, ...] = field(repr=False)

    @classmethod
    def from_json(cls, value: object) -> CredentialsPart:
        """Raises: MalformedInput (identity, not strictly increasing, empty or too many)."""
        obj = expect_exact(value, "credentials payload", {"style", "part", "credentials"})
        items = expect_items(
            obj["credentials"],
            "credentials list",
            minimum=1,
            maximum=MAX_CREDENTIALS_PER_PART,
        )
        credentials = tuple(parse_credential(c, f"credentials[{i}]") for i, c in enumerate(items))
        encodings = [c.to_bytes() for c in credentials]
        if any(a >= b for a, b in pairwise(encodings)):
            raise MalformedInput("credentials: not strictly increasing by encoding")
        return cls(
            style=parse_style(obj["style"], "credentials style"),
            part=expect_int(obj["part"], "credentials part", minimum=0, maximum=MAX_COUNT),
            credentials=credentials,
        )

    def to_json(self) -> dict[str, JsonValue]:
        return {
            "style": self.style,
            "part": self.part,
            "credentials": [c.to_hex() for c in self.credentials],
        }


@dataclass(frozen=True, slots=True)
class CredentialsComplete:
    """Spec §11.7 ``credentials-complete``: the number of credentials of every style issued."""

    counts: Mapping[str, int] = field(hash=False)

    @classmethod
    def from_json(cls, value: object) -> CredentialsComplete:
        """Raises: MalformedInput (no style, a count below 1, too many styles)."""
        obj = expect_exact(value, "credentials-complete payload", {"counts"})
        counts = obj["counts"]
        if not isinstance(counts, Mapping):
            raise MalformedInput("credentials-complete counts must be a JSON object")
        if not 1 <= len(counts) <= MAX_STYLES:
            raise MalformedInput(f"credentials-complete: 1 to {MAX_STYLES} styles")
        return cls(
            MappingProxyType(
                {
                    parse_style(style, "credentials-complete style"): expect_int(
                        n, f"count of {style}", minimum=1, maximum=MAX_COUNT
                    )
                    for style, n in dict(counts).items()
                }
            )
        )

    def to_json(self) -> dict[str, JsonValue]:
        return {"counts": dict(self.counts)}


@dataclass(frozen=True, slots=True)
class CredentialReissue:
    """Spec §11.7 ``credential-reissue``: ``revoked`` is replaced by the new ``credential``."""

    style: str
    revoked: Point
    credential: Point
    reason: str

    @classmethod
    def from_json(cls, value: object) -> CredentialReissue:
        """Raises: MalformedInput (identity, the same credential twice)."""
        obj = expect_exact(
            value, "credential-reissue payload", {"style", "revoked", "credential", "reason"}
        )
        reissue = cls(
            style=parse_style(obj["style"], "credential-reissue style"),
            revoked=parse_credential(obj["revoked"], "credential-reissue revoked"),
            credential=parse_credential(obj["credential"], "credential-reissue credential"),
            reason=parse_text(obj["reason"], "credential-reissue reason"),
        )
        if reissue.revoked == reissue.credential:
            raise MalformedInput("credential-reissue: the new credential is the revoked one")
        return reissue

    def to_json(self) -> dict[str, JsonValue]:
        return {
            "style": self.style,
            "revoked": self.revoked.to_hex(),
            "credential": self.credential.to_hex(),
            "reason": self.reason,
        }
