"""Spec §11.1 The election definition: its wire form and fingerprint (§11.2), its checks across
fields, and the reader of the administrator's ``election.toml``."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from crypto import canonical
from crypto.errors import MalformedInput
from crypto.hashing import Dst, hash_bytes
from crypto.signing import VerifyKey
from crypto.wire import expect_int, expect_list, expect_object, expect_str, parse_id, parse_text
from election.definition._contest import BallotStyle, Contest, ContestKind
from election.definition._errors import DefinitionError
from election.definition._timetable import Timetable, format_time

__all__ = [
    "DEFINITION_VERSION",
    "MAX_CONTESTS",
    "MAX_TRUSTEES",
    "MAX_WITNESSES",
    "ElectionDefinition",
    "KeyHolder",
]

DEFINITION_VERSION: Final = 1
MAX_CONTESTS: Final = 100
MAX_TRUSTEES: Final = 64
MAX_WITNESSES: Final = 32


@dataclass(frozen=True, slots=True)
class KeyHolder:
    """Spec §11.1 A named holder of an Ed25519 role key (administrator, issuer, trustee,
    witness)."""

    name: str
    key: VerifyKey

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "key": self.key.to_hex()}

    @classmethod
    def from_json(cls, value: object, what: str) -> KeyHolder:
        obj = expect_object(value, what, required={"name", "key"})
        return cls(parse_text(obj["name"], f"{what}.name"), _verify_key(obj["key"], f"{what}.key"))


@dataclass(frozen=True, slots=True)
class ElectionDefinition:
    """Spec §11.1 The election definition, published once as the ``election-definition`` entry."""

    id: str
    title: str
    organisation: str
    time_zone: str
    timetable: Timetable
    administrator: KeyHolder
    issuer: KeyHolder
    threshold: int
    trustees: tuple[KeyHolder, ...]
    sections: tuple[str, ...]
    contests: tuple[Contest, ...]
    # Spec §10.5 Witnesses and cosignatures: who cosigns the board's tree heads, and how many
    # cosignatures a verifier requires (0 of none: only a kept head catches a rollback).
    witness_quorum: int = 0
    witnesses: tuple[KeyHolder, ...] = ()

    def __post_init__(self) -> None:
        _check_definition(self)

    # Wire form ----------------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        return {
            "version": DEFINITION_VERSION,
            "id": self.id,
            "title": self.title,
            "organisation": self.organisation,
            "time_zone": self.time_zone,
            "timetable": self.timetable.to_json(),
            "administrator": self.administrator.to_json(),
            "issuer": self.issuer.to_json(),
            "trustees": {
                "threshold": self.threshold,
                "members": [t.to_json() for t in self.trustees],
            },
            "witnesses": {
                "quorum": self.witness_quorum,
                "members": [w.to_json() for w in self.witnesses],
            },
            "sections": list(self.sections),
            "contests": [c.to_json() for c in self.contests],
        }

    @classmethod
    def from_json(cls, value: object) -> ElectionDefinition:
        """Spec §11.1 Parse the published definition strictly.

        Raises:
            DefinitionError (a MalformedInput): a missing, unknown or invalid field.
        """
        try:
            obj = expect_object(value, "definition", required=_DEFINITION_KEYS)
            version = expect_int(obj["version"], "version")
            if version != DEFINITION_VERSION:
                raise DefinitionError(f"version: unsupported definition version {version}")
            trustees = expect_object(obj["trustees"], "trustees", required={"threshold", "members"})
            members = expect_list(trustees["members"], "trustees.members", max_length=MAX_TRUSTEES)
            contests = expect_list(obj["contests"], "contests", max_length=MAX_CONTESTS)
            witnesses = expect_object(obj["witnesses"], "witnesses", required={"quorum", "members"})
            listed = expect_list(
                witnesses["members"], "witnesses.members", max_length=MAX_WITNESSES
            )
            return cls(
                id=parse_id(obj["id"], "id"),
                title=parse_text(obj["title"], "title"),
                organisation=parse_text(obj["organisation"], "organisation"),
                time_zone=_zone(obj["time_zone"], "time_zone"),
                timetable=Timetable.from_json(obj["timetable"]),
                administrator=KeyHolder.from_json(obj["administrator"], "administrator"),
                issuer=KeyHolder.from_json(obj["issuer"], "issuer"),
                threshold=expect_int(trustees["threshold"], "trustees.threshold"),
                trustees=tuple(
                    KeyHolder.from_json(m, f"trustees.members[{i}]") for i, m in enumerate(members)
                ),
                sections=tuple(
                    parse_id(s, f"sections[{i}]")
                    for i, s in enumerate(expect_list(obj["sections"], "sections"))
                ),
                contests=tuple(
                    Contest.from_json(c, f"contests[{i}]") for i, c in enumerate(contests)
                ),
                witness_quorum=expect_int(witnesses["quorum"], "witnesses.quorum"),
                witnesses=tuple(
                    KeyHolder.from_json(m, f"witnesses.members[{i}]") for i, m in enumerate(listed)
                ),
            )
        except DefinitionError:
            raise
        except MalformedInput as exc:
            raise DefinitionError(str(exc)) from None

    def canonical_bytes(self) -> bytes:
        return canonical.encode(self.to_json())

    @property
    def fingerprint(self) -> bytes:
        """Spec §11.2 H("verivote-1/election/fingerprint", canonical definition bytes)."""
        return hash_bytes(Dst.ELECTION_FINGERPRINT, self.canonical_bytes())

    # Administrator's file ---------------------------------------------------------------------
    @classmethod
    def from_toml(cls, text: str, *, source: str = "election.toml") -> ElectionDefinition:
        """Spec §11.1 Read the administrator's ``election.toml`` (format in docs/election-toml.md).

        Local times (without offset) are read in the definition's ``time_zone``. A UTF-8
        byte-order mark before the text (an editor's "UTF-8 with BOM") is dropped.

        Raises:
            DefinitionError: unreadable TOML or an invalid definition; the message starts with
                ``source`` and names the key.
        """
        try:
            raw = tomllib.loads(text.removeprefix("\ufeff"))
        except tomllib.TOMLDecodeError as exc:
            raise DefinitionError(f"{source}: not valid TOML: {exc}") from None
        try:
            return cls.from_json(_toml_to_wire(raw))
        except DefinitionError as exc:
            raise DefinitionError(f"{source}: {exc}") from None

    # Derived views ----------------------------------------------------------------------------
    def contest(self, contest_id: str) -> Contest:
        """Raises: KeyError for an unknown contest id."""
        for c in self.contests:
            if c.id == contest_id:
                return c
        raise KeyError(contest_id)

    def style_for(self, member_sections: Sequence[str]) -> BallotStyle | None:
        """Spec §11.3 The ballot style of a member in these roll sections (None: no contest)."""
        mine = set(member_sections)
        contests = tuple(c.id for c in self.contests if not c.sections or mine & set(c.sections))
        return BallotStyle(contests) if contests else None


_DEFINITION_KEYS: Final = {
    "version",
    "id",
    "title",
    "organisation",
    "time_zone",
    "timetable",
    "administrator",
    "issuer",
    "trustees",
    "witnesses",
    "sections",
    "contests",
}


def _check_definition(d: ElectionDefinition) -> None:
    if not d.trustees:
        raise DefinitionError("trustees.members: at least one trustee")
    if not 1 <= d.threshold <= len(d.trustees):
        raise DefinitionError(
            f"trustees.threshold: must be between 1 and {len(d.trustees)}, got {d.threshold}"
        )
    keys = [t.key for t in d.trustees] + [d.administrator.key, d.issuer.key]
    if len(set(keys)) != len(keys):
        raise DefinitionError("keys: administrator, issuer and every trustee need distinct keys")
    if not 0 <= d.witness_quorum <= len(d.witnesses):
        raise DefinitionError(
            f"witnesses.quorum: must be between 0 and {len(d.witnesses)}, got {d.witness_quorum}"
        )
    witness_keys = {w.key for w in d.witnesses}
    if len(witness_keys) != len(d.witnesses) or len({w.name for w in d.witnesses}) != len(
        d.witnesses
    ):
        raise DefinitionError("witnesses.members: names and keys must be distinct")
    if witness_keys & set(keys):
        raise DefinitionError("witnesses.members: a witness key is another role's key")
    if len(set(d.sections)) != len(d.sections):
        raise DefinitionError("sections: names must be distinct")
    if not d.contests:
        raise DefinitionError("contests: at least one contest")
    ids = [c.id for c in d.contests]
    if len(set(ids)) != len(ids):
        raise DefinitionError("contests: ids must be distinct")
    for i, contest in enumerate(d.contests):
        what = f"contests[{i}] ({contest.id})"
        contest.check(what)
        for s in contest.sections:
            if s not in d.sections:
                raise DefinitionError(f"{what}.sections: unknown roll section {s!r}")


# TOML → wire form -------------------------------------------------------------------------------
def _toml_to_wire(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Fill defaults and turn TOML datetimes into published UTC strings."""
    zone_name = raw.get("time_zone", "UTC")
    zone = ZoneInfo(_zone(zone_name, "time_zone"))
    timetable = raw.get("timetable")
    if not isinstance(timetable, Mapping):
        raise DefinitionError("timetable: missing table [timetable]")
    wire_timetable = {}
    for key, value in timetable.items():
        if not isinstance(value, datetime):
            raise DefinitionError(f"timetable.{key}: must be a TOML date-time, got {value!r}")
        moment = value if value.tzinfo is not None else value.replace(tzinfo=zone)
        if moment.microsecond:
            raise DefinitionError(f"timetable.{key}: whole seconds only")
        wire_timetable[key] = format_time(moment)
    trustees = raw.get("trustees")
    if not isinstance(trustees, Mapping):
        raise DefinitionError("trustees: missing table [trustees]")
    contests = raw.get("contests")
    if not isinstance(contests, list):
        raise DefinitionError("contests: missing [[contests]] tables")
    wire = {
        "version": raw.get("version", DEFINITION_VERSION),
        "id": raw.get("id"),
        "title": raw.get("title"),
        "organisation": raw.get("organisation"),
        "time_zone": zone_name,
        "timetable": wire_timetable,
        "administrator": raw.get("administrator"),
        "issuer": raw.get("issuer"),
        "trustees": {
            "threshold": trustees.get("threshold"),
            "members": trustees.get("members", []),
        },
        "witnesses": _witness_defaults(raw.get("witnesses", {})),
        "sections": raw.get("sections", []),
        "contests": [_contest_defaults(c, i) for i, c in enumerate(contests)],
    }
    unknown = set(raw) - _DEFINITION_KEYS
    if unknown:
        raise DefinitionError(f"unknown key(s) {', '.join(sorted(unknown))}")
    return wire


def _witness_defaults(raw: object) -> object:
    """Spec §11.1 No witnesses by default; the quorum defaults to every listed witness."""
    if not isinstance(raw, Mapping):
        return raw
    members = raw.get("members", [])
    quorum = raw.get("quorum", len(members) if isinstance(members, list) else 0)
    return {**raw, "members": members, "quorum": quorum}


def _contest_defaults(raw: object, index: int) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        raise DefinitionError(f"contests[{index}]: must be a table")
    c = dict(raw)
    kind = c.get("kind")
    if kind == ContestKind.REFERENDUM:
        c.setdefault("seats", 1)
        c.setdefault("max_selections", 1)
    elif kind == ContestKind.BLOCK:
        c.setdefault("max_selections", c.get("seats"))
    c.setdefault("max_selections", None)
    c.setdefault("sections", [])
    c.setdefault("nomination_threshold", 0 if kind == ContestKind.REFERENDUM else 1)
    c.setdefault("method", None)
    c.setdefault("question", None)
    c.setdefault("options", [])
    c["constraints"] = [
        {"min": 0, "max": None, **k} if isinstance(k, Mapping) else k
        for k in c.get("constraints", [])
    ]
    return c


# Field readers (ID and TEXT: crypto.wire.parse_id, parse_text) -----------------------------------
def _zone(value: object, what: str) -> str:
    name = expect_str(value, what)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise DefinitionError(f"{what}: unknown time zone {name!r} (e.g. Europe/London)") from None
    return name


def _verify_key(value: object, what: str) -> VerifyKey:
    try:
        return VerifyKey.from_hex(expect_str(value, what))
    except MalformedInput as exc:
        raise DefinitionError(f"{what}: {exc}") from None
