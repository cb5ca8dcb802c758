"""Spec §11.1, §11.5 and §11.14 The definition, timetable changes, nominations, exclusions,
candidate lists, decisions and booth releases."""

from __future__ import annotations

from dataclasses import replace

from crypto.envelope import entry_hash
from election.counting import InfeasibleConstraints, contest_constraints
from election.definition import ContestKind, DefinitionError, local_date, to_ms
from election.rules._common import (
    EntryRule,
    before_voting_opens,
    check_administrator,
    need_params,
)
from election.rules._state import (
    ElectionParameters,
    ElectionState,
    LoggedEntry,
    Nominee,
    Refusal,
)
from election.wire import (
    BOOTH_RELEASE,
    CANDIDATE_LIST,
    DECISION,
    ELECTION_DEFINITION,
    EXCLUSION,
    MAX_RANKED_OPTIONS,
    NOMINATION,
    TIMETABLE_CHANGE,
    BoothRelease,
    CandidateList,
    Decision,
    DefinitionPayload,
    Exclusion,
    Nomination,
    TimetableChange,
)

DEFINITION_LEAF = 1


# --- election-definition ---------------------------------------------------------------------


def _precheck_definition(
    params: ElectionParameters | None, entry: LoggedEntry, verify: bool
) -> DefinitionPayload:
    return DefinitionPayload.from_json(entry.payload)


def _check_definition(
    state: ElectionState, entry: LoggedEntry, payload: DefinitionPayload, index: int, received: int
) -> None:
    if state.params is not None:
        raise Refusal("definition_exists", "the election definition is already on the log")
    if index != DEFINITION_LEAF:
        raise Refusal("definition_not_first", "the definition must be leaf 1")
    definition = payload.definition
    if definition.id != state.election:
        raise Refusal(
            "definition_id_mismatch",
            f"the definition is for election {definition.id!r}, this log is {state.election!r}",
        )
    if entry.key != definition.administrator.key.raw:
        raise Refusal("wrong_author", "the definition must be signed by its administrator key")


def _apply_definition(
    state: ElectionState, entry: LoggedEntry, payload: DefinitionPayload, index: int, received: int
) -> None:
    state.params = ElectionParameters.from_definition(
        state.election, payload.definition, tallying=state.tallying
    )
    state.timetable = payload.definition.timetable


# --- timetable-change ------------------------------------------------------------------------


def _precheck_timetable_change(
    params: ElectionParameters | None, entry: LoggedEntry, verify: bool
) -> TimetableChange:
    return TimetableChange.from_json(entry.payload)


def _check_timetable_change(
    state: ElectionState, entry: LoggedEntry, change: TimetableChange, index: int, received: int
) -> None:
    check_administrator(state, entry)
    if not received < state.instant(change.field):
        raise Refusal("deadline_passed", f"{change.field} has passed: it can no longer change")
    if not received < to_ms(change.time):
        raise Refusal("time_in_past", f"the new {change.field} is not in the future")
    if (
        change.field == "voting_close"
        and received >= state.instant("voting_open")
        and to_ms(change.time) < state.instant("voting_close")
    ):
        raise Refusal(
            "voting_close_shortened",
            "voting has opened: the close may only move later, never earlier",
        )
    assert state.timetable is not None
    try:
        replace(state.timetable, **{change.field: change.time})
    except DefinitionError as exc:
        raise Refusal("timetable_disorder", str(exc)) from None


def _apply_timetable_change(
    state: ElectionState, entry: LoggedEntry, change: TimetableChange, index: int, received: int
) -> None:
    assert state.timetable is not None
    state.timetable = replace(state.timetable, **{change.field: change.time})


# --- nomination ------------------------------------------------------------------------------


def _precheck_nomination(
    params: ElectionParameters | None, entry: LoggedEntry, verify: bool
) -> Nomination:
    return Nomination.from_json(entry.payload)


def _candidate_contest(state: ElectionState, contest: str) -> None:
    params = need_params(state.params)
    try:
        kind = params.definition.contest(contest).kind
    except KeyError:
        raise Refusal("unknown_contest", f"the definition has no contest {contest!r}") from None
    if kind is ContestKind.REFERENDUM:
        raise Refusal("no_candidates", f"contest {contest} is a referendum: no candidates")


