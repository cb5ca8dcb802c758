"""Spec §11.12, §7.7 and §12.7 check 8: the result recomputed from the tally and the
decryptions (combination, seed, decoded counts) and the winners from the counts by the
contest's rule, its quota constraints and lots drawn from the seed; and, once it verified, the
results section of the report (§13.3: per contest N_c, turnout, counts, the elected, the lots
that decided between an elected and a not elected candidate; a ranked contest's papers and
count). A ranked contest's part of the result (its papers, its count) is check 10,
``_mixing``'s; the seed covers its plaintexts.

Re-derived on purpose (N-version checking, §13): the combination of the shares and the check of
each count are written here again from the spec, not taken from ``election.rules``. The winner
rule itself is ``election.counting``'s (``decide_contest``), the pure counting rules the
verifier shares with everyone who counts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from crypto.group import IDENTITY, Point, Scalar, g_pow
from crypto.threshold import combine_decryption_shares
from election.counting import ContestDecision, CountResult, decide_contest
from election.definition import ContestKind, ElectionDefinition
from election.wire import (
    RESULT,
    CandidateList,
    ContestResult,
    Decryption,
    RankedContestResult,
    Result,
    Tally,
    result_seed,
)
from verifier._log import LeafRecord
from verifier._mixing import check_ranked_count, ranked_plaintexts
from verifier._report import ContestSummary, RankedSummary, Rejected, ResultSummary
from verifier._state import EntryCheck, State

__all__ = ["CHECKS", "check_result", "combine_tally"]


def combine_tally(tally: Tally, decryptions: Mapping[int, Decryption]) -> list[list[Point]]:
    """Spec §7.7 Per contest and option, ``M = alpha^x`` combined from exactly the given
    (verified) decryptions; the identity where alpha is the identity."""
    combined: list[list[Point]] = []
    for c, tallied in enumerate(tally.contests):
        row = []
        for k, aggregate in enumerate(tallied.aggregates or ()):
            if aggregate.alpha.is_identity:
                row.append(IDENTITY)
                continue
            shares = {}
            for j, decryption in decryptions.items():
                share = decryption.shares[c][k]
                assert share is not None
                shares[j] = share.decryption_share
            row.append(combine_decryption_shares(shares))
        combined.append(row)
    return combined


def check_result(
    result: Result,
    *,
    definition: ElectionDefinition,
    tally: Tally,
    tally_hash: bytes,
    decryptions: Mapping[int, Decryption],
    candidate_lists: Mapping[str, CandidateList],
    plaintexts: Sequence[Point] = (),
) -> dict[str, ContestDecision]:
    """Spec §11.12 The seed (over the combined aggregates, then ``plaintexts``: every ranked
    contest's, in definition order), every count (``g^n · M = beta``, ``n <= N_c``) and the
    elected and passed over, given the ``t`` decryptions the result must use; the decision of
    every contest counted here (by contest id: the lots drawn).

    Raises:
        Rejected: check 8, naming the first difference.
    """
    combined = combine_tally(tally, decryptions)
    seed = result_seed(tally_hash, [m for row in combined for m in row] + list(plaintexts))
    if result.seed != seed:
        raise Rejected(8, "the seed is not the one the decryptions give")
    decisions: dict[str, ContestDecision] = {}
    for contest, contest_tally, points, got in zip(
        definition.contests, tally.contests, combined, result.contests, strict=True
    ):
        if contest_tally.aggregates is None or not isinstance(got, ContestResult):
            continue
        for k, (aggregate, m, n) in enumerate(
            zip(contest_tally.aggregates, points, got.counts, strict=True)
        ):
            # g^n by libsecp256k1's own table: a few per contest, not worth building one.
            if n > contest_tally.ballots or g_pow(Scalar(n)) * m != aggregate.beta:
                raise Rejected(8, f"contest {contest.id} option {k}: {n} is not the count")
        decision = decide_contest(
            contest, got.counts, candidates=candidate_lists.get(contest.id), seed=seed
        )
        if (got.elected, got.passed_over) != (decision.elected, decision.passed_over):
            raise Rejected(
                8,
                f"contest {contest.id}: the elected are {list(decision.elected)}, passed over "
                f"{list(decision.passed_over)}; the result says {list(got.elected)}",
            )
        decisions[contest.id] = decision
    return decisions


def _result(state: State, record: LeafRecord, payload: Any) -> None:
    state.administrator(record, 8)
    tallying = state.tallying
    tally = tallying.tally
    if tally is None:
        raise Rejected(8, "no result before the tally")
    result = Result.from_json(payload, state.layout, ranked=tally.ranked())
    if tallying.result_seen:
        raise Rejected(8, "the result is already on the log")
    if result.tally != tallying.tally_hash:
        raise Rejected(8, "the result is for another tally entry")
    t = state.threshold.threshold
    chosen = tuple(sorted(tallying.decryptions)[:t])
    if len(chosen) < t:
        raise Rejected(8, f"{len(chosen)} decryption(s), {t} needed")
    if result.trustees != chosen:
        raise Rejected(8, f"the result must name trustees {list(chosen)}")
    lists = {contest: listed for contest, (listed, _) in state.setup.lists.items()}
    ranked = [got for got in result.contests if isinstance(got, RankedContestResult)]
    plaintexts = [p for got in ranked for p in ranked_plaintexts(state, got)]
    decisions = check_result(
        result,
        definition=state.definition,
        tally=tally,
        tally_hash=tallying.tally_hash,
        decryptions={j: tallying.decryptions[j] for j in chosen},
        candidate_lists=lists,
        plaintexts=plaintexts,
    )
    counts = {
        got.contest: check_ranked_count(
            state, state.definition.contest(got.contest), got, result.seed
        )
        for got in ranked
    }
    state.report.ok(10, len(ranked))
    tallying.result_seen = True
    state.report.result = _summarise(state, record.index, result, decisions, lists, counts)


def _summarise(
    state: State,
    index: int,
    result: Result,
    decisions: Mapping[str, ContestDecision],
    lists: Mapping[str, CandidateList],
    counts: Mapping[str, CountResult | None],
) -> ResultSummary:
    """Spec §13.3 The results section: per contest the tally's N_c, the credentials issued for
    the styles holding it (§11.7 counts), the options and counts, the elected, the lots; for a
    ranked contest its papers and count instead of counts."""
    tally = state.tallying.tally
    assert tally is not None
    issued = state.credentials.counts
    contests = []
    for contest, tallied, got in zip(
        state.definition.contests, tally.contests, result.contests, strict=True
    ):
        if contest.kind is ContestKind.REFERENDUM:
            options = tuple((o, o) for o in contest.options)
        else:
            options = tuple((c.id, c.name) for c in lists[contest.id].candidates)
        decision = decisions.get(contest.id)
        counted = isinstance(got, ContestResult)
        contests.append(
            ContestSummary(
                contest=contest.id,
                title=contest.title,
                kind=contest.kind.value,
                seats=contest.seats,
                ballots=tallied.ballots,
                eligible=sum(n for s, n in issued.items() if contest.id in s.split("+")),
                options=options,
                counts=got.counts if isinstance(got, ContestResult) else None,
                elected=got.elected,
                passed_over=got.passed_over if isinstance(got, ContestResult) else (),
                lots=() if decision is None else decision.lots,
                ranked=None if counted else RankedSummary.of(counts.get(contest.id)),
            )
        )
    return ResultSummary(index, result.seed, tuple(contests))


CHECKS: Final = (EntryCheck(RESULT, 8, _result),)
