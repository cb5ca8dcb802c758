"""Spec §11.4-§11.12 The election's rules: a pure state machine over the board's log.

The state is built by folding the log's entries in order (``apply``); an entry is accepted only
if ``check`` passes on the state folded from every earlier leaf, with ``received`` the board's
reception time the leaf will carry. ``precheck`` is the stateless part (payload format, and for
ballots and audits every proof): it needs only an ``ElectionParameters`` snapshot, which is
fixed before voting opens, so a board runs it outside its append lock, in parallel. After the
close, the prechecks of a mix, a ranked decryption and the result check their proofs against
the live tally state the snapshot shares (``EntryRule.fresh``). ``check``
reuses a precheck made with the current parameters generation (else it runs it itself) and for
a ballot is O(1): dictionary look-ups and an alpha-fingerprint probe.

Refusals raise ``Refusal(code, message)`` with a stable code; a payload that does not parse
raises ``MalformedInput``. An entry's signature is checked before, by its role's scheme (Ed25519,
or ``election.wire.CredentialScheme`` for voters).

Modules: ``_state`` (the state, parameters, the alpha index, running aggregates), ``_common``
(author and phase checks), ``_setup`` (§11.1, §11.5), ``_ceremony`` (§11.6), ``_credentials``
(§11.7), ``_voting`` (§11.8-§11.10), ``_tally`` (§11.11-§11.12), ``_mixing`` (§11.11 mixes
and ranked decryptions, §11.12 a ranked contest's papers).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Final

from crypto.errors import MalformedInput
from election.definition import to_ms
from election.rules._ceremony import RULES as _CEREMONY
from election.rules._ceremony import ceremony_election_key, participants
from election.rules._common import EntryRule
from election.rules._credentials import RULES as _CREDENTIALS
from election.rules._mixing import RULES as _MIXING
from election.rules._mixing import CheckedDecryption, CheckedMix, decrypting_trustees
from election.rules._setup import RULES as _SETUP
from election.rules._setup import qualifying_nominees
from election.rules._state import (
    ElectionParameters,
    ElectionState,
    LeafReader,
    LoggedEntry,
    MixList,
    Prechecked,
    Refusal,
)
from election.rules._tally import RULES as _TALLY
from election.rules._tally import (
    combine_tally,
    contest_result,
    count_matches,
    expected_result,
    ranked_contest_result,
    verify_decryption,
)
from election.rules._voting import RULES as _VOTING
from election.rules._voting import opened_by_audit, read_back
from election.wire import ELECTION_DEFINITION

__all__ = [
    "ENTRY_RULES",
    "CheckedDecryption",
    "CheckedMix",
    "ElectionParameters",
    "ElectionState",
    "EntryRule",
    "LeafReader",
    "LoggedEntry",
    "MixList",
    "Prechecked",
    "Refusal",
    "apply",
    "ceremony_election_key",
    "check",
    "combine_tally",
    "contest_result",
    "count_matches",
    "decrypting_trustees",
    "expected_result",
    "opened_by_audit",
    "participants",
    "precheck",
    "precheck_many",
    "qualifying_nominees",
    "ranked_contest_result",
    "read_back",
    "to_ms",
    "verify_decryption",
]

ENTRY_RULES: Final[Mapping[str, EntryRule]] = {
    rule.type: rule for rule in (*_SETUP, *_CEREMONY, *_CREDENTIALS, *_VOTING, *_TALLY, *_MIXING)
}


def _rule(entry: LoggedEntry) -> EntryRule:
    rule = ENTRY_RULES.get(entry.type)
    if rule is None:
        raise Refusal("unknown_type", f"an election has no {entry.type!r} entries")
    return rule


def precheck(
    params: ElectionParameters | None, entry: LoggedEntry, *, verify: bool = True
) -> Prechecked:
    """Spec §11.4 The stateless part of the rules: parse the payload against ``params`` and,
    with ``verify``, check every proof of a ballot or audit. Without ``verify`` (an entry
    already on the log, folded) a ballot's range and sum proofs are not read either.

    Raises:
        MalformedInput: a payload that does not parse.
        Refusal: ``unknown_type``, ``no_definition``, ``voting_not_ready`` (no election key in
            these parameters), ``invalid_proof`` or ``invalid_audit``.
    """
    payload = _rule(entry).precheck(params, entry, verify)
    return Prechecked(0 if params is None else params.generation, payload)


def precheck_many(
    params: ElectionParameters | None, entries: Sequence[LoggedEntry]
) -> list[Prechecked | Refusal | MalformedInput]:
    """Spec §11.4, §6.7 The verifying ``precheck`` of many entries at once: per entry, in
    order, its ``Prechecked`` or the exception its ``precheck`` raises. Entries of a type with a
    batched precheck (ballots: every range and sum proof in one §6.7 batch verification) are
    checked together, the others one by one; each gets what it gets alone (a refused ballot
    its code and the message naming its first failing proof)."""
    outcomes: list[Prechecked | Refusal | MalformedInput | None] = [None] * len(entries)
    groups: dict[str, list[int]] = {}
    for i, entry in enumerate(entries):
        rule = ENTRY_RULES.get(entry.type)
        if rule is not None and rule.precheck_many is not None:
            groups.setdefault(rule.type, []).append(i)
            continue
        try:
            outcomes[i] = precheck(params, entry)
        except (Refusal, MalformedInput) as exc:
            outcomes[i] = exc
    generation = 0 if params is None else params.generation
    for name, positions in groups.items():
        batched = ENTRY_RULES[name].precheck_many
        assert batched is not None
        try:
            results: Sequence[object] = batched(params, [entries[i] for i in positions])
        except (Refusal, MalformedInput) as exc:
            results = [exc] * len(positions)
        for i, result in zip(positions, results, strict=True):
            outcomes[i] = (
                result
                if isinstance(result, Refusal | MalformedInput)
                else Prechecked(generation, result)
            )
    done = [outcome for outcome in outcomes if outcome is not None]
    assert len(done) == len(entries)
    return done


def _payload(
    state: ElectionState, entry: LoggedEntry, prechecked: Prechecked | None, *, verify: bool
) -> object:
    if prechecked is not None and prechecked.generation == state.generation:
        return prechecked.payload
    return _rule(entry).precheck(state.params, entry, verify)


def check(
    state: ElectionState,
    entry: LoggedEntry,
    *,
    index: int,
    received: int,
    prechecked: Prechecked | None = None,
) -> None:
    """Spec §11.4 Would the log accept ``entry`` as leaf ``index`` at board time ``received`` (ms)?

    ``prechecked`` is used only if made with the state's current parameters generation.

    Raises:
        Refusal: with the rule's code (``wrong_role``, ``no_definition``, ``voting_closed``...).
        MalformedInput: a payload that does not parse.
    """
    rule = _rule(entry)
    if entry.role != rule.role:
        raise Refusal("wrong_role", f"{entry.type} entries are posted by the {rule.role}")
    if state.params is None and entry.type != ELECTION_DEFINITION:
        raise Refusal("no_definition", "the election definition must come first (leaf 1)")
    rule.check(state, entry, _payload(state, entry, prechecked, verify=True), index, received)


def apply(
    state: ElectionState,
    entry: LoggedEntry,
    *,
    index: int,
    received: int,
    prechecked: Prechecked | None = None,
) -> None:
    """Spec §11.4 Fold an accepted entry (leaf ``index``, received at ``received`` ms) into the
    state. Entries already on a log are trusted: their proofs are not checked again."""
    rule = _rule(entry)
    rule.apply(state, entry, _payload(state, entry, prechecked, verify=False), index, received)
    state.last_received = max(state.last_received, received)
    params = state.params
    if (
        params is not None
        and not params.final
        and state.last_received >= state.instant("voting_open")
    ):
        state.params = replace(params, final=True)
