"""Spec §11.11 and §11.12 The tally (recomputed from the counted ballots; it opens each ranked
contest's list_0), the trustees' decryptions (every proof checked) and the result (counts,
papers, seed, ranked counts and winners recomputed), with the pure computations a tally producer
shares with these rules. A ranked contest's mixes and decryptions are ``_mixing``'s."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from crypto.elgamal import Ciphertext
from crypto.envelope import entry_hash
from crypto.errors import InsufficientShares, InvalidProof, VerivoteError
from crypto.group import IDENTITY, Point, Scalar
from crypto.multiexp import g_pow_vartime
from crypto.threshold import JointKey, combine_decryption_shares, verify_partial_decryption
from election.counting import contest_winners, count_papers, record_difference
from election.definition import Contest
from election.rules._common import (
    EntryRule,
    check_administrator,
    check_trustee,
    need_params,
    no_params,
)
from election.rules._mixing import decrypting_trustees, ranked_plaintexts
from election.rules._state import (
    ElectionParameters,
    ElectionState,
    LoggedEntry,
    MixList,
    Refusal,
)
from election.rules._voting import read_back
from election.wire import (
    DECRYPTION,
    RESULT,
    TALLY,
    Ballot,
    CandidateList,
    ContestResult,
    ContestTally,
    Decryption,
    RankedContestResult,
    Result,
    Tally,
    result_seed,
    tally_decryption_context,
)

# --- pure computations -----------------------------------------------------------------------


def verify_decryption(
    decryption: Decryption, *, tally: Tally, joint_key: JointKey, fingerprint: bytes
) -> None:
    """Spec §11.11 Check every partial decryption of a ``decryption`` entry: one per aggregate
    whose alpha is not the identity (``None`` exactly where it is), each proven (§7.6) against
    the trustee's verification key with the context of its contest and option.

    Raises:
        InvalidProof: a proof fails or a share is missing or superfluous.
    """
    key = joint_key.verification_key(decryption.trustee)
    for contest, row in zip(tally.contests, decryption.shares, strict=True):
        for k, (aggregate, share) in enumerate(zip(contest.aggregates or (), row, strict=True)):
            if aggregate.alpha.is_identity:
                if share is not None:
                    raise InvalidProof(f"{contest.contest} option {k}: nothing to decrypt")
                continue
            if share is None:
                raise InvalidProof(f"{contest.contest} option {k}: the share is missing")
            try:
                verify_partial_decryption(
                    share,
                    alpha=aggregate.alpha,
                    verification_key=key,
                    context=tally_decryption_context(fingerprint, contest.contest, k),
                )
            except InvalidProof as exc:
                raise InvalidProof(f"{contest.contest} option {k}: {exc}") from None


def combine_tally(
    tally: Tally, decryptions: Mapping[int, Decryption], *, threshold: int
) -> tuple[tuple[int, ...], tuple[tuple[Point, ...], ...]]:
    """Spec §7.7 and §11.12 The ``threshold`` lowest-indexed trustees of ``decryptions``
    (verified already) and, per contest and option, the combined ``M = alpha^x`` (the identity
    where alpha is the identity).

    Raises:
        InsufficientShares: fewer than ``threshold`` decryptions.
    """
    chosen = tuple(sorted(decryptions)[:threshold])
    if len(chosen) < threshold:
        raise InsufficientShares("cannot combine the tally", valid=len(chosen), threshold=threshold)
    combined = []
    for c, contest in enumerate(tally.contests):
        row = []
        for k, aggregate in enumerate(contest.aggregates or ()):
            if aggregate.alpha.is_identity:
                row.append(IDENTITY)
                continue
            shares = {}
            for j in chosen:
                share = decryptions[j].shares[c][k]
                assert share is not None
                shares[j] = share.decryption_share
            row.append(combine_decryption_shares(shares))
        combined.append(tuple(row))
    return chosen, tuple(combined)


def count_matches(aggregate: Ciphertext, combined: Point, count: int) -> bool:
    """Spec §5.5 Whether ``aggregate`` decrypts, with ``combined = alpha^x``, to ``g^count``."""
    return bool(g_pow_vartime(Scalar(count)) * combined == aggregate.beta)


def contest_result(
    contest: Contest,
    counts: Sequence[int],
    *,
    candidates: CandidateList | None,
    seed: bytes,
) -> ContestResult:
    """Spec §11.12 A homomorphic contest's result from its decrypted counts: the winners by
    ``election.counting.contest_winners``.

    Raises:
        InfeasibleConstraints: no candidates can meet the constraints (refused at the
            candidate list already, §11.5).
    """
    elected, passed_over = contest_winners(contest, counts, candidates=candidates, seed=seed)
    return ContestResult(contest.id, contest.kind, tuple(counts), elected, passed_over)


def ranked_contest_result(
    contest: Contest,
    papers: Sequence[bytes | None],
    *,
    trustees: Sequence[int],
    candidates: CandidateList,
    seed: bytes,
) -> RankedContestResult:
    """Spec §11.12 A ranked contest's result from its papers: the count by its method
    (``election.counting.count_papers``, §12.1.6) and the elected in order of election.

    Raises:
        InfeasibleConstraints: no candidates can meet the constraints (refused at the
            candidate list already, §11.5).
    """
    count = count_papers(contest, candidates, papers, seed=seed)
    elected = () if count is None else count.elected_names
    record = None if count is None else count.to_dict()
    return RankedContestResult(contest.id, tuple(trustees), tuple(papers), elected, record)


# --- tally -----------------------------------------------------------------------------------


def _precheck_tally(params: ElectionParameters | None, entry: LoggedEntry, verify: bool) -> Tally:
    return Tally.from_json(entry.payload, need_params(params).layout)


def _check_tally(
    state: ElectionState, entry: LoggedEntry, tally: Tally, index: int, received: int
) -> None:
    check_administrator(state, entry)
    params = need_params(state.params)
    if received < state.instant("voting_close"):
        raise Refusal("voting_not_closed", "the tally comes after voting closes")
    if state.tallying.tally is not None:
        raise Refusal("tally_exists", "the tally is already on the log")
    if params.election_key is None:
        raise Refusal("no_election_key", "there is no election key to decrypt a tally with")
    superseded = [
        Ballot.from_json(read_back(state, i).payload, params.layout)
        for i in state.voting.superseded
    ]
    expected = state.expected_tally(superseded)
    for got, want in zip(tally.contests, expected.contests, strict=True):
        if got.ballots != want.ballots:
            raise Refusal(
                "tally_mismatch",
                f"contest {want.contest}: {want.ballots} counted ballots, the tally says "
                f"{got.ballots}",
            )
        if got.aggregates != want.aggregates:
            raise Refusal(
                "tally_mismatch", f"contest {want.contest}: aggregates differ from the ballots"
            )


def _apply_tally(
    state: ElectionState, entry: LoggedEntry, tally: Tally, index: int, received: int
) -> None:
    tallying = state.tallying
    tallying.tally = tally
    tallying.tally_hash = entry_hash(entry.raw)
    counted = state.counted_ballots()
    for contest in tally.ranked():
        ciphertexts = state.ranked_list(contest, counted)
        tallying.lists[contest] = MixList(ciphertexts, 0, tallying.tally_hash, ())


# --- decryption ------------------------------------------------------------------------------


def _precheck_decryption(state: ElectionState, entry: LoggedEntry) -> tuple[Tally, Decryption]:
    tally = state.tallying.tally
    if tally is None:
        raise Refusal("no_tally", "no decryption before the tally")
    return tally, Decryption.from_json(entry.payload, tally.sizes())


def _check_decryption(
    state: ElectionState, entry: LoggedEntry, payload: None, index: int, received: int
) -> None:
    tally, decryption = _precheck_decryption(state, entry)
    check_trustee(state, entry, decryption.trustee)
    params = need_params(state.params)
    if decryption.tally != state.tallying.tally_hash:
        raise Refusal("wrong_tally", "the decryption is for another tally entry")
    if decryption.trustee in state.tallying.decryptions:
        raise Refusal("duplicate_decryption", f"trustee {decryption.trustee} has decrypted")
    assert params.election_key is not None
    if decryption.trustee not in params.election_key.holders:
        raise Refusal(
            "no_key_share", f"trustee {decryption.trustee} is absent: it holds no key share (§7.5)"
        )
    try:
        verify_decryption(
            decryption,
            tally=tally,
            joint_key=params.election_key.joint_key,
            fingerprint=params.fingerprint,
        )
    except InvalidProof as exc:
        raise Refusal("invalid_decryption", str(exc)) from None


def _apply_decryption(
    state: ElectionState, entry: LoggedEntry, payload: None, index: int, received: int
) -> None:
    _, decryption = _precheck_decryption(state, entry)
    state.tallying.decryptions[decryption.trustee] = decryption


# --- result ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CheckedResult:
    """A parsed result and what it was checked against (``_inputs``; None: not checked)."""

    result: Result
    inputs: tuple[object, ...] | None


def _inputs(params: ElectionParameters) -> tuple[object, ...]:
    """What a result is computed from: the tally, the t lowest decryptions of the tally and of
    each ranked contest's final list (all immutable once on the log)."""
    tallying = params.tallying
    t = params.threshold.threshold
    ranked = tuple((c, decrypting_trustees(params, c)) for c in sorted(tallying.lists))
    return (tallying.tally_hash, tuple(sorted(tallying.decryptions)[:t]), ranked)


