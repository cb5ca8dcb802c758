"""Spec §10.1-§10.4 The board's wire objects: leaf 0's board-key payload, leaves, signed tree
heads, receipts and a rehearsal's clock requests; the entries they hold are
``crypto.envelope``'s (re-exported here).

Pure parsers and formatters with no storage or server import, so that the verifier may use
them. Every parser is strict (Spec §4.2, §4.3): canonical JSON only, exact field sets, exact
lengths, and signatures checked before content is used.

``split_leaf`` is the leaf's fast path (the inverse of ``Leaf.build``'s byte layout, for
readers of many leaves), tested equal to ``Leaf.from_bytes`` on every entry type of a real
election's log; like ``crypto.envelope.peek_entry`` it checks nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Final

from crypto import canonical
from crypto.canonical import JsonValue
from crypto.envelope import (
    ED25519,
    ED25519_ROLES,
    ED25519_SCHEMES,
    ENTRY_PURPOSE,
    MAX_ENTRY_BYTES,
    ROLES,
    Ed25519Scheme,
    Entry,
    SignatureScheme,
    check_election_id,
    entry_from_json,
    entry_hash,
    parse_entry,
    sign_entry,
)
from crypto.errors import MalformedInput
from crypto.merkle import HASH_LENGTH, leaf_hash, verify_inclusion
from crypto.signing import SIGNATURE_LENGTH, SigningKey, VerifyKey
from crypto.wire import expect_bool, expect_int, expect_list, expect_object, parse_hex

__all__ = [
    "BOARD_KEY_TYPE",
    "BOOTH_PATH",
    "CLOCK_PURPOSE",
    "ED25519",
    "ED25519_ROLES",
    "ED25519_SCHEMES",
    "ENTRY_PURPOSE",
    "EXPORT_FORMAT",
    "MAX_LEAF_BYTES",
    "PAGE_BYTES",
    "PAGE_PATH",
    "ROLES",
    "STH_PURPOSE",
    "BoardKeyPayload",
    "ClockRequest",
    "Ed25519Scheme",
    "Entry",
    "Leaf",
    "Receipt",
    "SignatureScheme",
    "SignedTreeHead",
    "check_election_id",
    "entry_hash",
    "parse_entry",
    "sign_board_key",
    "sign_clock_request",
    "sign_entry",
    "sign_tree_head",
    "split_leaf",
]

VERSION: Final = 1
"""The version of the board's own objects: leaves, tree heads, receipts."""
STH_PURPOSE: Final = b"board/sth"
MAX_TIMESTAMP: Final = 2**53 - 1
# A leaf is its entry and some 70 bytes around it (Spec §10.1).
MAX_LEAF_BYTES: Final = MAX_ENTRY_BYTES + 1024
PAGE_BYTES: Final = 16 * 2**20
"""Spec §10.3 The most leaf bytes a page of leaves holds, unless it holds one larger leaf."""
BOARD_KEY_TYPE: Final = "board-key"
"""Spec §10.1 Leaf 0's entry type, under every rule set: role ``board``, payload ``{"key"}``."""
EXPORT_FORMAT: Final = "verivote-board-export"
"""Spec §10.4 The ``format`` of an export's header line."""
PAGE_PATH: Final = "/e/{election}/"
"""An election's public pages on its board (issue 13): home, timetable in force, results."""
BOOTH_PATH: Final = "/booth/{election}/"
"""An election's web booth on its board (issue 12)."""
CLOCK_PURPOSE: Final = b"board/clock"
"""Spec §10.2 The §8.1 signature purpose of a rehearsal's clock request."""


