"""Spec §11.8-§11.10 and §13.1 check 5, the stateful part: a ballot or audit is accepted in the
voting window, once the election is ready, from an eligible credential of its style, without a
ciphertext reused from another credential or opened by an audit; a credential's last ballot
counts (§11.10).

A voter entry is queued (``queue``) for the workers (``_ballots``: decoding, signature, every
proof), and its verdict comes back in a ``BatchOutcome`` that ``settle`` folds in log order.
Re-derived on purpose (N-version checking, §13): written here again from the spec, not imported
from ``election.rules``.
"""

from __future__ import annotations

from typing import Any, Final

from crypto import canonical
from crypto.group import Point
from election.definition import ContestKind
from election.wire import AUDIT, BALLOT
from verifier._ballots import BallotContext, BallotVerdict, BatchOutcome
from verifier._log import LeafRecord
from verifier._report import Rejected
from verifier._state import EntryCheck, State

__all__ = ["CHECKS", "settle"]


def _not_ready(state: State) -> str | None:
    """Spec §11.4 Why ballots cannot be accepted yet (the 'ready' condition)."""
    ceremony, setup = state.ceremony, state.setup
    if ceremony.election_key is None:
        return "the election key is not published"
    if len(ceremony.confirmations) < state.threshold.threshold:
        return "fewer than t key confirmations"
    if not state.credentials.complete:
        return "the credentials are not complete"
    for contest in state.definition.contests:
        if contest.kind is not ContestKind.REFERENDUM and (
            contest.id not in setup.lists or contest.id in setup.stale
        ):
            return f"contest {contest.id} has no candidate list in force"
    return None


def _queue(state: State, record: LeafRecord, payload: Any) -> None:
    """Queue a voter entry for the workers (its payload is theirs to decode)."""
    not_ready = _not_ready(state)
    if not_ready is not None:
        raise Rejected(5, f"voting cannot start: {not_ready}")
    voting = state.voting
    if voting.context is None:
        voting.context = BallotContext(
            state.election,
            canonical.encode(state.definition.to_json()),
            tuple(canonical.encode(lst.to_json()) for lst, _ in state.setup.lists.values()),
            state.ceremony.election_key_raw,
        )
    voting.pending[record.index] = (record.received, record.type, record.key)
    voting.batch.append((record.index, record.type, record.key, record.raw))


def settle(state: State, outcome: BatchOutcome) -> None:
    """Spec §11.8-§11.10 The stateful rules for a verified batch, in log order."""
    voting = state.voting
    for contest, row in outcome.products.items():
        batch = [(Point.from_bytes(a), Point.from_bytes(b)) for a, b in row]
        running = voting.products.get(contest)
        voting.products[contest] = (
            batch
            if running is None
            else [(ra * a, rb * b) for (ra, rb), (a, b) in zip(running, batch, strict=True)]
        )
    report = state.report
    for verdict in outcome.verdicts:
        received, kind, key = voting.pending.pop(verdict.index)
        if verdict.check:
            report.fail(verdict.check, verdict.index, verdict.error)
            continue
        try:
            _voter_rules(state, verdict, received, kind, key)
        except Rejected as exc:
            report.fail(exc.check, verdict.index, f"{kind}: {exc}")
            if kind == BALLOT:
                voting.uncounted.add(verdict.index)
            continue
        report.ok(5)


def _voter_rules(
    state: State, verdict: BallotVerdict, received: int, kind: str, key: bytes
) -> None:
    """Window, an eligible credential of the ballot's style, no reused ciphertext, and the
    last ballot per credential (§11.10)."""
    if received < state.instant("voting_open"):
        raise Rejected(5, "cast before voting opened")
    if received >= state.instant("voting_close"):
        raise Rejected(5, "cast after voting closed")
    issued, voting = state.credentials, state.voting
    credential = issued.ids.get(key)
    if credential is None:
        raise Rejected(5, "the credential is not on the published lists")
    if issued.revoked[credential]:
        raise Rejected(5, "the credential was revoked by a reissue")
    if issued.styles[credential] != verdict.style:
        raise Rejected(5, f"the credential is for style {issued.styles[credential]}")
    audit = kind == AUDIT
    for prefix in verdict.alphas:
        earlier = voting.alphas.get(prefix)
        if earlier is None:
            continue
        leaf, audited = earlier >> 1, earlier & 1
        if audited and not audit:
            raise Rejected(5, f"a ciphertext was opened by the audit in leaf {leaf}")
        if voting.ballot_credential[leaf] != credential:
            raise Rejected(5, f"a ciphertext is reused from leaf {leaf}, another credential")
    index = verdict.index
    for prefix in verdict.alphas:
        earlier = voting.alphas.get(prefix)
        voting.alphas[prefix] = (index << 1 | audit) if earlier is None else (earlier | audit)
    voting.ballot_credential[index] = credential
    if audit:
        return
    previous = issued.last_ballot[credential]
    if previous >= 0:
        voting.uncounted.add(previous)
    issued.last_ballot[credential] = index


CHECKS: Final = (
    EntryCheck(BALLOT, 5, _queue),
    EntryCheck(AUDIT, 5, _queue),
)
