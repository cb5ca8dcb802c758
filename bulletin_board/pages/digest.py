"""Spec §10-§11 What the public pages show of one election's log, folded leaf by leaf.

``ElectionDigest.add(leaf bytes)`` folds one leaf, in log order; the pages (and the
scrutineer's report) read the digest, never the log. A board keeps one digest per election and
folds only the leaves appended since it last looked (bulletin_board/pages/source.py), so a page
costs the same at 10 ballots as at 120,000.

Every fact keeps the index of the leaf that states it, so that a page links each fact to the
leaf and its inclusion proof. Entries of the administrator, the issuer, the trustees and the
board are parsed in full and their Ed25519 signatures verified here, once (``Posted.verified``:
the signature verifies AND the key is the one the definition names for that role). Voter
entries (ballots and audits, nearly the whole log) are only counted: their type, credential and
style are located in the canonical bytes (``bulletin_board.wire.split_leaf``,
``crypto.envelope.peek_entry``) without decoding their payload; the leaf page verifies one on
request. The digest trusts the log it is given for order and for the rules (the board checked
them; the verifier re-checks them): it summarises, it does not judge.

Pure: no I/O. Memory: O(non-voter entries) plus one 33-byte key per credential that voted.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any, Final, Generic, TypeVar
from zoneinfo import ZoneInfo

from bulletin_board.export import EXPORT_FORMAT
from bulletin_board.pages.summary import SUMMARISED_TYPES, Summary, summarise
from bulletin_board.wire import SignedTreeHead, split_leaf
from crypto.envelope import (
    ED25519_SCHEMES,
    MAX_ENTRY_BYTES,
    Entry,
    entry_hash,
    parse_entry,
    peek_entry,
)
from crypto.errors import MalformedInput, VerivoteError
from crypto.merkle import leaf_hash
from election.definition import ContestKind, ElectionDefinition, Timetable
from election.wire import (
    AUDIT,
    BALLOT,
    BOOTH_RELEASE,
    CANDIDATE_LIST,
    CREDENTIAL_REISSUE,
    CREDENTIALS,
    CREDENTIALS_COMPLETE,
    DECISION,
    DECRYPTION,
    ELECTION_DEFINITION,
    ELECTION_KEY,
    EXCLUSION,
    NOMINATION,
    RESULT,
    TALLY,
    TIMETABLE_CHANGE,
    BallotLayout,
    BoothRelease,
    CandidateList,
    CredentialReissue,
    CredentialsComplete,
    Decision,
    DefinitionPayload,
    Exclusion,
    Nomination,
    Result,
    TimetableChange,
)

__all__ = [
    "LARGE_ENTRY",
    "ElectionDigest",
    "Fact",
    "Posted",
    "ResultRecord",
    "TrusteeRecord",
    "digest_export",
]

T = TypeVar("T")
#: The largest entry the pages read: the board's limit (a mix of some 500,000 ballots).
_MAX_ENTRY: Final = MAX_ENTRY_BYTES
#: Entries at least this long keep their leaf hash and size, and their leaf page shows their
#: summary and a download link instead of the entry (a credentials part of 10,000 is ~700 KB).
LARGE_ENTRY: Final = 256 << 10
#: Whose payload the pages read (the types ``_signed`` draws facts from): an entry of another
#: type this long is folded from its summary (``bulletin_board.pages.summary``) instead.
_SUMMARY_BYTES: Final = 1 << 20
_READ_TYPES: Final = frozenset({
    ELECTION_DEFINITION, TIMETABLE_CHANGE, NOMINATION, EXCLUSION, CANDIDATE_LIST, DECISION,
    BOOTH_RELEASE, ELECTION_KEY, CREDENTIALS, CREDENTIALS_COMPLETE, CREDENTIAL_REISSUE, TALLY,
    RESULT, "complaint",
})  # fmt: skip
_LEAF_LINE: Final = b'{"leaf":'
_STH_LINE: Final = b'{"sth":'
_STYLE_KEY: Final = b'"style":"'
_PAYLOAD_END: Final = b'},"signature":"'


@dataclass(frozen=True, slots=True)
class Posted:
    """One entry of the administrator, issuer, a trustee or the board, as the pages show it:
    where it is (leaf ``index``, ``received`` ms), who signed it (``signer``: ``administrator``,
    ``issuer``, ``trustee N`` or ``board``; ``verified``: the signature verifies under the key
    the definition names for that role, checked once when the digest folded the entry), and
    ``facts`` for its one-line description. A large entry (``size`` >= ``LARGE_ENTRY``) keeps
    its ``leaf_hash``; ``summary``: folded from its summary, its payload never decoded."""

    index: int
    received: int
    type: str
    role: str
    key: bytes
    hash: bytes
    signer: str
    verified: bool
    facts: Mapping[str, Any] = field(default_factory=dict)
    size: int = 0
    leaf_hash: bytes = b""
    summary: bool = False


@dataclass(frozen=True, slots=True)
class Fact(Generic[T]):
    """A value stated by leaf ``index`` (received at ``received`` ms)."""

    index: int
    received: int
    value: T


@dataclass(slots=True)
class TrusteeRecord:
    """Trustee ``j``'s steps: the leaf of each (None: not yet)."""

    key: int | None = None
    dealing: int | None = None
    shares_accepted: int | None = None
    confirmation: int | None = None
    decryption: int | None = None
    complaints: list[int] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ResultRecord:
    """The ``result`` entry: its payload as published, and parsed where the layout allows."""

    index: int
    received: int
    payload: Mapping[str, Any]
    parsed: Result | None


