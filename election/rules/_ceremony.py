"""Spec §11.4 and §11.6 The key ceremony on the log: trustee keys, dealings, complaints, the
trustees' "done checking" entries, the election key and the key confirmations, with the
ceremony's deadlines (``trustee_keys_close``, ``ceremony_close``): nobody can stall it."""

from __future__ import annotations

from crypto.errors import CeremonyFailed, VerivoteError
from crypto.threshold import (
    CeremonyResult,
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
    Absence,
    ComplaintPayload,
    DealingPayload,
    ElectionKey,
    KeyConfirmationPayload,
    SharesAccepted,
    TrusteeKeyPayload,
)

__all__ = ["RULES", "ceremony_election_key", "participants"]


def _ceremony_open(state: ElectionState, what: str, received: int | None = None) -> None:
    """Raises: Refusal ``ceremony_closed`` once the election key is published or (when
    ``received`` is given) from ``ceremony_close`` on (Spec §11.4)."""
    params = need_params(state.params)
    if params.election_key is not None:
        raise Refusal("ceremony_closed", f"the election key is published: no more {what}")
    if received is not None and received >= state.instant("ceremony_close"):
        raise Refusal("ceremony_closed", f"the key ceremony has closed: no more {what}")


def participants(state: ElectionState) -> tuple[int, ...]:
    """Spec §7.1 and §11.4 The ceremony's participants: the trustees with a key on the log (no
    key is accepted after ``trustee_keys_close``), in increasing order."""
    return tuple(sorted(state.ceremony.trustee_keys))


def _participant(state: ElectionState, trustee: int, what: str) -> None:
    """Raises: Refusal ``not_a_participant`` for a trustee with no key on the log."""
    if trustee not in state.ceremony.trustee_keys:
        raise Refusal(
            "not_a_participant",
            f"trustee {trustee} has no trustee key on the log: it takes no part in the "
            f"ceremony ({what})",
        )


def ceremony_election_key(
    state: ElectionState, received: int
) -> tuple[ElectionKey, CeremonyResult]:
    """Spec §7.5, §11.4 and §11.6 The election key the ceremony on the log gives at
    ``received``: as soon as every trustee has posted ``shares-accepted``, or from
    ``ceremony_close`` on with the participants who dealt (the qualified set) and the others
    named absent with their reasons.

    Raises:
        Refusal: ``ceremony_incomplete`` (before the deadline, a trustee has not finished),
            ``ceremony_failed`` (fewer than t qualified: the election cannot go on).
    """
    params = need_params(state.params)
    ceremony = state.ceremony
    waiting = [i for i in params.threshold.indices if i not in ceremony.shares_accepted]
    if waiting and received < state.instant("ceremony_close"):
        close = state.timetable.ceremony_close if state.timetable else None
        raise Refusal(
            "ceremony_incomplete",
            f"trustee(s) {waiting} have not finished checking: wait for them or for the "
            f"ceremony's close ({close:%Y-%m-%d %H:%M:%S}Z)"
            if close
            else f"trustee(s) {waiting} have not finished checking",
        )
    try:
        result = verify_ceremony(
            params.threshold,
            [ceremony.trustee_keys[i] for i in participants(state)],
            [ceremony.dealings[i] for i in sorted(ceremony.dealings)],
            ceremony.complaints,
        )
    except CeremonyFailed as exc:
        raise Refusal(
            "ceremony_failed",
            f"{exc}; the election cannot go on with this ceremony: publish a new definition "
            "(a new election id) with trustees who can take part",
        ) from None
    absent = tuple(Absence(d.dealer, d.code) for d in result.disqualified)
    return ElectionKey(result.joint_key, absent), result


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
    if received >= state.instant("trustee_keys_close"):
        raise Refusal(
            "trustee_keys_closed",
            f"trustee keys closed: trustee {payload.trustee} takes no part in this ceremony",
        )
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
    _ceremony_open(state, "dealings", received)
    params = need_params(state.params)
    missing = [i for i in params.threshold.indices if i not in state.ceremony.trustee_keys]
    if missing and received < state.instant("trustee_keys_close"):
        raise Refusal(
            "trustee_keys_missing",
            f"no dealing before every trustee key or the keys' close: {missing}",
        )
    _participant(state, payload.trustee, "dealing")
    if payload.trustee in state.ceremony.dealings:
        raise Refusal("duplicate_dealing", f"trustee {payload.trustee} has already dealt")
    try:
        verify_dealing(payload.dealing, params.threshold, participants(state))
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
    _ceremony_open(state, "complaints", received)
    _participant(state, complaint.complainant, "complaint")
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
    _ceremony_open(state, "shares-accepted entries", received)
    _participant(state, payload.trustee, "shares-accepted")
    missing = [i for i in participants(state) if i not in state.ceremony.dealings]
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
    computed, _ = ceremony_election_key(state, received)
    expected = computed.joint_key
    if key.absent != computed.absent:
        raise Refusal(
            "election_key_mismatch",
            "the ceremony gives absent "
            + (", ".join(f"{a.trustee} ({a.reason})" for a in computed.absent) or "none")
            + ", not "
            + (", ".join(f"{a.trustee} ({a.reason})" for a in key.absent) or "none"),
        )
    if (
        key.joint_key.qualified != expected.qualified
        or key.joint_key.commitments != expected.commitments
    ):
        raise Refusal(
            "election_key_mismatch",
            f"the ceremony gives qualified {list(expected.qualified)} with another joint key",
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
    if payload.trustee not in params.election_key.holders:
        raise Refusal(
            "no_key_share", f"trustee {payload.trustee} is absent: it holds no key share (§7.5)"
        )
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
