"""Spec §11.4 The verifier's state of the log, folded entry by entry, in parts (one per check),
and the table type each check module registers its entry types in.

Re-derived on purpose (N-version checking, §13): this is not ``election.rules``'s state, and
nothing here is imported from it; it keeps only what checks 2-10 need, compactly. Memory: per
credential a style, a revocation flag and its last ballot's leaf; per contest option one
running product; per ballot of a ranked contest its ciphertext's 66 bytes, and per ranked
contest its latest list (decoded). Per ciphertext a 64-bit alpha prefix (§11.8 informative) and
per voter entry its credential go to disk (``_seen``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from crypto.elgamal import Ciphertext, PublicKey
from crypto.group import Point
from crypto.threshold import (
    Complaint,
    Dealing,
    ListPartialDecryption,
    ThresholdParameters,
    TrusteePublicKey,
)
from election.definition import ElectionDefinition
from election.wire import (
    ENTRY_AUTHORS,
    BallotLayout,
    CandidateList,
    Decryption,
    ElectionKey,
    Tally,
)
from verifier._ballots import BallotContext, Item
from verifier._log import LeafRecord
from verifier._report import Rejected, Report
from verifier._seen import Seen

__all__ = [
    "Ceremony",
    "Credentials",
    "EntryCheck",
    "Mixing",
    "Nominee",
    "Opened",
    "Reread",
    "Setup",
    "State",
    "Tallying",
    "Voting",
]

Reread = Callable[[Iterable[int]], dict[int, bytes]]
"""The entry bytes of earlier leaves, read again from the source (a second pass)."""

Offload = Callable[..., "Future[str | None]"]
"""Runs ``task(*args)`` on one of the verifier's workers: a proof's check, which answers None if
the proof holds, else why not (``Mixing.deferred``)."""


@dataclass(slots=True)
class Nominee:
    """Spec §11.5 A nominee of one contest and who nominated them."""

    name: str
    attributes: dict[str, str]
    nominated_by: set[str] = field(default_factory=set)


@dataclass(slots=True)
class Setup:
    """Check 2 (§11.1, §11.5): the definition and what it fixes, the timetable in force (ms),
    nominations, exclusions, and the candidate lists in force (with their entry bytes)."""

    definition: ElectionDefinition | None = None
    fingerprint: bytes = b""
    threshold: ThresholdParameters | None = None
    timetable: dict[str, int] = field(default_factory=dict)
    nominees: dict[str, dict[str, Nominee]] = field(default_factory=dict)
    excluded: dict[str, set[str]] = field(default_factory=dict)
    stale: set[str] = field(default_factory=set)
    lists: dict[str, tuple[CandidateList, bytes]] = field(default_factory=dict)
    layout: BallotLayout | None = None


@dataclass(slots=True)
class Ceremony:
    """Check 3 (§7, §11.6): the key ceremony's transcript and the election key."""

    keys: dict[int, TrusteePublicKey] = field(default_factory=dict)
    dealings: dict[int, Dealing] = field(default_factory=dict)
    complaints: list[Complaint] = field(default_factory=list)
    complained: set[tuple[int, int]] = field(default_factory=set)
    accepted: set[int] = field(default_factory=set)
    confirmations: set[int] = field(default_factory=set)
    election_key: ElectionKey | None = None
    election_key_raw: bytes = b""


@dataclass(slots=True)
class Credentials:
    """Check 4 (§11.7): every credential issued (numbered in issue order), its style, whether
    revoked, its last ballot's leaf (-1: none); the parts per style; the issue complete."""

    ids: dict[bytes, int] = field(default_factory=dict)
    styles: list[str] = field(default_factory=list)
    revoked: bytearray = field(default_factory=bytearray)
    last_ballot: list[int] = field(default_factory=list)
    parts: dict[str, int] = field(default_factory=dict)
    last: dict[str, bytes] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    complete: bool = False

    def add(self, credential: bytes, style: str) -> None:
        self.ids[credential] = len(self.styles)
        self.styles.append(style)
        self.revoked.append(0)
        self.last_ballot.append(-1)


@dataclass(slots=True)
class Opened:
    """Check 6 (§11.10): ballots an audit opens (leaf -> the audit's leaf, -1 when found only
    by their opened ciphertexts), the opened alphas' prefixes, and the credentials whose counted
    ballot was found again without them. Empty unless a board broke §11.8-§11.9."""

    ballots: dict[int, int] = field(default_factory=dict)
    prefixes: set[int] = field(default_factory=set)
    resolved: set[int] = field(default_factory=set)