def _check_nomination(
    state: ElectionState, entry: LoggedEntry, nomination: Nomination, index: int, received: int
) -> None:
    check_administrator(state, entry)
    _candidate_contest(state, nomination.contest)
    params = need_params(state.params)
    if received < state.instant("nominations_open"):
        raise Refusal("nominations_not_open", "nominations have not opened yet")
    before_voting_opens(state, received, "nominations")
    if nomination.contest in params.candidate_lists:
        raise Refusal(
            "candidate_list_published",
            f"the candidate list of {nomination.contest} is published: no more nominations",
        )
    zone = params.definition.time_zone
    first = local_date(state.instant("nominations_open"), zone)
    last = min(local_date(state.instant("nominations_close"), zone), local_date(received, zone))
    if not first <= nomination.received <= last:
        raise Refusal(
            "received_out_of_period",
            f"received {nomination.received} is not between {first} and {last}",
        )
    nominee = state.setup.nominees.get(nomination.contest, {}).get(nomination.nominee.id)
    if nominee is None:
        return
    if nominee.name != nomination.nominee.name or nominee.attributes != dict(
        nomination.nominee.attributes
    ):
        raise Refusal(
            "nominee_mismatch",
            f"nominee {nomination.nominee.id} was nominated with another name or attributes",
        )
    if nomination.nominated_by in nominee.nominated_by:
        raise Refusal(
            "duplicate_nomination",
            f"{nomination.nominated_by} has already nominated {nomination.nominee.id}",
        )


def _apply_nomination(
    state: ElectionState, entry: LoggedEntry, nomination: Nomination, index: int, received: int
) -> None:
    contest = state.setup.nominees.setdefault(nomination.contest, {})
    nominee = contest.get(nomination.nominee.id)
    if nominee is None:
        nominee = contest[nomination.nominee.id] = Nominee(
            nomination.nominee.name, dict(nomination.nominee.attributes)
        )
    nominee.nominated_by.add(nomination.nominated_by)


# --- exclusion -------------------------------------------------------------------------------


def _precheck_exclusion(
    params: ElectionParameters | None, entry: LoggedEntry, verify: bool
) -> Exclusion:
    return Exclusion.from_json(entry.payload)


def _check_exclusion(
    state: ElectionState, entry: LoggedEntry, exclusion: Exclusion, index: int, received: int
) -> None:
    check_administrator(state, entry)
    _candidate_contest(state, exclusion.contest)
    before_voting_opens(state, received, "exclusions")
    if exclusion.nominee not in state.setup.nominees.get(exclusion.contest, {}):
        raise Refusal(
            "unknown_nominee", f"{exclusion.nominee} is not a nominee of {exclusion.contest}"
        )
    if exclusion.nominee in state.setup.excluded.get(exclusion.contest, set()):
        raise Refusal("already_excluded", f"{exclusion.nominee} is already excluded")


def _apply_exclusion(
    state: ElectionState, entry: LoggedEntry, exclusion: Exclusion, index: int, received: int
) -> None:
    state.setup.excluded.setdefault(exclusion.contest, set()).add(exclusion.nominee)
    params = state.params
    assert params is not None
    published = params.candidate_lists.get(exclusion.contest)
    if published is not None and any(c.id == exclusion.nominee for c in published.candidates):
        state.setup.stale_lists.add(exclusion.contest)


# --- candidate-list --------------------------------------------------------------------------


def _precheck_candidate_list(
    params: ElectionParameters | None, entry: LoggedEntry, verify: bool
) -> CandidateList:
    return CandidateList.from_json(entry.payload)


def qualifying_nominees(state: ElectionState, contest: str) -> dict[str, Nominee]:
    """Spec §11.5 The nominees of ``contest`` with at least ``nomination_threshold`` distinct
    nominators and no exclusion: exactly who the candidate list must hold."""
    params = need_params(state.params)
    threshold = params.definition.contest(contest).nomination_threshold
    excluded = state.setup.excluded.get(contest, set())
    return {
        nominee_id: nominee
        for nominee_id, nominee in state.setup.nominees.get(contest, {}).items()
        if len(nominee.nominated_by) >= threshold and nominee_id not in excluded
    }


