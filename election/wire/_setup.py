"""Spec §11.1 and §11.5 The administrator's setup payloads: the definition, timetable changes,
nominations, exclusions, candidate lists and decisions."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import pairwise
from types import MappingProxyType
from typing import Final

from crypto import canonical
from crypto.canonical import JsonValue
from crypto.errors import MalformedInput
from crypto.wire import parse_hex, parse_id, parse_text
from election.definition import TIMETABLE_FIELDS as _DEFINITION_FIELDS
from election.definition import ElectionDefinition, format_time, parse_time
from election.wire._common import (
    MAX_OPTIONS,
    expect_exact,
    expect_items,
    parse_attributes,
    parse_date,
)

TIMETABLE_FIELDS: Final = _DEFINITION_FIELDS


@dataclass(frozen=True, slots=True)
class DefinitionPayload:
    """Spec §11.1 The ``election-definition`` payload: ``{"definition": D}``."""

    definition: ElectionDefinition

    @classmethod
    def from_json(cls, value: object) -> DefinitionPayload:
        """Spec §11.1 Parse strictly; the definition must be exactly its own canonical form, so
        the fingerprint (§11.2) of the published bytes is the definition's fingerprint.

        Raises:
            MalformedInput (DefinitionError): an invalid definition.
        """
        obj = expect_exact(value, "election-definition payload", {"definition"})
        definition = ElectionDefinition.from_json(obj["definition"])
        if canonical.encode(obj["definition"]) != definition.canonical_bytes():
            raise MalformedInput("definition: not in the form the definition reader writes")
        return cls(definition)

    def to_json(self) -> dict[str, JsonValue]:
        return {"definition": self.definition.to_json()}


@dataclass(frozen=True, slots=True)
class TimetableChange:
    """Spec §11.5 ``timetable-change``: move one instant of the timetable, with a reason."""

    field: str
    time: datetime
    reason: str

    @classmethod
    def from_json(cls, value: object) -> TimetableChange:
        """Raises: MalformedInput (unknown field name, bad TIME or TEXT, wrong keys)."""
        obj = expect_exact(value, "timetable-change payload", {"field", "time", "reason"})
        name = obj["field"]
        if name not in TIMETABLE_FIELDS:
            raise MalformedInput(
                f"timetable-change field must be one of {', '.join(TIMETABLE_FIELDS)}: {name!r}"
            )
        return cls(
            field=name,
            time=parse_time(obj["time"], "timetable-change time"),
            reason=parse_text(obj["reason"], "timetable-change reason"),
        )

    def to_json(self) -> dict[str, JsonValue]:
        return {"field": self.field, "time": format_time(self.time), "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Candidate:
    """Spec §11.5 A nominee or candidate: ``{"id": ID, "name": TEXT, "attributes": {...}}``."""

    id: str
    name: str
    attributes: Mapping[str, str] = field(hash=False)

    @classmethod
    def from_json(cls, value: object, what: str = "candidate") -> Candidate:
        """Raises: MalformedInput."""
        obj = expect_exact(value, what, {"id", "name", "attributes"})
        return cls(
            id=parse_id(obj["id"], f"{what}.id"),
            name=parse_text(obj["name"], f"{what}.name"),
            attributes=MappingProxyType(parse_attributes(obj["attributes"], f"{what}.attributes")),
        )

    def to_json(self) -> dict[str, JsonValue]:
        return {"id": self.id, "name": self.name, "attributes": dict(self.attributes)}


@dataclass(frozen=True, slots=True)
class Nomination:
    """Spec §11.5 ``nomination``: one nomination received by the administrator on a date."""

    contest: str
    nominee: Candidate
    nominated_by: str
    received: date

    @classmethod
    def from_json(cls, value: object) -> Nomination:
        """Raises: MalformedInput."""
        obj = expect_exact(
            value, "nomination payload", {"contest", "nominee", "nominated_by", "received"}
        )
        return cls(
            contest=parse_id(obj["contest"], "nomination contest"),
            nominee=Candidate.from_json(obj["nominee"], "nomination nominee"),
            nominated_by=parse_text(obj["nominated_by"], "nomination nominated_by"),
            received=parse_date(obj["received"], "nomination received"),
        )

    def to_json(self) -> dict[str, JsonValue]:
        return {
            "contest": self.contest,
            "nominee": self.nominee.to_json(),
            "nominated_by": self.nominated_by,
            "received": self.received.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class Exclusion:
    """Spec §11.5 ``exclusion``: remove a nominee from a contest, with a reason."""

    contest: str
    nominee: str
    reason: str

    @classmethod
    def from_json(cls, value: object) -> Exclusion:
        """Raises: MalformedInput."""
        obj = expect_exact(value, "exclusion payload", {"contest", "nominee", "reason"})
        return cls(
            contest=parse_id(obj["contest"], "exclusion contest"),
            nominee=parse_id(obj["nominee"], "exclusion nominee"),
            reason=parse_text(obj["reason"], "exclusion reason"),
        )

    def to_json(self) -> dict[str, JsonValue]:
        return {"contest": self.contest, "nominee": self.nominee, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class CandidateList:
    """Spec §11.5 ``candidate-list``: a contest's candidates in ballot order (option k is
    ``candidates[k]``)."""

    contest: str
    candidates: tuple[Candidate, ...]

    @classmethod
    def from_json(cls, value: object) -> CandidateList:
        """Raises: MalformedInput (no candidate, more than 500, or an id twice)."""
        obj = expect_exact(value, "candidate-list payload", {"contest", "candidates"})
        items = expect_items(
            obj["candidates"], "candidate-list candidates", minimum=1, maximum=MAX_OPTIONS
        )
        candidates = tuple(
            Candidate.from_json(c, f"candidate-list candidates[{i}]") for i, c in enumerate(items)
        )
        ids = [c.id for c in candidates]
        if len(set(ids)) != len(ids):
            raise MalformedInput("candidate-list: a candidate id appears twice")
        return cls(parse_id(obj["contest"], "candidate-list contest"), candidates)

    def to_json(self) -> dict[str, JsonValue]:
        return {"contest": self.contest, "candidates": [c.to_json() for c in self.candidates]}


@dataclass(frozen=True, slots=True)
class Decision:
    """Spec §11.4 ``decision``: an administrative decision with its subject and reason."""

    subject: str
    decision: str
    reason: str

    @classmethod
    def from_json(cls, value: object) -> Decision:
        """Raises: MalformedInput."""
        obj = expect_exact(value, "decision payload", {"subject", "decision", "reason"})
        return cls(
            subject=parse_text(obj["subject"], "decision subject"),
            decision=parse_text(obj["decision"], "decision decision"),
            reason=parse_text(obj["reason"], "decision reason"),
        )

    def to_json(self) -> dict[str, JsonValue]:
        return {"subject": self.subject, "decision": self.decision, "reason": self.reason}


MAX_BOOTH_FILES: Final = 2000
_BOOTH_PATH: Final = re.compile(r"[A-Za-z0-9_@-][A-Za-z0-9_@.-]*(/[A-Za-z0-9_@-][A-Za-z0-9_@.-]*)*")


@dataclass(frozen=True, slots=True)
class BoothFile:
    """Spec §11.14 One file of a booth release: its path in the booth and its SHA-256."""

    path: str
    sha256: bytes

    @classmethod
    def from_json(cls, value: object, what: str) -> BoothFile:
        """Raises: MalformedInput (a path outside §11.14's alphabet, or a bad hash)."""
        obj = expect_exact(value, what, {"path", "sha256"})
        path = obj["path"]
        if not isinstance(path, str) or len(path) > 255 or not _BOOTH_PATH.fullmatch(path):
            raise MalformedInput(f"{what} path: not a booth file path (Spec §11.14)")
        return cls(path, parse_hex(obj["sha256"], 32, f"{what} sha256"))

    def to_json(self) -> dict[str, JsonValue]:
        return {"path": self.path, "sha256": self.sha256.hex()}


@dataclass(frozen=True, slots=True)
class BoothRelease:
    """Spec §11.14 ``booth-release``: the SHA-256 of every file of the web booth, by path."""

    version: str
    files: tuple[BoothFile, ...]

    @classmethod
    def from_json(cls, value: object) -> BoothRelease:
        """Raises: MalformedInput (no file, more than 2,000, paths not strictly increasing, or
        no ``index.html``)."""
        obj = expect_exact(value, "booth-release payload", {"version", "files"})
        items = expect_items(
            obj["files"], "booth-release files", minimum=1, maximum=MAX_BOOTH_FILES
        )
        files = tuple(
            BoothFile.from_json(f, f"booth-release files[{i}]") for i, f in enumerate(items)
        )
        paths = [f.path.encode() for f in files]
        if any(a >= b for a, b in pairwise(paths)):
            raise MalformedInput("booth-release files: paths must be strictly increasing")
        if b"index.html" not in paths:
            raise MalformedInput("booth-release files: no index.html (the entry page)")
        return cls(parse_text(obj["version"], "booth-release version"), files)

    @classmethod
    def of_files(cls, files: Mapping[str, bytes], *, version: str) -> BoothRelease:
        """Spec §11.14 The release of the booth files ``files`` (path -> bytes), checked."""
        listed = [
            {"path": path, "sha256": hashlib.sha256(files[path]).hexdigest()}
            for path in sorted(files, key=str.encode)
        ]
        return cls.from_json({"version": version, "files": listed})

    def hashes(self) -> dict[str, bytes]:
        """Path -> SHA-256."""
        return {f.path: f.sha256 for f in self.files}

    def to_json(self) -> dict[str, JsonValue]:
        return {"version": self.version, "files": [f.to_json() for f in self.files]}
