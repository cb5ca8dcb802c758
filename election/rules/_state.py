"""Spec §11.4 The election's state, folded from its log in order: what every rule reads.

``ElectionState`` is mutable and owned by whoever folds the log (a board process). The parts a
stateless precheck may rely on are gathered in ``ElectionParameters``, an immutable snapshot
replaced (with a new ``generation``) whenever one of them changes: the definition, a candidate
list, the election key. They are all fixed before voting opens, so during voting a snapshot is
``final`` and prechecks can run outside any lock, in parallel.

After the close, the expensive checks (a mix's proof of a shuffle, a list decryption, the
result's papers) read the tally, the ranked contests' lists and the decryptions: the snapshot
carries a reference to the state's live ``TallyState`` for them, whose values are each set once
and never changed (a contest's latest list is replaced whole by the next), so a precheck reads a
consistent value outside the lock and the check under the lock confirms it is still the one.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Final, Protocol

from crypto.elgamal import Ciphertext, PublicKey
from crypto.errors import VerificationFailed
from crypto.group import ENCODED_POINT_LENGTH, IDENTITY, Point, product
from crypto.threshold import (
    Complaint,
    Dealing,
    ThresholdParameters,
    TrusteePublicKey,
)
from election.definition import ElectionDefinition, Timetable, to_ms
from election.wire import (
    Ballot,
    BallotLayout,
    BoothRelease,
    CandidateList,
    ContestTally,
    Decryption,
    ElectionKey,
    HomomorphicContestBallot,
    RankedContestBallot,
    RankedDecryption,
    Tally,
)


class Refusal(VerificationFailed):
    """Spec §11.4 An entry the election's rules refuse: a stable lower-case ``code`` and a
    one-line message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class LoggedEntry(Protocol):
    """What the rules read of an entry (the board's ``Entry`` has these attributes)."""

    @property
    def type(self) -> str: ...

    @property
    def role(self) -> str: ...

    @property
    def key(self) -> bytes: ...

    @property
    def payload(self) -> Mapping[str, Any]: ...

    @property
    def raw(self) -> bytes: ...


LeafReader = Callable[[int], LoggedEntry]
"""The entry at an earlier leaf index of the same log (the rules read back only rarely: a
ciphertext fingerprint hit, superseded ballots when checking the tally)."""


# --- parameters ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class ElectionParameters:
    """Spec §11.4 What stateless prechecks rely on: fixed before voting opens.

    ``final`` is set once a leaf received at or after voting opened is on the log: from then on
    no rule can change any field (candidate lists, the election key and the voting opening
    instant are all refused after that), so a snapshot can be trusted without refolding.
    """

    generation: int
    election: str
    definition: ElectionDefinition
    fingerprint: bytes
    threshold: ThresholdParameters
    candidate_lists: Mapping[str, CandidateList]
    list_hashes: Mapping[str, bytes]
    layout: BallotLayout
    election_key: ElectionKey | None = None
    public_key: PublicKey | None = None
    final: bool = False
    tallying: TallyState = field(default_factory=lambda: TallyState())

    @classmethod
    def from_definition(
        cls, election: str, definition: ElectionDefinition, *, tallying: TallyState
    ) -> ElectionParameters:
        """The first parameters of a log, sharing the state's live ``tallying``."""
        return cls(
            generation=1,
            election=election,
            definition=definition,
            fingerprint=definition.fingerprint,
            threshold=ThresholdParameters(
                definition.fingerprint, len(definition.trustees), definition.threshold
            ),
            candidate_lists={},
            list_hashes={},
            layout=BallotLayout.build(definition, {}, list_hashes={}),
            tallying=tallying,
        )

    def with_candidate_list(
        self, candidates: CandidateList, entry_hash: bytes
    ) -> ElectionParameters:
        """A candidate list now in force, from the entry with hash ``entry_hash`` (§11.8: the
        ballot paper hash binds it)."""
        lists = {**self.candidate_lists, candidates.contest: candidates}
        hashes = {**self.list_hashes, candidates.contest: entry_hash}
        return replace(
            self,
            generation=self.generation + 1,
            candidate_lists=lists,
            list_hashes=hashes,
            layout=BallotLayout.build(self.definition, lists, list_hashes=hashes),
        )

    def with_election_key(self, key: ElectionKey) -> ElectionParameters:
        return replace(
            self,
            generation=self.generation + 1,
            election_key=key,
            public_key=PublicKey(key.joint_key.public_key).precompute(),
        )


