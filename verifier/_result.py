"""Spec §11.12, §7.7 and §12.7 check 8: the result recomputed from the tally and the
decryptions (combination, seed, decoded counts) and the winners from the counts by the
contest's rule, its quota constraints and lots drawn from the seed."""

from __future__ import annotations

from collections.abc import Mapping

from crypto.group import IDENTITY, Point, Scalar
from crypto.multiexp import g_pow_vartime
from crypto.threshold import combine_decryption_shares
from election.counting import Constraints, GroupBound, Lot, count_block_vote
from election.definition import Contest, ContestKind, ElectionDefinition
from election.wire import CandidateList, Decryption, Result, Tally, result_seed
from verifier._report import Rejected

__all__ = ["check_result", "combine_tally", "contest_constraints", "winners"]


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
        elected, passed_over = winners(
            contest, got.counts, candidate_lists.get(contest.id), seed=seed
        )
        if (got.elected, got.passed_over) != (elected, passed_over):
            raise Rejected(
                8,
                f"contest {contest.id}: the elected are {list(elected)}, passed over "
                f"{list(passed_over)}; the result says {list(got.elected)}",
            )


def winners(
    contest: Contest, counts: tuple[int, ...], candidates: CandidateList | None, *, seed: bytes
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Spec §11.12 and §12.7 The elected and the passed over from the decrypted counts: a
    referendum's option with the most votes (none on a tie); a block or approval contest's
    top ``seats`` under its constraints, ties by lots from ``seed``."""
    if contest.kind is ContestKind.REFERENDUM:
        best = max(counts)
        top = [o for o, n in zip(contest.options, counts, strict=True) if n == best]
        return (tuple(top) if len(top) == 1 else ()), ()
    assert candidates is not None
    ids = [c.id for c in candidates.candidates]
    outcome = count_block_vote(
        candidates=ids,
        votes=counts,
        seats=contest.seats,
        lot=Lot(seed, contest=contest.id),
        constraints=contest_constraints(candidates, contest),
    )
    return tuple(ids[c] for c in outcome.winners), tuple(ids[c] for c in outcome.passed_over)


def contest_constraints(candidates: CandidateList, contest: Contest) -> Constraints:
    """Spec §12.5 The contest's constraints over its candidate list (group ``attribute=value``),
    checked feasible for ``seats`` among the candidates.

    Raises:
        InfeasibleConstraints: no set of candidates meets them.
    """
    bounds = []
    members = []
    for constraint in contest.constraints:
        bounds.append(
            GroupBound(
                f"{constraint.attribute}={constraint.value}", constraint.minimum, constraint.maximum
            )
        )
        members.append(
            frozenset(
                k
                for k, c in enumerate(candidates.candidates)
                if c.attributes.get(constraint.attribute) == constraint.value
            )
        )
    built = Constraints(tuple(bounds), tuple(members))
    built.check(candidates=len(candidates.candidates), seats=contest.seats)
    return built
