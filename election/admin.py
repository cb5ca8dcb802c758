"""Spec §11.5, §11.6, §11.11 and §11.12 What the administrator computes from the log before
posting: the candidate list of a contest (from the nominations and exclusions on the board),
the election key (from the ceremony on the board), the tally (from the counted ballots) and the
result (from the tally, the trustees' decryptions and, for each ranked contest, the decryption
of its final list and the count of its papers). Producer code; the rules check each again."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Final

from crypto.elgamal import discrete_log, extract
from crypto.errors import InsufficientShares, MalformedInput
from crypto.group import Point
from crypto.threshold import CeremonyResult, threshold_decrypt_list
from election.collector import collector_paused
from election.definition import ContestKind
from election.rules import (
    ElectionParameters,
    ElectionState,
    Refusal,
    ceremony_election_key,
    combine_tally,
    contest_result,
    decrypting_trustees,
    qualifying_nominees,
    ranked_contest_result,
    read_back,
)
from election.wire import (
    Ballot,
    Candidate,
    CandidateList,
    ContestResult,
    ElectionKey,
    RankedContestResult,
    Result,
    Tally,
    ranked_decryption_context,
    result_seed,
)

__all__ = ["ORDERS", "CeremonyOutcome", "candidate_list", "election_key", "result", "tally"]

#: Spec §11.5 How the administrator may order a ballot paper.
ORDERS: Final = ("alphabetical", "nominated", "random")


def candidate_list(
    state: ElectionState, contest: str, *, order: str = "alphabetical"
) -> CandidateList:
    """Spec §11.5 The candidate list the nominations on the log give ``contest``: every nominee
    with at least ``nomination_threshold`` distinct nominators and no exclusion, ordered by name
    (``alphabetical``), by first nomination (``nominated``) or at random (``random``, drawn with
    ``secrets``; the order is published in the entry).

    Raises:
        Refusal: ``unknown_contest``, ``no_candidates`` (a referendum, or nobody qualifies).
        ValueError: an unknown order.
    """
    if order not in ORDERS:
        raise ValueError(f"order must be one of {', '.join(ORDERS)}")
    params = state.params
    if params is None:
        raise Refusal("no_definition", "the definition is not on the log")
    try:
        kind = params.definition.contest(contest).kind
    except KeyError:
        raise Refusal("unknown_contest", f"the definition has no contest {contest!r}") from None
    if kind is ContestKind.REFERENDUM:
        raise Refusal("no_candidates", f"{contest} is a referendum: it has no candidate list")
    nominees = qualifying_nominees(state, contest)
    if not nominees:
        raise Refusal("no_candidates", f"no nominee of {contest} qualifies")
    candidates = [Candidate(i, n.name, dict(n.attributes)) for i, n in nominees.items()]
    if order == "alphabetical":
        candidates.sort(key=lambda c: (c.name.casefold(), c.id))
    elif order == "random":
        shuffled = []
        while candidates:
            shuffled.append(candidates.pop(secrets.randbelow(len(candidates))))
        candidates = shuffled
    return CandidateList(contest, tuple(candidates))


@dataclass(frozen=True, slots=True)
class CeremonyOutcome:
    """Spec §11.6 The ``election-key`` payload and how the ceremony came to it."""

    key: ElectionKey
    result: CeremonyResult


def election_key(state: ElectionState, now: int) -> CeremonyOutcome:
    """Spec §11.6, §11.4 and §7.5 The election key the ceremony on the log gives at the board's
    time ``now`` (ms): once every trustee has finished, or from ``ceremony_close`` on with the
    qualified set and the absent trustees.

    Raises:
        Refusal: ``ceremony_incomplete`` (a trustee has not finished checking and the ceremony
            has not closed), ``ceremony_failed`` (fewer than t qualified dealers).
    """
    if state.params is None:
        raise Refusal("no_definition", "the definition is not on the log")
    key, result = ceremony_election_key(state, now)
    return CeremonyOutcome(key, result)


def tally(state: ElectionState) -> Tally:
    """Spec §11.11 The tally of the counted ballots on the log: the rules' running products
    divided by the ballots superseded since (revotes, revoked credentials), read back.

    Raises:
        Refusal: ``no_definition``.
    """
    params = state.params
    if params is None:
        raise Refusal("no_definition", "the definition is not on the log")
    superseded = [
        Ballot.from_json(read_back(state, i).payload, params.layout)
        for i in state.voting.superseded
    ]
    return state.expected_tally(superseded)


def result(state: ElectionState) -> Result:
    """Spec §11.12 The result the tally and the decryptions on the log give: the t lowest
    trustees, each count decoded (§5.5, bound N_c), each ranked contest's papers (its final list
    decrypted by its t lowest decrypting trustees, §7.8), the seed, the elected (§12.7) and
    each ranked contest's count (§12.1.6, its method).

    Raises:
        Refusal: ``no_tally``.
        InsufficientShares: fewer than t decryptions of the tally or of a ranked contest.
    """
    params, tallied = state.params, state.tallying.tally
    if params is None or tallied is None:
        raise Refusal("no_tally", "the tally is not on the log")
    chosen, combined = combine_tally(
        tallied, state.tallying.decryptions, threshold=params.threshold.threshold
    )
    papers: dict[str, tuple[bytes | None, ...]] = {}
    plaintexts: list[Point] = []
    for contest in params.definition.contests:
        if contest.kind is ContestKind.RANKED:
            with collector_paused():
                decrypted = _final_plaintexts(params, contest.id)
            papers[contest.id] = tuple(_paper(p) for p in decrypted)
            plaintexts.extend(decrypted)
    seed = result_seed(state.tallying.tally_hash, [m for row in combined for m in row] + plaintexts)
    contests: list[ContestResult | RankedContestResult] = []
    for contest, contest_tally, points in zip(
        params.definition.contests, tallied.contests, combined, strict=True
    ):
        candidates = params.candidate_lists.get(contest.id)
        if contest_tally.aggregates is None:
            assert candidates is not None
            contests.append(
                ranked_contest_result(
                    contest,
                    papers[contest.id],
                    trustees=decrypting_trustees(params, contest.id),
                    candidates=candidates,
                    seed=seed,
                )
            )
            continue
        counts = [
            discrete_log(a.beta / m, bound=contest_tally.ballots)
            for a, m in zip(contest_tally.aggregates, points, strict=True)
        ]
        contests.append(contest_result(contest, counts, candidates=candidates, seed=seed))
    return Result(state.tallying.tally_hash, chosen, seed, tuple(contests))


def _final_plaintexts(params: ElectionParameters, contest: str) -> list[Point]:
    """Spec §7.8 and §7.7 The plaintexts of ranked ``contest``'s final list, combined from its
    t lowest-indexed decrypting trustees (whose proofs are verified once more)."""
    latest = params.tallying.lists[contest]
    trustees = decrypting_trustees(params, contest)
    t = params.threshold.threshold
    if len(trustees) < t:
        raise InsufficientShares(
            f"contest {contest}: {len(trustees)} ranked decryption(s)",
            valid=len(trustees),
            threshold=t,
        )
    assert params.election_key is not None
    decryptions = params.tallying.ranked[contest]
    return threshold_decrypt_list(
        latest.ciphertexts,
        [decryptions[j].decryption for j in trustees],
        joint_key=params.election_key.joint_key,
        context=ranked_decryption_context(params.fingerprint, contest, latest.source),
    )


def _paper(plaintext: Point) -> bytes | None:
    """Spec §11.12 A paper: the bytes embedded in ``plaintext`` (§5.6), None if it is not an
    embedding."""
    try:
        return extract(plaintext)
    except MalformedInput:
        return None
