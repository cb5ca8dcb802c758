"""Spec §7, §11.6 and §13.1 check 3: the key ceremony (trustee keys, dealings, complaints,
shares accepted), the election key it gives, and the trustees' key confirmations.

Re-derived on purpose (N-version checking, §13): the order and author rules are written here
again from the spec, not imported from ``election.rules``; every proof is checked by the pure
verification functions of ``crypto.threshold``.
"""

from __future__ import annotations

from typing import Any, Final

from crypto import canonical
from crypto.errors import CeremonyFailed, VerivoteError
from crypto.threshold import (
    Ruling,
    adjudicate_complaint,
    verify_ceremony,
    verify_dealing,
    verify_key_confirmation,
    verify_trustee_key,
)
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
from verifier._log import LeafRecord
from verifier._report import Rejected
from verifier._state import EntryCheck, State

__all__ = ["CHECKS"]


def _ceremony_open(state: State, record: LeafRecord | None = None) -> None:
    if state.ceremony.election_key is not None:
        raise Rejected(3, "the election key is published: the ceremony is closed")
    if record is not None and record.received >= state.instant("ceremony_close"):
        raise Rejected(3, "accepted after the key ceremony closed (ceremony_close, §11.4)")


def _participants(state: State) -> list[int]:
    """Spec §7.1 The trustees with a key on the log (none is accepted after the keys close)."""
    return sorted(state.ceremony.keys)


def _participant(state: State, trustee: int) -> None:
    if trustee not in state.ceremony.keys:
        raise Rejected(3, f"trustee {trustee} has no trustee key: not a participant (§7.1)")


def _trustee_key(state: State, record: LeafRecord, payload: Any) -> None:
    parsed = TrusteeKeyPayload.from_json(payload)
    state.trustee(record, parsed.trustee, 3)
    state.before_voting(record, 3)
    _ceremony_open(state)
    if record.received >= state.instant("trustee_keys_close"):
        raise Rejected(3, f"trustee {parsed.trustee}'s key came after trustee_keys_close")
    ceremony = state.ceremony
    if parsed.trustee in ceremony.keys:
        raise Rejected(3, f"trustee {parsed.trustee} has already published a key")
    try:
        verify_trustee_key(parsed.key, state.threshold)
    except VerivoteError as exc:
        raise Rejected(3, f"trustee key {parsed.trustee}: {exc}") from None
    ceremony.keys[parsed.trustee] = parsed.key


def _dealing(state: State, record: LeafRecord, payload: Any) -> None:
    parsed = DealingPayload.from_json(payload)
    state.trustee(record, parsed.trustee, 3)
    _ceremony_open(state, record)
    ceremony = state.ceremony
    if any(i not in ceremony.keys for i in state.threshold.indices) and (
        record.received < state.instant("trustee_keys_close")
    ):
        raise Rejected(3, "a dealing before every trustee key and before the keys closed")
    _participant(state, parsed.trustee)
    if parsed.trustee in ceremony.dealings:
        raise Rejected(3, f"trustee {parsed.trustee} has already dealt")
    try:
        verify_dealing(parsed.dealing, state.threshold, _participants(state))
    except VerivoteError as exc:
        raise Rejected(3, f"dealing {parsed.trustee}: {exc}") from None
    ceremony.dealings[parsed.trustee] = parsed.dealing


def _complaint(state: State, record: LeafRecord, payload: Any) -> None:
    complaint = ComplaintPayload.from_json(payload).complaint
    state.trustee(record, complaint.complainant, 3)
    _ceremony_open(state, record)
    _participant(state, complaint.complainant)
    ceremony = state.ceremony
    dealing = ceremony.dealings.get(complaint.dealer)
    if dealing is None:
        raise Rejected(3, f"trustee {complaint.dealer} has not dealt")
    if complaint.complainant in ceremony.accepted:
        raise Rejected(3, f"trustee {complaint.complainant} has finished checking")
    pair = (complaint.dealer, complaint.complainant)
    if pair in ceremony.complained:
        raise Rejected(3, "this complaint is already on the log")
    verdict = adjudicate_complaint(
        complaint,
        parameters=state.threshold,
        dealing=dealing,
        complainant_key=ceremony.keys[complaint.complainant],
    )
    if verdict.ruling is Ruling.VOID_COMPLAINT:
        raise Rejected(3, f"void complaint: {verdict.reason}")
    ceremony.complaints.append(complaint)
    ceremony.complained.add(pair)


