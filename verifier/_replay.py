"""Spec §11.4-§11.12 and §13.1 checks 2-8: the election's rules replayed from the spec, entry by
entry in log order, on the time each leaf records, with every aggregate and count recomputed.

This is an independent implementation of the rules the board applies (``election.rules`` is
never imported). Each entry type belongs to one check: 2 the definition and administrative
entries, 3 the ceremony, 4 the credentials, 5 ballots and audits, 6 and 7 the tally (counted
ballots, aggregates, decryptions), 8 the result. A refused entry is recorded and not folded in.

Memory: per credential a style, a revocation flag and its last ballot's leaf; per ciphertext a
64-bit alpha prefix (§11.8 informative); per contest option one running product.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from crypto import canonical
from crypto.elgamal import Ciphertext
from crypto.envelope import entry_hash
from crypto.errors import CeremonyFailed, InvalidProof, VerivoteError
from crypto.group import IDENTITY, Point, product
from crypto.threshold import (
    Complaint,
    Dealing,
    Ruling,
    ThresholdParameters,
    TrusteePublicKey,
    adjudicate_complaint,
    verify_ceremony,
    verify_dealing,
    verify_key_confirmation,
    verify_partial_decryption,
    verify_trustee_key,
)
from election.counting import contest_constraints
from election.definition import Contest, ContestKind, DefinitionError, ElectionDefinition
from election.wire import (
    MAX_RANKED_OPTIONS,
    Ballot,
    BallotLayout,
    CandidateList,
    ComplaintPayload,
    CredentialReissue,
    CredentialsComplete,
    CredentialsPart,
    DealingPayload,
    Decision,
    Decryption,
    DefinitionPayload,
    ElectionKey,
    Exclusion,
    HomomorphicContestBallot,
    KeyConfirmationPayload,
    Nomination,
    Result,
    SharesAccepted,
    Tally,
    TimetableChange,
    TrusteeKeyPayload,
    check_style,
    tally_decryption_context,
)
from verifier._ballots import BallotContext, BallotVerdict, BatchOutcome
from verifier._log import LeafRecord
from verifier._report import Rejected, Report
from verifier._result import check_result

__all__ = ["Replay"]

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
# Spec §11.4 Which check each entry type belongs to, and its author role.
ENTRY_CHECKS: Final[Mapping[str, tuple[int, str]]] = {
    "election-definition": (2, "administrator"),
    "timetable-change": (2, "administrator"),
    "nomination": (2, "administrator"),
    "exclusion": (2, "administrator"),
    "candidate-list": (2, "administrator"),
    "decision": (2, "administrator"),
    "trustee-key": (3, "trustee"),
    "dealing": (3, "trustee"),
    "complaint": (3, "trustee"),
    "shares-accepted": (3, "trustee"),
    "election-key": (3, "administrator"),
    "key-confirmation": (3, "trustee"),
    "credentials": (4, "issuer"),
    "credentials-complete": (4, "issuer"),
    "credential-reissue": (4, "issuer"),
    "ballot": (5, "voter"),
    "audit": (5, "voter"),
    "tally": (7, "administrator"),
    "decryption": (7, "trustee"),
    "result": (8, "administrator"),
}


def _ms(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(milliseconds=1)


def _local_date(ms: int, zone: str) -> date:
    return datetime.fromtimestamp(ms / 1000, ZoneInfo(zone)).date()


@dataclass(slots=True)
class _Nominee:
    name: str
    attributes: dict[str, str]
    nominated_by: set[str] = field(default_factory=set)


@dataclass(slots=True)
class _Ceremony:
    keys: dict[int, TrusteePublicKey] = field(default_factory=dict)
    dealings: dict[int, Dealing] = field(default_factory=dict)
    complaints: list[Complaint] = field(default_factory=list)
    complained: set[tuple[int, int]] = field(default_factory=set)
    accepted: set[int] = field(default_factory=set)
    confirmations: set[int] = field(default_factory=set)
    election_key: ElectionKey | None = None
    election_key_raw: bytes = b""


@dataclass(slots=True)
class _Credentials:
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


Reread = Callable[[Iterable[int]], dict[int, bytes]]
"""The entry bytes of earlier leaves, read again from the source (a second pass)."""


@dataclass(slots=True, eq=False)
class Replay:
    """Spec §11.4 The state folded from the log; ``feed`` each leaf in order, then ``finish``.

    Ballot and audit entries go through ``submit`` (the orchestrator's worker pool) and come
    back as ``BatchOutcome``s through ``settle`` in log order; ``pending`` tells the
    orchestrator to settle every outstanding batch before the next non-voter entry.
    """

    report: Report
    election: str
    reread: Reread
    submit: Callable[[BallotContext, list[tuple[int, str, bytes, bytes]]], None]
    definition: ElectionDefinition | None = None
    fingerprint: bytes = b""
    threshold: ThresholdParameters | None = None
    timetable: dict[str, int] = field(default_factory=dict)
    nominees: dict[str, dict[str, _Nominee]] = field(default_factory=dict)
    excluded: dict[str, set[str]] = field(default_factory=dict)
    stale: set[str] = field(default_factory=set)
    lists: dict[str, tuple[CandidateList, bytes]] = field(default_factory=dict)
    layout: BallotLayout | None = None
    ceremony: _Ceremony = field(default_factory=_Ceremony)
    credentials: _Credentials = field(default_factory=_Credentials)
    alphas: dict[int, int] = field(default_factory=dict)
    ballot_credential: dict[int, int] = field(default_factory=dict)
    products: dict[str, list[tuple[Point, Point]]] = field(default_factory=dict)
    uncounted: set[int] = field(default_factory=set)
    pending: dict[int, tuple[int, str, bytes]] = field(default_factory=dict)
    context: BallotContext | None = None
    tally: Tally | None = None
    tally_hash: bytes = b""
    tally_index: int | None = None
    decryptions: dict[int, Decryption] = field(default_factory=dict)
    result_seen: bool = False
    voting_started: bool = False
    batch: list[tuple[int, str, bytes, bytes]] = field(default_factory=list)
    batch_size: int = 512

    # --- feeding -----------------------------------------------------------------------------
    def feed(self, record: LeafRecord) -> None:
        """Replay one leaf (index 0, the board key, is check 1's)."""
        if record.index == 0:
            return
        check, role = ENTRY_CHECKS.get(record.type, (2, ""))
        try:
            if not role:
                raise Rejected(2, f"an election has no {record.type!r} entries")
            if record.role != role:
                raise Rejected(check, f"{record.type} entries are posted by the {role}")
            if self.definition is None and record.type != "election-definition":
                raise Rejected(2, "nothing but the definition is accepted before it (leaf 1)")
            if role == "voter":
                self._queue(record)
                return
            assert record.payload is not None
            handler = getattr(self, "_" + record.type.replace("-", "_"))
            handler(record, record.payload)
        except Rejected as exc:
            self.report.fail(exc.check, record.index, f"{record.type}: {exc}")
            return
        except VerivoteError as exc:
            self.report.fail(check, record.index, f"{record.type}: malformed payload: {exc}")
            return
        self.report.ok(check)

    def _instant(self, name: str) -> int:
        return self.timetable[name]

    def _author(self, record: LeafRecord, key: bytes, what: str) -> None:
        if record.key != key:
            raise Rejected(ENTRY_CHECKS[record.type][0], f"must be signed by the {what} key")

    def _admin(self, record: LeafRecord) -> None:
        assert self.definition is not None
        self._author(record, self.definition.administrator.key.raw, "administrator")

    def _trustee(self, record: LeafRecord, j: int) -> None:
        assert self.definition is not None
        members = self.definition.trustees
        if not 1 <= j <= len(members):
            raise Rejected(ENTRY_CHECKS[record.type][0], f"there is no trustee {j}")
        self._author(record, members[j - 1].key.raw, f"trustee {j}'s")

    def _before_voting(self, record: LeafRecord, check: int) -> None:
        if record.received >= self._instant("voting_open"):
            raise Rejected(check, "accepted only before voting opens")

    # --- check 2: definition and administrative entries (§11.1, §11.5) -----------------------
    def _election_definition(self, record: LeafRecord, payload: dict[str, Any]) -> None:
        if self.definition is not None:
            raise Rejected(2, "the definition is already on the log: it never changes")
        if record.index != 1:
            raise Rejected(2, "the definition must be leaf 1")
        definition = DefinitionPayload.from_json(payload).definition
        if definition.id != self.election:
            raise Rejected(2, f"the definition is for election {definition.id!r}")
        if record.key != definition.administrator.key.raw:
            raise Rejected(2, "not signed by the administrator key it names")
        self.definition = definition
        self.fingerprint = definition.fingerprint
        self.threshold = ThresholdParameters(
            definition.fingerprint, len(definition.trustees), definition.threshold
        )
        for name in ("nominations_open", "nominations_close", "voting_open", "voting_close"):
            self.timetable[name] = _ms(getattr(definition.timetable, name))
        self.layout = BallotLayout.build(definition, {})
        for contest in definition.contests:
            if contest.kind is ContestKind.RANKED:
                self.report.not_verifiable.append(contest.id)

    def _timetable_change(self, record: LeafRecord, payload: dict[str, Any]) -> None:
        self._admin(record)
        change = TimetableChange.from_json(payload)
        assert self.definition is not None
        now = record.received
        if not now < self._instant(change.field):
            raise Rejected(2, f"{change.field} has passed: it can no longer change")
        if not now < _ms(change.time):
            raise Rejected(2, f"the new {change.field} is not in the future")
        timetable = self.definition.timetable
        moments = {
            name: datetime.fromtimestamp(ms / 1000, UTC) for name, ms in self.timetable.items()
        }
        moments[change.field] = change.time
        try:
            replace(timetable, **moments)
        except DefinitionError as exc:
            raise Rejected(2, str(exc)) from None
        self.timetable[change.field] = _ms(change.time)

    def _candidate_contest(self, contest: str) -> Contest:
        assert self.definition is not None
        try:
            found = self.definition.contest(contest)
        except KeyError:
            raise Rejected(2, f"the definition has no contest {contest!r}") from None
        if found.kind is ContestKind.REFERENDUM:
            raise Rejected(2, f"contest {contest} is a referendum: no candidates")
        return found

    def _nomination(self, record: LeafRecord, payload: dict[str, Any]) -> None:
        self._admin(record)
        nomination = Nomination.from_json(payload)
        self._candidate_contest(nomination.contest)
        assert self.definition is not None
        now = record.received
        if now < self._instant("nominations_open"):
            raise Rejected(2, "nominations have not opened yet")
        self._before_voting(record, 2)
        if nomination.contest in self.lists:
            raise Rejected(2, f"the candidate list of {nomination.contest} is published")
        zone = self.definition.time_zone
        first = _local_date(self._instant("nominations_open"), zone)
        last = min(_local_date(self._instant("nominations_close"), zone), _local_date(now, zone))
        if not first <= nomination.received <= last:
            raise Rejected(2, f"received {nomination.received} is not between {first} and {last}")
        contest = self.nominees.setdefault(nomination.contest, {})
        nominee = contest.get(nomination.nominee.id)
        attributes = dict(nomination.nominee.attributes)
        if nominee is None:
            nominee = contest[nomination.nominee.id] = _Nominee(nomination.nominee.name, attributes)
        elif nominee.name != nomination.nominee.name or nominee.attributes != attributes:
            raise Rejected(2, f"{nomination.nominee.id} was nominated with another name")
        if nomination.nominated_by in nominee.nominated_by:
            raise Rejected(2, f"{nomination.nominated_by} already nominated this nominee")
        nominee.nominated_by.add(nomination.nominated_by)

    def _exclusion(self, record: LeafRecord, payload: dict[str, Any]) -> None:
        self._admin(record)
        exclusion = Exclusion.from_json(payload)
        self._candidate_contest(exclusion.contest)
        self._before_voting(record, 2)
        if exclusion.nominee not in self.nominees.get(exclusion.contest, {}):
            raise Rejected(2, f"{exclusion.nominee} is not a nominee of {exclusion.contest}")
        excluded = self.excluded.setdefault(exclusion.contest, set())
        if exclusion.nominee in excluded:
            raise Rejected(2, f"{exclusion.nominee} is already excluded")
        excluded.add(exclusion.nominee)
        published = self.lists.get(exclusion.contest)
        if published is not None and any(
            c.id == exclusion.nominee for c in published[0].candidates
        ):
            self.stale.add(exclusion.contest)

    def _candidate_list(self, record: LeafRecord, payload: dict[str, Any]) -> None:
        self._admin(record)
        candidates = CandidateList.from_json(payload)
        contest = self._candidate_contest(candidates.contest)
        if record.received < self._instant("nominations_close"):
            raise Rejected(2, "no candidate list before nominations close")
        self._before_voting(record, 2)
        threshold = contest.nomination_threshold
        excluded = self.excluded.get(contest.id, set())
        expected = {
            nominee_id: n
            for nominee_id, n in self.nominees.get(contest.id, {}).items()
            if len(n.nominated_by) >= threshold and nominee_id not in excluded
        }
        listed = {c.id: c for c in candidates.candidates}
        if expected.keys() != listed.keys():
            raise Rejected(2, "the candidates are not exactly the qualifying nominees")
        for candidate in candidates.candidates:
            nominee = expected[candidate.id]
            if candidate.name != nominee.name or dict(candidate.attributes) != nominee.attributes:
                raise Rejected(2, f"{candidate.id}: name or attributes differ from nominations")
        if contest.kind is ContestKind.RANKED and len(listed) > MAX_RANKED_OPTIONS:
            raise Rejected(2, f"a ranked contest has at most {MAX_RANKED_OPTIONS} candidates")
        try:
            contest_constraints(candidates, contest)
        except VerivoteError as exc:
            raise Rejected(2, f"constraints infeasible: {exc}") from None
        self.lists[contest.id] = (candidates, record.raw)
        self.stale.discard(contest.id)
        self.context = None
        assert self.definition is not None
        self.layout = BallotLayout.build(
            self.definition, {c: lst for c, (lst, _) in self.lists.items()}
        )

    def _decision(self, record: LeafRecord, payload: dict[str, Any]) -> None:
        self._admin(record)
        Decision.from_json(payload)

    # --- check 3: the key ceremony (§7, §11.6) -----------------------------------------------
    def _ceremony_open(self) -> None:
        if self.ceremony.election_key is not None:
            raise Rejected(3, "the election key is published: the ceremony is closed")

    def _trustee_key(self, record: LeafRecord, payload: dict[str, Any]) -> None:
        parsed = TrusteeKeyPayload.from_json(payload)
        self._trustee(record, parsed.trustee)
        self._before_voting(record, 3)
        self._ceremony_open()
        if parsed.trustee in self.ceremony.keys:
            raise Rejected(3, f"trustee {parsed.trustee} has already published a key")
        assert self.threshold is not None
        try:
            verify_trustee_key(parsed.key, self.threshold)
        except VerivoteError as exc:
            raise Rejected(3, f"trustee key {parsed.trustee}: {exc}") from None
        self.ceremony.keys[parsed.trustee] = parsed.key

    def _dealing(self, record: LeafRecord, payload: dict[str, Any]) -> None:
        parsed = DealingPayload.from_json(payload)
        self._trustee(record, parsed.trustee)
        self._ceremony_open()
        assert self.threshold is not None
        if any(i not in self.ceremony.keys for i in self.threshold.indices):
            raise Rejected(3, "a dealing before every trustee key")
        if parsed.trustee in self.ceremony.dealings:
            raise Rejected(3, f"trustee {parsed.trustee} has already dealt")
        try:
            verify_dealing(parsed.dealing, self.threshold)
        except VerivoteError as exc:
            raise Rejected(3, f"dealing {parsed.trustee}: {exc}") from None
        self.ceremony.dealings[parsed.trustee] = parsed.dealing

    def _complaint(self, record: LeafRecord, payload: dict[str, Any]) -> None:
        complaint = ComplaintPayload.from_json(payload).complaint
        self._trustee(record, complaint.complainant)
        self._ceremony_open()
        assert self.threshold is not None
        dealing = self.ceremony.dealings.get(complaint.dealer)
        if dealing is None:
            raise Rejected(3, f"trustee {complaint.dealer} has not dealt")
        if complaint.complainant in self.ceremony.accepted:
            raise Rejected(3, f"trustee {complaint.complainant} has finished checking")
        pair = (complaint.dealer, complaint.complainant)
        if pair in self.ceremony.complained:
            raise Rejected(3, "this complaint is already on the log")
        verdict = adjudicate_complaint(
            complaint,
            parameters=self.threshold,
            dealing=dealing,
            complainant_key=self.ceremony.keys[complaint.complainant],
        )
        if verdict.ruling is Ruling.VOID_COMPLAINT:
            raise Rejected(3, f"void complaint: {verdict.reason}")
        self.ceremony.complaints.append(complaint)
        self.ceremony.complained.add(pair)

    def _shares_accepted(self, record: LeafRecord, payload: dict[str, Any]) -> None:
        parsed = SharesAccepted.from_json(payload)
        self._trustee(record, parsed.trustee)
        self._ceremony_open()
        assert self.threshold is not None
        if any(i not in self.ceremony.dealings for i in self.threshold.indices):
            raise Rejected(3, "shares accepted before every dealing")
        if parsed.trustee in self.ceremony.accepted:
            raise Rejected(3, f"trustee {parsed.trustee} is already done")
        self.ceremony.accepted.add(parsed.trustee)

    def _election_key(self, record: LeafRecord, payload: dict[str, Any]) -> None:
        self._admin(record)
        assert self.threshold is not None
        key = ElectionKey.from_json(payload, self.threshold)
        self._ceremony_open()
        self._before_voting(record, 3)
        indices = self.threshold.indices
        if any(i not in self.ceremony.accepted for i in indices):
            raise Rejected(3, "a trustee has not finished checking its shares")
        try:
            expected = verify_ceremony(
                self.threshold,
                [self.ceremony.keys[i] for i in indices],
                [self.ceremony.dealings[i] for i in indices],
                self.ceremony.complaints,
            )
        except CeremonyFailed as exc:
            raise Rejected(3, f"the ceremony failed: {exc}") from None
        disqualified = tuple(d.dealer for d in expected.disqualified)
        joint = expected.joint_key
        if (
            key.joint_key.qualified != joint.qualified
            or key.joint_key.commitments != joint.commitments
            or key.disqualified != disqualified
            or key.joint_key.public_key != joint.public_key
        ):
            raise Rejected(
                3,
                f"the joint key is not the one the ceremony gives (qualified "
                f"{list(joint.qualified)}, disqualified {list(disqualified)})",
            )
        self.ceremony.election_key = key
        self.context = None
        self.ceremony.election_key_raw = canonical.encode(payload)

    def _key_confirmation(self, record: LeafRecord, payload: dict[str, Any]) -> None:
        parsed = KeyConfirmationPayload.from_json(payload)
        self._trustee(record, parsed.trustee)
        key = self.ceremony.election_key
        if key is None:
            raise Rejected(3, "no key confirmation before the election key")
        if parsed.trustee in self.ceremony.confirmations:
            raise Rejected(3, f"trustee {parsed.trustee} has already confirmed")
        try:
            verify_key_confirmation(parsed.confirmation, key.joint_key)
        except VerivoteError as exc:
            raise Rejected(3, f"key confirmation: {exc}") from None
        self.ceremony.confirmations.add(parsed.trustee)

    # --- check 4: credentials (§11.7) --------------------------------------------------------
    def _issuer(self, record: LeafRecord) -> None:
        assert self.definition is not None
        self._author(record, self.definition.issuer.key.raw, "issuer")

    def _credentials(self, record: LeafRecord, payload: dict[str, Any]) -> None:
        self._issuer(record)
        part = CredentialsPart.from_json(payload)
        self._before_voting(record, 4)
        issued = self.credentials
        if issued.complete:
            raise Rejected(4, "the credentials are complete: only reissues follow")
        assert self.definition is not None
        try:
            check_style(self.definition, part.style)
        except VerivoteError as exc:
            raise Rejected(4, str(exc)) from None
        if part.part != issued.parts.get(part.style, 0):
            raise Rejected(4, f"style {part.style}: part {part.part} out of order")
        encoded = [c.to_bytes() for c in part.credentials]
        last = issued.last.get(part.style)
        if last is not None and encoded[0] <= last:
            raise Rejected(4, f"style {part.style}: credentials not strictly increasing")
        if len(set(encoded)) != len(encoded) or any(c in issued.ids for c in encoded):
            raise Rejected(4, "a credential is listed twice")
        for credential in encoded:
            issued.add(credential, part.style)
        issued.parts[part.style] = part.part + 1
        issued.last[part.style] = encoded[-1]
        issued.counts[part.style] = issued.counts.get(part.style, 0) + len(encoded)

    def _credentials_complete(self, record: LeafRecord, payload: dict[str, Any]) -> None:
        self._issuer(record)
        complete = CredentialsComplete.from_json(payload)
        self._before_voting(record, 4)
        if self.credentials.complete:
            raise Rejected(4, "the credentials are already complete")
        if dict(complete.counts) != self.credentials.counts:
            raise Rejected(
                4,
                f"published counts {dict(complete.counts)} differ from the lists "
                f"{self.credentials.counts}",
            )
        self.credentials.complete = True

    def _credential_reissue(self, record: LeafRecord, payload: dict[str, Any]) -> None:
        self._issuer(record)
        reissue = CredentialReissue.from_json(payload)
        issued = self.credentials
        if not issued.complete:
            raise Rejected(4, "reissues come after credentials-complete")
        if record.received >= self._instant("voting_close"):
            raise Rejected(4, "no reissue after voting closes")
        old = issued.ids.get(reissue.revoked.to_bytes())
        if old is None:
            raise Rejected(4, "the revoked credential was never issued")
        if issued.revoked[old]:
            raise Rejected(4, "that credential is already revoked")
        if issued.styles[old] != reissue.style:
            raise Rejected(4, f"the revoked credential is of style {issued.styles[old]}")
        if reissue.credential.to_bytes() in issued.ids:
            raise Rejected(4, "the new credential is already issued")
        issued.revoked[old] = 1
        if issued.last_ballot[old] >= 0:
            self.uncounted.add(issued.last_ballot[old])
            issued.last_ballot[old] = -1
        issued.add(reissue.credential.to_bytes(), reissue.style)

    # --- check 5: ballots and audits (§11.8, §11.9) ------------------------------------------
    def _not_ready(self) -> str | None:
        """Spec §11.4 Why ballots cannot be accepted yet (the 'ready' condition)."""
        assert self.definition is not None
        assert self.threshold is not None
        if self.ceremony.election_key is None:
            return "the election key is not published"
        if len(self.ceremony.confirmations) < self.threshold.threshold:
            return "fewer than t key confirmations"
        if not self.credentials.complete:
            return "the credentials are not complete"
        for contest in self.definition.contests:
            if contest.kind is not ContestKind.REFERENDUM and (
                contest.id not in self.lists or contest.id in self.stale
            ):
                return f"contest {contest.id} has no candidate list in force"
        return None

    def _queue(self, record: LeafRecord) -> None:
        not_ready = self._not_ready()
        if not_ready is not None:
            raise Rejected(5, f"voting cannot start: {not_ready}")
        if self.context is None:
            assert self.definition is not None
            self.context = BallotContext(
                self.election,
                canonical.encode(self.definition.to_json()),
                tuple(canonical.encode(lst.to_json()) for lst, _ in self.lists.values()),
                self.ceremony.election_key_raw,
            )
        self.voting_started = True
        self.pending[record.index] = (record.received, record.type, record.key)
        self.batch.append((record.index, record.type, record.key, record.raw))
        if len(self.batch) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        """Hand the queued voter entries to the workers."""
        if self.batch:
            assert self.context is not None
            self.submit(self.context, self.batch)
            self.batch = []

    def settle(self, outcome: BatchOutcome) -> None:
        """Spec §11.8-§11.10 The stateful rules for a verified batch, in log order."""
        for contest, row in outcome.products.items():
            batch = [(Point.from_bytes(a), Point.from_bytes(b)) for a, b in row]
            running = self.products.get(contest)
            self.products[contest] = (
                batch
                if running is None
                else [(ra * a, rb * b) for (ra, rb), (a, b) in zip(running, batch, strict=True)]
            )
        for verdict in outcome.verdicts:
            received, kind, key = self.pending.pop(verdict.index)
            if verdict.check:
                self.report.fail(verdict.check, verdict.index, verdict.error)
                continue
            try:
                self._voter_rules(verdict, received, kind, key)
            except Rejected as exc:
                self.report.fail(exc.check, verdict.index, f"{kind}: {exc}")
                if kind == "ballot":
                    self.uncounted.add(verdict.index)
                continue
            self.report.ok(5)

    def _voter_rules(self, verdict: BallotVerdict, received: int, kind: str, key: bytes) -> None:
        """Window, an eligible credential of the ballot's style, no reused ciphertext, and the
        last ballot per credential (§11.10)."""
        if received < self._instant("voting_open"):
            raise Rejected(5, "cast before voting opened")
        if received >= self._instant("voting_close"):
            raise Rejected(5, "cast after voting closed")
        issued = self.credentials
        credential = issued.ids.get(key)
        if credential is None:
            raise Rejected(5, "the credential is not on the published lists")
        if issued.revoked[credential]:
            raise Rejected(5, "the credential was revoked by a reissue")
        if issued.styles[credential] != verdict.style:
            raise Rejected(5, f"the credential is for style {issued.styles[credential]}")
        audit = kind == "audit"
        for prefix in verdict.alphas:
            earlier = self.alphas.get(prefix)
            if earlier is None:
                continue
            leaf, audited = earlier >> 1, earlier & 1
            if audited and not audit:
                raise Rejected(5, f"a ciphertext was opened by the audit in leaf {leaf}")
            if self.ballot_credential[leaf] != credential:
                raise Rejected(5, f"a ciphertext is reused from leaf {leaf}, another credential")
        index = verdict.index
        for prefix in verdict.alphas:
            earlier = self.alphas.get(prefix)
            self.alphas[prefix] = (index << 1 | audit) if earlier is None else (earlier | audit)
        self.ballot_credential[index] = credential
        if audit:
            return
        previous = issued.last_ballot[credential]
        if previous >= 0:
            self.uncounted.add(previous)
        issued.last_ballot[credential] = index

    # --- checks 6 and 7: the tally and the decryptions (§11.10, §11.11) ----------------------
    def _expected_tally(self) -> list[tuple[str, int, list[Ciphertext] | None]]:
        """Spec §11.10-§11.11 Per contest: N_c and the aggregates of exactly the counted
        ballots (running products over valid ballots, divided by the uncounted ones)."""
        assert self.definition is not None
        assert self.layout is not None
        issued = self.credentials
        voters: dict[str, int] = {}
        for credential, last in enumerate(issued.last_ballot):
            if last >= 0 and not issued.revoked[credential]:
                style = issued.styles[credential]
                voters[style] = voters.get(style, 0) + 1
        removed: dict[str, list[list[Ciphertext]]] = {}
        for raw in self.reread(sorted(self.uncounted)).values():
            entry = canonical.decode(raw)
            assert isinstance(entry, dict)
            ballot = Ballot.from_json(entry["payload"], self.layout)
            for contest in ballot.contests:
                if isinstance(contest, HomomorphicContestBallot):
                    rows = removed.setdefault(contest.contest, [[] for _ in contest.selections])
                    for k, ciphertext in enumerate(contest.selections):
                        rows[k].append(ciphertext)
        expected: list[tuple[str, int, list[Ciphertext] | None]] = []
        for c in self.definition.contests:
            ballots = sum(n for style, n in voters.items() if c.id in style.split("+"))
            if c.kind is ContestKind.RANKED:
                expected.append((c.id, ballots, None))
                continue
            shape = self.layout.contests[c.id]
            running = self.products.get(c.id) or [(IDENTITY, IDENTITY)] * shape.options
            gone = removed.get(c.id) or [[] for _ in range(shape.options)]
            expected.append(
                (
                    c.id,
                    ballots,
                    [
                        Ciphertext(
                            a / product(x.alpha for x in out), b / product(x.beta for x in out)
                        )
                        for (a, b), out in zip(running, gone, strict=True)
                    ],
                )
            )
        return expected

    def _tally(self, record: LeafRecord, payload: dict[str, Any]) -> None:
        self._admin(record)
        assert self.layout is not None
        tally = Tally.from_json(payload, self.layout)
        if record.received < self._instant("voting_close"):
            raise Rejected(7, "the tally comes after voting closes")
        if self.tally is not None:
            raise Rejected(7, "the tally is already on the log")
        if self.ceremony.election_key is None:
            raise Rejected(7, "there is no election key")
        expected = self._expected_tally()
        for got, (contest, ballots, aggregates) in zip(tally.contests, expected, strict=True):
            if got.ballots != ballots:
                raise Rejected(
                    6, f"contest {contest}: {ballots} counted ballots, the tally says {got.ballots}"
                )
            if got.aggregates is not None and list(got.aggregates) != aggregates:
                wrong = next(
                    k
                    for k, (a, b) in enumerate(zip(got.aggregates, aggregates or [], strict=True))
                    if a != b
                )
                raise Rejected(
                    7,
                    f"contest {contest} option {wrong}: the aggregate is not the counted ballots'",
                )
        self.tally = tally
        self.tally_hash = entry_hash(record.raw)
        self.tally_index = record.index
        self.report.ok(6, sum(1 for last in self.credentials.last_ballot if last >= 0))

    def _decryption(self, record: LeafRecord, payload: dict[str, Any]) -> None:
        tally = self.tally
        if tally is None:
            raise Rejected(7, "no decryption before the tally")
        decryption = Decryption.from_json(payload, tally.sizes())
        self._trustee(record, decryption.trustee)
        if decryption.tally != self.tally_hash:
            raise Rejected(7, "the decryption is for another tally entry")
        if decryption.trustee in self.decryptions:
            raise Rejected(7, f"trustee {decryption.trustee} has already decrypted")
        key = self.ceremony.election_key
        assert key is not None
        verification_key = key.joint_key.verification_key(decryption.trustee)
        for contest, row in zip(tally.contests, decryption.shares, strict=True):
            for k, (aggregate, share) in enumerate(zip(contest.aggregates or (), row, strict=True)):
                where = f"contest {contest.contest} option {k}"
                if aggregate.alpha.is_identity:
                    if share is not None:
                        raise Rejected(7, f"{where}: a share where there is nothing to decrypt")
                    continue
                if share is None:
                    raise Rejected(7, f"{where}: the share is missing")
                try:
                    verify_partial_decryption(
                        share,
                        alpha=aggregate.alpha,
                        verification_key=verification_key,
                        context=tally_decryption_context(self.fingerprint, contest.contest, k),
                    )
                except InvalidProof as exc:
                    raise Rejected(7, f"{where}: decryption share proof: {exc}") from None
        self.decryptions[decryption.trustee] = decryption

    # --- check 8: the result (§11.12, §12.7) -------------------------------------------------
    def _result(self, record: LeafRecord, payload: dict[str, Any]) -> None:
        self._admin(record)
        assert self.layout is not None
        assert self.threshold is not None
        assert self.definition is not None
        result = Result.from_json(payload, self.layout)
        tally = self.tally
        if tally is None:
            raise Rejected(8, "no result before the tally")
        if self.result_seen:
            raise Rejected(8, "the result is already on the log")
        if result.tally != self.tally_hash:
            raise Rejected(8, "the result is for another tally entry")
        t = self.threshold.threshold
        chosen = tuple(sorted(self.decryptions)[:t])
        if len(chosen) < t:
            raise Rejected(8, f"{len(chosen)} decryption(s), {t} needed")
        if result.trustees != chosen:
            raise Rejected(8, f"the result must name trustees {list(chosen)}")
        lists = {contest: listed for contest, (listed, _) in self.lists.items()}
        check_result(
            result,
            definition=self.definition,
            tally=tally,
            tally_hash=self.tally_hash,
            decryptions={j: self.decryptions[j] for j in chosen},
            candidate_lists=lists,
        )
        self.result_seen = True

    def finish(self) -> None:
        """After the last leaf: what an election in progress has not published yet."""
        if self.definition is None:
            self.report.fail(2, None, "the log holds no election definition")
        elif self.tally is None:
            self.report.notes.append("no tally on the log yet: checks 6-8 had nothing to check")
        elif not self.result_seen:
            self.report.notes.append("no result on the log yet")
