"""Spec §11.10, §11.11 and §13.1 checks 6 and 7: which ballots count (the last valid ballot of
each credential not revoked: N_c per contest, check 6), the tally's aggregates recomputed from
exactly those ballots, and every decryption share's proof (check 7). Once the tally is
accepted, each ranked contest's list_0 is made of the counted ballots' ranking ciphertexts, in
leaf order, for check 9.

Re-derived on purpose (N-version checking, §13): the aggregates are the running products the
verifier kept over the valid ballots it verified itself, divided by the uncounted ones read
again from the source; nothing is taken from ``election.rules`` or from the tally producer.
"""

from __future__ import annotations

from typing import Any, Final

from crypto import canonical
from crypto.elgamal import Ciphertext
from crypto.envelope import entry_hash
from crypto.errors import InvalidProof
from crypto.group import IDENTITY, Point, product
from crypto.threshold import verify_partial_decryption
from election.definition import ContestKind
from election.wire import (
    DECRYPTION,
    TALLY,
    Ballot,
    Decryption,
    HomomorphicContestBallot,
    Tally,
    tally_decryption_context,
)
from verifier._log import LeafRecord
from verifier._report import Rejected
from verifier._state import EntryCheck, MixList, State
from verifier._voting import resolve_opened

__all__ = ["CHECKS", "expected_tally"]

ContestExpected = tuple[str, int, list[Ciphertext] | None]
"""A contest's id, N_c, and its expected aggregates (None: ranked, its ballots are mixed)."""


def _counted_voters(state: State) -> dict[str, int]:
    """Spec §11.10 Per ballot style, the credentials whose last ballot counts."""
    issued = state.credentials
    voters: dict[str, int] = {}
    for credential, last in enumerate(issued.last_ballot):
        if last >= 0 and not issued.revoked[credential]:
            style = issued.styles[credential]
            voters[style] = voters.get(style, 0) + 1
    return voters


def _uncounted_ciphertexts(state: State) -> dict[str, list[list[Ciphertext]]]:
    """The ciphertexts of the valid ballots that do not count, per contest and option (read
    again from the source: they were folded into the running products when verified)."""
    removed: dict[str, list[list[Ciphertext]]] = {}
    for raw in state.reread(sorted(state.voting.uncounted)).values():
        entry = canonical.decode(raw)
        assert isinstance(entry, dict)
        ballot = Ballot.from_json(entry["payload"], state.layout)
        for contest in ballot.contests:
            if isinstance(contest, HomomorphicContestBallot):
                rows = removed.setdefault(contest.contest, [[] for _ in contest.selections])
                for k, ciphertext in enumerate(contest.selections):
                    rows[k].append(ciphertext)
    return removed


def expected_tally(state: State) -> list[ContestExpected]:
    """Spec §11.10-§11.11 Per contest: N_c and the aggregates of exactly the counted ballots
    (running products over valid ballots, divided by the uncounted ones)."""
    voters = _counted_voters(state)
    removed = _uncounted_ciphertexts(state)
    expected: list[ContestExpected] = []
    for c in state.definition.contests:
        ballots = sum(n for style, n in voters.items() if c.id in style.split("+"))
        if c.kind is ContestKind.RANKED:
            expected.append((c.id, ballots, None))
            continue
        shape = state.layout.contests[c.id]
        running = state.voting.products.get(c.id) or [(IDENTITY, IDENTITY)] * shape.options
        gone = removed.get(c.id) or [[] for _ in range(shape.options)]
        aggregates = [
            Ciphertext(a / product(x.alpha for x in out), b / product(x.beta for x in out))
            for (a, b), out in zip(running, gone, strict=True)
        ]
        expected.append((c.id, ballots, aggregates))
    return expected


def _tally(state: State, record: LeafRecord, payload: Any) -> None:
    state.administrator(record, 7)
    tally = Tally.from_json(payload, state.layout)
    if record.received < state.instant("voting_close"):
        raise Rejected(7, "the tally comes after voting closes")
    tallying = state.tallying
    if tallying.tally is not None:
        raise Rejected(7, "the tally is already on the log")
    if state.ceremony.election_key is None:
        raise Rejected(7, "there is no election key")
    resolve_opened(state)
    for got, (contest, ballots, aggregates) in zip(
        tally.contests, expected_tally(state), strict=True
    ):
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
                7, f"contest {contest} option {wrong}: the aggregate is not the counted ballots'"
            )
    tallying.tally = tally
    tallying.tally_hash = entry_hash(record.raw)
    state.report.ok(6, sum(1 for last in state.credentials.last_ballot if last >= 0))
    _open_lists(state, tally)


def _open_lists(state: State, tally: Tally) -> None:
    """Spec §11.11 Each ranked contest's list_0: the ranking ciphertexts of the counted ballots
    (each credential's last, unless revoked) that hold the contest, in leaf order."""
    issued = state.credentials
    counted = {
        last
        for credential, last in enumerate(issued.last_ballot)
        if last >= 0 and not issued.revoked[credential]
    }
    for contest in tally.contests:
        if contest.aggregates is not None:
            continue
        column = state.voting.rankings.get(contest.contest, {})
        ciphertexts = tuple(
            Ciphertext(Point.from_bytes(column[leaf][:33]), Point.from_bytes(column[leaf][33:]))
            for leaf in sorted(counted)
            if leaf in column
        )
        state.mixing.lists[contest.contest] = MixList(ciphertexts, 0, state.tallying.tally_hash, ())


def _decryption(state: State, record: LeafRecord, payload: Any) -> None:
    tallying = state.tallying
    tally = tallying.tally
    if tally is None:
        raise Rejected(7, "no decryption before the tally")
    decryption = Decryption.from_json(payload, tally.sizes())
    state.trustee(record, decryption.trustee, 7)
    if decryption.tally != tallying.tally_hash:
        raise Rejected(7, "the decryption is for another tally entry")
    if decryption.trustee in tallying.decryptions:
        raise Rejected(7, f"trustee {decryption.trustee} has already decrypted")
    key = state.ceremony.election_key
    assert key is not None
    if decryption.trustee not in key.holders:
        raise Rejected(7, f"trustee {decryption.trustee} is absent: it holds no key share (§7.5)")
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
            context = tally_decryption_context(state.setup.fingerprint, contest.contest, k)
            try:
                verify_partial_decryption(
                    share, alpha=aggregate.alpha, verification_key=verification_key, context=context
                )
            except InvalidProof as exc:
                raise Rejected(7, f"{where}: decryption share proof: {exc}") from None
    tallying.decryptions[decryption.trustee] = decryption


CHECKS: Final = (
    EntryCheck(TALLY, 7, _tally),
    EntryCheck(DECRYPTION, 7, _decryption),
)
