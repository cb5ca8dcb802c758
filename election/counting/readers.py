"""Spec §12.1.2-§12.1.4 Strict readers for ballot files (BLT, CSV) and candidate attributes,
and the BLT writer (``format_blt``) that ``verivote papers`` uses.

Readers take the file's bytes and return values; they never open files themselves. Every
error names the line: ``"line 7: candidate 13 outside 1..12"``.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from crypto.errors import MalformedInput
from election.counting.profile import Profile, preference_list_from_ranks

__all__ = ["BallotFile", "format_blt", "read_attributes", "read_ballot_csv", "read_blt"]

MAX_FILE_BYTES: Final = 1 << 30
_INT = re.compile(r"0|[1-9][0-9]*")
_QUOTED = re.compile(r'"([^"]*)"')


@dataclass(frozen=True, slots=True)
class BallotFile:
    """Spec §12.1 A parsed ballot file: its profile and, for BLT, the number of seats."""

    profile: Profile
    seats: int | None
    format: str


def _text(data: bytes, what: str, *, spreadsheet: bool = False) -> list[str]:
    """The lines of a UTF-8 file (LF or CRLF). A byte-order mark first is refused in a BLT file
    (§12.1.2) and dropped from a CSV file (``spreadsheet``, §12.1.3 and §12.1.4: Excel's "CSV
    UTF-8" writes one)."""
    if len(data) > MAX_FILE_BYTES:
        raise MalformedInput(f"{what}: larger than {MAX_FILE_BYTES} bytes")
    if data.startswith(b"\xef\xbb\xbf"):
        if not spreadsheet:
            raise MalformedInput(f"{what}: starts with a byte-order mark; save it as plain UTF-8")
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise MalformedInput(f"{what}: line {line}: not valid UTF-8") from None
    lines = text.split("\n")
    return [line.removesuffix("\r") for line in lines]


def _int(token: str, *, line: int, what: str) -> int:
    if not _INT.fullmatch(token):
        raise MalformedInput(f"line {line}: {what} {token!r} is not a non-negative integer")
    return int(token)


def _quoted(line_text: str, *, line: int, what: str) -> str:
    m = _QUOTED.fullmatch(line_text.strip())
    if not m:
        raise MalformedInput(f"line {line}: expected {what} in double quotes, got {line_text!r}")
    return m.group(1)


def read_blt(data: bytes) -> BallotFile:
    """Spec §12.1.2 Read a BLT file strictly.

    Layout: ``candidates seats``; ballot lines ``weight c1 c2 ... 0`` (1-based candidate
    numbers, most preferred first); a line ``0``; one double-quoted name per candidate; a
    double-quoted title; nothing after but empty lines. Not supported (refused): withdrawn
    candidates (negative numbers), equal rankings (``=``), skipped ranks (``-``), ballot ids.

    Raises:
        MalformedInput: any departure from the layout, with its line number.
    """
    lines = _text(data, "BLT file")
    if not lines or not lines[0].strip():
        raise MalformedInput("line 1: expected 'candidates seats'")
    head = lines[0].split()
    if len(head) != 2:
        raise MalformedInput(f"line 1: expected 'candidates seats', got {lines[0]!r}")
    n = _int(head[0], line=1, what="number of candidates")
    seats = _int(head[1], line=1, what="number of seats")
    if n < 1 or seats < 1:
        raise MalformedInput("line 1: at least one candidate and one seat are needed")
    orders: Counter[tuple[int, ...]] = Counter()
    number = 1
    while True:
        number += 1
        if number > len(lines):
            raise MalformedInput(f"line {number}: file ends before the ballots' closing '0'")
        tokens = lines[number - 1].split()
        if not tokens:
            raise MalformedInput(f"line {number}: empty line among the ballots")
        if tokens == ["0"]:
            break
        if tokens[0].startswith("-"):
            raise MalformedInput(f"line {number}: withdrawn candidates are not supported")
        weight = _int(tokens[0], line=number, what="ballot weight")
        if weight == 0:
            raise MalformedInput(f"line {number}: ballot weight 0")
        if tokens[-1] != "0":
            raise MalformedInput(f"line {number}: a ballot line must end with 0")
        order: list[int] = []
        for token in tokens[1:-1]:
            if "=" in token or token.startswith(("-", "(")):
                raise MalformedInput(
                    f"line {number}: {token!r}: equal rankings, skipped ranks and ballot ids "
                    "are not supported"
                )
            c = _int(token, line=number, what="candidate number")
            if not 1 <= c <= n:
                raise MalformedInput(f"line {number}: candidate {c} outside 1..{n}")
            order.append(c - 1)
        orders[tuple(order)] += weight
    names: list[str] = []
    for _ in range(n):
        number += 1
        if number > len(lines):
            raise MalformedInput(f"line {number}: file ends before {n} candidate names")
        names.append(_quoted(lines[number - 1], line=number, what="a candidate name"))
    number += 1
    if number > len(lines):
        raise MalformedInput(f"line {number}: file ends before the title")
    title = _quoted(lines[number - 1], line=number, what="the title")
    for extra in range(number, len(lines)):
        if lines[extra].strip():
            raise MalformedInput(f"line {extra + 1}: unexpected text after the title")
    try:
        profile = Profile.from_orders(
            candidates=names, orders=((o, w) for o, w in orders.items()), title=title
        )
    except MalformedInput as exc:
        raise MalformedInput(f"BLT candidate names: {exc}") from None
    return BallotFile(profile=profile, seats=seats, format="blt")


def format_blt(profile: Profile, *, seats: int) -> bytes:
    """Spec §12.1.2 A BLT file of ``profile`` that ``read_blt`` reads back to the same profile:
    one line per preference list (sorted) with its weight, the invalid ballots as one ``w 0``
    line, the candidates' names and the title in double quotes; LF line ends.

    Raises:
        MalformedInput: a name or the title holds a double quote or a line break (BLT cannot
            quote it), or ``seats`` is below 1.
    """
    if seats < 1:
        raise MalformedInput(f"a BLT file has at least one seat, got {seats}")
    for text in (*profile.candidates, profile.title):
        if '"' in text or "\n" in text or "\r" in text:
            raise MalformedInput(f"{text!r}: BLT cannot hold a double quote or a line break")
    lines = [f"{len(profile.candidates)} {seats}"]
    for sequence, weight in zip(profile.sequences, profile.weights, strict=True):
        lines.append(" ".join([str(weight), *(str(c + 1) for c in sequence), "0"]))
    if profile.invalid:
        lines.append(f"{profile.invalid} 0")
    lines.append("0")
    lines += [f'"{name}"' for name in profile.candidates]
    lines.append(f'"{profile.title}"')
    return ("\n".join(lines) + "\n").encode("utf-8")


def _csv_rows(data: bytes, what: str) -> list[tuple[int, list[str]]]:
    lines = _text(data, what, spreadsheet=True)
    reader = csv.reader(io.StringIO("\n".join(lines)), strict=True)
    rows: list[tuple[int, list[str]]] = []
    try:
        for row in reader:
            rows.append((reader.line_num, row))
    except csv.Error as exc:
        raise MalformedInput(f"{what}: line {reader.line_num}: {exc}") from None
    while rows and not rows[-1][1]:
        rows.pop()
    for number, row in rows:
        if not row:
            raise MalformedInput(f"{what}: line {number}: empty line")
    return rows


def read_ballot_csv(data: bytes, *, title: str = "") -> BallotFile:
    """Spec §12.1.3 Read a CSV ballot file strictly.

    The header is ``weight`` followed by the candidates' names. Each row is one ballot, or
    ``weight`` identical ballots: a positive integer, then for each candidate the rank the
    voter wrote (1 = first choice) or nothing. The preference list follows §12.1.1: it stops
    at the first skipped or shared rank; an empty list makes the ballot(s) invalid.

    Raises:
        MalformedInput: a bad header, a row of the wrong length, a weight or rank that is not
            a positive integer, with its line number.
    """
    rows = _csv_rows(data, "CSV ballots")
    if not rows:
        raise MalformedInput("CSV ballots: line 1: missing header 'weight,<candidates>'")
    number, header = rows[0]
    if header[0] != "weight" or len(header) < 2:
        raise MalformedInput(f"CSV ballots: line {number}: header must be 'weight,<candidates>'")
    names = header[1:]
    n = len(names)
    orders: Counter[tuple[int, ...]] = Counter()
    for number, row in rows[1:]:
        if len(row) != n + 1:
            raise MalformedInput(f"CSV ballots: line {number}: {len(row)} fields, expected {n + 1}")
        weight = _int(row[0].strip(), line=number, what="weight")
        if weight == 0:
            raise MalformedInput(f"CSV ballots: line {number}: weight 0")
        ranks: list[int | None] = []
        for cell in row[1:]:
            cell = cell.strip()
            if not cell:
                ranks.append(None)
                continue
            rank = _int(cell, line=number, what="rank")
            if rank == 0:
                raise MalformedInput(f"CSV ballots: line {number}: rank 0 (ranks start at 1)")
            ranks.append(rank)
        orders[preference_list_from_ranks(ranks)] += weight
    profile = Profile.from_orders(
        candidates=names, orders=((o, w) for o, w in orders.items()), title=title
    )
    return BallotFile(profile=profile, seats=None, format="csv")


def read_attributes(data: bytes, *, candidates: tuple[str, ...]) -> Mapping[str, frozenset[str]]:
    """Spec §12.1.4 Read a candidate attributes file: the members of each group.

    The header is ``candidate,group``; each row names a candidate (exactly as in the ballot
    file) and one group they belong to. A candidate may be in several groups, one row each.

    Raises:
        MalformedInput: a bad header, a row of the wrong length, an unknown candidate, an
            empty group name, a repeated row, with its line number.
    """
    rows = _csv_rows(data, "attributes")
    if not rows or rows[0][1] != ["candidate", "group"]:
        raise MalformedInput("attributes: line 1: header must be 'candidate,group'")
    known = set(candidates)
    groups: dict[str, set[str]] = {}
    for number, row in rows[1:]:
        if len(row) != 2:
            raise MalformedInput(f"attributes: line {number}: {len(row)} fields, expected 2")
        name, group = row[0], row[1].strip()
        if name not in known:
            raise MalformedInput(f"attributes: line {number}: {name!r} is not a candidate")
        if not group:
            raise MalformedInput(f"attributes: line {number}: empty group name")
        if name in groups.setdefault(group, set()):
            raise MalformedInput(f"attributes: line {number}: {name!r} repeated in {group!r}")
        groups[group].add(name)
    return {g: frozenset(members) for g, members in sorted(groups.items())}
