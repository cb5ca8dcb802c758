"""Spec §11.11 Mixing a ranked contest and decrypting its final list: the ``mix`` and
``ranked-decryption`` rules, and the check of a ranked contest's papers in the result (§11.12).

A mix's proof (§6.8) and a list decryption's proof (§7.8) are checked in the precheck, outside
the board's append lock, against the contest's latest list as the (fresh) parameters snapshot
shows it (``ElectionParameters.tallying``, live); each precheck returns the ``source`` of the
list it checked against, and the check under the lock verifies the proof again only if the
contest's latest list is no longer that one (the state was refolded). Cheap conditions are
checked in both, so a mix that cannot be accepted costs no proof check.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from crypto.envelope import entry_hash
from crypto.errors import InvalidProof, MalformedInput
from crypto.group import Point
from crypto.shuffle import check_shuffle_proof
from crypto.threshold import verify_list_partial_decryption
from election.definition import ContestKind
from election.rules._common import EntryRule, need_params
from election.rules._state import (
    ElectionParameters,
    ElectionState,
    LoggedEntry,
    MixList,
    Refusal,
)
from election.wire import (
    MIX,
    RANKED_DECRYPTION,
    Mix,
    RankedDecryption,
    paper_plaintexts,
    payload_contest,
    ranked_decryption_context,
)

__all__ = [
    "RULES",
    "check_papers",
    "decrypting_trustees",
    "key_share_holders",
    "ranked_plaintexts",
]


def key_share_holders(params: ElectionParameters) -> tuple[int, ...]:
    """Spec §7.5 The trustees holding a key share: the qualified set Q of the election key (the
    absent hold none); every trustee of the definition before the key is published."""
    if params.election_key is None:
        return tuple(params.threshold.indices)
    return params.election_key.holders


def decrypting_trustees(params: ElectionParameters, contest: str) -> tuple[int, ...]:
    """Spec §11.12 The t lowest-indexed trustees with a ranked decryption of ``contest`` (fewer
    if fewer decrypted)."""
    decryptions = params.tallying.ranked.get(contest, {})
    return tuple(sorted(decryptions)[: params.threshold.threshold])


def _latest(params: ElectionParameters, contest: str, what: str) -> MixList:
    """The contest's latest list. Raises: Refusal ``not_ranked``, ``no_tally``."""
    try:
        kind = params.definition.contest(contest).kind
    except KeyError:
        raise Refusal("not_ranked", f"the definition has no contest {contest!r}") from None
    if kind is not ContestKind.RANKED:
        raise Refusal("not_ranked", f"contest {contest} is not ranked: it is never mixed")
    latest = params.tallying.lists.get(contest)
    if latest is None:
        raise Refusal("no_tally", f"no {what} before the tally")
    return latest


def _author(params: ElectionParameters, entry: LoggedEntry, trustee: int) -> None:
    """Spec §11.4 Trustee ``trustee`` of the definition signed it, and holds a key share."""
    members = params.definition.trustees
    if not 1 <= trustee <= len(members):
        raise Refusal("unknown_trustee", f"there is no trustee {trustee} (1..{len(members)})")
    if entry.key != members[trustee - 1].key.raw:
        raise Refusal("wrong_author", f"{entry.type} of trustee {trustee} signed by another key")
    if trustee not in key_share_holders(params):
        raise Refusal("no_key_share", f"trustee {trustee} holds no key share (§7.5)")


def _before_result(params: ElectionParameters, what: str) -> None:
    """Raises: Refusal ``result_exists`` once the result is on the log."""
    if params.tallying.result:
        raise Refusal("result_exists", f"no {what} after the result")


# --- mix -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CheckedMix:
    """A parsed mix and the source of the list its proof was checked against (None: not
    checked)."""

    mix: Mix
    source: bytes | None


