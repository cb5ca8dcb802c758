"""Spec §11.1, §11.5, §11.14 and §13.1 check 2: the definition, timetable changes, nominations,
exclusions, candidate lists, decisions and booth releases, replayed on the time each leaf records.

Re-derived on purpose (N-version checking, §13): these rules are written here again from the
spec, not imported from ``election.rules``. Shared with everyone: the wire parsers, the time
conversions of ``election.definition`` and the contest's constraints (``election.counting``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, Final

from crypto.envelope import entry_hash
from crypto.errors import VerivoteError
from crypto.threshold import ThresholdParameters
from election.counting import contest_constraints
from election.definition import Contest, ContestKind, DefinitionError, local_date, to_ms
from election.wire import (
    BOOTH_RELEASE,
    CANDIDATE_LIST,
    DECISION,
    ELECTION_DEFINITION,
    EXCLUSION,
    MAX_RANKED_OPTIONS,
    NOMINATION,
    TIMETABLE_CHANGE,
    BallotLayout,
    BoothRelease,
    CandidateList,
    Decision,
    DefinitionPayload,
    Exclusion,
    Nomination,
    TimetableChange,
)
from verifier._log import LeafRecord
from verifier._report import Rejected
from verifier._state import EntryCheck, Nominee, State

__all__ = ["CHECKS"]

_INSTANTS: Final = (
    "nominations_open",
    "nominations_close",
    "trustee_keys_close",
    "ceremony_close",
    "voting_open",
    "voting_close",
)


def _election_definition(state: State, record: LeafRecord, payload: Any) -> None:
    setup = state.setup
    if setup.definition is not None:
        raise Rejected(2, "the definition is already on the log: it never changes")
    if record.index != 1:
        raise Rejected(2, "the definition must be leaf 1")
    definition = DefinitionPayload.from_json(payload).definition
    if definition.id != state.election:
        raise Rejected(2, f"the definition is for election {definition.id!r}")
    if record.key != definition.administrator.key.raw:
        raise Rejected(2, "not signed by the administrator key it names")
    setup.definition = definition
    setup.fingerprint = definition.fingerprint
    setup.threshold = ThresholdParameters(
        definition.fingerprint, len(definition.trustees), definition.threshold
    )
    for name in _INSTANTS:
        setup.timetable[name] = to_ms(getattr(definition.timetable, name))
    setup.layout = BallotLayout.build(definition, {}, list_hashes={})


def _timetable_change(state: State, record: LeafRecord, payload: Any) -> None:
    state.administrator(record, 2)
    change = TimetableChange.from_json(payload)
    received = record.received
    if not received < state.instant(change.field):
        raise Rejected(2, f"{change.field} has passed: it can no longer change")
    if not received < to_ms(change.time):
        raise Rejected(2, f"the new {change.field} is not in the future")
    if (
        change.field == "voting_close"
        and received >= state.instant("voting_open")
        and to_ms(change.time) < state.instant("voting_close")
    ):
        raise Rejected(2, "voting_close brought forward after voting opened (only later, §11.5)")
    moments = {
        name: datetime.fromtimestamp(ms / 1000, UTC) for name, ms in state.setup.timetable.items()
    }
    moments[change.field] = change.time
    try:
        replace(state.definition.timetable, **moments)
    except DefinitionError as exc:
        raise Rejected(2, str(exc)) from None
    state.setup.timetable[change.field] = to_ms(change.time)


def _candidate_contest(state: State, contest: str) -> Contest:
    try:
        found = state.definition.contest(contest)
    except KeyError:
        raise Rejected(2, f"the definition has no contest {contest!r}") from None
    if found.kind is ContestKind.REFERENDUM:
        raise Rejected(2, f"contest {contest} is a referendum: no candidates")
    return found


def _nomination(state: State, record: LeafRecord, payload: Any) -> None:
    state.administrator(record, 2)
    nomination = Nomination.from_json(payload)
    _candidate_contest(state, nomination.contest)
    received = record.received
    if received < state.instant("nominations_open"):
        raise Rejected(2, "nominations have not opened yet")
    state.before_voting(record, 2)
    setup = state.setup
    if nomination.contest in setup.lists:
        raise Rejected(2, f"the candidate list of {nomination.contest} is published")
    zone = state.definition.time_zone
    first = local_date(state.instant("nominations_open"), zone)
    last = min(local_date(state.instant("nominations_close"), zone), local_date(received, zone))
    if not first <= nomination.received <= last:
        raise Rejected(2, f"received {nomination.received} is not between {first} and {last}")
    contest = setup.nominees.setdefault(nomination.contest, {})
    nominee = contest.get(nomination.nominee.id)
    attributes = dict(nomination.nominee.attributes)
    if nominee is None:
        nominee = contest[nomination.nominee.id] = Nominee(nomination.nominee.name, attributes)
    elif nominee.name != nomination.nominee.name or nominee.attributes != attributes:
        raise Rejected(2, f"{nomination.nominee.id} was nominated with another name")
    if nomination.nominated_by in nominee.nominated_by:
        raise Rejected(2, f"{nomination.nominated_by} already nominated this nominee")
    nominee.nominated_by.add(nomination.nominated_by)


def _exclusion(state: State, record: LeafRecord, payload: Any) -> None:
    state.administrator(record, 2)
    exclusion = Exclusion.from_json(payload)
    _candidate_contest(state, exclusion.contest)
    state.before_voting(record, 2)
    setup = state.setup
    if exclusion.nominee not in setup.nominees.get(exclusion.contest, {}):
        raise Rejected(2, f"{exclusion.nominee} is not a nominee of {exclusion.contest}")
    excluded = setup.excluded.setdefault(exclusion.contest, set())
    if exclusion.nominee in excluded:
        raise Rejected(2, f"{exclusion.nominee} is already excluded")
    excluded.add(exclusion.nominee)
    published = setup.lists.get(exclusion.contest)
    if published is not None and any(c.id == exclusion.nominee for c in published[0].candidates):
        setup.stale.add(exclusion.contest)


def _candidate_list(state: State, record: LeafRecord, payload: Any) -> None:
    state.administrator(record, 2)
    candidates = CandidateList.from_json(payload)
    contest = _candidate_contest(state, candidates.contest)
    if record.received < state.instant("nominations_close"):
        raise Rejected(2, "no candidate list before nominations close")
    state.before_voting(record, 2)
    setup = state.setup
    excluded = setup.excluded.get(contest.id, set())
    expected = {
        nominee_id: n
        for nominee_id, n in setup.nominees.get(contest.id, {}).items()
        if len(n.nominated_by) >= contest.nomination_threshold and nominee_id not in excluded
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
    setup.lists[contest.id] = (candidates, record.raw)
    setup.stale.discard(contest.id)
    setup.layout = BallotLayout.build(
        state.definition,
        {c: lst for c, (lst, _) in setup.lists.items()},
        list_hashes={c: entry_hash(raw) for c, (_, raw) in setup.lists.items()},
    )
    state.voting.context = None


def _decision(state: State, record: LeafRecord, payload: Any) -> None:
    state.administrator(record, 2)
    Decision.from_json(payload)


def _booth_release(state: State, record: LeafRecord, payload: Any) -> None:
    """Spec §11.14 The administrator's, well formed, before voting opens (the last one wins:
    nothing to compare with earlier ones)."""
    state.administrator(record, 2)
    BoothRelease.from_json(payload)
    state.before_voting(record, 2)


CHECKS: Final = (
    EntryCheck(ELECTION_DEFINITION, 2, _election_definition),
    EntryCheck(TIMETABLE_CHANGE, 2, _timetable_change),
    EntryCheck(NOMINATION, 2, _nomination),
    EntryCheck(EXCLUSION, 2, _exclusion),
    EntryCheck(CANDIDATE_LIST, 2, _candidate_list),
    EntryCheck(DECISION, 2, _decision),
    EntryCheck(BOOTH_RELEASE, 2, _booth_release),
)
