"""Spec §11.1 The election definition: what an administrator writes in ``election.toml``.

``ElectionDefinition.from_toml`` reads and validates the administrator's file, with errors that
name the file, the key and the problem. ``to_json`` is the published wire form (§11.1), whose
canonical bytes hash to the election fingerprint (§11.2) that every proof binds to.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from crypto import canonical
from crypto.errors import MalformedInput
from crypto.hashing import Dst, hash_bytes
from crypto.signing import VerifyKey
from crypto.wire import expect_int, expect_list, expect_object, expect_str, parse_id, parse_text

__all__ = [
    "BallotStyle",
    "Constraint",
    "Contest",
    "ContestKind",
    "DefinitionError",
    "ElectionDefinition",
    "KeyHolder",
    "RankedMethod",
    "Timetable",
    "format_time",
    "local_date",
    "parse_time",
    "to_ms",
]

DEFINITION_VERSION: Final = 1
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MS: Final = timedelta(milliseconds=1)
MAX_CONTESTS: Final = 100
MAX_TRUSTEES: Final = 64
MAX_WITNESSES: Final = 32
# Spec §11.1 A ranking travels point-embedded (§5.6): at most 29 preferences.
MAX_RANKING: Final = 29


class DefinitionError(MalformedInput):
    """An election definition that is not valid; the message names the key and the problem."""


class ContestKind(StrEnum):
    """Spec §11.1 The kinds of contest."""

    BLOCK = "block"  # vote for up to k of n candidates (k = 1: plurality)
    APPROVAL = "approval"  # vote for any number of candidates
    REFERENDUM = "referendum"  # one of several fixed options (yes/no or more)
    RANKED = "ranked"  # a ranking, counted by IRV or STV after mixing


class RankedMethod(StrEnum):
    """Spec §11.1 Counting method of a ranked contest (the counting rules of spec section 12)."""

    IRV = "irv"
    SCOTTISH = "scottish"
    MEEK = "meek"


def parse_time(text: object, what: str) -> datetime:
    """Spec §11.1 A published instant: ``YYYY-MM-DDTHH:MM:SSZ`` (UTC, whole seconds).

    Raises:
        DefinitionError: any other form.
    """
    if not isinstance(text, str) or not _TIME.fullmatch(text):
        raise DefinitionError(f"{what}: must be a UTC time like 2027-01-05T09:00:00Z, got {text!r}")
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise DefinitionError(f"{what}: not a valid date and time: {text!r}") from None


def format_time(moment: datetime) -> str:
    """Spec §11.1 The published form of an instant (UTC, whole seconds)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def to_ms(moment: datetime) -> int:
    """Spec §10.1 An instant as integer milliseconds since the Unix epoch (the board's clock,
    on which a leaf's ``received`` and the timetable's rules are judged)."""
    return (moment - _EPOCH) // _MS


def local_date(ms: int, zone: str) -> date:
    """Spec §11.5 The calendar date of instant ``ms`` in time zone ``zone``."""
    return datetime.fromtimestamp(ms / 1000, ZoneInfo(zone)).date()


@dataclass(frozen=True, slots=True)
class Timetable:
    """Spec §11.1 The six instants of an election, in UTC: nominations open, close, voting opens
    and closes, strictly in this order (voting may open at the moment nominations close, not
    before); and the key ceremony's two deadlines, trustee keys close before the ceremony closes,
    before voting opens (§11.4)."""

    nominations_open: datetime
    nominations_close: datetime
    trustee_keys_close: datetime
    ceremony_close: datetime
    voting_open: datetime
    voting_close: datetime

    def __post_init__(self) -> None:
        for name in TIMETABLE_FIELDS:
            moment = getattr(self, name)
            if moment.utcoffset() != timedelta(0) or moment.microsecond:
                raise DefinitionError(f"timetable.{name}: must be in UTC, whole seconds")
        if not self.nominations_open < self.nominations_close:
            raise DefinitionError("timetable: nominations must open before they close")
        if not self.nominations_close <= self.voting_open:
            raise DefinitionError("timetable: voting cannot open before nominations close")
        if not self.voting_open < self.voting_close:
            raise DefinitionError("timetable: voting must open before it closes")
        if not self.trustee_keys_close < self.ceremony_close:
            raise DefinitionError("timetable: trustee keys must close before the ceremony closes")
        if not self.ceremony_close < self.voting_open:
            raise DefinitionError("timetable: the key ceremony must close before voting opens")

    def to_json(self) -> dict[str, str]:
        return {name: format_time(getattr(self, name)) for name in TIMETABLE_FIELDS}

    @classmethod
    def from_json(cls, value: object) -> Timetable:
        obj = expect_object(value, "timetable", required=set(TIMETABLE_FIELDS))
        return cls(**{k: parse_time(obj[k], f"timetable.{k}") for k in TIMETABLE_FIELDS})