@dataclass(frozen=True, slots=True)
class Prechecked:
    """The parsed payload of an entry and the parameters generation it was checked against
    (0: parsed without parameters)."""

    generation: int
    payload: object


# --- the stateful parts ----------------------------------------------------------------------


@dataclass(slots=True)
class Nominee:
    """Spec §11.5 A nominee of one contest and who nominated them."""

    name: str
    attributes: dict[str, str]
    nominated_by: set[str] = field(default_factory=set)


@dataclass(slots=True)
class SetupState:
    """Spec §11.5 Nominations, exclusions and which candidate lists an exclusion made stale;
    §11.14 the booth release in force (the last one)."""

    nominees: dict[str, dict[str, Nominee]] = field(default_factory=dict)
    excluded: dict[str, set[str]] = field(default_factory=dict)
    stale_lists: set[str] = field(default_factory=set)
    booth_release: BoothRelease | None = None


@dataclass(slots=True)
class CeremonyState:
    """Spec §11.6 The key ceremony's transcript so far."""

    trustee_keys: dict[int, TrusteePublicKey] = field(default_factory=dict)
    dealings: dict[int, Dealing] = field(default_factory=dict)
    complaints: list[Complaint] = field(default_factory=list)
    complained: set[tuple[int, int]] = field(default_factory=set)
    shares_accepted: set[int] = field(default_factory=set)
    confirmations: set[int] = field(default_factory=set)


class Credential:
    """Spec §11.7 One public credential: its style, whether revoked, its last ballot's leaf."""

    __slots__ = ("last_ballot", "revoked", "style")

    def __init__(self, style: str) -> None:
        self.style = style
        self.revoked = False
        self.last_ballot: int | None = None


@dataclass(slots=True)
class CredentialState:
    """Spec §11.7 Every credential issued, the parts per style, and whether the issue is done."""

    credentials: dict[bytes, Credential] = field(default_factory=dict)
    parts: dict[str, int] = field(default_factory=dict)
    last: dict[str, bytes] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    complete: bool = False


class AlphaIndex:
    """Spec §11.8 Which leaf holds each ciphertext alpha, compactly: an open-addressing table of
    64-bit fingerprints (the first 8 bytes of alpha's x) and leaf indices, 24 to 48 bytes per
    alpha. A fingerprint hit is confirmed by reading the leaf back, so the rule is exact."""

    __slots__ = ("_keys", "_leaves", "_mask", "_size")

    def __init__(self, capacity: int = 1 << 12) -> None:
        self._keys = array("Q", bytes(8 * capacity))
        self._leaves = array("Q", bytes(8 * capacity))
        self._mask = capacity - 1
        self._size = 0

    def __len__(self) -> int:
        return self._size

    @staticmethod
    def _fingerprint(alpha: Point) -> int:
        return int.from_bytes(alpha.to_bytes()[1:9], "big") or 1

    def leaves(self, alpha: Point) -> list[int]:
        """The leaves that may hold ``alpha`` (every leaf that does is among them)."""
        key = self._fingerprint(alpha)
        keys, slot, found = self._keys, key & self._mask, []
        while keys[slot]:
            if keys[slot] == key:
                found.append(self._leaves[slot])
            slot = (slot + 1) & self._mask
        return found

    def add(self, alpha: Point, leaf: int) -> None:
        if 2 * (self._size + 1) > len(self._keys):
            self._grow()
        self._insert(self._fingerprint(alpha), leaf)
        self._size += 1

    def _insert(self, key: int, leaf: int) -> None:
        keys, slot = self._keys, key & self._mask
        while keys[slot]:
            slot = (slot + 1) & self._mask
        keys[slot] = key
        self._leaves[slot] = leaf

    def _grow(self) -> None:
        old_keys, old_leaves = self._keys, self._leaves
        capacity = 2 * len(old_keys)
        self._keys = array("Q", bytes(8 * capacity))
        self._leaves = array("Q", bytes(8 * capacity))
        self._mask = capacity - 1
        for key, leaf in zip(old_keys, old_leaves, strict=True):
            if key:
                self._insert(key, leaf)


