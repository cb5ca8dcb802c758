"""Spec §10.1-§10.3 The board's wire objects: entries, leaves, signed tree heads, receipts.

Pure parsers and formatters with no storage or server import, so that the verifier may use
them. Every parser is strict (Spec §4.2, §4.3): canonical JSON only, exact field sets, exact
lengths, and signatures checked before content is used.

Signature schemes are pluggable per author role (``SignatureScheme``): administrator, issuer,
trustee and board sign with Ed25519 (Spec §8.1, purpose ``board/entry``); the voter role is
plugged in by the election rules with the credential scheme (crypto/credentials.py).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

from bulletin_board.errors import UnsupportedRole, WrongElection
from crypto import canonical
from crypto.canonical import JsonValue
from crypto.errors import MalformedInput
from crypto.merkle import HASH_LENGTH, leaf_hash, verify_inclusion
from crypto.signing import SIGNATURE_LENGTH, SigningKey, VerifyKey
from crypto.wire import expect_int, expect_list, expect_object, expect_str, parse_hex

__all__ = [
    "ED25519",
    "ED25519_ROLES",
    "ENTRY_PURPOSE",
    "ROLES",
    "STH_PURPOSE",
    "Ed25519Scheme",
    "Entry",
    "Leaf",
    "Receipt",
    "SignatureScheme",
    "SignedTreeHead",
    "check_election_id",
    "entry_hash",
    "parse_entry",
    "sign_entry",
    "sign_tree_head",
]

VERSION: Final = 1
ENTRY_PURPOSE: Final = b"board/entry"
STH_PURPOSE: Final = b"board/sth"
ROLES: Final = ("administrator", "issuer", "trustee", "voter", "board")
ED25519_ROLES: Final = frozenset({"administrator", "issuer", "trustee", "board"})
MAX_TIMESTAMP: Final = 2**53 - 1

_ELECTION_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
_ENTRY_TYPE = re.compile(r"[a-z][a-z0-9-]{0,63}")


def check_election_id(text: object) -> str:
    """Spec §10.1 An election id: 1-63 characters of ``[a-z0-9-]``, not starting with ``-``.

    Raises:
        MalformedInput: anything else.
    """
    value = expect_str(text, "election id")
    if not _ELECTION_ID.fullmatch(value):
        raise MalformedInput(f"election id must match [a-z0-9][a-z0-9-]{{0,62}}: {value!r}")
    return value


def entry_hash(raw: bytes) -> bytes:
    """Spec §10.1 SHA-256 of an entry's canonical bytes: its identity for replay detection."""
    return hashlib.sha256(raw).digest()


# --- signature schemes -----------------------------------------------------------------------


class SignatureScheme(Protocol):
    """How one author role signs entries: key and signature lengths, and verification."""

    @property
    def key_length(self) -> int: ...

    @property
    def signature_length(self) -> int: ...

    def verify(self, key: bytes, message: bytes, signature: bytes) -> None:
        """Raises: InvalidSignature, or MalformedInput for an unusable key."""


@dataclass(frozen=True, slots=True)
class Ed25519Scheme:
    """Spec §10.1 Ed25519 (Spec §8.1) with purpose ``board/entry``."""

    key_length: int = 32
    signature_length: int = SIGNATURE_LENGTH

    def verify(self, key: bytes, message: bytes, signature: bytes) -> None:
        VerifyKey(key).verify(ENTRY_PURPOSE, message, signature)


ED25519: Final = Ed25519Scheme()


# --- entries ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Entry:
    """Spec §10.1 A signed entry as an author posts it, with its exact canonical bytes."""

    election: str
    type: str
    role: str
    key: bytes
    payload: Mapping[str, Any] = field(compare=False)
    signature: bytes
    raw: bytes = field(repr=False)
    checked: Any = field(default=None, compare=False, repr=False)
    """What the rules' precheck returned (board-internal: not part of the wire form)."""

    @property
    def hash(self) -> bytes:
        return entry_hash(self.raw)

    def to_json(self) -> dict[str, JsonValue]:
        return {
            "version": VERSION,
            "election": self.election,
            "type": self.type,
            "author": {"role": self.role, "key": self.key.hex()},
            "payload": dict(self.payload),
            "signature": self.signature.hex(),
        }