# --- leaf 0 ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BoardKeyPayload:
    """Spec §10.1 Leaf 0's payload: the board's key, and whether the log is a rehearsal's
    (§10.2), which every tree head of the log repeats."""

    key: bytes
    rehearsal: bool

    def to_json(self) -> dict[str, JsonValue]:
        return {"key": self.key.hex(), "rehearsal": self.rehearsal}

    @classmethod
    def from_json(cls, value: object) -> BoardKeyPayload:
        """Raises: MalformedInput: a field missing, unknown, or of the wrong type or length."""
        obj = expect_object(value, "board-key payload", required={"key", "rehearsal"})
        return cls(
            parse_hex(obj["key"], 32, "board key"), expect_bool(obj["rehearsal"], "rehearsal")
        )

    @classmethod
    def of(cls, entry: Entry) -> BoardKeyPayload:
        """The payload of a board-key entry, whose ``key`` is the entry's author key.

        Raises:
            MalformedInput: another type, a bad payload, or a key other than the author's.
        """
        if entry.type != BOARD_KEY_TYPE:
            raise MalformedInput(f"a {entry.type} entry, not the board-key entry")
        payload = cls.from_json(dict(entry.payload))
        if payload.key != entry.key:
            raise MalformedInput("board-key payload key differs from the author key")
        return payload


def sign_board_key(*, election: str, key: SigningKey, rehearsal: bool) -> bytes:
    """Spec §10.1 Leaf 0's entry: the board's key, signed by itself, and the rehearsal flag."""
    payload = BoardKeyPayload(key.verify_key.raw, rehearsal)
    return sign_entry(
        election=election, type=BOARD_KEY_TYPE, role="board", payload=payload.to_json(), key=key
    )


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
        max_bytes: int = MAX_LEAF_BYTES,
        election: str | None = None,
    ) -> Leaf:
        """Spec §10.1 Parse a leaf's canonical bytes (and check its entry's signature);
        ``election``, when given, is the log it is read from.

        Raises:
            MalformedInput, NonCanonicalEncoding, UnsupportedRole, WrongElection,
            InvalidSignature.
        """
        return cls.from_json(
            canonical.decode(raw, max_bytes=max_bytes),
            schemes,
            verify=verify,
            raw=raw,
            election=election,
        )

    @classmethod
    def from_json(
        cls,
        value: JsonValue,
        schemes: Mapping[str, SignatureScheme],
        *,
        verify: bool = True,
        raw: bytes | None = None,
        election: str | None = None,
    ) -> Leaf:
        """Spec §10.1 A leaf from its parsed JSON (as inside an export line or a receipt)."""
        obj = expect_object(value, "leaf", required={"version", "index", "received", "entry"})
        expect_int(obj["version"], "leaf version", minimum=VERSION, maximum=VERSION)
        index = expect_int(obj["index"], "leaf index", minimum=0, maximum=MAX_TIMESTAMP)
        received = expect_int(obj["received"], "received", minimum=0, maximum=MAX_TIMESTAMP)
        entry_raw = canonical.encode(obj["entry"])
        entry = entry_from_json(
            obj["entry"], schemes, election=election, verify=verify, raw=entry_raw
        )
        leaf = cls.build(index=index, received=received, entry=entry)
        if raw is not None and raw != leaf.raw:
            raise MalformedInput("leaf bytes are not canonical")
        return leaf

    def to_json(self) -> JsonValue:
        return canonical.decode(self.raw, max_bytes=MAX_LEAF_BYTES)


_LEAF_PREFIX: Final = b'{"entry":'
_LEAF_TAIL: Final = re.compile(
    rb',"index":(0|[1-9][0-9]{0,15}),"received":(0|[1-9][0-9]{0,15}),"version":1\}'
)


def split_leaf(raw: bytes) -> tuple[bytes, int, int] | None:
    """Spec §10.1 The entry bytes, index and reception time of leaf bytes in the canonical
    layout ``Leaf.build`` writes, located without decoding the entry; None when the bytes do
    not have that layout.

    A fast path that checks nothing about the entry: a caller must parse it before trusting it.
    """
    cut = raw.rfind(b',"index":')
    if not raw.startswith(_LEAF_PREFIX) or cut < 0:
        return None
    match = _LEAF_TAIL.fullmatch(raw, cut)
    if match is None:
        return None
    index, received = int(match[1]), int(match[2])
    if index > MAX_TIMESTAMP or received > MAX_TIMESTAMP:
        return None
    return raw[len(_LEAF_PREFIX) : cut], index, received