def _shares_accepted(state: State, record: LeafRecord, payload: Any) -> None:
    parsed = SharesAccepted.from_json(payload)
    state.trustee(record, parsed.trustee, 3)
    _ceremony_open(state, record)
    _participant(state, parsed.trustee)
    ceremony = state.ceremony
    if any(i not in ceremony.dealings for i in _participants(state)):
        raise Rejected(3, "shares accepted before every participant's dealing")
    if parsed.trustee in ceremony.accepted:
        raise Rejected(3, f"trustee {parsed.trustee} is already done")
    ceremony.accepted.add(parsed.trustee)


def _election_key(state: State, record: LeafRecord, payload: Any) -> None:
    state.administrator(record, 3)
    threshold = state.threshold
    key = ElectionKey.from_json(payload, threshold)
    _ceremony_open(state)
    state.before_voting(record, 3)
    ceremony = state.ceremony
    if any(i not in ceremony.accepted for i in threshold.indices) and (
        record.received < state.instant("ceremony_close")
    ):
        raise Rejected(
            3, "the election key came before every trustee finished and before ceremony_close"
        )
    try:
        expected = verify_ceremony(
            threshold,
            [ceremony.keys[i] for i in _participants(state)],
            [ceremony.dealings[i] for i in sorted(ceremony.dealings)],
            ceremony.complaints,
        )
    except CeremonyFailed as exc:
        raise Rejected(3, f"the ceremony failed: {exc}") from None
    absent = tuple(Absence(d.dealer, d.code) for d in expected.disqualified)
    if key.absent != absent:
        raise Rejected(
            3,
            "the election key's absent trustees are not the ones the ceremony gives ("
            + (", ".join(f"{a.trustee} {a.reason}" for a in absent) or "none")
            + ")",
        )
    joint = expected.joint_key
    if (
        key.joint_key.qualified != joint.qualified
        or key.joint_key.commitments != joint.commitments
        or key.joint_key.public_key != joint.public_key
    ):
        raise Rejected(
            3,
            f"the joint key is not the one the ceremony gives (qualified {list(joint.qualified)})",
        )
    ceremony.election_key = key
    ceremony.election_key_raw = canonical.encode(payload)
    state.voting.context = None


def _key_confirmation(state: State, record: LeafRecord, payload: Any) -> None:
    parsed = KeyConfirmationPayload.from_json(payload)
    state.trustee(record, parsed.trustee, 3)
    ceremony = state.ceremony
    key = ceremony.election_key
    if key is None:
        raise Rejected(3, "no key confirmation before the election key")
    if parsed.trustee not in key.holders:
        raise Rejected(3, f"a key confirmation from absent trustee {parsed.trustee}")
    if parsed.trustee in ceremony.confirmations:
        raise Rejected(3, f"trustee {parsed.trustee} has already confirmed")
    try:
        verify_key_confirmation(parsed.confirmation, key.joint_key)
    except VerivoteError as exc:
        raise Rejected(3, f"key confirmation: {exc}") from None
    ceremony.confirmations.add(parsed.trustee)


CHECKS: Final = (
    EntryCheck(TRUSTEE_KEY, 3, _trustee_key),
    EntryCheck(DEALING, 3, _dealing),
    EntryCheck(COMPLAINT, 3, _complaint),
    EntryCheck(SHARES_ACCEPTED, 3, _shares_accepted),
    EntryCheck(ELECTION_KEY, 3, _election_key),
    EntryCheck(KEY_CONFIRMATION, 3, _key_confirmation),
)
