"""Spec §11.4 What every entry rule shares: its shape, the author check, the phase checks."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from election.rules._state import ElectionParameters, ElectionState, LoggedEntry, Refusal
from election.wire import ENTRY_AUTHORS

Precheck = Callable[[ElectionParameters | None, LoggedEntry, bool], Any]
Check = Callable[[ElectionState, LoggedEntry, Any, int, int], None]
Apply = Callable[[ElectionState, LoggedEntry, Any, int, int], None]
PrecheckMany = Callable[[ElectionParameters | None, Sequence[LoggedEntry]], Sequence[Any]]


@dataclass(frozen=True, slots=True)
class EntryRule:
    """Spec §11.4 One entry type's three steps; its author role is ``ENTRY_AUTHORS``'s.

    ``precheck(params, entry, verify)`` is stateless: it parses the payload against the
    parameters and, with ``verify``, checks what needs no state (ballot proofs).
    ``check(state, entry, payload, index, received)`` refuses with a ``Refusal``;
    ``apply(state, entry, payload, index, received)`` folds the accepted entry in.
    ``fresh``: the precheck reads the live ``params.tallying`` (a mix's input list, say), so a
    board prechecks it with parameters refreshed from the log, not a snapshot it kept.
    ``precheck_many(params, entries)``, if given, is the verifying ``precheck`` of many entries
    at once (a ballot's proofs batched, §6.7): per entry, its payload or the exception its
    ``precheck`` would raise.
    """

    type: str
    precheck: Precheck
    check: Check
    apply: Apply
    fresh: bool = False
    precheck_many: PrecheckMany | None = None

    @property
    def role(self) -> str:
        """Spec §11.4 The role that authors this type (``election.wire.ENTRY_AUTHORS``)."""
        return ENTRY_AUTHORS[self.type]


def no_params(params: ElectionParameters | None, entry: LoggedEntry, verify: bool) -> None:
    """A precheck for payloads parsed under the lock instead (they need the state)."""
    return None


def need_params(params: ElectionParameters | None) -> ElectionParameters:
    """Raises: Refusal ``no_definition`` before the definition is on the log."""
    if params is None:
        raise Refusal("no_definition", "the election definition is not on the log yet")
    return params


def check_administrator(state: ElectionState, entry: LoggedEntry) -> None:
    """Spec §11.4 The entry is signed by the administrator key of the definition."""
    params = need_params(state.params)
    if entry.key != params.definition.administrator.key.raw:
        raise Refusal("wrong_author", f"{entry.type} must be signed by the administrator key")


def check_issuer(state: ElectionState, entry: LoggedEntry) -> None:
    """Spec §11.4 The entry is signed by the issuer key of the definition."""
    params = need_params(state.params)
    if entry.key != params.definition.issuer.key.raw:
        raise Refusal("wrong_author", f"{entry.type} must be signed by the issuer key")


def check_trustee(state: ElectionState, entry: LoggedEntry, trustee: int) -> None:
    """Spec §11.4 The entry names trustee ``trustee`` and is signed with that trustee's key."""
    params = need_params(state.params)
    members = params.definition.trustees
    if not 1 <= trustee <= len(members):
        raise Refusal("unknown_trustee", f"there is no trustee {trustee} (1..{len(members)})")
    if entry.key != members[trustee - 1].key.raw:
        raise Refusal("wrong_author", f"{entry.type} of trustee {trustee} signed by another key")


def before_voting_opens(state: ElectionState, received: int, what: str) -> None:
    """Raises: Refusal ``voting_opened`` at or after the voting opening instant in force."""
    if received >= state.instant("voting_open"):
        raise Refusal("voting_opened", f"{what} are accepted only before voting opens")