def _unsigned(value: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in value.items() if k != "signature"}


def parse_entry(
    raw: bytes,
    schemes: Mapping[str, SignatureScheme],
    *,
    election: str | None = None,
    verify: bool = True,
    max_bytes: int = canonical.DEFAULT_MAX_BYTES,
) -> Entry:
    """Spec §10.1 Parse and authenticate an entry's canonical bytes.

    ``election``, when given, is the log the entry is posted to: another id is refused.
    ``verify=False`` skips only the signature check, for entries already in the board's own log.

    Raises:
        MalformedInput / NonCanonicalEncoding: not canonical JSON, a field missing, unknown or
            of the wrong type or length.
        UnsupportedRole: a role with no scheme in ``schemes``.
        WrongElection: the entry names another election.
        InvalidSignature: the signature does not verify.
    """
    value = canonical.decode(raw, max_bytes=max_bytes)
    return _entry_from_value(value, raw, schemes, election=election, verify=verify)


def _entry_from_value(
    value: JsonValue,
    raw: bytes,
    schemes: Mapping[str, SignatureScheme],
    *,
    election: str | None,
    verify: bool,
) -> Entry:
    obj = expect_object(
        value,
        "entry",
        required={"version", "election", "type", "author", "payload", "signature"},
    )
    expect_int(obj["version"], "entry version", minimum=VERSION, maximum=VERSION)
    entry_election = check_election_id(obj["election"])
    if election is not None and entry_election != election:
        raise WrongElection(f"entry is for election {entry_election!r}, posted to {election!r}")
    entry_type = expect_str(obj["type"], "entry type")
    if not _ENTRY_TYPE.fullmatch(entry_type):
        raise MalformedInput(f"entry type must match [a-z][a-z0-9-]{{0,63}}: {entry_type!r}")
    author = expect_object(obj["author"], "entry author", required={"role", "key"})
    role = expect_str(author["role"], "author role")
    if role not in ROLES:
        raise MalformedInput(f"unknown author role {role!r}")
    scheme = schemes.get(role)
    if scheme is None:
        raise UnsupportedRole(f"this board accepts no entries from role {role!r}")
    key = parse_hex(author["key"], scheme.key_length, f"{role} key")
    payload = obj["payload"]
    if not isinstance(payload, dict):
        raise MalformedInput(f"entry payload must be a JSON object, got {type(payload).__name__}")
    signature = parse_hex(obj["signature"], scheme.signature_length, "entry signature")
    if verify:
        scheme.verify(key, canonical.encode(_unsigned(obj)), signature)
    return Entry(entry_election, entry_type, role, key, payload, signature, raw)


def sign_entry(
    *,
    election: str,
    type: str,
    role: str,
    payload: Mapping[str, JsonValue],
    key: SigningKey,
) -> bytes:
    """Spec §10.1 The canonical bytes of an entry signed with an Ed25519 role key."""
    if role not in ED25519_ROLES:
        raise UnsupportedRole(f"role {role!r} does not sign with Ed25519")
    unsigned: dict[str, JsonValue] = {
        "version": VERSION,
        "election": check_election_id(election),
        "type": type,
        "author": {"role": role, "key": key.verify_key.to_hex()},
        "payload": dict(payload),
    }
    signature = key.sign(ENTRY_PURPOSE, canonical.encode(unsigned))
    return canonical.encode({**unsigned, "signature": signature.hex()})