def _named_inputs(result: Result) -> tuple[object, ...]:
    """The inputs a result names, in ``_inputs``' form: its tally, its trustees and each ranked
    contest's decrypting trustees. A result that passed ``expected_result`` and
    ``_result_conditions`` names exactly the ``_inputs`` it was checked against."""
    ranked = sorted(
        (c.contest, c.trustees) for c in result.contests if isinstance(c, RankedContestResult)
    )
    return (result.tally, result.trustees, tuple(ranked))


def expected_result(params: ElectionParameters, claimed: Result) -> None:
    """Spec §11.12 Check a result against the tally and decryptions on the log: the trustees,
    every count, every ranked contest's papers (§11.12's batch check), the seed, every
    contest's winners and every ranked count, record and all.

    Raises:
        Refusal: ``result_mismatch`` naming the first difference.
    """
    tallying = params.tallying
    tally = tallying.tally
    assert tally is not None
    t = params.threshold.threshold
    chosen, combined = combine_tally(tally, tallying.decryptions, threshold=t)
    if claimed.trustees != chosen:
        raise Refusal("result_mismatch", f"the result must name trustees {list(chosen)}")
    papers: dict[str, Sequence[bytes | None]] = {}
    for got in claimed.contests:
        if isinstance(got, RankedContestResult):
            want = decrypting_trustees(params, got.contest)
            if got.trustees != want:
                raise Refusal(
                    "result_mismatch", f"contest {got.contest}: decrypted by trustees {list(want)}"
                )
            papers[got.contest] = got.papers
    plaintexts = ranked_plaintexts(params, papers)
    seed = result_seed(tallying.tally_hash, [m for row in combined for m in row] + plaintexts)
    if claimed.seed != seed:
        raise Refusal("result_mismatch", "the seed is not the one the decryptions give")
    for contest, contest_tally, points, got in zip(
        params.definition.contests, tally.contests, combined, claimed.contests, strict=True
    ):
        try:
            if isinstance(got, RankedContestResult):
                _expected_ranked(params, contest, got, seed)
            else:
                _expected_counts(params, contest, contest_tally, points, got, seed)
        except VerivoteError as exc:
            if isinstance(exc, Refusal):
                raise
            raise Refusal("result_mismatch", f"contest {contest.id}: {exc}") from None