# --- signed tree heads -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SignedTreeHead:
    """Spec §10.2 A tree head of one election's log, Ed25519-signed by the board."""

    election: str
    tree_size: int
    root_hash: bytes
    timestamp: int
    rehearsal: bool
    board_key: bytes
    signature: bytes

    def unsigned_json(self) -> dict[str, JsonValue]:
        return {
            "version": VERSION,
            "election": self.election,
            "tree_size": self.tree_size,
            "root_hash": self.root_hash.hex(),
            "timestamp": self.timestamp,
            "rehearsal": self.rehearsal,
            "board_key": self.board_key.hex(),
        }

    def to_json(self) -> dict[str, JsonValue]:
        return {**self.unsigned_json(), "signature": self.signature.hex()}

    def to_bytes(self) -> bytes:
        return canonical.encode(self.to_json())

    @classmethod
    def from_json(cls, value: JsonValue) -> SignedTreeHead:
        """Spec §10.2 Parse a tree head and check its signature against its own ``board_key``.

        Callers must also check that ``board_key`` is the key they trust (the key of leaf 0)
        and, when they know leaf 0, that ``rehearsal`` is its flag.

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
                "rehearsal",
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
            rehearsal=expect_bool(obj["rehearsal"], "rehearsal"),
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
    *,
    election: str,
    tree_size: int,
    root_hash: bytes,
    timestamp: int,
    rehearsal: bool,
    key: SigningKey,
) -> SignedTreeHead:
    """Spec §10.2 Sign a tree head with the board key (purpose ``board/sth``); ``rehearsal`` is
    the log's leaf 0's flag."""
    head = partial(SignedTreeHead, election, tree_size, root_hash, timestamp, rehearsal)
    unsigned = head(key.verify_key.raw, b"\x00" * 64)
    return head(
        key.verify_key.raw, key.sign(STH_PURPOSE, canonical.encode(unsigned.unsigned_json()))
    )


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


# --- a rehearsal's clock requests ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClockRequest:
    """Spec §10.2 (rehearsals) A request, signed by the administrator, to advance a rehearsal
    log's clock to ``to`` (ms since the Unix epoch)."""

    election: str
    to: int
    key: bytes
    signature: bytes

    def unsigned_json(self) -> dict[str, JsonValue]:
        return {"version": VERSION, "election": self.election, "to": self.to, "key": self.key.hex()}

    def to_bytes(self) -> bytes:
        return canonical.encode({**self.unsigned_json(), "signature": self.signature.hex()})

    @classmethod
    def from_bytes(cls, raw: bytes) -> ClockRequest:
        """Spec §10.2 Parse a clock request's canonical bytes and check its signature under its
        own ``key`` (the board then checks that key is the administrator's).

        Raises:
            MalformedInput, NonCanonicalEncoding, InvalidSignature.
        """
        obj = expect_object(
            canonical.decode(raw, max_bytes=1024),
            "clock request",
            required={"version", "election", "to", "key", "signature"},
        )
        expect_int(obj["version"], "clock request version", minimum=VERSION, maximum=VERSION)
        request = cls(
            election=check_election_id(obj["election"]),
            to=expect_int(obj["to"], "clock request time", minimum=0, maximum=MAX_TIMESTAMP),
            key=parse_hex(obj["key"], 32, "clock request key"),
            signature=parse_hex(obj["signature"], SIGNATURE_LENGTH, "clock request signature"),
        )
        message = canonical.encode(request.unsigned_json())
        VerifyKey(request.key).verify(CLOCK_PURPOSE, message, request.signature)
        return request


def sign_clock_request(*, election: str, to: int, key: SigningKey) -> ClockRequest:
    """Spec §10.2 A clock request signed with the administrator's key (purpose
    ``board/clock``)."""
    unsigned = ClockRequest(election, to, key.verify_key.raw, b"")
    signature = key.sign(CLOCK_PURPOSE, canonical.encode(unsigned.unsigned_json()))
    return ClockRequest(election, to, key.verify_key.raw, signature)
