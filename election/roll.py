"""Spec §11.3 The electoral roll: members and their sections, held privately by the issuer.

The roll is personal data and never goes on the board. ``Roll.read_csv`` reads the membership
office's export (``member_id,name,email,sections``, sections separated by ``;``), checks it
against the definition and reports every problem with its line number. A spreadsheet's export
reads as it looks: a UTF-8 byte-order mark (Excel's "CSV UTF-8") is dropped, CRLF line ends are
fine, and a header that is not the expected one is refused saying exactly what differs.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Final

from crypto import canonical
from crypto.canonical import JsonValue
from crypto.errors import MalformedInput
from crypto.wire import expect_int, expect_list, expect_object, expect_str
from election.definition import BallotStyle, ElectionDefinition

__all__ = [
    "COLUMNS",
    "Member",
    "Roll",
    "RollProblems",
    "duplicate_emails",
    "header_problem",
    "sheet_rows",
]

COLUMNS: Final = ("member_id", "name", "email", "sections")
FORMAT: Final = "verivote-roll"
_EMAIL: Final = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
_MEMBER_ID: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,63}")
MAX_PROBLEMS_SHOWN: Final = 20
PROGRESS_EVERY: Final = 10_000
_SEPARATORS: Final = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}


class RollProblems(MalformedInput):
    """A roll with problems; ``problems`` lists each as ``(line, message)``."""

    def __init__(self, source: str, problems: list[tuple[int, str]]) -> None:
        super().__init__(f"{source}: {len(problems)} problem(s); nothing imported")
        self.problems = problems


@dataclass(frozen=True, slots=True)
class Member:
    """Spec §11.3 One member on the roll: id, name, email and roll sections."""

    id: str
    name: str
    email: str
    sections: tuple[str, ...]

    def to_json(self) -> dict[str, JsonValue]:
        return {
            "id": self.id,
            "name": self.name,
            "email": self.email,
            "sections": list(self.sections),
        }

    @classmethod
    def from_json(cls, value: object) -> Member:
        obj = expect_object(value, "member", required={"id", "name", "email", "sections"})
        return cls(
            expect_str(obj["id"], "member id"),
            expect_str(obj["name"], "member name"),
            expect_str(obj["email"], "member email"),
            tuple(expect_str(s, "section") for s in expect_list(obj["sections"], "sections")),
        )


@dataclass(frozen=True, slots=True)
class Roll:
    """Spec §11.3 The electoral roll of one election."""

    election: str
    members: tuple[Member, ...]

    @classmethod
    def read_csv(
        cls,
        text: str,
        definition: ElectionDefinition,
        *,
        source: str,
        advance: Callable[[int], None] | None = None,
    ) -> Roll:
        """Read ``member_id,name,email,sections`` rows (a header first; a byte-order mark
        before it is dropped); ``advance(n)`` is told of every ``PROGRESS_EVERY`` rows read.

        Raises:
            RollProblems: every problem found, with its line: a header that differs (saying
                how), a duplicate member id, an invalid email, an unknown or repeated section,
                an empty name.
        """
        problems: list[tuple[int, str]] = []
        known = set(definition.sections)
        first_line: dict[str, int] = {}
        members: list[Member] = []
        for count, (line, row) in enumerate(sheet_rows(text, COLUMNS), start=1):
            if advance is not None and count % PROGRESS_EVERY == 0:
                advance(PROGRESS_EVERY)
            if isinstance(row, str):
                if line == 1:
                    raise RollProblems(source, [(1, row)])
                problems.append((line, row))
                continue
            member_id, name, email, sections_text = (cell.strip() for cell in row)
            if not _MEMBER_ID.fullmatch(member_id):
                problems.append((line, f"member id {member_id!r} is not a valid id"))
            elif member_id in first_line:
                problems.append(
                    (
                        line,
                        f"member {member_id} appears twice (first on line {first_line[member_id]})",
                    )
                )
            else:
                first_line[member_id] = line
            if not name:
                problems.append((line, "the name is empty"))
            if not _EMAIL.fullmatch(email) or len(email) > 254:
                problems.append((line, f"{email!r} is not an email address"))
            sections = tuple(s.strip() for s in re.split(r"[;\s]+", sections_text) if s.strip())
            for section in sections:
                if section not in known:
                    problems.append(
                        (
                            line,
                            f"unknown section {section!r} (the definition has "
                            f"{', '.join(definition.sections) or 'none'})",
                        )
                    )
            if len(set(sections)) != len(sections):
                problems.append((line, "a section is listed twice"))
            members.append(Member(member_id, name, email, sections))
        if problems:
            raise RollProblems(source, problems)
        return cls(definition.id, tuple(members))

    def styles(self, definition: ElectionDefinition) -> dict[str, BallotStyle | None]:
        """Spec §11.3 Each member's ballot style (None: no contest, no credential)."""
        return {m.id: definition.style_for(m.sections) for m in self.members}

    def member(self, member_id: str) -> Member:
        """Raises: KeyError for an id not on the roll."""
        for m in self.members:
            if m.id == member_id:
                return m
        raise KeyError(member_id)

    def to_bytes(self) -> bytes:
        return canonical.encode(
            {
                "format": FORMAT,
                "version": 1,
                "election": self.election,
                "members": [m.to_json() for m in self.members],
            }
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> Roll:
        """Raises: MalformedInput (not a stored roll)."""
        obj = expect_object(
            canonical.decode(data, max_bytes=2**30),
            "roll",
            required={"format", "version", "election", "members"},
        )
        if obj["format"] != FORMAT:
            raise MalformedInput("not a verivote roll")
        expect_int(obj["version"], "roll version", minimum=1, maximum=1)
        return cls(
            expect_str(obj["election"], "roll election"),
            tuple(Member.from_json(m) for m in expect_list(obj["members"], "members")),
        )


def sheet_rows(text: str, columns: Sequence[str]) -> Iterator[tuple[int, list[str] | str]]:
    """The rows of a CSV file a person exported from a spreadsheet (the roll, nominations),
    each with its line: its cells, or what is wrong with it (a header that differs from
    ``columns``, saying how, comes first as line 1; a row with another number of cells). A
    byte-order mark before the header (Excel's "CSV UTF-8") is dropped, CRLF line ends are
    fine, and blank rows are skipped."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    wrong = header_problem(next(reader, None), columns)
    if wrong is not None:
        yield 1, wrong
        return
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(columns):
            yield reader.line_num, f"{len(row)} columns, expected {len(columns)}"
        else:
            yield reader.line_num, row


def header_problem(header: Sequence[str] | None, columns: Sequence[str] = COLUMNS) -> str | None:
    """What differs between a CSV file's header row and ``columns`` (by default a roll's,
    ``member_id,name,email,sections``; None: nothing), precisely: the column that differs and
    how, one that is missing or extra, or another separator than the comma. Values are quoted
    with ``repr``, so an invisible character (a no-break space, a stray byte-order mark) shows.
    Every file a person exports from a spreadsheet is checked this way (the roll, nominations)."""
    expected = ",".join(columns)
    if header is None:
        return f"the file is empty: the first line must be the header {expected}"
    cells = [h.strip() for h in header]
    if cells == list(columns):
        return None
    if len(cells) == 1:
        for separator, name in _SEPARATORS.items():
            if separator in cells[0]:
                return (
                    f"the header {cells[0]!r} is separated by {name}, not commas: export the "
                    f"file as CSV with commas (the header must be {expected})"
                )
    differences = []
    for i, (want, got) in enumerate(zip(columns, cells, strict=False), start=1):
        if got == want:
            continue
        how = ""
        if got.casefold() == want:
            how = " (letter case differs)"
        elif re.sub(r"[\s-]+", "_", got.casefold()) == want:
            how = " (write _ between the words)"
        differences.append(f"column {i} is {got!r}, expected {want!r}{how}")
    if len(cells) < len(columns):
        missing = ", ".join(columns[len(cells) :])
        differences.append(f"{len(cells)} columns: {missing} missing")
    if len(cells) > len(columns):
        extra = ", ".join(repr(c) for c in cells[len(columns) :])
        differences.append(f"{len(cells)} columns: {extra} extra")
    return f"the header must be {expected}: {'; '.join(differences)}"


def duplicate_emails(members: Iterable[Member]) -> dict[str, list[str]]:
    """Emails shared by several members (allowed: households share addresses)."""
    seen: dict[str, list[str]] = {}
    for m in members:
        seen.setdefault(m.email.casefold(), []).append(m.id)
    return {e: ids for e, ids in seen.items() if len(ids) > 1}
