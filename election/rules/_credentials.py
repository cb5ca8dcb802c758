"""Spec §11.7 Credentials on the log: sorted parts per ballot style, the closing counts, and
reissues that revoke a lost credential."""

from __future__ import annotations

import sys

from crypto.errors import MalformedInput
from election.rules._common import EntryRule, before_voting_opens, check_issuer, need_params
from election.rules._state import (
    Credential,
    ElectionParameters,
    ElectionState,
    LoggedEntry,
    Refusal,
)
from election.wire import (
    CREDENTIAL_REISSUE,
    CREDENTIALS,
    CREDENTIALS_COMPLETE,
    CredentialReissue,
    CredentialsComplete,
    CredentialsPart,
    check_style,
)


def _known_style(state: ElectionState, style: str) -> str:
    params = need_params(state.params)
    try:
        check_style(params.definition, style)
    except MalformedInput as exc:
        raise Refusal("unknown_style", str(exc)) from None
    return sys.intern(style)


# --- credentials -----------------------------------------------------------------------------


def _precheck_part(
    params: ElectionParameters | None, entry: LoggedEntry, verify: bool
) -> CredentialsPart:
    return CredentialsPart.from_json(entry.payload)


def _check_part(
    state: ElectionState, entry: LoggedEntry, part: CredentialsPart, index: int, received: int
) -> None:
    check_issuer(state, entry)
    before_voting_opens(state, received, "credentials")
    issued = state.credentials
    if issued.complete:
        raise Refusal("credentials_complete", "the credentials are complete: use a reissue")
    _known_style(state, part.style)
    expected = issued.parts.get(part.style, 0)
    if part.part != expected:
        raise Refusal("part_out_of_order", f"style {part.style}: expected part {expected}")
    last = issued.last.get(part.style)
    if last is not None and part.credentials[0].to_bytes() <= last:
        raise Refusal(
            "credentials_unsorted", f"style {part.style}: part {part.part} does not follow on"
        )
    for credential in part.credentials:
        if credential.to_bytes() in issued.credentials:
            raise Refusal("duplicate_credential", f"credential {credential.to_hex()} is issued")


def _apply_part(
    state: ElectionState, entry: LoggedEntry, part: CredentialsPart, index: int, received: int
) -> None:
    issued = state.credentials
    style = sys.intern(part.style)
    for credential in part.credentials:
        issued.credentials[credential.to_bytes()] = Credential(style)
    issued.parts[style] = part.part + 1
    issued.last[style] = part.credentials[-1].to_bytes()
    issued.counts[style] = issued.counts.get(style, 0) + len(part.credentials)


# --- credentials-complete --------------------------------------------------------------------


def _precheck_complete(
    params: ElectionParameters | None, entry: LoggedEntry, verify: bool
) -> CredentialsComplete:
    return CredentialsComplete.from_json(entry.payload)


def _check_complete(
    state: ElectionState,
    entry: LoggedEntry,
    complete: CredentialsComplete,
    index: int,
    received: int,
) -> None:
    check_issuer(state, entry)
    before_voting_opens(state, received, "credentials")
    if state.credentials.complete:
        raise Refusal("credentials_complete", "the credentials are already complete")
    counts = state.credentials.counts
    if dict(complete.counts) != counts:
        wrong = sorted(
            s for s in set(counts) | set(complete.counts) if counts.get(s) != complete.counts.get(s)
        )
        raise Refusal(
            "counts_mismatch",
            f"style {wrong[0]}: {counts.get(wrong[0], 0)} credentials issued, "
            f"{complete.counts.get(wrong[0], 0)} claimed",
        )


def _apply_complete(
    state: ElectionState,
    entry: LoggedEntry,
    complete: CredentialsComplete,
    index: int,
    received: int,
) -> None:
    state.credentials.complete = True


# --- credential-reissue ----------------------------------------------------------------------


def _precheck_reissue(
    params: ElectionParameters | None, entry: LoggedEntry, verify: bool
) -> CredentialReissue:
    return CredentialReissue.from_json(entry.payload)


def _check_reissue(
    state: ElectionState, entry: LoggedEntry, reissue: CredentialReissue, index: int, received: int
) -> None:
    check_issuer(state, entry)
    issued = state.credentials
    if not issued.complete:
        raise Refusal("credentials_incomplete", "reissues come after credentials-complete")
    if received >= state.instant("voting_close"):
        raise Refusal("voting_closed", "no reissue after voting closes")
    old = issued.credentials.get(reissue.revoked.to_bytes())
    if old is None:
        raise Refusal("unknown_credential", "the revoked credential was never issued")
    if old.revoked:
        raise Refusal("credential_revoked", "that credential is already revoked")
    if old.style != reissue.style:
        raise Refusal("style_mismatch", f"the revoked credential is of style {old.style}")
    if reissue.credential.to_bytes() in issued.credentials:
        raise Refusal("duplicate_credential", "the new credential is already issued")


def _apply_reissue(
    state: ElectionState, entry: LoggedEntry, reissue: CredentialReissue, index: int, received: int
) -> None:
    issued = state.credentials
    old = issued.credentials[reissue.revoked.to_bytes()]
    old.revoked = True
    if old.last_ballot is not None:
        state.voting.superseded.append(old.last_ballot)
        state.voting.voters[old.style] -= 1
    issued.credentials[reissue.credential.to_bytes()] = Credential(old.style)


RULES = (
    EntryRule(CREDENTIALS, _precheck_part, _check_part, _apply_part),
    EntryRule(CREDENTIALS_COMPLETE, _precheck_complete, _check_complete, _apply_complete),
    EntryRule(CREDENTIAL_REISSUE, _precheck_reissue, _check_reissue, _apply_reissue),
)
