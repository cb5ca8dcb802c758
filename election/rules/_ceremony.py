"""Spec §11.4 and §11.6 The key ceremony on the log: trustee keys, dealings, complaints, the
trustees' "done checking" entries, the election key and the key confirmations."""

from __future__ import annotations

from crypto.errors import CeremonyFailed, VerivoteError
from crypto.threshold import (
    Ruling,
    adjudicate_complaint,
    verify_ceremony,
    verify_dealing,
    verify_key_confirmation,
    verify_trustee_key,
)
from election.rules._common import (
    EntryRule,
    before_voting_opens,
    check_administrator,
    check_trustee,
    need_params,
)
from election.rules._state import ElectionParameters, ElectionState, LoggedEntry, Refusal
from election.wire import (
    COMPLAINT,
    DEALING,
    ELECTION_KEY,
    KEY_CONFIRMATION,
    SHARES_ACCEPTED,
    TRUSTEE_KEY,
    ComplaintPayload,
    DealingPayload,
    ElectionKey,
    KeyConfirmationPayload,
    SharesAccepted,
    TrusteeKeyPayload,
)


def _ceremony_open(state: ElectionState, what: str) -> None:
    params = need_params(state.params)
    if params.election_key is not None:
        raise Refusal("ceremony_closed", f"the election key is published: no more {what}")


# --- trustee-key -----------------------------------------------------------------------------


def _precheck_trustee_key(
    params: ElectionParameters | None, entry: LoggedEntry, verify: bool
) -> TrusteeKeyPayload:
    return TrusteeKeyPayload.from_json(entry.payload)


def _check_trustee_key(
    state: ElectionState, entry: LoggedEntry, payload: TrusteeKeyPayload, index: int, received: int
) -> None:
    check_trustee(state, entry, payload.trustee)
    before_voting_opens(state, received, "trustee keys")
    _ceremony_open(state, "trustee keys")
    if payload.trustee in state.ceremony.trustee_keys:
        raise Refusal("duplicate_trustee_key", f"trustee {payload.trustee} has published a key")
    params = need_params(state.params)
    try:
        verify_trustee_key(payload.key, params.threshold)
    except VerivoteError as exc:
        raise Refusal("invalid_proof", f"trustee key {payload.trustee}: {exc}") from None


def _apply_trustee_key(
    state: ElectionState, entry: LoggedEntry, payload: TrusteeKeyPayload, index: int, received: int
) -> None:
    state.ceremony.trustee_keys[payload.trustee] = payload.key


# --- dealing ---------------------------------------------------------------------------------


def _precheck_dealing(
    params: ElectionParameters | None, entry: LoggedEntry, verify: bool
) -> DealingPayload:
    return DealingPayload.from_json(entry.payload)


def _check_dealing(
    state: ElectionState, entry: LoggedEntry, payload: DealingPayload, index: int, received: int
) -> None:
    check_trustee(state, entry, payload.trustee)
    _ceremony_open(state, "dealings")
    params = need_params(state.params)
    missing = [i for i in params.threshold.indices if i not in state.ceremony.trustee_keys]
    if missing:
        raise Refusal("trustee_keys_missing", f"no dealing before every trustee key: {missing}")
    if payload.trustee in state.ceremony.dealings:
        raise Refusal("duplicate_dealing", f"trustee {payload.trustee} has already dealt")
    try:
        verify_dealing(payload.dealing, params.threshold)
    except VerivoteError as exc:
        raise Refusal("invalid_dealing", f"dealing {payload.trustee}: {exc}") from None


def _apply_dealing(
    state: ElectionState, entry: LoggedEntry, payload: DealingPayload, index: int, received: int
) -> None:
    state.ceremony.dealings[payload.trustee] = payload.dealing


# --- complaint -------------------------------------------------------------------------------


def _precheck_complaint(
    params: ElectionParameters | None, entry: LoggedEntry, verify: bool
) -> ComplaintPayload:
    return ComplaintPayload.from_json(entry.payload)


def _check_complaint(
    state: ElectionState, entry: LoggedEntry, payload: ComplaintPayload, index: int, received: int
) -> None:
    complaint = payload.complaint
    check_trustee(state, entry, complaint.complainant)
    _ceremony_open(state, "complaints")
    params = need_params(state.params)
    if not 1 <= complaint.dealer <= params.threshold.trustees:
        raise Refusal("unknown_trustee", f"there is no trustee {complaint.dealer}")
    dealing = state.ceremony.dealings.get(complaint.dealer)
    if dealing is None:
        raise Refusal("no_dealing", f"trustee {complaint.dealer} has not dealt")
    if complaint.complainant in state.ceremony.shares_accepted:
        raise Refusal(
            "shares_already_accepted", f"trustee {complaint.complainant} has finished checking"
        )
    if (complaint.dealer, complaint.complainant) in state.ceremony.complained:
        raise Refusal("duplicate_complaint", "this complaint is already on the log")
    verdict = adjudicate_complaint(
        complaint,
        parameters=params.threshold,
        dealing=dealing,
        complainant_key=state.ceremony.trustee_keys[complaint.complainant],
    )
    if verdict.ruling is Ruling.VOID_COMPLAINT:
        raise Refusal("invalid_complaint", verdict.reason)


