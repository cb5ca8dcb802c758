"""Spec §10.1 The entry envelope: what every author posts to a board, and its one reader.

An entry is canonical JSON (§4)::

    {"version": 1, "election": ID, "type": TYPE, "author": {"role": ROLE, "key": hex},
     "payload": {...}, "signature": hex}

signed by its author with the role's signature scheme over the canonical bytes of the entry
without ``signature``. This module owns that form for every package: its field names, patterns
and lengths (the board's OpenAPI models document them from here), parsing (``parse_entry``,
``entry_from_json``), signing (``sign_entry``, ``sign_entry_with``), and the entry hash
(``entry_hash``): the entry's identity for replays and a ballot's tracker (§11.8).

Signature schemes are pluggable per role (``SignatureScheme``): administrator, issuer, trustee
and board sign with Ed25519 (§8.1, purpose ``board/entry``: ``ED25519``); the ``voter`` role's
credential scheme is the election's (``election.wire.CredentialScheme``). A producer signs
through an ``EntrySigner`` (``Ed25519Signer`` here; the voter's credential signer lives with
the voter client).

Pure, importing only ``crypto``: election/, bulletin_board/ and the verifier all read entries
with it. Errors::

    MalformedInput          not an entry: not canonical JSON (NonCanonicalEncoding), a field
    │                       missing, unknown, of the wrong type, pattern or length
    ├── UnsupportedRole     code "unsupported_role": no signature scheme for the role here
    └── WrongElection       code "wrong_election": the entry names another election
    InvalidSignature        the author's signature does not verify

``peek_entry`` is a fast path for readers of many entries (the verifier's log reader): it
locates the author, election and type in canonical entry bytes without decoding the payload,
and is tested equal to ``parse_entry`` on every entry type of a real election's log. It checks
nothing: whoever peeks must parse the same bytes before trusting them.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Final, Protocol

from crypto import canonical
from crypto.canonical import JsonValue
from crypto.errors import MalformedInput
from crypto.signing import SIGNATURE_LENGTH, VERIFY_KEY_LENGTH, SigningKey, VerifyKey
from crypto.wire import ID_PATTERN, expect_int, expect_object, expect_str, parse_hex, parse_id

__all__ = [
    "AUTHOR_FIELDS",
    "ED25519",
    "ED25519_KEY_LENGTH",
    "ED25519_ROLES",
    "ED25519_SCHEMES",
    "ED25519_SIGNATURE_LENGTH",
    "ELECTION_ID_PATTERN",
    "ENTRY_FIELDS",
    "ENTRY_HASH_LENGTH",
    "ENTRY_PURPOSE",
    "ENTRY_TYPE_PATTERN",
    "ENTRY_VERSION",
    "MAX_ENTRY_BYTES",
    "ROLES",
    "Ed25519Scheme",
    "Ed25519Signer",
    "Entry",
    "EntryHeader",
    "EntrySigner",
    "SignatureScheme",
    "UnsupportedRole",
    "WrongElection",
    "check_election_id",
    "entry_from_json",
    "entry_hash",
    "parse_entry",
    "peek_entry",
    "sign_entry",
    "sign_entry_with",
]

ENTRY_VERSION: Final = 1
# The largest entry a reader of a log accepts: a mix (spec §11.11) takes about 500 bytes per
# ciphertext, so this admits one of some 500,000 ballots. Ballots and every other entry are far
# smaller; a board refuses them above a much lower limit (bulletin_board.config).
MAX_ENTRY_BYTES: Final = 256 * 2**20
ENTRY_FIELDS: Final = ("version", "election", "type", "author", "payload", "signature")
"""The entry's members, in the spec's order (canonical bytes sort them)."""
AUTHOR_FIELDS: Final = ("role", "key")
ROLES: Final = ("administrator", "issuer", "trustee", "voter", "board")
ED25519_ROLES: Final = frozenset({"administrator", "issuer", "trustee", "board"})
ENTRY_PURPOSE: Final = b"board/entry"
ELECTION_ID_PATTERN: Final = ID_PATTERN
ENTRY_TYPE_PATTERN: Final = "[a-z][a-z0-9-]{0,63}"
ED25519_KEY_LENGTH: Final = VERIFY_KEY_LENGTH
ED25519_SIGNATURE_LENGTH: Final = SIGNATURE_LENGTH
ENTRY_HASH_LENGTH: Final = 32

_ENTRY_TYPE: Final = re.compile(ENTRY_TYPE_PATTERN)
_SIGNATURE_MEMBER: Final = b',"signature":"'


class UnsupportedRole(MalformedInput):
    """An author role for which the reader has no signature scheme."""

    code: ClassVar[str] = "unsupported_role"


class WrongElection(MalformedInput):
    """An entry that names another election than the log it is read for."""

    code: ClassVar[str] = "wrong_election"


def check_election_id(text: object) -> str:
    """Spec §10.1 An election id: an ID (1-63 characters of ``[a-z0-9-]``, not starting
    with ``-``).

    Raises:
        MalformedInput: anything else.
    """
    return parse_id(text, "election id")


def entry_hash(raw: bytes) -> bytes:
    """Spec §10.1 and §11.8 SHA-256 of an entry's canonical bytes (no domain tag: it names
    exact bytes): the entry's identity for replay detection, and a ballot's tracker."""
    return hashlib.sha256(raw).digest()


# --- signature schemes -----------------------------------------------------------------------


class SignatureScheme(Protocol):
    """How one author role's entries are verified: key and signature lengths, verification."""

    @property
    def key_length(self) -> int: ...

    @property
    def signature_length(self) -> int: ...

    def verify(self, key: bytes, message: bytes, signature: bytes) -> None:
        """Raises: InvalidSignature, or MalformedInput for an unusable key."""