def _mix_conditions(params: ElectionParameters, entry: LoggedEntry, mix: Mix) -> MixList:
    """Spec §11.11 Everything about a mix but its proof. Raises: Refusal."""
    latest = _latest(params, mix.contest, "mix")
    _author(params, entry, mix.trustee)
    _before_result(params, "mix")
    if params.tallying.ranked.get(mix.contest):
        raise Refusal("mixing_closed", f"contest {mix.contest}'s final list is being decrypted")
    if mix.mix != latest.mixes:
        raise Refusal(
            "mix_out_of_order",
            f"contest {mix.contest} has {latest.mixes} mix(es): the next is mix {latest.mixes}, "
            f"not {mix.mix}",
        )
    if mix.trustee in latest.mixers:
        raise Refusal("duplicate_mix", f"trustee {mix.trustee} has mixed {mix.contest} already")
    return latest


def _verify_mix(params: ElectionParameters, mix: Mix, latest: MixList) -> None:
    """Spec §6.8 The proof, over the contest's latest list. Raises: Refusal ``invalid_mix``."""
    assert params.public_key is not None
    assert mix.proof is not None
    statement = mix.statement(
        public_key=params.public_key, inputs=latest.ciphertexts, fingerprint=params.fingerprint
    )
    try:
        check_shuffle_proof(mix.proof, statement)
    except InvalidProof as exc:
        raise Refusal("invalid_mix", f"mix {mix.mix} of {mix.contest}: {exc}") from None


def _precheck_mix(
    params: ElectionParameters | None, entry: LoggedEntry, verify: bool
) -> CheckedMix:
    params = need_params(params)
    latest = _latest(params, payload_contest(entry.payload, "mix payload"), "mix")
    mix = Mix.from_json(entry.payload, size=len(latest.ciphertexts), with_proof=verify)
    if not verify:
        # Spec §10.1 Not verified here: a leaf already on the log, or an entry another process
        # of the board prechecked in full (the writer's reparse, without the proof). That check
        # was over the list of ``mix.mix`` mixes of this contest, which is unique (mixes are
        # appended in order, once each): the same list as the latest here, if it has as many.
        same = mix.mix == latest.mixes and mix.trustee not in latest.mixers
        return CheckedMix(mix, latest.source if same else None)
    latest = _mix_conditions(params, entry, mix)
    _verify_mix(params, mix, latest)
    return CheckedMix(mix, latest.source)


def _check_mix(
    state: ElectionState, entry: LoggedEntry, checked: CheckedMix, index: int, received: int
) -> None:
    params = need_params(state.params)
    latest = _mix_conditions(params, entry, checked.mix)
    if checked.source != latest.source:
        _verify_mix(params, checked.mix, latest)


def _apply_mix(
    state: ElectionState, entry: LoggedEntry, checked: CheckedMix, index: int, received: int
) -> None:
    mix = checked.mix
    lists = need_params(state.params).tallying.lists
    latest = lists[mix.contest]
    lists[mix.contest] = MixList(
        mix.outputs, latest.mixes + 1, entry_hash(entry.raw), (*latest.mixers, mix.trustee)
    )


# --- ranked-decryption -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CheckedDecryption:
    """A parsed ranked decryption and the source of the list its proof was checked against
    (None: not checked)."""

    decryption: RankedDecryption
    source: bytes | None


def _decryption_conditions(
    params: ElectionParameters, entry: LoggedEntry, payload: RankedDecryption
) -> MixList:
    """Spec §11.11 Everything about a ranked decryption but its proof. Raises: Refusal."""
    latest = _latest(params, payload.contest, "ranked decryption")
    _author(params, entry, payload.trustee)
    _before_result(params, "ranked decryption")
    t = params.threshold.threshold
    if latest.mixes < t:
        raise Refusal(
            "not_enough_mixes", f"contest {payload.contest} has {latest.mixes} mix(es), {t} needed"
        )
    if payload.mix != latest.source:
        raise Refusal(
            "wrong_mix", f"the last mix of {payload.contest} is {latest.source.hex()[:16]}…"
        )
    if payload.trustee in params.tallying.ranked.get(payload.contest, {}):
        raise Refusal(
            "duplicate_decryption", f"trustee {payload.trustee} has decrypted {payload.contest}"
        )
    return latest