TIMETABLE_FIELDS: Final = (
    "nominations_open",
    "nominations_close",
    "trustee_keys_close",
    "ceremony_close",
    "voting_open",
    "voting_close",
)
"""Spec §11.1 The timetable's instants, in the order of an election."""


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
class Constraint:
    """Spec §11.1 A quota constraint: at least ``minimum`` / at most ``maximum`` of the seats go
    to candidates whose ``attribute`` equals ``value`` (e.g. gender = woman, minimum 5)."""

    attribute: str
    value: str
    minimum: int
    maximum: int | None

    def to_json(self) -> dict[str, Any]:
        return {
            "attribute": self.attribute,
            "value": self.value,
            "min": self.minimum,
            "max": self.maximum,
        }

    @classmethod
    def from_json(cls, value: object, what: str) -> Constraint:
        obj = expect_object(value, what, required={"attribute", "value", "min", "max"})
        maximum = obj["max"]
        return cls(
            attribute=parse_id(obj["attribute"], f"{what}.attribute"),
            value=parse_text(obj["value"], f"{what}.value"),
            minimum=expect_int(obj["min"], f"{what}.min", minimum=0),
            maximum=None if maximum is None else expect_int(maximum, f"{what}.max", minimum=0),
        )


@dataclass(frozen=True, slots=True)
class Contest:
    """Spec §11.1 One contest on the ballot.

    ``seats`` is the number to elect (1 for a referendum); ``max_selections`` how many a voter may
    mark (block vote: up to ``seats`` by default; approval: null until the candidate list fixes
    it to the number of candidates; referendum: 1; ranked: the most preferences counted).
    ``sections`` lists the roll sections that vote in it (empty: every member).
    """

    id: str
    title: str
    kind: ContestKind
    seats: int
    max_selections: int | None
    sections: tuple[str, ...]
    nomination_threshold: int
    method: RankedMethod | None
    question: str | None
    options: tuple[str, ...]
    constraints: tuple[Constraint, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "kind": self.kind.value,
            "seats": self.seats,
            "max_selections": self.max_selections,
            "sections": list(self.sections),
            "nomination_threshold": self.nomination_threshold,
            "method": None if self.method is None else self.method.value,
            "question": self.question,
            "options": list(self.options),
            "constraints": [c.to_json() for c in self.constraints],
        }

    @classmethod
    def from_json(cls, value: object, what: str) -> Contest:
        obj = expect_object(value, what, required=_CONTEST_KEYS)
        kind = _enum(ContestKind, obj["kind"], f"{what}.kind")
        method = obj["method"]
        question = obj["question"]
        max_selections = obj["max_selections"]
        return cls(
            id=parse_id(obj["id"], f"{what}.id"),
            title=parse_text(obj["title"], f"{what}.title"),
            kind=kind,
            seats=expect_int(obj["seats"], f"{what}.seats", minimum=1, maximum=1000),
            max_selections=None
            if max_selections is None
            else expect_int(max_selections, f"{what}.max_selections", minimum=1, maximum=1000),
            sections=tuple(
                parse_id(s, f"{what}.sections[{i}]")
                for i, s in enumerate(expect_list(obj["sections"], f"{what}.sections"))
            ),
            nomination_threshold=expect_int(
                obj["nomination_threshold"], f"{what}.nomination_threshold", minimum=0
            ),
            method=None if method is None else _enum(RankedMethod, method, f"{what}.method"),
            question=None if question is None else parse_text(question, f"{what}.question"),
            options=tuple(
                parse_text(o, f"{what}.options[{i}]")
                for i, o in enumerate(expect_list(obj["options"], f"{what}.options"))
            ),
            constraints=tuple(
                Constraint.from_json(c, f"{what}.constraints[{i}]")
                for i, c in enumerate(expect_list(obj["constraints"], f"{what}.constraints"))
            ),
        )

    def check(self, what: str) -> None:
        """Raises: DefinitionError when the contest's fields do not fit its kind."""
        if self.kind is ContestKind.REFERENDUM:
            if len(self.options) < 2:
                raise DefinitionError(f"{what}.options: a referendum needs at least 2 options")
            if len(set(self.options)) != len(self.options):
                raise DefinitionError(f"{what}.options: options must be distinct")
            if self.question is None:
                raise DefinitionError(f"{what}.question: a referendum needs a question")
            if self.seats != 1 or self.max_selections != 1:
                raise DefinitionError(f"{what}: a referendum has seats = 1, max_selections = 1")
            if self.constraints:
                raise DefinitionError(f"{what}.constraints: a referendum has no constraints")
        elif self.options or self.question is not None:
            raise DefinitionError(f"{what}: only a referendum has a question and options")
        if (self.kind is ContestKind.RANKED) != (self.method is not None):
            raise DefinitionError(f"{what}.method: required for ranked contests and only there")
        if self.kind is ContestKind.RANKED and self.method is RankedMethod.IRV and self.seats != 1:
            raise DefinitionError(f"{what}.seats: IRV elects exactly one")
        if self.kind is ContestKind.BLOCK and (
            self.max_selections is None or self.max_selections > self.seats
        ):
            raise DefinitionError(f"{what}.max_selections: a block vote allows 1 to seats marks")
        if self.kind is ContestKind.APPROVAL and self.max_selections is not None:
            raise DefinitionError(f"{what}.max_selections: approval allows every candidate")
        if self.kind is ContestKind.RANKED:
            if self.max_selections is None:
                raise DefinitionError(f"{what}.max_selections: required for a ranked contest")
            if self.max_selections > MAX_RANKING:
                raise DefinitionError(
                    f"{what}.max_selections: a ranking holds at most {MAX_RANKING} preferences"
                )
        groups = [(c.attribute, c.value) for c in self.constraints]
        if len(set(groups)) != len(groups):
            raise DefinitionError(f"{what}.constraints: one constraint per group")
        for i, c in enumerate(self.constraints):
            if c.maximum is not None and c.maximum < c.minimum:
                raise DefinitionError(f"{what}.constraints[{i}]: max is below min")
            if c.minimum > self.seats:
                raise DefinitionError(
                    f"{what}.constraints[{i}].min: more than the {self.seats} seats"
                )
            if c.minimum == 0 and c.maximum is None:
                raise DefinitionError(f"{what}.constraints[{i}]: needs a min above 0 or a max")


_CONTEST_KEYS: Final = {
    "id",
    "title",
    "kind",
    "seats",
    "max_selections",
    "sections",
    "nomination_threshold",
    "method",
    "question",
    "options",
    "constraints",
}


@dataclass(frozen=True, slots=True)
class BallotStyle:
    """Spec §11.3 A ballot style: the contests a member sees, derived from the roll sections.

    Its id is the contest ids joined by ``+`` in definition order.
    """

    contests: tuple[str, ...]

    @property
    def id(self) -> str:
        return "+".join(self.contests)


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

        Local times (without offset) are read in the definition's ``time_zone``.

        Raises:
            DefinitionError: unreadable TOML or an invalid definition; the message starts with
                ``source`` and names the key.
        """
        try:
            raw = tomllib.loads(text)
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


def _enum(enum: type[StrEnum], value: object, what: str) -> Any:
    text = expect_str(value, what)
    try:
        return enum(text)
    except ValueError:
        allowed = ", ".join(e.value for e in enum)
        raise DefinitionError(f"{what}: must be one of {allowed}, got {text!r}") from None