def _check_candidate_list(
    state: ElectionState, entry: LoggedEntry, candidates: CandidateList, index: int, received: int
) -> None:
    check_administrator(state, entry)
    _candidate_contest(state, candidates.contest)
    params = need_params(state.params)
    if received < state.instant("nominations_close"):
        raise Refusal("nominations_not_closed", "no candidate list before nominations close")
    before_voting_opens(state, received, "candidate lists")
    contest = params.definition.contest(candidates.contest)
    expected = qualifying_nominees(state, candidates.contest)
    listed = {c.id: c for c in candidates.candidates}
    for nominee_id in sorted(expected.keys() - listed.keys()):
        raise Refusal("candidates_mismatch", f"qualifying nominee {nominee_id} is not listed")
    for candidate_id in sorted(listed.keys() - expected.keys()):
        raise Refusal(
            "candidates_mismatch", f"{candidate_id} is not a qualifying nominee of the contest"
        )
    for candidate in candidates.candidates:
        nominee = expected[candidate.id]
        if candidate.name != nominee.name or dict(candidate.attributes) != nominee.attributes:
            raise Refusal(
                "candidates_mismatch",
                f"{candidate.id}: name or attributes differ from the nominations",
            )
    if contest.kind is ContestKind.RANKED and len(candidates.candidates) > MAX_RANKED_OPTIONS:
        raise Refusal("too_many_candidates", f"a ranked contest has at most {MAX_RANKED_OPTIONS}")
    try:
        contest_constraints(candidates, contest)
    except InfeasibleConstraints as exc:
        raise Refusal("constraints_infeasible", f"{candidates.contest}: {exc}") from None


def _apply_candidate_list(
    state: ElectionState, entry: LoggedEntry, candidates: CandidateList, index: int, received: int
) -> None:
    params = state.params
    assert params is not None
    state.params = params.with_candidate_list(candidates, entry_hash(entry.raw))
    state.setup.stale_lists.discard(candidates.contest)


# --- decision --------------------------------------------------------------------------------


def _precheck_decision(
    params: ElectionParameters | None, entry: LoggedEntry, verify: bool
) -> Decision:
    return Decision.from_json(entry.payload)


def _check_decision(
    state: ElectionState, entry: LoggedEntry, decision: Decision, index: int, received: int
) -> None:
    check_administrator(state, entry)


# --- booth-release ---------------------------------------------------------------------------


def _precheck_booth_release(
    params: ElectionParameters | None, entry: LoggedEntry, verify: bool
) -> BoothRelease:
    return BoothRelease.from_json(entry.payload)


def _check_booth_release(
    state: ElectionState, entry: LoggedEntry, release: BoothRelease, index: int, received: int
) -> None:
    """Spec §11.14 Before voting opens, any number of times: the last one is in force."""
    check_administrator(state, entry)
    before_voting_opens(state, received, "booth releases")


def _apply_booth_release(
    state: ElectionState, entry: LoggedEntry, release: BoothRelease, index: int, received: int
) -> None:
    state.setup.booth_release = release


def _apply_nothing(
    state: ElectionState, entry: LoggedEntry, payload: object, i: int, w: int
) -> None:
    return None


RULES = (
    EntryRule(ELECTION_DEFINITION, _precheck_definition, _check_definition, _apply_definition),
    EntryRule(
        TIMETABLE_CHANGE,
        _precheck_timetable_change,
        _check_timetable_change,
        _apply_timetable_change,
    ),
    EntryRule(NOMINATION, _precheck_nomination, _check_nomination, _apply_nomination),
    EntryRule(EXCLUSION, _precheck_exclusion, _check_exclusion, _apply_exclusion),
    EntryRule(
        CANDIDATE_LIST, _precheck_candidate_list, _check_candidate_list, _apply_candidate_list
    ),
    EntryRule(DECISION, _precheck_decision, _check_decision, _apply_nothing),
    EntryRule(BOOTH_RELEASE, _precheck_booth_release, _check_booth_release, _apply_booth_release),
)