def _expected_counts(
    params: ElectionParameters,
    contest: Contest,
    tallied: ContestTally,
    points: Sequence[Point],
    got: ContestResult,
    seed: bytes,
) -> None:
    assert tallied.aggregates is not None
    for k, (aggregate, m, n) in enumerate(zip(tallied.aggregates, points, got.counts, strict=True)):
        if n > tallied.ballots or not count_matches(aggregate, m, n):
            raise Refusal(
                "result_mismatch", f"contest {contest.id} option {k}: {n} is not the count"
            )
    want = contest_result(
        contest, got.counts, candidates=params.candidate_lists.get(contest.id), seed=seed
    )
    if (got.elected, got.passed_over) != (want.elected, want.passed_over):
        raise Refusal(
            "result_mismatch", f"contest {contest.id}: the elected are {list(want.elected)}"
        )


def _expected_ranked(
    params: ElectionParameters, contest: Contest, got: RankedContestResult, seed: bytes
) -> None:
    count = count_papers(contest, params.candidate_lists[contest.id], got.papers, seed=seed)
    if count is None:
        if got.count is not None:
            raise Refusal("result_mismatch", f"contest {contest.id}: no valid paper, no count")
        elected: tuple[str, ...] = ()
    else:
        if got.count is None:
            raise Refusal("result_mismatch", f"contest {contest.id}: the count record is missing")
        difference = record_difference(count, got.count)
        if difference is not None:
            raise Refusal("result_mismatch", f"contest {contest.id}: count record: {difference}")
        elected = count.elected_names
    if got.elected != elected:
        raise Refusal("result_mismatch", f"contest {contest.id}: the elected are {list(elected)}")


