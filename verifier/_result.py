"""Spec §11.12, §7.7 and §12.7 check 8: the result recomputed from the tally and the
decryptions (combination, seed, decoded counts) and the winners from the counts by the
contest's rule, its quota constraints and lots drawn from the seed.

Re-derived on purpose (N-version checking, §13): the combination of the shares and the check of
each count are written here again from the spec, not taken from ``election.rules``. The winner
rule itself is ``election.counting``'s (``contest_winners``), the pure counting rules the
verifier shares with everyone who counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from crypto.group import IDENTITY, Point, Scalar
from crypto.multiexp import g_pow_vartime
from crypto.threshold import combine_decryption_shares
from election.counting import contest_winners
from election.definition import ElectionDefinition
from election.wire import RESULT, CandidateList, Decryption, Result, Tally, result_seed
from verifier._log import LeafRecord
from verifier._report import Rejected
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
) -> None:
    """Spec §11.12 The seed, every count (``g^n · M = beta``, ``n <= N_c``) and the elected
    and passed over, given the ``t`` decryptions the result must use.

    Raises:
        Rejected: check 8, naming the first difference.
    """
    combined = combine_tally(tally, decryptions)
    seed = result_seed(tally_hash, [m for row in combined for m in row])
    if result.seed != seed:
        raise Rejected(8, "the seed is not the one the decryptions give")
    for contest, contest_tally, points, got in zip(
        definition.contests, tally.contests, combined, result.contests, strict=True
    ):
        if contest_tally.aggregates is None:
            continue
        assert got.counts is not None
        for k, (aggregate, m, n) in enumerate(
            zip(contest_tally.aggregates, points, got.counts, strict=True)
        ):
            if n > contest_tally.ballots or g_pow_vartime(Scalar(n)) * m != aggregate.beta:
                raise Rejected(8, f"contest {contest.id} option {k}: {n} is not the count")
        elected, passed_over = contest_winners(
            contest, got.counts, candidates=candidate_lists.get(contest.id), seed=seed
        )
        if (got.elected, got.passed_over) != (elected, passed_over):
            raise Rejected(
                8,
                f"contest {contest.id}: the elected are {list(elected)}, passed over "
                f"{list(passed_over)}; the result says {list(got.elected)}",
            )


def _result(state: State, record: LeafRecord, payload: Any) -> None:
    state.administrator(record, 8)
    result = Result.from_json(payload, state.layout)
    tallying = state.tallying
    tally = tallying.tally
    if tally is None:
        raise Rejected(8, "no result before the tally")
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
    check_result(
        result,
        definition=state.definition,
        tally=tally,
        tally_hash=tallying.tally_hash,
        decryptions={j: tallying.decryptions[j] for j in chosen},
        candidate_lists={contest: listed for contest, (listed, _) in state.setup.lists.items()},
    )
    tallying.result_seen = True


CHECKS: Final = (EntryCheck(RESULT, 8, _result),)
