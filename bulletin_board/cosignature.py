"""Spec §10.5 Witnesses and cosignatures: a witness's signed statement that it checked a tree
head to be consistent with, and not older than, every head it cosigned before.

Pure parsers and formatters (no storage, no server), so the verifier and the witness use them.
``Cosignature.from_bytes`` is strict (§4.2, §4.3): canonical JSON, exact fields and lengths, and
the witness's signature checked under its own key before the content is used; whether that key
is one of the definition's witnesses, and the head one the reader knows, is the caller's check
(``matches``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Final

from bulletin_board.wire import SignedTreeHead
from crypto import canonical
from crypto.canonical import JsonValue
from crypto.envelope import check_election_id
from crypto.errors import MalformedInput
from crypto.merkle import HASH_LENGTH
from crypto.signing import SIGNATURE_LENGTH, SigningKey, VerifyKey
from crypto.wire import expect_int, expect_object, parse_hex

__all__ = ["COSIGNATURE_PURPOSE", "Cosignature", "sign_cosignature"]

COSIGNATURE_PURPOSE: Final = b"board/cosignature"
"""Spec §10.5 The §8.1 signature purpose of a witness's cosignature."""
VERSION: Final = 1
MAX_TIME: Final = 2**53 - 1
MAX_COSIGNATURE_BYTES: Final = 1024
_FIELDS: Final = frozenset(
    {
        "version",
        "election",
        "board_key",
        "tree_size",
        "root_hash",
        "timestamp",
        "cosigned",
        "witness",
        "signature",
    }
)


@dataclass(frozen=True, slots=True)
class Cosignature:
    """Spec §10.5 A witness's cosignature of one tree head (election, board key, size, root,
    timestamp), made at ``cosigned`` (ms since the Unix epoch)."""

    election: str
    board_key: bytes
    tree_size: int
    root_hash: bytes
    timestamp: int
    cosigned: int
    witness: bytes
    signature: bytes

    def unsigned_json(self) -> dict[str, JsonValue]:
        return {
            "version": VERSION,
            "election": self.election,
            "board_key": self.board_key.hex(),
            "tree_size": self.tree_size,
            "root_hash": self.root_hash.hex(),
            "timestamp": self.timestamp,
            "cosigned": self.cosigned,
            "witness": self.witness.hex(),
        }

    def to_json(self) -> dict[str, JsonValue]:
        return {**self.unsigned_json(), "signature": self.signature.hex()}

    def to_bytes(self) -> bytes:
        return canonical.encode(self.to_json())

    def matches(self, sth: SignedTreeHead) -> bool:
        """Spec §10.5 Whether this cosigns ``sth``: same election, board key, size, root and
        timestamp."""
        return (
            self.election == sth.election
            and self.board_key == sth.board_key
            and self.tree_size == sth.tree_size
            and self.root_hash == sth.root_hash
            and self.timestamp == sth.timestamp
        )

    @classmethod
    def from_json(cls, value: JsonValue) -> Cosignature:
        """Spec §10.5 Parse a cosignature and check its signature under its own ``witness`` key.

        Raises:
            MalformedInput: a field missing, unknown, of the wrong type or length, or a
                ``cosigned`` time below the head's ``timestamp``.
            InvalidSignature: the witness's signature does not verify.
        """
        obj = expect_object(value, "cosignature", required=set(_FIELDS))
        expect_int(obj["version"], "cosignature version", minimum=VERSION, maximum=VERSION)
        cosignature = cls(
            election=check_election_id(obj["election"]),
            board_key=parse_hex(obj["board_key"], 32, "cosignature board key"),
            tree_size=expect_int(
                obj["tree_size"], "cosignature tree size", minimum=0, maximum=MAX_TIME
            ),
            root_hash=parse_hex(obj["root_hash"], HASH_LENGTH, "cosignature root hash"),
            timestamp=expect_int(
                obj["timestamp"], "cosignature timestamp", minimum=0, maximum=MAX_TIME
            ),
            cosigned=expect_int(obj["cosigned"], "cosignature time", minimum=0, maximum=MAX_TIME),
            witness=parse_hex(obj["witness"], 32, "witness key"),
            signature=parse_hex(obj["signature"], SIGNATURE_LENGTH, "cosignature signature"),
        )
        if cosignature.cosigned < cosignature.timestamp:
            raise MalformedInput("cosignature: cosigned before the tree head's timestamp")
        VerifyKey(cosignature.witness).verify(
            COSIGNATURE_PURPOSE,
            canonical.encode(cosignature.unsigned_json()),
            cosignature.signature,
        )
        return cosignature

    @classmethod
    def from_bytes(cls, raw: bytes) -> Cosignature:
        """Spec §10.5 Parse a cosignature's canonical bytes (see ``from_json``).

        Raises:
            MalformedInput, NonCanonicalEncoding, InvalidSignature.
        """
        return cls.from_json(canonical.decode(raw, max_bytes=MAX_COSIGNATURE_BYTES))


def sign_cosignature(sth: SignedTreeHead, *, cosigned: int, key: SigningKey) -> Cosignature:
    """Spec §10.5 The witness ``key``'s cosignature of ``sth`` at time ``cosigned`` (purpose
    ``board/cosignature``). The caller has checked the head (§10.5, what a witness does).

    Raises:
        MalformedInput: ``cosigned`` below the head's timestamp.
    """
    if cosigned < sth.timestamp:
        raise MalformedInput("cosignature: cosigned before the tree head's timestamp")
    unsigned = Cosignature(
        sth.election,
        sth.board_key,
        sth.tree_size,
        sth.root_hash,
        sth.timestamp,
        cosigned,
        key.verify_key.raw,
        b"",
    )
    signature = key.sign(COSIGNATURE_PURPOSE, canonical.encode(unsigned.unsigned_json()))
    return replace(unsigned, signature=signature)