_FLUSH: Final = 4096


class _Accumulator:
    """The running product of one option's ciphertexts, multiplied in batches (§5.4)."""

    __slots__ = ("alpha", "alphas", "beta", "betas")

    def __init__(self) -> None:
        self.alpha: Point = IDENTITY
        self.beta: Point = IDENTITY
        self.alphas: list[Point] = []
        self.betas: list[Point] = []

    def add(self, ciphertext: Ciphertext) -> None:
        self.alphas.append(ciphertext.alpha)
        self.betas.append(ciphertext.beta)
        if len(self.alphas) >= _FLUSH:
            self.flush()

    def flush(self) -> None:
        if self.alphas:
            self.alpha = product([self.alpha, *self.alphas])
            self.beta = product([self.beta, *self.betas])
            self.alphas.clear()
            self.betas.clear()

    def total(self) -> Ciphertext:
        self.flush()
        return Ciphertext(self.alpha, self.beta)


class _RankingColumn:
    """Spec §11.11 Every ballot's ciphertext of one ranked contest, in leaf order, compactly:
    the leaf indices and the 66-byte encodings (alpha then beta), some 74 bytes a ballot."""

    __slots__ = ("data", "leaves")

    _WIDTH: Final = 2 * ENCODED_POINT_LENGTH

    def __init__(self) -> None:
        self.leaves = array("Q")
        self.data = bytearray()

    def add(self, leaf: int, ciphertext: Ciphertext) -> None:
        self.leaves.append(leaf)
        self.data += ciphertext.alpha.to_bytes() + ciphertext.beta.to_bytes()

    def select(self, counted: set[int]) -> tuple[Ciphertext, ...]:
        """The ciphertexts of the ballots in ``counted`` (leaf indices), in leaf order."""
        width, half = self._WIDTH, ENCODED_POINT_LENGTH
        out = []
        for k, leaf in enumerate(self.leaves):
            if leaf in counted:
                record = bytes(self.data[k * width : (k + 1) * width])
                out.append(
                    Ciphertext(Point.from_bytes(record[:half]), Point.from_bytes(record[half:]))
                )
        return tuple(out)


@dataclass(slots=True)
class VotingState:
    """Spec §11.8-§11.10 Ballots and audits: the alpha index, the running product of every
    ballot's ciphertexts, every ballot's ranking ciphertexts, the ballots superseded since
    (revotes, revoked credentials), and how many credentials of each style have a counted
    ballot."""

    alphas: AlphaIndex = field(default_factory=AlphaIndex)
    running: dict[str, list[_Accumulator]] = field(default_factory=dict)
    rankings: dict[str, _RankingColumn] = field(default_factory=dict)
    superseded: list[int] = field(default_factory=list)
    voters: dict[str, int] = field(default_factory=dict)
    ballots: int = 0
    audits: int = 0

    def add(self, ballot: Ballot, leaf: int) -> None:
        for contest in ballot.contests:
            if isinstance(contest, RankedContestBallot):
                column = self.rankings.get(contest.contest)
                if column is None:
                    column = self.rankings[contest.contest] = _RankingColumn()
                column.add(leaf, contest.ranking)
            else:
                row = self.running.get(contest.contest)
                if row is None:
                    row = self.running[contest.contest] = [
                        _Accumulator() for _ in contest.selections
                    ]
                for accumulator, ciphertext in zip(row, contest.selections, strict=True):
                    accumulator.add(ciphertext)

    def totals(self, contest: str, options: int) -> list[Ciphertext]:
        row = self.running.get(contest)
        if row is None:
            return [Ciphertext(IDENTITY, IDENTITY)] * options
        return [a.total() for a in row]


@dataclass(frozen=True, slots=True)
class MixList:
    """Spec §11.11 A ranked contest's latest list: list_k after ``mixes`` = k mixes, the entry
    hash of what made it (``source``: the tally for list_0, else mix k-1, the H_M a ranked
    decryption names) and the trustees who mixed it so far, in order."""

    ciphertexts: tuple[Ciphertext, ...]
    mixes: int
    source: bytes
    mixers: tuple[int, ...]


