"""Spec §11.7 and §8.3 The ballot issuer: one credential per eligible member, the public
credentials in sorted parts per style, the letters that carry the private codes, and reissues.

Producer code. The private codes live only in ``Letter`` values, in memory, until delivered
(a mail-merge file or email); the issuer keeps the member → public credential map (``Issued``),
which lets it revoke a credential on reissue and also lets it learn WHO voted (ballots are
signed by public credentials) but never HOW (ballots are encrypted).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

from crypto import canonical
from crypto.credentials import CredentialCode, derive_credential_key
from crypto.errors import MalformedInput
from crypto.group import Point
from crypto.wire import expect_int, expect_list, expect_object, expect_str
from election.definition import ElectionDefinition, Timetable
from election.roll import Member, Roll
from election.wire import (
    MAX_CREDENTIALS_PER_PART,
    CredentialReissue,
    CredentialsComplete,
    CredentialsPart,
    parse_credential,
)

__all__ = [
    "Issue",
    "Issued",
    "Letter",
    "Where",
    "issue_credentials",
    "letter_text",
    "reissue_credential",
]

FORMAT: Final = "verivote-issued-credentials"


@dataclass(frozen=True, slots=True, eq=False)
class Letter:
    """A member's private credential code, to deliver and then forget. Never in repr."""

    member: Member
    style: str
    code: CredentialCode = field(repr=False)


