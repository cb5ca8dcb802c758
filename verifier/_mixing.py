"""Spec §11.11, §11.12 and §13.1 checks 9 and 10: every mix (its input is the contest's
previous list, its proof of a shuffle verifies, it comes from a distinct entitled trustee in
order), every ranked decryption (after t mixes, of the last list, its list proof verifies), and
a ranked contest's part of the result: its papers are what its t lowest decrypting trustees'
shares combine to, and its count replayed from them is the published record, stage by stage.

Re-derived on purpose (N-version checking, §13): the order of the entries, which trustees'
shares make the papers, and the plaintexts for the seed are written here again from the spec,
not taken from ``election.rules``. The proofs and the papers' batch check are ``crypto``'s
verifiers (``check_shuffle_proof``, ``verify_list_partial_decryption``, and
``election.wire.paper_plaintexts`` over ``check_list_plaintexts``), the payloads
``election.wire``'s parsers and the count
``election.counting``'s (``count_papers``), the pure counting rules the verifier shares with
everyone who counts.
"""

from __future__ import annotations

import json
from typing import Any, Final

from crypto.elgamal import Ciphertext, PublicKey
from crypto.envelope import entry_hash
from crypto.errors import InvalidProof, MalformedInput
from crypto.group import Point
from crypto.multiexp import unpack_points
from crypto.shuffle import ShuffleStatement, check_shuffle_proof
from crypto.threshold import (
    verify_list_partial_decryption,
)
from election.counting import CountResult, count_papers, record_difference
from election.definition import Contest, ContestKind
from election.wire import (
    MIX,
    RANKED_DECRYPTION,
    Mix,
    RankedContestResult,
    RankedDecryption,
    mix_context,
    paper_plaintexts,
    payload_contest,
    ranked_decryption_context,
)
from verifier._ballots import collector_paused
from verifier._log import LeafRecord
from verifier._report import Rejected
from verifier._state import EntryCheck, MixList, State

__all__ = ["CHECKS", "check_ranked_count", "ranked_plaintexts", "settle_deferred"]


def _latest(state: State, contest: str, check: int, what: str) -> MixList:
    """The contest's latest list; refuses an entry for no ranked contest, or before the tally."""
    try:
        kind = state.definition.contest(contest).kind
    except KeyError:
        raise Rejected(check, f"the definition has no contest {contest!r}") from None
    if kind is not ContestKind.RANKED:
        raise Rejected(check, f"contest {contest} is not ranked: it is never mixed")
    latest = state.mixing.lists.get(contest)
    if latest is None:
        raise Rejected(check, f"no {what} before the tally")
    return latest


def _entitled(state: State, record: LeafRecord, trustee: int, check: int) -> None:
    """Trustee ``trustee`` of the definition signed it, holding a key share (§7.5: the qualified
    set; an absent trustee holds none), before the result."""
    state.trustee(record, trustee, check)
    key = state.ceremony.election_key
    if key is not None and trustee not in key.holders:
        raise Rejected(check, f"trustee {trustee} is absent: it holds no key share (§7.5)")
    if state.tallying.result_seen:
        raise Rejected(check, "nothing is mixed or decrypted after the result")


def _public_key(state: State) -> PublicKey:
    mixing = state.mixing
    if mixing.public_key is None:
        key = state.ceremony.election_key
        assert key is not None  # a tally needs it (check 7)
        mixing.public_key = PublicKey(key.joint_key.public_key).precompute()
    return mixing.public_key


# --- check 9: mixes ------------------------------------------------------------------------------


def _mix(state: State, record: LeafRecord, payload: Any) -> None:
    contest = payload_contest(payload, "mix payload")
    latest = _latest(state, contest, 9, "mix")
    offload = state.mixing.offload
    # With workers, this process reads only the outputs; a worker reads the proof (below).
    mix = Mix.from_json(payload, size=len(latest.ciphertexts), with_proof=offload is None)
    _entitled(state, record, mix.trustee, 9)
    if state.mixing.decryptions.get(contest):
        raise Rejected(9, f"contest {contest}'s mixing was closed by its first decryption")
    if mix.mix != latest.mixes:
        raise Rejected(9, f"mix {mix.mix} of {contest}: the next mix is number {latest.mixes}")
    if mix.trustee in latest.mixers:
        raise Rejected(9, f"trustee {mix.trustee} has mixed {contest} already")
    context = mix_context(state.setup.fingerprint, contest, mix.mix, mix.trustee)
    if offload is None:
        assert mix.proof is not None
        reason = _shuffle_refusal(_public_key(state), latest.ciphertexts, mix, context)
        if reason is not None:
            raise Rejected(9, reason)
    else:
        inputs = b"".join(c.alpha.to_bytes() + c.beta.to_bytes() for c in latest.ciphertexts)
        outcome = offload(_check_mix_on_worker, _public_key(state), inputs, record.raw, context)
        state.mixing.deferred.append(outcome)
    state.mixing.lists[contest] = MixList(
        mix.outputs, latest.mixes + 1, entry_hash(record.raw), (*latest.mixers, mix.trustee)
    )


def _shuffle_refusal(
    public_key: PublicKey, inputs: tuple[Ciphertext, ...], mix: Mix, context: bytes
) -> str | None:
    """Why the mix's proof of a shuffle of ``inputs`` does not hold, or None if it does."""
    statement = ShuffleStatement(public_key, inputs, mix.outputs, context, context)
    assert mix.proof is not None
    try:
        check_shuffle_proof(mix.proof, statement)
    except InvalidProof as exc:
        return f"mix {mix.mix} of {mix.contest}: proof of the shuffle: {exc}"
    return None