@dataclass(frozen=True, slots=True)
class Ed25519Scheme:
    """Spec §10.1 Ed25519 (Spec §8.1) with purpose ``board/entry``."""

    key_length: int = ED25519_KEY_LENGTH
    signature_length: int = ED25519_SIGNATURE_LENGTH

    def verify(self, key: bytes, message: bytes, signature: bytes) -> None:
        VerifyKey(key).verify(ENTRY_PURPOSE, message, signature)


ED25519: Final = Ed25519Scheme()
ED25519_SCHEMES: Final[Mapping[str, SignatureScheme]] = dict.fromkeys(ED25519_ROLES, ED25519)
"""The schemes of every Ed25519 role (a reader without the election's voter scheme)."""


class EntrySigner(Protocol):
    """An author able to sign entries: its role, its published key and its signature."""

    @property
    def role(self) -> str: ...

    @property
    def key(self) -> bytes: ...

    def sign(self, message: bytes) -> bytes:
        """The signature over ``message`` (the entry's canonical bytes without signature)."""


@dataclass(frozen=True, slots=True)
class Ed25519Signer:
    """Spec §10.1 An Ed25519 role key signing entries (purpose ``board/entry``)."""

    role: str
    signing_key: SigningKey = field(repr=False)

    def __post_init__(self) -> None:
        if self.role not in ED25519_ROLES:
            raise UnsupportedRole(f"role {self.role!r} does not sign with Ed25519")

    @property
    def key(self) -> bytes:
        return self.signing_key.verify_key.raw

    def sign(self, message: bytes) -> bytes:
        return self.signing_key.sign(ENTRY_PURPOSE, message)