def _result_conditions(params: ElectionParameters, result: Result) -> None:
    """Spec §11.4 The result's order: after the tally and enough decryptions; once."""
    tallying = params.tallying
    if tallying.tally is None:
        raise Refusal("no_tally", "no result before the tally")
    if tallying.result:
        raise Refusal("result_exists", "the result is already on the log")
    if result.tally != tallying.tally_hash:
        raise Refusal("wrong_tally", "the result is for another tally entry")
    have, need = len(tallying.decryptions), params.threshold.threshold
    if have < need:
        raise Refusal("not_enough_decryptions", f"{have} decryption(s), {need} needed")
    for contest in tallying.lists:
        have = len(tallying.ranked.get(contest, {}))
        if have < need:
            raise Refusal(
                "not_enough_decryptions",
                f"contest {contest}: {have} ranked decryption(s), {need} needed",
            )


def _precheck_result(
    params: ElectionParameters | None, entry: LoggedEntry, verify: bool
) -> CheckedResult:
    params = need_params(params)
    tally = params.tallying.tally
    if tally is None:
        raise Refusal("no_tally", "no result before the tally")
    result = Result.from_json(entry.payload, params.layout, ranked=tally.ranked())
    if not verify:
        # Spec §10.1 Not verified here: a leaf already on the log, or an entry another process
        # of the board prechecked in full (the writer's reparse), whose check was over the
        # inputs the result names; ``_check_result`` recomputes it if they are not the log's.
        return CheckedResult(result, _named_inputs(result))
    _result_conditions(params, result)
    expected_result(params, result)
    return CheckedResult(result, _inputs(params))


def _check_result(
    state: ElectionState, entry: LoggedEntry, checked: CheckedResult, index: int, received: int
) -> None:
    check_administrator(state, entry)
    params = need_params(state.params)
    _result_conditions(params, checked.result)
    if checked.inputs != _inputs(params):
        expected_result(params, checked.result)


def _apply_result(
    state: ElectionState, entry: LoggedEntry, checked: CheckedResult, index: int, received: int
) -> None:
    state.tallying.result = True


RULES = (
    EntryRule(TALLY, _precheck_tally, _check_tally, _apply_tally),
    EntryRule(DECRYPTION, no_params, _check_decryption, _apply_decryption),
    EntryRule(RESULT, _precheck_result, _check_result, _apply_result, fresh=True),
)