@dataclass(frozen=True, slots=True)
class Issued:
    """The issuer's private record: member id → (style, public credential), and the
    credentials revoked by reissues. Stored by the issuer only (it holds no secret)."""

    election: str
    fingerprint: bytes
    credentials: Mapping[str, tuple[str, Point]]
    revoked: tuple[tuple[str, Point], ...] = ()

    def parts(self) -> list[CredentialsPart]:
        """Spec §11.7 The ``credentials`` payloads of the initial issue: per style (in sorted
        order), the public credentials sorted by encoding, in parts of at most 10,000.

        Raises:
            MalformedInput: after a reissue (the parts are those of the initial issue).
        """
        by_style: dict[str, list[bytes]] = {}
        for style, credential in self._initial():
            by_style.setdefault(style, []).append(credential.to_bytes())
        parts = []
        for style in sorted(by_style):
            ordered = sorted(by_style[style])
            for p, start in enumerate(range(0, len(ordered), MAX_CREDENTIALS_PER_PART)):
                chunk = ordered[start : start + MAX_CREDENTIALS_PER_PART]
                parts.append(CredentialsPart(style, p, tuple(Point.from_bytes(c) for c in chunk)))
        return parts

    def complete(self) -> CredentialsComplete:
        """Spec §11.7 The ``credentials-complete`` payload of the initial issue."""
        counts: dict[str, int] = {}
        for style, _ in self._initial():
            counts[style] = counts.get(style, 0) + 1
        return CredentialsComplete(counts)

    def _initial(self) -> Iterable[tuple[str, Point]]:
        if self.revoked:
            raise MalformedInput("the initial issue's parts are gone after a reissue")
        return self.credentials.values()

    def to_bytes(self) -> bytes:
        return canonical.encode(
            {
                "format": FORMAT,
                "version": 1,
                "election": self.election,
                "fingerprint": self.fingerprint.hex(),
                "credentials": {
                    m: {"style": s, "credential": c.to_hex()}
                    for m, (s, c) in sorted(self.credentials.items())
                },
                "revoked": [{"member": m, "credential": c.to_hex()} for m, c in self.revoked],
            }
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> Issued:
        """Raises: MalformedInput (not an issuer record)."""
        obj = expect_object(
            canonical.decode(data, max_bytes=2**30),
            "issued credentials",
            required={"format", "version", "election", "fingerprint", "credentials", "revoked"},
        )
        if obj["format"] != FORMAT:
            raise MalformedInput("not a verivote issuer record")
        expect_int(obj["version"], "version", minimum=1, maximum=1)
        table = obj["credentials"]
        if not isinstance(table, dict):
            raise MalformedInput("issued credentials: credentials must be an object")
        credentials = {}
        for member, value in table.items():
            item = expect_object(value, "issued credential", required={"style", "credential"})
            credentials[member] = (
                expect_str(item["style"], "style"),
                parse_credential(item["credential"], "credential"),
            )
        revoked = tuple(
            (
                expect_str(
                    expect_object(r, "revoked", required={"member", "credential"})["member"],
                    "member",
                ),
                parse_credential(r["credential"], "revoked credential"),
            )
            for r in expect_list(obj["revoked"], "revoked")
        )
        return cls(
            expect_str(obj["election"], "election"),
            bytes.fromhex(expect_str(obj["fingerprint"], "fingerprint")),
            credentials,
            tuple(revoked),
        )


@dataclass(frozen=True, slots=True, eq=False)
class Issue:
    """The outcome of an issue: the letters to deliver and the public record to keep."""

    letters: tuple[Letter, ...] = field(repr=False)
    issued: Issued


def _fresh(fingerprint: bytes, taken: set[bytes]) -> tuple[CredentialCode, Point]:
    while True:
        code = CredentialCode.generate()
        try:
            public = derive_credential_key(code, fingerprint=fingerprint).public
        except MalformedInput:  # x = 0, probability 2^-256: draw again (Spec §8.3)
            continue
        if public.to_bytes() not in taken:
            taken.add(public.to_bytes())
            return code, public


def issue_credentials(
    roll: Roll,
    definition: ElectionDefinition,
    *,
    advance: Callable[[int], None] | None = None,
) -> Issue:
    """Spec §11.7 and §8.3 One fresh credential per member with a ballot style: a code from
    ``secrets``, its public credential X = g^x in this election. Members without a contest get
    none.

    Raises:
        MalformedInput: the roll is for another election, or names an unknown section.
    """
    if roll.election != definition.id:
        raise MalformedInput(f"the roll is for {roll.election!r}, not {definition.id!r}")
    known = set(definition.sections)
    letters: list[Letter] = []
    credentials: dict[str, tuple[str, Point]] = {}
    taken: set[bytes] = set()
    fingerprint = definition.fingerprint
    styles: dict[frozenset[str], str | None] = {}
    for member in roll.members:
        if not set(member.sections) <= known:
            raise MalformedInput(f"member {member.id}: a section the definition does not have")
        sections = frozenset(member.sections)
        if sections not in styles:
            style = definition.style_for(member.sections)
            styles[sections] = None if style is None else style.id
        style_id = styles[sections]
        if style_id is not None:
            code, public = _fresh(fingerprint, taken)
            letters.append(Letter(member, style_id, code))
            credentials[member.id] = (style_id, public)
        if advance is not None:
            advance(1)
    issued = Issued(definition.id, fingerprint, credentials)
    return Issue(tuple(letters), issued)


def reissue_credential(
    issued: Issued, member: Member, definition: ElectionDefinition, *, reason: str
) -> tuple[Letter, CredentialReissue, Issued]:
    """Spec §11.7 A new credential for ``member``: the letter, the ``credential-reissue``
    payload revoking the old one, and the updated record.

    Raises:
        MalformedInput: the member has no credential.
    """
    current = issued.credentials.get(member.id)
    if current is None:
        raise MalformedInput(f"member {member.id} has no credential to reissue")
    style, old = current
    taken = {c.to_bytes() for _, c in issued.credentials.values()}
    taken |= {c.to_bytes() for _, c in issued.revoked}
    code, public = _fresh(definition.fingerprint, taken)
    payload = CredentialReissue(style, old, public, reason)
    updated = Issued(
        issued.election,
        issued.fingerprint,
        {**issued.credentials, member.id: (style, public)},
        (*issued.revoked, (member.id, old)),
    )
    return Letter(member, style, code), payload, updated


@dataclass(frozen=True, slots=True)
class Where:
    """Where a member goes: the board (for ``verivote cast``), the election's public page
    (which always shows the timetable in force, §11.5) and the web booth to vote in."""

    board: str
    page: str
    booth: str


def letter_text(
    letter: Letter, definition: ElectionDefinition, *, where: Where, timetable: Timetable
) -> str:
    """The plain-text letter that carries a member's credential code. The voting window is the
    one in force at issue (``timetable``), stated as current, and the letter points to the
    election's page for the timetable in force later: a deadline may still be extended."""
    zone = ZoneInfo(definition.time_zone)

    def local(moment: datetime) -> str:
        return f"{moment.astimezone(zone):%A %d %B %Y at %H:%M %Z}"

    contests = [definition.contest(c) for c in letter.style.split("+")]
    return (
        f"Dear {letter.member.name},\n\n"
        f"This is your personal voting credential for\n"
        f"{definition.title} ({definition.organisation}).\n\n"
        f"    {letter.code.formatted()}\n\n"
        f"You vote in: {'; '.join(c.title for c in contests)}.\n\n"
        f"Vote in your web browser at\n"
        f"    {where.booth}\n"
        f"and type the code above when asked. You may vote again before the close: only your\n"
        f"last vote counts. You can also vote with the verivote program:\n"
        f"    verivote cast --board {where.board} --election {definition.id}\n\n"
        f"Voting is currently set to open on {local(timetable.voting_open)}\n"
        f"and to close on {local(timetable.voting_close)}. These times can change (a deadline\n"
        f"may be extended): the election's page always shows the timetable in force:\n"
        f"    {where.page}\n\n"
        f"Keep this code secret: anyone who has it can vote in your place. Nobody from\n"
        f"{definition.organisation} will ever ask you for it. If you lose it, ask for a new one:\n"
        f"the old one will stop working.\n\n"
        f"To check that your credential is on the published list (the code never leaves your\n"
        f"computer):\n"
        f"    verivote credentials check --board {where.board} --election {definition.id}\n"
    )