def _apply_complaint(
    state: ElectionState, entry: LoggedEntry, payload: ComplaintPayload, index: int, received: int
) -> None:
    complaint = payload.complaint
    state.ceremony.complaints.append(complaint)
    state.ceremony.complained.add((complaint.dealer, complaint.complainant))


# --- shares-accepted -------------------------------------------------------------------------


def _precheck_shares_accepted(
    params: ElectionParameters | None, entry: LoggedEntry, verify: bool
) -> SharesAccepted:
    return SharesAccepted.from_json(entry.payload)


def _check_shares_accepted(
    state: ElectionState, entry: LoggedEntry, payload: SharesAccepted, index: int, received: int
) -> None:
    check_trustee(state, entry, payload.trustee)
    _ceremony_open(state, "shares-accepted entries")
    params = need_params(state.params)
    missing = [i for i in params.threshold.indices if i not in state.ceremony.dealings]
    if missing:
        raise Refusal("dealings_missing", f"trustee(s) {missing} have not dealt yet")
    if payload.trustee in state.ceremony.shares_accepted:
        raise Refusal("duplicate_shares_accepted", f"trustee {payload.trustee} is done already")


def _apply_shares_accepted(
    state: ElectionState, entry: LoggedEntry, payload: SharesAccepted, index: int, received: int
) -> None:
    state.ceremony.shares_accepted.add(payload.trustee)


# --- election-key ----------------------------------------------------------------------------


def _precheck_election_key(
    params: ElectionParameters | None, entry: LoggedEntry, verify: bool
) -> ElectionKey:
    return ElectionKey.from_json(entry.payload, need_params(params).threshold)


def _check_election_key(
    state: ElectionState, entry: LoggedEntry, key: ElectionKey, index: int, received: int
) -> None:
    check_administrator(state, entry)
    params = need_params(state.params)
    if params.election_key is not None:
        raise Refusal("election_key_exists", "the election key is already published")
    before_voting_opens(state, received, "election keys")
    waiting = [i for i in params.threshold.indices if i not in state.ceremony.shares_accepted]
    if waiting:
        raise Refusal("ceremony_incomplete", f"trustee(s) {waiting} have not finished checking")
    ceremony = state.ceremony
    try:
        result = verify_ceremony(
            params.threshold,
            [ceremony.trustee_keys[i] for i in params.threshold.indices],
            [ceremony.dealings[i] for i in params.threshold.indices],
            ceremony.complaints,
        )
    except CeremonyFailed as exc:
        raise Refusal("ceremony_failed", str(exc)) from None
    expected = result.joint_key
    disqualified = tuple(d.dealer for d in result.disqualified)
    if (
        key.joint_key.qualified != expected.qualified
        or key.joint_key.commitments != expected.commitments
        or key.disqualified != disqualified
    ):
        raise Refusal(
            "election_key_mismatch",
            f"the ceremony gives qualified {list(expected.qualified)} and disqualified "
            f"{list(disqualified)} with another joint key",
        )


def _apply_election_key(
    state: ElectionState, entry: LoggedEntry, key: ElectionKey, index: int, received: int
) -> None:
    params = state.params
    assert params is not None
    state.params = params.with_election_key(key)


# --- key-confirmation ------------------------------------------------------------------------


def _precheck_confirmation(
    params: ElectionParameters | None, entry: LoggedEntry, verify: bool
) -> KeyConfirmationPayload:
    return KeyConfirmationPayload.from_json(entry.payload)


def _check_confirmation(
    state: ElectionState,
    entry: LoggedEntry,
    payload: KeyConfirmationPayload,
    index: int,
    received: int,
) -> None:
    check_trustee(state, entry, payload.trustee)
    params = need_params(state.params)
    if params.election_key is None:
        raise Refusal("no_election_key", "no key confirmation before the election key")
    if payload.trustee in state.ceremony.confirmations:
        raise Refusal("duplicate_confirmation", f"trustee {payload.trustee} has confirmed")
    try:
        verify_key_confirmation(payload.confirmation, params.election_key.joint_key)
    except VerivoteError as exc:
        raise Refusal("invalid_confirmation", str(exc)) from None


def _apply_confirmation(
    state: ElectionState,
    entry: LoggedEntry,
    payload: KeyConfirmationPayload,
    index: int,
    received: int,
) -> None:
    state.ceremony.confirmations.add(payload.trustee)


RULES = (
    EntryRule(TRUSTEE_KEY, _precheck_trustee_key, _check_trustee_key, _apply_trustee_key),
    EntryRule(DEALING, _precheck_dealing, _check_dealing, _apply_dealing),
    EntryRule(COMPLAINT, _precheck_complaint, _check_complaint, _apply_complaint),
    EntryRule(
        SHARES_ACCEPTED, _precheck_shares_accepted, _check_shares_accepted, _apply_shares_accepted
    ),
    EntryRule(ELECTION_KEY, _precheck_election_key, _check_election_key, _apply_election_key),
    EntryRule(KEY_CONFIRMATION, _precheck_confirmation, _check_confirmation, _apply_confirmation),
)