@dataclass(slots=True)
class TallyState:
    """Spec §11.11-§11.12 The tally, the decryptions, each ranked contest's latest list and
    ranked decryptions, and the result. Live: the parameters snapshot shares it (see the
    module's docstring); every value is set once, a list replaced whole."""

    tally: Tally | None = None
    tally_hash: bytes = b""
    decryptions: dict[int, Decryption] = field(default_factory=dict)
    lists: dict[str, MixList] = field(default_factory=dict)
    ranked: dict[str, dict[int, RankedDecryption]] = field(default_factory=dict)
    result: bool = False


@dataclass(slots=True, eq=False)
class ElectionState:
    """Spec §11.4 The state of one election's log, folded entry by entry (``apply``)."""

    election: str
    leaves: LeafReader | None = None
    params: ElectionParameters | None = None
    timetable: Timetable | None = None
    last_received: int = 0
    setup: SetupState = field(default_factory=SetupState)
    ceremony: CeremonyState = field(default_factory=CeremonyState)
    credentials: CredentialState = field(default_factory=CredentialState)
    voting: VotingState = field(default_factory=VotingState)
    tallying: TallyState = field(default_factory=TallyState)

    @property
    def generation(self) -> int:
        return 0 if self.params is None else self.params.generation

    def instant(self, name: str) -> int:
        """An instant of the timetable in force, in ms (Spec §11.4)."""
        assert self.timetable is not None
        return to_ms(getattr(self.timetable, name))

    def ready(self) -> str | None:
        """Spec §11.4 Why ballots cannot be accepted yet, or None when they can."""
        params = self.params
        if params is None or params.election_key is None:
            return "the election key is not published"
        if len(self.ceremony.confirmations) < params.threshold.threshold:
            return (
                f"{len(self.ceremony.confirmations)} key confirmation(s), "
                f"{params.threshold.threshold} needed"
            )
        if not self.credentials.complete:
            return "the credentials are not complete"
        for contest in params.definition.contests:
            if contest.id not in params.layout.contests or contest.id in self.setup.stale_lists:
                return f"contest {contest.id} has no candidate list in force"
        return None

    def counted_ballots(self) -> set[int]:
        """Spec §11.10 The leaf indices of the counted ballots: each listed credential's last
        ballot, unless revoked."""
        return {
            c.last_ballot
            for c in self.credentials.credentials.values()
            if c.last_ballot is not None and not c.revoked
        }

    def ranked_list(self, contest: str, counted: set[int]) -> tuple[Ciphertext, ...]:
        """Spec §11.11 list_0 of a ranked contest: the ranking ciphertext of every counted
        ballot that holds it, in leaf order."""
        column = self.voting.rankings.get(contest)
        return () if column is None else column.select(counted)

    def contest_ballots(self, contest: str) -> int:
        """Spec §11.11 N_c: counted ballots containing ``contest``."""
        return sum(n for style, n in self.voting.voters.items() if contest in style.split("+"))

    def expected_tally(self, superseded: Iterable[Ballot]) -> Tally:
        """Spec §11.11 The tally of the counted ballots: the running products divided by the
        superseded ballots' ciphertexts."""
        assert self.params is not None
        removed: dict[str, list[list[Ciphertext]]] = {}
        for ballot in superseded:
            for contest in ballot.contests:
                if isinstance(contest, HomomorphicContestBallot):
                    rows = removed.setdefault(contest.contest, [[] for _ in contest.selections])
                    for k, ciphertext in enumerate(contest.selections):
                        rows[k].append(ciphertext)
        contests = []
        for c in self.params.definition.contests:
            shape = self.params.layout.contests[c.id]
            ballots = self.contest_ballots(c.id)
            if not shape.homomorphic:
                contests.append(ContestTally(c.id, ballots, None))
                continue
            totals = self.voting.totals(c.id, shape.options)
            gone = removed.get(c.id)
            if gone is not None:
                totals = [
                    Ciphertext(
                        t.alpha / product(x.alpha for x in out),
                        t.beta / product(x.beta for x in out),
                    )
                    for t, out in zip(totals, gone, strict=True)
                ]
            contests.append(ContestTally(c.id, ballots, tuple(totals)))
        return Tally(tuple(contests))