# --- entries ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Entry:
    """Spec §10.1 A parsed entry and its exact canonical bytes ``raw``.

    Built only by ``parse_entry`` / ``entry_from_json`` (which check ``raw`` is canonical).
    ``checked`` is what a reader made of the entry after parsing it (the board's rules attach
    their precheck's result): not part of the wire form, nor of equality.
    """

    election: str
    type: str
    role: str
    key: bytes
    payload: Mapping[str, Any] = field(compare=False)
    signature: bytes
    raw: bytes = field(repr=False)
    checked: Any = field(default=None, compare=False, repr=False)

    @property
    def hash(self) -> bytes:
        """Spec §10.1 The entry hash (a ballot's tracker, §11.8)."""
        return entry_hash(self.raw)

    def signed_bytes(self) -> bytes:
        """Spec §10.1 What the signature signs: the canonical bytes without ``signature``.

        In canonical bytes the members are sorted, so ``signature`` is followed only by
        ``type`` and ``version``: cutting the member out of ``raw`` gives exactly the
        canonical encoding of the entry without it (tests check both agree).

        Raises:
            MalformedInput: ``raw`` is not the canonical layout (never, for a parsed entry).
        """
        member = _SIGNATURE_MEMBER + self.signature.hex().encode() + b'"'
        tail = b',"type":"%s","version":%d}' % (self.type.encode(), ENTRY_VERSION)
        if not self.raw.endswith(member + tail):
            raise MalformedInput("entry bytes are not canonical")
        return self.raw[: -len(member) - len(tail)] + tail

    def verify_signature(self, scheme: SignatureScheme) -> None:
        """Spec §10.1 Check the author's signature with ``scheme`` (the role's).

        Raises:
            InvalidSignature: it does not verify; MalformedInput: an unusable key.
        """
        scheme.verify(self.key, self.signed_bytes(), self.signature)

    def to_json(self) -> dict[str, JsonValue]:
        return {
            "version": ENTRY_VERSION,
            "election": self.election,
            "type": self.type,
            "author": {"role": self.role, "key": self.key.hex()},
            "payload": dict(self.payload),
            "signature": self.signature.hex(),
        }


def parse_entry(
    raw: bytes,
    schemes: Mapping[str, SignatureScheme],
    *,
    election: str | None = None,
    verify: bool = True,
    max_bytes: int = canonical.DEFAULT_MAX_BYTES,
) -> Entry:
    """Spec §10.1 Parse and authenticate an entry's canonical bytes.

    ``schemes`` maps each role the reader accepts to its scheme (which fixes the key and
    signature lengths). ``election``, when given, is the log the entry is read for: another id
    is refused. ``verify=False`` skips only the signature check (for entries already on a
    log, or whose scheme is known only later: ``Entry.verify_signature``).

    Raises:
        MalformedInput / NonCanonicalEncoding: not canonical JSON, a field missing, unknown or
            of the wrong type, pattern or length.
        UnsupportedRole: a role with no scheme in ``schemes``.
        WrongElection: the entry names another election.
        InvalidSignature: the signature does not verify.
    """
    value = canonical.decode(raw, max_bytes=max_bytes)
    return entry_from_json(value, schemes, election=election, verify=verify, raw=raw)


def entry_from_json(
    value: JsonValue,
    schemes: Mapping[str, SignatureScheme],
    *,
    election: str | None = None,
    verify: bool = True,
    raw: bytes | None = None,
) -> Entry:
    """Spec §10.1 An entry from its decoded JSON (as inside a leaf or an audit), whose
    canonical bytes are ``raw`` (computed when not given). Checks as ``parse_entry``.

    Raises:
        MalformedInput, UnsupportedRole, WrongElection, InvalidSignature.
    """
    obj = expect_object(value, "entry", required=set(ENTRY_FIELDS))
    expect_int(obj["version"], "entry version", minimum=ENTRY_VERSION, maximum=ENTRY_VERSION)
    entry_election = check_election_id(obj["election"])
    if election is not None and entry_election != election:
        raise WrongElection(f"entry is for election {entry_election!r}, posted to {election!r}")
    entry_type = expect_str(obj["type"], "entry type")
    if not _ENTRY_TYPE.fullmatch(entry_type):
        raise MalformedInput(f"entry type must match {ENTRY_TYPE_PATTERN}: {entry_type!r}")
    author = expect_object(obj["author"], "entry author", required=set(AUTHOR_FIELDS))
    role = expect_str(author["role"], "author role")
    if role not in ROLES:
        raise MalformedInput(f"unknown author role {role!r}")
    scheme = schemes.get(role)
    if scheme is None:
        raise UnsupportedRole(f"this reader accepts no entries from role {role!r}")
    key = parse_hex(author["key"], scheme.key_length, f"{role} key")
    payload = obj["payload"]
    if not isinstance(payload, dict):
        raise MalformedInput(f"entry payload must be a JSON object, got {type(payload).__name__}")
    signature = parse_hex(obj["signature"], scheme.signature_length, "entry signature")
    entry = Entry(
        entry_election,
        entry_type,
        role,
        key,
        payload,
        signature,
        canonical.encode(obj) if raw is None else raw,
    )
    if verify:
        entry.verify_signature(scheme)
    return entry


