"""Spec §11.4 What every election payload shares: entry type names, field readers (``parse_id``
and ``parse_text`` are ``crypto.wire``'s, re-exported), size caps."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any, Final

from crypto.errors import MalformedInput
from crypto.group import ENCODED_POINT_LENGTH, Point
from crypto.wire import (
    expect_int,
    expect_list,
    expect_object,
    expect_str,
    parse_hex,
    parse_id,
    parse_text,
)

# Spec §11.4 The entry types of an election and the role that authors each.
ELECTION_DEFINITION: Final = "election-definition"
TIMETABLE_CHANGE: Final = "timetable-change"
NOMINATION: Final = "nomination"
EXCLUSION: Final = "exclusion"
CANDIDATE_LIST: Final = "candidate-list"
DECISION: Final = "decision"
BOOTH_RELEASE: Final = "booth-release"
TRUSTEE_KEY: Final = "trustee-key"
DEALING: Final = "dealing"
COMPLAINT: Final = "complaint"
SHARES_ACCEPTED: Final = "shares-accepted"
ELECTION_KEY: Final = "election-key"
KEY_CONFIRMATION: Final = "key-confirmation"
CREDENTIALS: Final = "credentials"
CREDENTIALS_COMPLETE: Final = "credentials-complete"
CREDENTIAL_REISSUE: Final = "credential-reissue"
BALLOT: Final = "ballot"
AUDIT: Final = "audit"
TALLY: Final = "tally"
DECRYPTION: Final = "decryption"
MIX: Final = "mix"
RANKED_DECRYPTION: Final = "ranked-decryption"
RESULT: Final = "result"

ADMINISTRATOR: Final = "administrator"
ISSUER: Final = "issuer"
TRUSTEE: Final = "trustee"
VOTER: Final = "voter"

ENTRY_AUTHORS: Final[Mapping[str, str]] = {
    ELECTION_DEFINITION: ADMINISTRATOR,
    TIMETABLE_CHANGE: ADMINISTRATOR,
    NOMINATION: ADMINISTRATOR,
    EXCLUSION: ADMINISTRATOR,
    CANDIDATE_LIST: ADMINISTRATOR,
    DECISION: ADMINISTRATOR,
    BOOTH_RELEASE: ADMINISTRATOR,
    TRUSTEE_KEY: TRUSTEE,
    DEALING: TRUSTEE,
    COMPLAINT: TRUSTEE,
    SHARES_ACCEPTED: TRUSTEE,
    ELECTION_KEY: ADMINISTRATOR,
    KEY_CONFIRMATION: TRUSTEE,
    CREDENTIALS: ISSUER,
    CREDENTIALS_COMPLETE: ISSUER,
    CREDENTIAL_REISSUE: ISSUER,
    BALLOT: VOTER,
    AUDIT: VOTER,
    TALLY: ADMINISTRATOR,
    DECRYPTION: TRUSTEE,
    MIX: TRUSTEE,
    RANKED_DECRYPTION: TRUSTEE,
    RESULT: ADMINISTRATOR,
}

# Size caps (Spec §4.2: readers cap what they read).
MAX_OPTIONS: Final = 500  # candidates (or referendum options) of one contest
MAX_RANKED_OPTIONS: Final = 255  # Spec §11.5: a ranked contest's option indices are bytes
MAX_ATTRIBUTES: Final = 16
MAX_CREDENTIALS_PER_PART: Final = 10_000
MAX_STYLES: Final = 10_000
MAX_COUNT: Final = 2**32 - 1
HASH_LENGTH: Final = 32

_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")
_STYLE: Final = re.compile(r"[a-z0-9][a-z0-9-]{0,62}(\+[a-z0-9][a-z0-9-]{0,62}){0,99}")


def parse_style(value: object, what: str) -> str:
    """Spec §11.3 A ballot style id: contest ids joined by ``+`` (whether the definition can
    produce it is checked against the definition, ``BallotLayout``).

    Raises:
        MalformedInput: not contest ids joined by ``+``.
    """
    text = expect_str(value, what)
    if not _STYLE.fullmatch(text):
        raise MalformedInput(f"{what}: not a ballot style (contest ids joined by '+'): {text!r}")
    return text


def parse_date(value: object, what: str) -> date:
    """Spec §11.5 A DATE: ``YYYY-MM-DD``, a valid calendar date.

    Raises:
        MalformedInput: anything else.
    """
    text = expect_str(value, what)
    if not _DATE.fullmatch(text):
        raise MalformedInput(f"{what}: must be a date like 2027-01-05, got {text!r}")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise MalformedInput(f"{what}: not a valid date: {text!r}") from None


def parse_credential(value: object, what: str) -> Point:
    """Spec §8.3 A public credential: a point (§2.3) other than the identity.

    Raises:
        MalformedInput: not a point encoding, or the identity.
    """
    point = Point.from_hex(expect_str(value, what))
    if point.is_identity:
        raise MalformedInput(f"{what}: the identity is not a credential")
    return point


def credential_from_bytes(data: bytes, what: str) -> Point:
    """Spec §11.4 A voter's author key: the 33-byte encoding of a credential (not the identity).

    Raises:
        MalformedInput: not 33 bytes, not a point, or the identity.
    """
    if len(data) != ENCODED_POINT_LENGTH:
        raise MalformedInput(f"{what}: must be {ENCODED_POINT_LENGTH} bytes, got {len(data)}")
    point = Point.from_bytes(data)
    if point.is_identity:
        raise MalformedInput(f"{what}: the identity is not a credential")
    return point


def parse_hash(value: object, what: str) -> bytes:
    """A SHA-256 hash (an entry hash, §10.1): 64 lower-case hex digits.

    Raises:
        MalformedInput, NonCanonicalEncoding: wrong length, not lower-case hex.
    """
    return parse_hex(value, HASH_LENGTH, what)


def parse_count(value: object, what: str) -> int:
    """A count: an integer in ``0..2^32 - 1``.

    Raises:
        MalformedInput: anything else.
    """
    return expect_int(value, what, minimum=0, maximum=MAX_COUNT)


def parse_attributes(value: object, what: str) -> dict[str, str]:
    """Spec §11.5 A nominee's attributes: ``{ID: TEXT, ...}``, at most 16.

    Raises:
        MalformedInput: not an object of ID keys and TEXT values, or too many.
    """
    if not isinstance(value, Mapping):
        raise MalformedInput(f"{what}: must be a JSON object, got {type(value).__name__}")
    if len(value) > MAX_ATTRIBUTES:
        raise MalformedInput(f"{what}: at most {MAX_ATTRIBUTES} attributes, got {len(value)}")
    return {
        parse_id(k, f"{what} key"): parse_text(v, f"{what}.{k}") for k, v in dict(value).items()
    }


def expect_exact(value: object, what: str, keys: set[str]) -> dict[str, Any]:
    """A JSON object with exactly ``keys`` (Spec §4.3).

    Raises:
        MalformedInput: not an object, a key missing or unknown.
    """
    return expect_object(value, what, required=keys)


def expect_items(value: object, what: str, *, minimum: int = 0, maximum: int) -> list[Any]:
    """A JSON list of ``minimum`` to ``maximum`` items.

    Raises:
        MalformedInput: not a list, or a length out of range.
    """
    items = expect_list(value, what, max_length=maximum)
    if len(items) < minimum:
        raise MalformedInput(f"{what}: at least {minimum} item(s), got {len(items)}")
    return items
