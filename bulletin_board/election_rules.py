"""Spec §11.4 The election's rules, plugged into the board's rules registry.

``election_rules()`` registers every entry type of §11.4 with its author role, and adapts the
pure rules of ``election.rules`` to the board: the stateless ``precheck`` runs outside the
append lock with the state's ``ElectionParameters`` snapshot (ballot proofs included); the
stateful ``check`` and ``apply`` run in log order; a ``Refusal`` becomes an ``EntryRefused``
with the same code. The ``voter`` role signs with the credential signature of §8.2, bound to
the election fingerprint (``election.wire.election_schemes``): until the definition is on the
log, voter entries cannot verify.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from bulletin_board.errors import EntryRefused
from bulletin_board.rules import EntryType, LeafReader, Rules, board_key_type
from bulletin_board.wire import Entry, Leaf, SignatureScheme
from crypto.errors import MalformedInput
from election import rules as election
from election.rules import ElectionParameters, ElectionState, Prechecked, Refusal
from election.wire import election_schemes

__all__ = ["ELECTION_RULES", "election_rules"]

ELECTION_RULES: Final = "election"


def _refused(exc: Refusal) -> EntryRefused:
    return EntryRefused(exc.code, str(exc))


def _precheck(entry: Entry, params: object) -> Prechecked:
    assert params is None or isinstance(params, ElectionParameters)
    try:
        return election.precheck(params, entry)
    except Refusal as exc:
        raise _refused(exc) from None


def _precheck_many(entries: Sequence[Entry], params: object) -> list[object]:
    """Spec §11.8, §6.7 The prechecks of many entries of one type (ballots: proofs batched)."""
    assert params is None or isinstance(params, ElectionParameters)
    return [
        _refused(outcome) if isinstance(outcome, Refusal) else outcome
        for outcome in election.precheck_many(params, entries)
    ]


def _parse(entry: Entry, params: object) -> Prechecked:
    """Spec §11.4 An entry prechecked in full by another process of the board, parsed for the
    stateful rules without its proofs (as the log's leaves are folded)."""
    assert params is None or isinstance(params, ElectionParameters)
    try:
        return election.precheck(params, entry, verify=False)
    except Refusal as exc:
        raise _refused(exc) from None


def _checked(entry: Entry) -> Prechecked | None:
    return entry.checked if isinstance(entry.checked, Prechecked) else None


def _check(state: ElectionState, entry: Entry, index: int, received: int) -> None:
    try:
        election.check(state, entry, index=index, received=received, prechecked=_checked(entry))
    except Refusal as exc:
        raise _refused(exc) from None
    except MalformedInput as exc:
        # A payload that parsed with the snapshot it was prechecked on but not with the
        # state's parameters (e.g. a ballot for a replaced candidate list).
        raise EntryRefused("malformed_payload", str(exc)) from None


def _apply(state: ElectionState, leaf: Leaf) -> None:
    election.apply(
        state,
        leaf.entry,
        index=leaf.index,
        received=leaf.received,
        prechecked=_checked(leaf.entry),
    )


def _open_state(name: str, leaves: LeafReader) -> ElectionState:
    return ElectionState(name, leaves=leaves)


def _new_state(name: str) -> ElectionState:
    return ElectionState(name)


def _snapshot(state: ElectionState) -> ElectionParameters | None:
    return state.params


def _is_final(params: object) -> bool:
    return isinstance(params, ElectionParameters) and params.final


def _bind_schemes(params: object) -> Mapping[str, SignatureScheme]:
    assert isinstance(params, ElectionParameters)
    return election_schemes(params.fingerprint)


def election_rules() -> Rules[Any]:
    """Spec §11.4 The rule set of an election board (``bulletin_board.rule_sets``'s
    ``election``)."""
    types: list[EntryType[Any]] = [board_key_type()]
    for rule in election.ENTRY_RULES.values():
        types.append(
            EntryType(
                rule.type,
                frozenset({rule.role}),
                precheck=_precheck,
                check=_check,
                apply=_apply,
                fresh=rule.fresh,
                precheck_many=None if rule.precheck_many is None else _precheck_many,
                parse=_parse,
            )
        )
    return Rules.build(
        ELECTION_RULES,
        schemes=election_schemes(None),
        types=types,
        new_state=_new_state,
        open_state=_open_state,
        snapshot=_snapshot,
        is_final=_is_final,
        bind_schemes=_bind_schemes,
    )
