"""Spec §11.5, §11.6, §11.11 and §11.12 What the administrator computes from the log before
posting: the candidate list of a contest (from the nominations and exclusions on the board),
the election key (from the ceremony on the board), the tally (from the counted ballots) and the
result (from the tally and the trustees' decryptions). Producer code; the rules check each
again."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Final

from crypto.elgamal import discrete_log
from crypto.errors import CeremonyFailed
from crypto.threshold import CeremonyResult, verify_ceremony
from election.definition import ContestKind
from election.rules import (
    ElectionState,
    Refusal,
    combine_tally,
    contest_result,
    qualifying_nominees,
    read_back,
)
from election.wire import (
    Ballot,
    Candidate,
    CandidateList,
    ContestResult,
    ElectionKey,
    Result,
    Tally,
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


def election_key(state: ElectionState) -> CeremonyOutcome:
    """Spec §11.6 and §7.5 The election key the ceremony on the log gives.

    Raises:
        Refusal: ``ceremony_incomplete`` (a trustee has not finished checking),
            ``ceremony_failed`` (fewer than t qualified dealers).
    """
    params = state.params
    if params is None:
        raise Refusal("no_definition", "the definition is not on the log")
    ceremony = state.ceremony
    waiting = [i for i in params.threshold.indices if i not in ceremony.shares_accepted]
    if waiting:
        raise Refusal("ceremony_incomplete", f"trustee(s) {waiting} have not finished checking")
    indices = params.threshold.indices
    try:
        result = verify_ceremony(
            params.threshold,
            [ceremony.trustee_keys[i] for i in indices],
            [ceremony.dealings[i] for i in indices],
            ceremony.complaints,
        )
    except CeremonyFailed as exc:
        raise Refusal("ceremony_failed", str(exc)) from None
    key = ElectionKey(result.joint_key, tuple(d.dealer for d in result.disqualified))
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
    trustees, the seed, each count decoded (§5.5, bound N_c) and the elected (§12.7).

    Raises:
        Refusal: ``no_tally``.
        InsufficientShares: fewer than t decryptions.
    """
    params, tallied = state.params, state.tallying.tally
    if params is None or tallied is None:
        raise Refusal("no_tally", "the tally is not on the log")
    chosen, combined = combine_tally(
        tallied, state.tallying.decryptions, threshold=params.threshold.threshold
    )
    seed = result_seed(state.tallying.tally_hash, [m for row in combined for m in row])
    contests = []
    for contest, contest_tally, points in zip(
        params.definition.contests, tallied.contests, combined, strict=True
    ):
        if contest_tally.aggregates is None:
            contests.append(ContestResult(contest.id, contest.kind, None, (), ()))
            continue
        counts = [
            discrete_log(a.beta / m, bound=contest_tally.ballots)
            for a, m in zip(contest_tally.aggregates, points, strict=True)
        ]
        contests.append(
            contest_result(
                contest, counts, candidates=params.candidate_lists.get(contest.id), seed=seed
            )
        )
    return Result(state.tallying.tally_hash, chosen, seed, tuple(contests))