# --- leaves ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Leaf:
    """Spec §10.1 What the board logs: an entry, its index and the board's reception time."""

    index: int
    received: int
    entry: Entry
    raw: bytes = field(repr=False)

    @classmethod
    def build(cls, *, index: int, received: int, entry: Entry) -> Leaf:
        """The leaf's canonical bytes, assembled around the entry's bytes (keys sorted)."""
        expect_int(index, "leaf index", minimum=0, maximum=MAX_TIMESTAMP)
        expect_int(received, "received", minimum=0, maximum=MAX_TIMESTAMP)
        raw = b'{"entry":%s,"index":%d,"received":%d,"version":1}' % (entry.raw, index, received)
        return cls(index, received, entry, raw)

    @property
    def hash(self) -> bytes:
        """Spec §9.1 The leaf hash, SHA-256(0x00 || leaf bytes)."""
        return leaf_hash(self.raw)

    @classmethod
    def from_bytes(
        cls,
        raw: bytes,
        schemes: Mapping[str, SignatureScheme],
        *,
        verify: bool = True,
        max_bytes: int = canonical.DEFAULT_MAX_BYTES,
    ) -> Leaf:
        """Spec §10.1 Parse a leaf's canonical bytes (and check its entry's signature).

        Raises:
            MalformedInput, NonCanonicalEncoding, UnsupportedRole, InvalidSignature.
        """
        return cls.from_json(
            canonical.decode(raw, max_bytes=max_bytes), schemes, verify=verify, raw=raw
        )

    @classmethod
    def from_json(
        cls,
        value: JsonValue,
        schemes: Mapping[str, SignatureScheme],
        *,
        verify: bool = True,
        raw: bytes | None = None,
    ) -> Leaf:
        """Spec §10.1 A leaf from its parsed JSON (as inside an export line or a receipt)."""
        obj = expect_object(value, "leaf", required={"version", "index", "received", "entry"})
        expect_int(obj["version"], "leaf version", minimum=VERSION, maximum=VERSION)
        index = expect_int(obj["index"], "leaf index", minimum=0, maximum=MAX_TIMESTAMP)
        received = expect_int(obj["received"], "received", minimum=0, maximum=MAX_TIMESTAMP)
        entry_raw = canonical.encode(obj["entry"])
        entry = _entry_from_value(obj["entry"], entry_raw, schemes, election=None, verify=verify)
        leaf = cls.build(index=index, received=received, entry=entry)
        if raw is not None and raw != leaf.raw:
            raise MalformedInput("leaf bytes are not canonical")
        return leaf

    def to_json(self) -> JsonValue:
        return canonical.decode(self.raw)


# --- signed tree heads -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SignedTreeHead:
    """Spec §10.2 A tree head of one election's log, Ed25519-signed by the board."""

    election: str
    tree_size: int
    root_hash: bytes
    timestamp: int
    board_key: bytes
    signature: bytes

    def unsigned_json(self) -> dict[str, JsonValue]:
        return {
            "version": VERSION,
            "election": self.election,
            "tree_size": self.tree_size,
            "root_hash": self.root_hash.hex(),
            "timestamp": self.timestamp,
            "board_key": self.board_key.hex(),
        }

    def to_json(self) -> dict[str, JsonValue]:
        return {**self.unsigned_json(), "signature": self.signature.hex()}

    def to_bytes(self) -> bytes:
        return canonical.encode(self.to_json())

    @classmethod
    def from_json(cls, value: JsonValue) -> SignedTreeHead:
        """Spec §10.2 Parse a tree head and check its signature against its own ``board_key``.

        Callers must also check that ``board_key`` is the key they trust (the key of leaf 0).

        Raises:
            MalformedInput: a field missing, unknown, or of the wrong type or length.
            InvalidSignature: the signature does not verify.
        """
        obj = expect_object(
            value,
            "tree head",
            required={
                "version",
                "election",
                "tree_size",
                "root_hash",
                "timestamp",
                "board_key",
                "signature",
            },
        )
        expect_int(obj["version"], "tree head version", minimum=VERSION, maximum=VERSION)
        sth = cls(
            election=check_election_id(obj["election"]),
            tree_size=expect_int(obj["tree_size"], "tree size", minimum=0, maximum=MAX_TIMESTAMP),
            root_hash=parse_hex(obj["root_hash"], HASH_LENGTH, "root hash"),
            timestamp=expect_int(obj["timestamp"], "timestamp", minimum=0, maximum=MAX_TIMESTAMP),
            board_key=parse_hex(obj["board_key"], 32, "board key"),
            signature=parse_hex(obj["signature"], SIGNATURE_LENGTH, "tree head signature"),
        )
        VerifyKey(sth.board_key).verify(
            STH_PURPOSE, canonical.encode(sth.unsigned_json()), sth.signature
        )
        return sth

    @classmethod
    def from_bytes(cls, raw: bytes) -> SignedTreeHead:
        """Spec §10.2 Parse a tree head's canonical bytes (see ``from_json``)."""
        return cls.from_json(canonical.decode(raw, max_bytes=4096))