def sign_entry_with(
    signer: EntrySigner, *, election: str, type: str, payload: Mapping[str, JsonValue]
) -> bytes:
    """Spec §10.1 The canonical bytes of an entry of ``type`` signed by ``signer``.

    Raises:
        MalformedInput: an invalid election id or entry type, or a payload canonical JSON
            cannot hold.
    """
    if not _ENTRY_TYPE.fullmatch(type):
        raise MalformedInput(f"entry type must match {ENTRY_TYPE_PATTERN}: {type!r}")
    unsigned: dict[str, JsonValue] = {
        "version": ENTRY_VERSION,
        "election": check_election_id(election),
        "type": type,
        "author": {"role": signer.role, "key": signer.key.hex()},
        "payload": dict(payload),
    }
    signed = canonical.encode(unsigned)
    signature = signer.sign(signed)
    # The inverse of Entry.signed_bytes: in canonical bytes ``signature`` sorts just before
    # ``type`` and ``version``, so the member goes in before that tail (no second encoding).
    tail = b',"type":"%s","version":%d}' % (type.encode(), ENTRY_VERSION)
    member = _SIGNATURE_MEMBER + signature.hex().encode() + b'"'
    if not signed.endswith(tail):  # pragma: no cover - the canonical layout always ends so
        return canonical.encode({**unsigned, "signature": signature.hex()})
    return signed[: -len(tail)] + member + tail


def sign_entry(
    *,
    election: str,
    type: str,
    role: str,
    payload: Mapping[str, JsonValue],
    key: SigningKey,
) -> bytes:
    """Spec §10.1 The canonical bytes of an entry signed with an Ed25519 role key.

    Raises:
        UnsupportedRole: a role that does not sign with Ed25519 (``voter``).
        MalformedInput: as ``sign_entry_with``.
    """
    return sign_entry_with(Ed25519Signer(role, key), election=election, type=type, payload=payload)


# --- the fast path ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EntryHeader:
    """What ``peek_entry`` located: unauthenticated, unchecked."""

    election: str
    type: str
    role: str
    key: bytes


# The canonical layout (§4.1: members sorted): author, election, payload, signature, type,
# version. The greedy payload ends at the LAST signature member, the entry's own.
_HEADER: Final = re.compile(
    rb'\{"author":\{"key":"((?:[0-9a-f]{2})+)","role":"([a-z]+)"\},"election":"([a-z0-9-]+)",'
    rb'"payload":\{.*\},"signature":"[0-9a-f]+","type":"([a-z][a-z0-9-]*)","version":1\}',
    re.DOTALL,
)


def peek_entry(raw: bytes) -> EntryHeader | None:
    """Spec §10.1 The election, type, role and author key of entry bytes in the canonical
    layout, located without decoding the payload (about 200 times faster than parsing a
    ballot); None when the bytes do not have that layout.

    A fast path that checks NOTHING: neither canonical form, nor lengths, patterns or
    signature. A caller must ``parse_entry`` the same bytes before trusting them, and treat a
    header that differs from the parsed entry as malformed.
    """
    match = _HEADER.fullmatch(raw)
    if match is None:
        return None
    key, role, election, entry_type = match.groups()
    return EntryHeader(
        election.decode(), entry_type.decode(), role.decode(), bytes.fromhex(key.decode())
    )