@dataclass(slots=True)
class ElectionDigest:
    """Spec §11.4 One election's log as the pages read it (see the module docstring)."""

    election: str
    size: int = 0
    board_key: bytes = b""
    rehearsal: bool = False
    definition: Fact[ElectionDefinition] | None = None
    timetable: Timetable | None = None
    timetable_changes: list[Fact[TimetableChange]] = field(default_factory=list)
    nominations: dict[str, list[Fact[Nomination]]] = field(default_factory=dict)
    exclusions: dict[str, list[Fact[Exclusion]]] = field(default_factory=dict)
    candidate_lists: dict[str, list[Fact[CandidateList]]] = field(default_factory=dict)
    list_hashes: dict[str, bytes] = field(default_factory=dict)
    decisions: list[Fact[Decision]] = field(default_factory=list)
    booth_release: Fact[BoothRelease] | None = None  # Spec §11.14: the last one is in force
    entries: list[Posted] = field(default_factory=list)
    trustees: dict[int, TrusteeRecord] = field(default_factory=dict)
    election_key: Fact[tuple[tuple[int, str], ...]] | None = None
    issued: dict[str, int] = field(default_factory=dict)
    credentials_complete: Fact[Mapping[str, int]] | None = None
    reissues: list[Fact[CredentialReissue]] = field(default_factory=list)
    ballots: int = 0
    audits: list[Fact[None]] = field(default_factory=list)
    voted: set[bytes] = field(default_factory=set)
    voters_by_style: dict[str, int] = field(default_factory=dict)
    ballots_by_day: dict[date, int] = field(default_factory=dict)
    first_ballot: int | None = None
    last_ballot: int | None = None
    tally: Fact[Mapping[str, int]] | None = None
    result: ResultRecord | None = None
    last_received: int = 0
    unreadable: list[int] = field(default_factory=list)

    # --- folding -----------------------------------------------------------------------------

    def add(self, leaf: bytes) -> None:
        """Fold the next leaf (its canonical bytes, §10.1). A leaf that does not parse is
        recorded in ``unreadable`` (a board never serves one; an export might hold one)."""
        index = self.size
        self.size += 1
        split = split_leaf(leaf)
        if split is None:
            self.unreadable.append(index)
            return
        raw, _, received = split
        self.last_received = max(self.last_received, received)
        header = peek_entry(raw)
        if header is not None and header.role == "voter":
            self._voter(header.type, header.key, raw, index, received)
            return
        large = len(raw) >= LARGE_ENTRY
        if header is not None and index > 0 and _summarised(header.type, len(raw)):
            summary = summarise(raw)
            if summary is not None:
                self._summary(summary, raw, leaf_hash(leaf), index, received)
                return
        try:
            entry = parse_entry(raw, ED25519_SCHEMES, verify=False, max_bytes=_MAX_ENTRY)
        except VerivoteError:
            self.unreadable.append(index)
            return
        try:
            self._signed(entry, index, received, leaf_hash(leaf) if large else b"")
        except (VerivoteError, KeyError, TypeError, ValueError):
            self.unreadable.append(index)

    def _summary(
        self, summary: Summary, raw: bytes, hashed: bytes, index: int, received: int
    ) -> None:
        """Fold an entry from its summary (bulletin_board/pages/summary.py): its signature
        verified over its bytes, its payload never decoded."""
        signer, verified = self._signer(
            summary.role, summary.key, lambda: summary.signature_verifies
        )
        facts: dict[str, Any] = dict(summary.facts)
        mixed = facts.get("mix")
        if isinstance(mixed, bytes):  # a ranked decryption: the leaf of the mix it decrypts
            facts["mix_index"] = next((p.index for p in self.entries if p.hash == mixed), None)
        if summary.role == "trustee" and signer.startswith("trustee "):
            facts.update(self._trustee_step(summary.type, int(signer[8:]), index, {}))
        self.entries.append(
            Posted(
                index, received, summary.type, summary.role, summary.key, entry_hash(raw),
                signer, verified, facts, len(raw), hashed, summary=True,
            )
        )  # fmt: skip

    def _voter(self, kind: str, key: bytes, raw: bytes, index: int, received: int) -> None:
        if kind == AUDIT:
            self.audits.append(Fact(index, received, None))
            return
        if kind != BALLOT:
            return
        self.ballots += 1
        self.first_ballot = received if self.first_ballot is None else self.first_ballot
        self.last_ballot = received
        day = self.local_date(received)
        self.ballots_by_day[day] = self.ballots_by_day.get(day, 0) + 1
        if key not in self.voted:
            self.voted.add(key)
            style = _ballot_style(raw)
            self.voters_by_style[style] = self.voters_by_style.get(style, 0) + 1

    def _signed(self, entry: Entry, index: int, received: int, hashed: bytes) -> None:
        """Fold an entry parsed in full (``hashed``: its leaf hash when it is large)."""
        payload: Mapping[str, Any] = entry.payload
        facts: dict[str, Any] = {}
        kind = entry.type
        if index == 0:
            self.board_key = entry.key
            self.rehearsal = payload.get("rehearsal") is True
        elif kind == ELECTION_DEFINITION and self.definition is None:
            definition = DefinitionPayload.from_json(payload).definition
            self.definition = Fact(index, received, definition)
            self.timetable = definition.timetable
            facts = {"title": definition.title}
        elif kind == TIMETABLE_CHANGE:
            change = TimetableChange.from_json(payload)
            assert self.timetable is not None
            facts = {"change": change, "before": getattr(self.timetable, change.field)}
            self.timetable = _moved(self.timetable, change)
            self.timetable_changes.append(Fact(index, received, change))
        elif kind == NOMINATION:
            nomination = Nomination.from_json(payload)
            self.nominations.setdefault(nomination.contest, []).append(
                Fact(index, received, nomination)
            )
            facts = {"nomination": nomination}
        elif kind == EXCLUSION:
            exclusion = Exclusion.from_json(payload)
            self.exclusions.setdefault(exclusion.contest, []).append(
                Fact(index, received, exclusion)
            )
            facts = {"exclusion": exclusion}
        elif kind == CANDIDATE_LIST:
            listed = CandidateList.from_json(payload)
            self.candidate_lists.setdefault(listed.contest, []).append(
                Fact(index, received, listed)
            )
            self.list_hashes[listed.contest] = entry.hash
            facts = {"contest": listed.contest, "candidates": len(listed.candidates)}
        elif kind == DECISION:
            decision = Decision.from_json(payload)
            self.decisions.append(Fact(index, received, decision))
            facts = {"decision": decision}
        elif kind == BOOTH_RELEASE:
            release = BoothRelease.from_json(payload)
            self.booth_release = Fact(index, received, release)
            facts = {"version": release.version, "count": len(release.files)}
        elif kind == ELECTION_KEY:
            absent = tuple((int(a["trustee"]), str(a["reason"])) for a in payload["absent"])
            self.election_key = Fact(index, received, absent)
            facts = {"absent": absent}
        elif kind == CREDENTIALS:
            style, count = str(payload["style"]), len(payload["credentials"])
            self.issued[style] = self.issued.get(style, 0) + count
            facts = {"style": style, "part": int(payload["part"]), "count": count}
        elif kind == CREDENTIALS_COMPLETE:
            counts = CredentialsComplete.from_json(payload).counts
            self.credentials_complete = Fact(index, received, counts)
            facts = {"total": sum(counts.values()), "styles": len(counts)}
        elif kind == CREDENTIAL_REISSUE:
            reissue = CredentialReissue.from_json(payload)
            self.reissues.append(Fact(index, received, reissue))
            facts = {"style": reissue.style, "reason": reissue.reason}
        elif kind == TALLY:
            ballots = {str(c["contest"]): int(c["ballots"]) for c in payload["contests"]}
            self.tally = Fact(index, received, ballots)
            facts = {"ballots": ballots}
        elif kind == RESULT:
            self.result = ResultRecord(index, received, payload, self._parse_result(payload))
        signer, verified = self._signer(entry.role, entry.key, lambda: _verifies(entry))
        if entry.role == "trustee" and signer.startswith("trustee "):
            facts = {**facts, **self._trustee_step(kind, int(signer[8:]), index, payload)}
        size = len(entry.raw) if hashed else 0
        self.entries.append(
            Posted(
                index, received, kind, entry.role, entry.key, entry.hash, signer, verified, facts,
                size, hashed,
            )
        )  # fmt: skip

    def _trustee_step(
        self, kind: str, j: int, index: int, payload: Mapping[str, Any]
    ) -> dict[str, Any]:
        record = self.trustees.setdefault(j, TrusteeRecord())
        if kind == "complaint":
            record.complaints.append(index)
            return {"dealer": payload.get("complaint", {}).get("dealer")}
        step = {
            "trustee-key": "key",
            "dealing": "dealing",
            "shares-accepted": "shares_accepted",
            "key-confirmation": "confirmation",
            DECRYPTION: "decryption",
        }.get(kind)
        if step is not None and getattr(record, step) is None:
            setattr(record, step, index)
        return {"trustee": j}

    def _signer(self, role: str, key: bytes, verifies: Callable[[], bool]) -> tuple[str, bool]:
        """Who signed an entry by the definition's keys, and whether the signature verifies
        under that key (Spec §11.4: the author key must be the one the definition names)."""
        definition = self.definition.value if self.definition is not None else None
        named = False
        signer = role
        if role == "board":
            named = key == self.board_key
        elif definition is not None and role == "administrator":
            named = key == definition.administrator.key.raw
        elif definition is not None and role == "issuer":
            named = key == definition.issuer.key.raw
        elif definition is not None and role == "trustee":
            keys = [t.key.raw for t in definition.trustees]
            if key in keys:
                named, signer = True, f"trustee {keys.index(key) + 1}"
        return signer, named and verifies()

    def _parse_result(self, payload: Mapping[str, Any]) -> Result | None:
        definition = self.definition.value if self.definition is not None else None
        if definition is None:
            return None
        lists = {c: facts[-1].value for c, facts in self.candidate_lists.items()}
        ballots = self.tally.value if self.tally is not None else {}
        ranked = {
            c.id: ballots.get(c.id, 0) for c in definition.contests if c.kind is ContestKind.RANKED
        }
        try:
            layout = BallotLayout.build(definition, lists, list_hashes=self.list_hashes)
            return Result.from_json(payload, layout, ranked=ranked)
        except (VerivoteError, KeyError, TypeError, ValueError):
            return None

    # --- reading -----------------------------------------------------------------------------

    @property
    def zone(self) -> ZoneInfo:
        """The election's time zone (UTC before the definition)."""
        if self.definition is None:
            return ZoneInfo("UTC")
        return ZoneInfo(self.definition.value.time_zone)

    def local_date(self, ms: int) -> date:
        """The calendar date of instant ``ms`` in the election's time zone."""
        return datetime.fromtimestamp(ms / 1000, UTC).astimezone(self.zone).date()

    def candidate_list(self, contest: str) -> Fact[CandidateList] | None:
        """The candidate list in force for ``contest`` (the last published), if any."""
        lists = self.candidate_lists.get(contest)
        return lists[-1] if lists else None

    def posted(self, index: int) -> Posted | None:
        """The entry of the administrator, issuer, a trustee or the board at leaf ``index``
        (None: a voter's entry, an unreadable one, or no such leaf)."""
        position = bisect.bisect_left(self.entries, index, key=lambda p: p.index)
        found = self.entries[position] if position < len(self.entries) else None
        return found if found is not None and found.index == index else None

    def excluded(self, contest: str) -> dict[str, Fact[Exclusion]]:
        """The exclusions of ``contest`` by nominee id."""
        return {f.value.nominee: f for f in self.exclusions.get(contest, [])}

    def decrypted_by(self) -> list[int]:
        """The trustees who posted a decryption, in trustee order."""
        return sorted(j for j, r in self.trustees.items() if r.decryption is not None)