def _check_mix_on_worker(
    public_key: PublicKey, inputs: bytes, raw: bytes, context: bytes
) -> str | None:
    """On a worker: the mix entry ``raw`` read again, whole, and its proof checked against the
    input list ``inputs`` (alpha and beta encodings in turn, decoded before). None if it holds.
    """
    with collector_paused():  # the lists are millions of objects without cycles
        points = unpack_points(inputs)
        ciphertexts = tuple(
            Ciphertext(a, b) for a, b in zip(points[::2], points[1::2], strict=True)
        )
        entry = json.loads(raw)  # bytes the reader checked to be canonical JSON
        try:
            mix = Mix.from_json(entry["payload"], size=len(ciphertexts))
        except MalformedInput as exc:  # this process read the outputs alike: only the proof
            return f"mix: malformed payload: {exc}"
        return _shuffle_refusal(public_key, ciphertexts, mix, context)


def settle_deferred(state: State) -> bool:
    """Spec §13 Wait for the checks run on the workers: True if every one held. If one did
    not, the lists after it were taken as if it held: the caller replays the log again with
    every check in this process, so that the report is exactly the sequential replay's."""
    deferred, state.mixing.deferred = state.mixing.deferred, []
    return all(outcome.result() is None for outcome in deferred)


# --- check 10: ranked decryptions ----------------------------------------------------------------


def _ranked_decryption(state: State, record: LeafRecord, payload: Any) -> None:
    contest = payload_contest(payload, "ranked-decryption payload")
    latest = _latest(state, contest, 10, "ranked decryption")
    decryption = RankedDecryption.from_json(payload, size=len(latest.ciphertexts))
    j = decryption.trustee
    _entitled(state, record, j, 10)
    t = state.threshold.threshold
    if latest.mixes < t:
        raise Rejected(10, f"contest {contest} has {latest.mixes} mix(es): {t} come first")
    if decryption.mix != latest.source:
        raise Rejected(10, f"it names a mix of {contest} that is not its last")
    done = state.mixing.decryptions.setdefault(contest, {})
    if j in done:
        raise Rejected(10, f"trustee {j} has decrypted {contest} already")
    key = state.ceremony.election_key
    assert key is not None
    try:
        verify_list_partial_decryption(
            decryption.decryption,
            alphas=[c.alpha for c in latest.ciphertexts],
            verification_key=key.joint_key.verification_key(j),
            context=ranked_decryption_context(state.setup.fingerprint, contest, decryption.mix),
        )
    except InvalidProof as exc:
        raise Rejected(10, f"contest {contest}: {exc}") from None
    done[j] = decryption.decryption


# --- check 10: a ranked contest's part of the result ---------------------------------------------


def ranked_plaintexts(state: State, got: RankedContestResult) -> list[Point]:
    """Spec §11.12 The plaintexts P_i of a ranked contest's final list, from its papers, checked
    against the shares of its t lowest-indexed decrypting trustees
    (``election.wire.paper_plaintexts``: the papers given as bytes all at once, §7.8).

    Raises:
        Rejected: check 10, naming the trustees or the first wrong paper.
    """
    contest = got.contest
    t = state.threshold.threshold
    decryptions = state.mixing.decryptions.get(contest, {})
    chosen = tuple(sorted(decryptions)[:t])
    if len(chosen) < t:
        raise Rejected(10, f"contest {contest}: {len(chosen)} ranked decryption(s), {t} needed")
    if got.trustees != chosen:
        raise Rejected(10, f"contest {contest}: the result must name trustees {list(chosen)}")
    try:
        return paper_plaintexts(
            got.papers,
            ciphertexts=state.mixing.lists[contest].ciphertexts,
            partials=[decryptions[j] for j in chosen],
        )
    except (InvalidProof, MalformedInput) as exc:
        raise Rejected(10, f"contest {contest}: {exc}") from None


def check_ranked_count(
    state: State, contest: Contest, got: RankedContestResult, seed: bytes
) -> CountResult | None:
    """Spec §11.12 and §12 The count of the papers replayed (§12.1.6, the contest's method,
    seats and constraints, lots from ``seed``) equals the published record stage by stage, and
    the elected are its elected; that count (None: no valid paper, nothing counted).

    Raises:
        Rejected: check 10, naming the first difference.
    """
    listed, _ = state.setup.lists[contest.id]
    count = count_papers(contest, listed, got.papers, seed=seed)
    where = f"contest {contest.id}"
    if count is None:
        if got.count is not None or got.elected:
            raise Rejected(10, f"{where}: no paper is a valid ranking, so no count and nobody")
        return None
    if got.count is None:
        raise Rejected(10, f"{where}: the count record is missing")
    difference = record_difference(count, got.count)
    if difference is not None:
        raise Rejected(10, f"{where}: the published count differs from its replay: {difference}")
    if got.elected != count.elected_names:
        raise Rejected(10, f"{where}: the elected are {list(count.elected_names)}")
    return count


CHECKS: Final = (
    EntryCheck(MIX, 9, _mix),
    EntryCheck(RANKED_DECRYPTION, 10, _ranked_decryption),
)
