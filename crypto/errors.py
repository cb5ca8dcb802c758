"""The one error hierarchy of verivote, rooted here because every layer imports crypto.

    VerivoteError
    ├── MalformedInput (also a ValueError)      bytes that do not parse, or lie outside the group
    │   └── NonCanonicalEncoding                parses, but is not the one canonical encoding
    └── VerificationFailed                      well-formed, but a check does not hold
        ├── InvalidProof                        a zero-knowledge proof does not verify
        │   └── InvalidBatch                    proofs of a batch (§6.7) do not verify, by label
        ├── InvalidSignature                    an Ed25519 or credential signature does not verify
        ├── InvalidShare                        a key-ceremony share does not open or match
        ├── CeremonyFailed                      a key ceremony cannot produce a joint key
        ├── InsufficientShares                  fewer than t valid decryption shares
        ├── WrongPassphrase                     a sealed secret does not open
        ├── InclusionProofMismatch              a Merkle inclusion proof gives another root
        └── InconsistentLog                     two tree heads cannot both be views of one log

Messages name the spec item and the offending value, e.g. ``"ciphertext 3: beta not on curve"``.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "CeremonyFailed",
    "InclusionProofMismatch",
    "InconsistentLog",
    "InsufficientShares",
    "InvalidBatch",
    "InvalidProof",
    "InvalidShare",
    "InvalidSignature",
    "MalformedInput",
    "NonCanonicalEncoding",
    "VerificationFailed",
    "VerivoteError",
    "WrongPassphrase",
]


class VerivoteError(Exception):
    """Base of every error verivote raises on purpose."""


class MalformedInput(VerivoteError, ValueError):
    """Input that does not parse, has the wrong length or type, or lies outside the group."""


class NonCanonicalEncoding(MalformedInput):
    """Input that parses but is not the canonical encoding the spec requires."""


class VerificationFailed(VerivoteError):
    """A well-formed object that fails a check."""


class InvalidProof(VerificationFailed):
    """A zero-knowledge proof that does not verify against its statement and context."""


class InvalidBatch(InvalidProof):
    """Spec §6.7 Proofs of a batch that do not verify: ``failures`` pairs the label of each, in
    the order they were added, with the reason single verification gives."""

    def __init__(self, message: str, *, failures: Sequence[tuple[object, str]]) -> None:
        self.failures: tuple[tuple[object, str], ...] = tuple(failures)
        shown = "; ".join(f"{label!r}: {reason}" for label, reason in self.failures[:3])
        more = f"; and {len(self.failures) - 3} more" if len(self.failures) > 3 else ""
        super().__init__(f"{message}: {len(self.failures)} failed: {shown}{more}")

    @property
    def labels(self) -> tuple[object, ...]:
        return tuple(label for label, _ in self.failures)


class InvalidSignature(VerificationFailed):
    """A signature that does not verify."""


class InvalidShare(VerificationFailed):
    """A key-ceremony share that does not decrypt, or does not match its dealer's commitments."""


class CeremonyFailed(VerificationFailed):
    """A key ceremony whose transcript cannot give a joint key (too few qualified dealers)."""


class InsufficientShares(VerificationFailed):
    """Fewer valid decryption shares than the threshold t."""

    def __init__(self, message: str, *, valid: int, threshold: int) -> None:
        super().__init__(f"{message}: {valid} valid decryption share(s), {threshold} needed")
        self.valid = valid
        self.threshold = threshold


class WrongPassphrase(VerificationFailed):
    """A sealed secret that does not open: wrong passphrase, or the sealed bytes were altered."""


class InclusionProofMismatch(VerificationFailed):
    """An inclusion proof that leads to a root other than the expected one."""

    def __init__(self, message: str, *, expected: bytes, calculated: bytes) -> None:
        super().__init__(
            f"{message}: expected root {expected.hex()}, calculated {calculated.hex()}"
        )
        self.expected = expected
        self.calculated = calculated


class InconsistentLog(VerificationFailed):
    """Two tree heads (or a tree head and a receipt) that no single append-only log can produce."""