@dataclass(slots=True)
class Voting:
    """Check 5 (§11.8-§11.10): in ``seen`` (on disk), the alpha prefixes seen (the first leaf
    holding each << 1 | whether it is an audit) and each ballot's or audit's credential; the
    running products of the
    valid ballots' ciphertexts per contest and option, each valid ballot's ranking ciphertexts
    (by ranked contest, by leaf: alpha || beta encodings), the ballots that do not count
    (superseded, revoked, refused, opened) and the ballots audits opened.

    Voter entries wait for the workers' stateless verdict (§13.1 check 5, ``_ballots``): the
    ``batch`` not yet handed over, what each ``pending`` entry needs to settle in log order,
    and the ``context`` every ballot is checked against (rebuilt when a candidate list or the
    election key changes it)."""

    seen: Seen
    products: dict[str, list[tuple[Point, Point]]] = field(default_factory=dict)
    rankings: dict[str, dict[int, bytes]] = field(default_factory=dict)
    uncounted: set[int] = field(default_factory=set)
    opened: Opened = field(default_factory=Opened)
    context: BallotContext | None = None
    batch: list[Item] = field(default_factory=list)
    pending: dict[int, tuple[int, str, bytes]] = field(default_factory=dict)


@dataclass(slots=True)
class Tallying:
    """Checks 6-8 (§11.11, §11.12): the tally, its entry hash, the decryptions, the result."""

    tally: Tally | None = None
    tally_hash: bytes = b""
    decryptions: dict[int, Decryption] = field(default_factory=dict)
    result_seen: bool = False


@dataclass(frozen=True, slots=True)
class MixList:
    """Spec §11.11 A ranked contest's latest list after ``mixes`` mixes: made by ``source`` (the
    tally's entry hash for list_0, else the last mix's), mixed so far by ``mixers``."""

    ciphertexts: tuple[Ciphertext, ...]
    mixes: int
    source: bytes
    mixers: tuple[int, ...]


@dataclass(slots=True)
class Mixing:
    """Checks 9-10 (§11.11): each ranked contest's latest list, its ranked decryptions by
    trustee, and the election key as a public key (with its table, for the mixes' proofs)."""

    lists: dict[str, MixList] = field(default_factory=dict)
    decryptions: dict[str, dict[int, ListPartialDecryption]] = field(default_factory=dict)
    public_key: PublicKey | None = None
    # Spec §13 Proofs of the shuffles checked on the workers while the reading goes on (None:
    # in this process, in turn), and the outcomes of those checks. Until they are settled, each
    # mix's list is taken as if its proof held.
    offload: Offload | None = None
    deferred: list[Future[str | None]] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class State:
    """Spec §11.4 The state folded from the log, one part per check, and what every check
    reads: the election id, the report, and a second pass over the source."""

    election: str
    report: Report
    reread: Reread
    voting: Voting
    setup: Setup = field(default_factory=Setup)
    ceremony: Ceremony = field(default_factory=Ceremony)
    credentials: Credentials = field(default_factory=Credentials)
    tallying: Tallying = field(default_factory=Tallying)
    mixing: Mixing = field(default_factory=Mixing)

    @property
    def definition(self) -> ElectionDefinition:
        """The definition (every entry but the first is refused before it)."""
        assert self.setup.definition is not None
        return self.setup.definition

    @property
    def threshold(self) -> ThresholdParameters:
        assert self.setup.threshold is not None
        return self.setup.threshold

    @property
    def layout(self) -> BallotLayout:
        assert self.setup.layout is not None
        return self.setup.layout

    def instant(self, name: str) -> int:
        """An instant of the timetable in force (ms)."""
        return self.setup.timetable[name]

    # --- who may post, and when (§11.4) ------------------------------------------------------

    def author(self, record: LeafRecord, key: bytes, what: str, check: int) -> None:
        if record.key != key:
            raise Rejected(check, f"must be signed by the {what} key")

    def administrator(self, record: LeafRecord, check: int) -> None:
        self.author(record, self.definition.administrator.key.raw, "administrator", check)

    def issuer(self, record: LeafRecord) -> None:
        self.author(record, self.definition.issuer.key.raw, "issuer", 4)

    def trustee(self, record: LeafRecord, j: int, check: int) -> None:
        members = self.definition.trustees
        if not 1 <= j <= len(members):
            raise Rejected(check, f"there is no trustee {j}")
        self.author(record, members[j - 1].key.raw, f"trustee {j}'s", check)

    def before_voting(self, record: LeafRecord, check: int) -> None:
        if record.received >= self.instant("voting_open"):
            raise Rejected(check, "accepted only before voting opens")


@dataclass(frozen=True, slots=True)
class EntryCheck:
    """Spec §13.1 One entry type's replay: the numbered check it belongs to and the function
    that checks it and folds it in (``replay(state, record, payload)``, raising ``Rejected``).
    Its author role is ``ENTRY_AUTHORS``'s, the table the board's rules derive theirs from."""

    type: str
    check: int
    replay: Callable[[State, LeafRecord, Any], None]

    @property
    def role(self) -> str:
        return ENTRY_AUTHORS[self.type]