def digest_export(lines: Iterable[bytes]) -> tuple[ElectionDigest, SignedTreeHead]:
    """Spec §10.4 The digest of an export's leaves and its last signed tree head, in one pass
    (the scrutineer's report reads an export the verifier has checked).

    Raises:
        MalformedInput: not an export (no header, or no tree head).
    """
    digest: ElectionDigest | None = None
    last: bytes | None = None
    for line in lines:
        if line.startswith(_LEAF_LINE) and digest is not None:
            digest.add(line[len(_LEAF_LINE) : line.rstrip(b"\n").rfind(b"}")])
        elif line.startswith(_STH_LINE):
            last = line[len(_STH_LINE) : line.rstrip(b"\n").rfind(b"}")]
        elif digest is None:
            header = json.loads(line)
            if not isinstance(header, dict) or header.get("format") != EXPORT_FORMAT:
                raise MalformedInput("not a board export (spec §10.4): no header line")
            digest = ElectionDigest(str(header.get("election")))
    if digest is None or last is None:
        raise MalformedInput("not a board export (spec §10.4): no signed tree head")
    return digest, SignedTreeHead.from_bytes(last)


def _verifies(entry: Entry) -> bool:
    try:
        entry.verify_signature(ED25519_SCHEMES[entry.role])
    except VerivoteError:
        return False
    return True


def _summarised(kind: str, size: int) -> bool:
    """Whether an entry is folded from its summary: a mix or a ranked decryption, or any
    entry of ``_SUMMARY_BYTES`` or more whose payload the pages do not read."""
    return kind in SUMMARISED_TYPES or (size >= _SUMMARY_BYTES and kind not in _READ_TYPES)


def _moved(timetable: Timetable, change: TimetableChange) -> Timetable:
    return replace(timetable, **{change.field: change.time})


def _ballot_style(raw: bytes) -> str:
    """A ballot's style: the payload's last member (§11.8, canonical order), located without
    decoding the payload; decoded in full when the bytes have another layout."""
    end = raw.rfind(_PAYLOAD_END)
    start = raw.rfind(_STYLE_KEY, 0, end)
    if start >= 0 and end > start:
        style = raw[start + len(_STYLE_KEY) : end - 1]
        if raw[end - 1 : end] == b'"' and b'"' not in style:
            return style.decode("ascii", "replace")
    try:
        return str(json.loads(raw)["payload"]["style"])
    except (ValueError, KeyError, TypeError):
        return "?"