def sign_tree_head(
    *, election: str, tree_size: int, root_hash: bytes, timestamp: int, key: SigningKey
) -> SignedTreeHead:
    """Spec §10.2 Sign a tree head with the board key (purpose ``board/sth``)."""
    unsigned = SignedTreeHead(
        election, tree_size, root_hash, timestamp, key.verify_key.raw, b"\x00" * 64
    )
    signature = key.sign(STH_PURPOSE, canonical.encode(unsigned.unsigned_json()))
    return SignedTreeHead(election, tree_size, root_hash, timestamp, key.verify_key.raw, signature)


# --- receipts --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Receipt:
    """Spec §10.3 What the board answers to an accepted entry: its leaf, a tree head that
    includes it, and the inclusion proof."""

    leaf: Leaf
    sth: SignedTreeHead
    inclusion_proof: tuple[bytes, ...]

    def to_json(self) -> dict[str, JsonValue]:
        return {
            "version": VERSION,
            "leaf_index": self.leaf.index,
            "leaf_hash": self.leaf.hash.hex(),
            "leaf": self.leaf.to_json(),
            "sth": self.sth.to_json(),
            "inclusion_proof": [h.hex() for h in self.inclusion_proof],
        }

    def to_bytes(self) -> bytes:
        """The canonical bytes, assembled around the leaf's and tree head's bytes."""
        proof = ",".join(f'"{h.hex()}"' for h in self.inclusion_proof).encode()
        return b'{"inclusion_proof":[%s],"leaf":%s,"leaf_hash":"%s","leaf_index":%d,' \
            b'"sth":%s,"version":1}' % (
                proof, self.leaf.raw, self.leaf.hash.hex().encode(), self.leaf.index,
                self.sth.to_bytes(),
            )  # fmt: skip

    @classmethod
    def from_json(cls, value: JsonValue, schemes: Mapping[str, SignatureScheme]) -> Receipt:
        """Spec §10.3 Parse a receipt and check everything in it that needs no board.

        Checks: the leaf's entry signature, the tree head's signature, that ``leaf_index`` and
        ``leaf_hash`` agree with the leaf, and the inclusion proof against the tree head.

        Raises:
            MalformedInput, InvalidSignature, InclusionProofMismatch.
        """
        obj = expect_object(
            value,
            "receipt",
            required={"version", "leaf_index", "leaf_hash", "leaf", "sth", "inclusion_proof"},
        )
        expect_int(obj["version"], "receipt version", minimum=VERSION, maximum=VERSION)
        leaf = Leaf.from_json(obj["leaf"], schemes)
        sth = SignedTreeHead.from_json(obj["sth"])
        if expect_int(obj["leaf_index"], "leaf index", minimum=0) != leaf.index:
            raise MalformedInput("receipt: leaf_index differs from the leaf's index")
        if parse_hex(obj["leaf_hash"], HASH_LENGTH, "leaf hash") != leaf.hash:
            raise MalformedInput("receipt: leaf_hash is not the hash of the leaf")
        if leaf.entry.election != sth.election:
            raise MalformedInput("receipt: the tree head is for another election")
        proof = tuple(
            parse_hex(h, HASH_LENGTH, "inclusion proof hash")
            for h in expect_list(obj["inclusion_proof"], "inclusion proof", max_length=64)
        )
        verify_inclusion(
            leaf_hash=leaf.hash,
            index=leaf.index,
            tree_size=sth.tree_size,
            proof=proof,
            root=sth.root_hash,
        )
        return cls(leaf, sth, proof)

    def check(self, *, entry: bytes, board_key: bytes) -> None:
        """Spec §10.3 Check that this receipt is for ``entry`` under the trusted board key.

        Raises:
            MalformedInput: the receipt is for other entry bytes or from another board key.
        """
        if self.leaf.entry.raw != entry:
            raise MalformedInput("receipt is for another entry")
        if self.sth.board_key != board_key:
            raise MalformedInput("receipt's tree head is signed by another board key")
