"""Spec §11.7 and §13.1 check 4: the credential lists (in order, strictly increasing, no
credential twice), their published counts, and reissues (which revoke a credential and make
its last ballot uncounted).

Re-derived on purpose (N-version checking, §13): written here again from the spec, not imported
from ``election.rules``.
"""

from __future__ import annotations

from typing import Any, Final

from crypto.errors import VerivoteError
from election.wire import (
    CREDENTIAL_REISSUE,
    CREDENTIALS,
    CREDENTIALS_COMPLETE,
    CredentialReissue,
    CredentialsComplete,
    CredentialsPart,
    check_style,
)
from verifier._log import LeafRecord
from verifier._report import Rejected
from verifier._state import EntryCheck, State

__all__ = ["CHECKS"]


def _credentials(state: State, record: LeafRecord, payload: Any) -> None:
    state.issuer(record)
    part = CredentialsPart.from_json(payload)
    state.before_voting(record, 4)
    issued = state.credentials
    if issued.complete:
        raise Rejected(4, "the credentials are complete: only reissues follow")
    try:
        check_style(state.definition, part.style)
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


def _credentials_complete(state: State, record: LeafRecord, payload: Any) -> None:
    state.issuer(record)
    complete = CredentialsComplete.from_json(payload)
    state.before_voting(record, 4)
    issued = state.credentials
    if issued.complete:
        raise Rejected(4, "the credentials are already complete")
    if dict(complete.counts) != issued.counts:
        raise Rejected(
            4,
            f"published counts {dict(complete.counts)} differ from the lists {issued.counts}",
        )
    issued.complete = True


def _credential_reissue(state: State, record: LeafRecord, payload: Any) -> None:
    state.issuer(record)
    reissue = CredentialReissue.from_json(payload)
    issued = state.credentials
    if not issued.complete:
        raise Rejected(4, "reissues come after credentials-complete")
    if record.received >= state.instant("voting_close"):
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
        state.voting.uncounted.add(issued.last_ballot[old])
        issued.last_ballot[old] = -1
    issued.add(reissue.credential.to_bytes(), reissue.style)


CHECKS: Final = (
    EntryCheck(CREDENTIALS, 4, _credentials),
    EntryCheck(CREDENTIALS_COMPLETE, 4, _credentials_complete),
    EntryCheck(CREDENTIAL_REISSUE, 4, _credential_reissue),
)
