"""Spec §11.8-§11.10 and §13.1 check 5, the stateful part: a ballot or audit is accepted in the
voting window, once the election is ready, from an eligible credential of its style, without a
ciphertext reused from another credential, a ballot without one an audit opened, an audit
without one a ballot cast; a credential's last ballot that no audit opens counts (§11.10, check
6: a ballot an audit later in the log opens never counts, and does not replace the one before).

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
from election.wire import AUDIT, BALLOT, Ballot
from verifier._ballots import BallotContext, BallotVerdict, BatchOutcome, alpha_prefix
from verifier._log import LeafRecord
from verifier._report import Rejected
from verifier._state import EntryCheck, State

__all__ = ["CHECKS", "resolve_opened", "settle"]


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
            tuple(raw for _, raw in state.setup.lists.values()),
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
    for contest, column in outcome.rankings.items():
        voting.rankings.setdefault(contest, {}).update(column)
    report = state.report
    for verdict in outcome.verdicts:
        received, kind, key = voting.pending.pop(verdict.index)
        if verdict.check:
            report.fail(verdict.check, verdict.index, verdict.error)
            continue
        if kind == AUDIT:
            _opened_ballots(state, verdict)
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
    seen = voting.seen
    held = seen.first_holders(verdict.alphas)
    for prefix in verdict.alphas:
        earlier = held.get(prefix)
        if earlier is None:
            continue
        leaf, audited = earlier >> 1, earlier & 1
        if audited and not audit:
            raise Rejected(5, f"a ciphertext was opened by the audit in leaf {leaf}")
        if audit and not audited:
            raise Rejected(
                5, f"a ciphertext was cast by the ballot in leaf {leaf}: a cast ballot is never "
                "opened (the board should have refused it: ciphertext_cast)",
            )  # fmt: skip
        if seen.credential(leaf) != credential:
            raise Rejected(5, f"a ciphertext is reused from leaf {leaf}, another credential")
    index = verdict.index
    # The first leaf holding each alpha; no accepted entry of the other kind can follow.
    seen.hold(verdict.alphas, index << 1 | audit)
    seen.set_credential(index, credential)
    if audit:
        return
    previous = issued.last_ballot[credential]
    if previous >= 0:
        voting.uncounted.add(previous)
    issued.last_ballot[credential] = index


def _opened_ballots(state: State, verdict: BallotVerdict) -> None:
    """Spec §11.10 The ballots whose ciphertexts this audit opens (an audit whose stateless
    checks passed, wherever it is and whatever the stateful rules say of it): each is a check-6
    failure and never counts (``resolve_opened`` finds its credential's counted ballot)."""
    voting, opened = state.voting, state.voting.opened
    held = voting.seen.first_holders(verdict.alphas)
    for prefix in verdict.alphas:
        earlier = held.get(prefix)
        if earlier is None or earlier & 1:
            continue
        leaf = earlier >> 1
        opened.prefixes.add(prefix)
        if leaf not in opened.ballots:
            opened.ballots[leaf] = verdict.index
            state.report.fail(
                6, leaf, f"ballot: the audit in leaf {verdict.index} opens it: an audited ballot "
                "never counts (§11.10)",
            )  # fmt: skip


def resolve_opened(state: State) -> None:
    """Spec §11.10 Only when audits opened ballots (a board that broke §11.8-§11.9): the
    credential of each such ballot counts its last valid ballot that holds no opened
    ciphertext, found by reading that credential's entries again from the source, newest
    first. Idempotent; run before the tally is checked and at the end of the log."""
    voting, issued, opened = state.voting, state.credentials, state.voting.opened
    seen = voting.seen
    holders = (seen.credential(leaf) for leaf in opened.ballots)
    affected = {c for c in holders if c is not None} - opened.resolved
    if not affected:
        return
    opened.resolved |= affected
    credentials = dict(seen.entries_of(affected))
    leaves = sorted(credentials, reverse=True)
    entries = state.reread(leaves)
    counted: dict[int, int] = {}
    for leaf in leaves:
        credential = credentials[leaf]
        if credential in counted:
            continue
        entry = canonical.decode(entries[leaf])
        assert isinstance(entry, dict)
        if entry["type"] != BALLOT:
            continue
        ballot = Ballot.from_json(entry["payload"], state.layout)
        if not any(alpha_prefix(c.alpha) in opened.prefixes for c in ballot.ciphertexts()):
            counted[credential] = leaf
            continue
        voting.uncounted.add(leaf)
        if leaf not in opened.ballots:
            opened.ballots[leaf] = -1
            state.report.fail(6, leaf, "ballot: an audit opens it: it never counts (§11.10)")
    for credential in affected:
        if issued.revoked[credential]:
            continue  # none of its ballots counts (§11.10)
        leaf = counted.get(credential, -1)
        issued.last_ballot[credential] = leaf
        voting.uncounted.discard(leaf)


CHECKS: Final = (
    EntryCheck(BALLOT, 5, _queue),
    EntryCheck(AUDIT, 5, _queue),
)