def _verify_decryption(
    params: ElectionParameters, payload: RankedDecryption, latest: MixList
) -> None:
    """Spec §7.8 The list proof, against X_j. Raises: Refusal ``invalid_decryption``."""
    assert params.election_key is not None
    try:
        verify_list_partial_decryption(
            payload.decryption,
            alphas=[c.alpha for c in latest.ciphertexts],
            verification_key=params.election_key.joint_key.verification_key(payload.trustee),
            context=ranked_decryption_context(params.fingerprint, payload.contest, payload.mix),
        )
    except InvalidProof as exc:
        raise Refusal("invalid_decryption", f"contest {payload.contest}: {exc}") from None


def _precheck_decryption(
    params: ElectionParameters | None, entry: LoggedEntry, verify: bool
) -> CheckedDecryption:
    params = need_params(params)
    contest = payload_contest(entry.payload, "ranked-decryption payload")
    latest = _latest(params, contest, "ranked decryption")
    payload = RankedDecryption.from_json(entry.payload, size=len(latest.ciphertexts))
    if not verify:
        # Spec §10.1 Not verified here: a leaf already on the log, or an entry another process
        # of the board prechecked in full (the writer's reparse). That check was over the list
        # the payload names (its conditions require ``payload.mix`` to be the latest list's
        # source), and a list's source, the entry hash of the mix that made it, names one list.
        return CheckedDecryption(payload, payload.mix)
    latest = _decryption_conditions(params, entry, payload)
    _verify_decryption(params, payload, latest)
    return CheckedDecryption(payload, latest.source)


def _check_decryption(
    state: ElectionState,
    entry: LoggedEntry,
    checked: CheckedDecryption,
    index: int,
    received: int,
) -> None:
    params = need_params(state.params)
    latest = _decryption_conditions(params, entry, checked.decryption)
    if checked.source != latest.source:
        _verify_decryption(params, checked.decryption, latest)


def _apply_decryption(
    state: ElectionState,
    entry: LoggedEntry,
    checked: CheckedDecryption,
    index: int,
    received: int,
) -> None:
    payload = checked.decryption
    ranked = need_params(state.params).tallying.ranked
    ranked.setdefault(payload.contest, {})[payload.trustee] = payload


# --- the papers of the result ----------------------------------------------------------------


def check_papers(
    params: ElectionParameters,
    contest: str,
    papers: Sequence[bytes | None],
) -> list[Point]:
    """Spec §11.12 Check a ranked contest's papers against its final list and the shares of its
    decrypting trustees (``election.wire.paper_plaintexts``), and return the plaintexts P_i
    (for the seed).

    Raises:
        Refusal: ``result_mismatch`` naming the first wrong paper.
    """
    chosen = decrypting_trustees(params, contest)
    try:
        return paper_plaintexts(
            papers,
            ciphertexts=params.tallying.lists[contest].ciphertexts,
            partials=[params.tallying.ranked[contest][j].decryption for j in chosen],
        )
    except (InvalidProof, MalformedInput) as exc:
        raise Refusal("result_mismatch", f"contest {contest}: {exc}") from None


def ranked_plaintexts(
    params: ElectionParameters, papers: Mapping[str, Sequence[bytes | None]]
) -> list[Point]:
    """Spec §11.12 Every ranked contest's plaintexts, in definition order, for the seed."""
    out: list[Point] = []
    for contest in params.definition.contests:
        if contest.kind is ContestKind.RANKED:
            out += check_papers(params, contest.id, papers[contest.id])
    return out


RULES = (
    EntryRule(MIX, _precheck_mix, _check_mix, _apply_mix, fresh=True),
    EntryRule(
        RANKED_DECRYPTION,
        _precheck_decryption,
        _check_decryption,
        _apply_decryption,
        fresh=True,
    ),
)
