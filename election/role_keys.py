"""Spec §8.1 and §7.1 Role keys at rest: an administrator's, issuer's, trustee's or witness's
Ed25519 signing key, sealed under a passphrase (never stored in clear).

The sealed secret is the canonical JSON ``{"format": "verivote-role-key", "role": ROLE,
"seed": 32-byte seed, "version": 1}`` (§4), sealed as §7.1 seals every secret.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from crypto import canonical
from crypto.errors import MalformedInput
from crypto.sealing import open_sealed, seal
from crypto.signing import SigningKey, VerifyKey
from crypto.wire import expect_int, expect_object, parse_hex

__all__ = ["ROLES", "RoleKey"]

FORMAT: Final = "verivote-role-key"
VERSION: Final = 1
ROLES: Final = ("administrator", "issuer", "trustee", "witness")


@dataclass(frozen=True, slots=True, eq=False)
class RoleKey:
    """Spec §8.1 A role's Ed25519 key pair; the seed never shows in repr."""

    role: str
    key: SigningKey = field(repr=False)

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise MalformedInput(f"role must be one of {', '.join(ROLES)}, got {self.role!r}")

    @classmethod
    def generate(cls, role: str) -> RoleKey:
        """A fresh key for ``role``. Raises: MalformedInput (an unknown role)."""
        return cls(role, SigningKey.generate())

    @property
    def public(self) -> VerifyKey:
        return self.key.verify_key

    def seal(self, passphrase: bytes, *, strength: str = "moderate") -> bytes:
        """Spec §7.1 The sealed key file's bytes. Raises: MalformedInput (empty passphrase)."""
        secret = canonical.encode(
            {"format": FORMAT, "role": self.role, "seed": self.key.seed.hex(), "version": VERSION}
        )
        return seal(secret, passphrase, strength=strength)

    @classmethod
    def open(cls, sealed: bytes, passphrase: bytes, *, role: str | None = None) -> RoleKey:
        """Spec §7.1 The key inside a sealed key file, checked to be of ``role`` if given.

        Raises:
            WrongPassphrase: the passphrase is wrong or the file was altered.
            MalformedInput: not a role key file, or a key of another role.
        """
        obj = expect_object(
            canonical.decode(open_sealed(sealed, passphrase)),
            "role key",
            required={"format", "role", "seed", "version"},
        )
        if obj["format"] != FORMAT:
            raise MalformedInput("not a verivote role key")
        expect_int(obj["version"], "role key version", minimum=VERSION, maximum=VERSION)
        key = cls(str(obj["role"]), SigningKey(parse_hex(obj["seed"], 32, "role key seed")))
        if role is not None and key.role != role:
            raise MalformedInput(f"this is the {key.role}'s key, not the {role}'s")
        return key
