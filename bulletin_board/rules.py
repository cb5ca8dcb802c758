"""Spec §10.1 Entry types and the rules that decide what the board accepts.

An election's rules are a ``Rules`` value: a signature scheme per author role and a registry of
entry types. Each ``EntryType`` has

- ``precheck(entry, params)``: stateless (format, payload, proofs). The board runs it BEFORE
  taking the append lock, concurrently for many requests, so that expensive proof checks
  (~1.5 ms per ballot) never serialise appends. ``params`` is the rule set's read-only
  parameters snapshot (``Rules.snapshot`` of the state: for an election, its definition,
  fingerprint, candidate lists and key); whatever it returns travels with the entry as
  ``Entry.checked`` to ``check`` and ``apply``;
- ``check(state, entry, index, received)``: stateful, against the election's state folded from
  every earlier leaf, run UNDER the append lock; ``received`` is the board's clock (ms since the
  epoch) that the leaf will carry, so timetable rules are judged on it and re-checkable later;
- ``apply(state, leaf)``: folds an accepted leaf into the state, in log order.

The state is mutable and owned by the board process: each process keeps one per election and,
under the lock, first folds (``apply`` only) the leaves other processes appended since it last
looked. If a transaction fails after ``apply`` ran, the board throws the state away and refolds
it from the log. A rule refuses by raising ``EntryRefused(code, message)`` with a stable code.
A rule set built with ``open_state`` gets a ``LeafReader`` of the log with its state, to read
back an earlier leaf when it must (rarely: the state keeps what it needs).

A snapshot may be older than the state the entry is checked against (another process appended
since); ``check`` must not trust a precheck made with other parameters (the election rules
compare a generation number), and the board prechecks again with fresh parameters when a
precheck fails on a snapshot that is not ``is_final``. A type marked ``fresh`` (a precheck that
reads what changes after voting: a mix's input list) is always prechecked with parameters
refreshed from the log first (``Rules.precheck``'s ``refresh``). Signature schemes may depend on the
parameters too (a voter's credential signature binds the election fingerprint):
``bind_schemes(params)`` gives the schemes a precheck verifies with.

Two optional steps serve a board of several processes (Spec §10, informative §10.6): a type's
``precheck_many(entries, params)`` prechecks many entries posted meanwhile at once (ballots:
their proofs in one §6.7 batch verification), and its ``parse(entry, params)`` reads an entry
that another process of the board prechecked in full on the same final parameters for the
stateful steps, without verifying its proofs again (``Rules.reparse``; the signature is not
verified again either).

Board-level invariants hold for every rule set and are enforced by the board itself: leaf 0 is
the ``board-key`` entry, signed by the board key; no other leaf has type ``board-key``; an entry
with role ``board`` is signed by the board key.

This module registers only ``board-key`` and the generic ``note`` type (``generic_rules``), and
imports no election code; the election's own types and rules plug in through the same registry
(bulletin_board/election_rules.py), and bulletin_board/rule_sets.py names both.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final, Generic, TypeVar, cast

from bulletin_board.errors import EntryRefused, UnknownEntryType
from bulletin_board.wire import BOARD_KEY_TYPE, BoardKeyPayload, Leaf
from crypto.envelope import (
    ED25519_SCHEMES,
    Entry,
    SignatureScheme,
    entry_from_json,
    parse_entry,
)
from crypto.errors import VerivoteError

__all__ = [
    "GENERIC_RULES",
    "EntryType",
    "GenericState",
    "LeafReader",
    "Rules",
    "board_key_type",
    "generic_rules",
    "note_type",
]

GENERIC_RULES: Final = "generic"

StateT = TypeVar("StateT")


def _no_precheck(entry: Entry, params: Any) -> None:
    return None


def _no_check(state: object, entry: Entry, index: int, received: int) -> None:
    return None


def _no_apply(state: object, leaf: Leaf) -> None:
    return None


@dataclass(frozen=True, slots=True)
class EntryType(Generic[StateT]):
    """Spec §10.1 One registered entry type: who may author it and its three rule steps."""

    name: str
    roles: frozenset[str]
    precheck: Callable[[Entry, Any], object] = _no_precheck
    check: Callable[[StateT, Entry, int, int], None] = _no_check
    apply: Callable[[StateT, Leaf], None] = _no_apply
    fresh: bool = False
    precheck_many: Callable[[Sequence[Entry], Any], Sequence[object]] | None = None
    parse: Callable[[Entry, Any], object] | None = None


LeafReader = Callable[[int], Entry]
"""The entry of an earlier leaf of the same log, by index (a rule's way to read back)."""


def _no_snapshot(state: object) -> None:
    return None


def _always_final(params: object) -> bool:
    return True


@dataclass(frozen=True, slots=True)
class Rules(Generic[StateT]):
    """Spec §10.1 An election's rule set: schemes per role, entry types, initial state, and
    the read-only parameters its prechecks use (see the module docstring)."""

    name: str
    schemes: Mapping[str, SignatureScheme]
    types: Mapping[str, EntryType[StateT]]
    new_state: Callable[[str], StateT] = field(repr=False)
    open_state: Callable[[str, LeafReader], StateT] | None = field(default=None, repr=False)
    snapshot: Callable[[StateT], object] = field(default=_no_snapshot, repr=False)
    is_final: Callable[[object], bool] = field(default=_always_final, repr=False)
    bind_schemes: Callable[[object], Mapping[str, SignatureScheme]] | None = field(
        default=None, repr=False
    )

    @classmethod
    def build(
        cls,
        name: str,
        *,
        schemes: Mapping[str, SignatureScheme],
        types: Iterable[EntryType[StateT]],
        new_state: Callable[[str], StateT],
        open_state: Callable[[str, LeafReader], StateT] | None = None,
        snapshot: Callable[[StateT], object] = _no_snapshot,
        is_final: Callable[[object], bool] = _always_final,
        bind_schemes: Callable[[object], Mapping[str, SignatureScheme]] | None = None,
    ) -> Rules[StateT]:
        table = {t.name: t for t in types}
        if BOARD_KEY_TYPE not in table:
            raise ValueError("every rule set registers the board-key type")
        return cls(
            name, dict(schemes), table, new_state, open_state, snapshot, is_final, bind_schemes
        )

    @property
    def uses_parameters(self) -> bool:
        """Whether prechecks read a parameters snapshot of the state."""
        return self.snapshot is not _no_snapshot

    def state(self, election: str, leaves: LeafReader) -> StateT:
        """A fresh state for ``election`` (with the reader when the rules read back)."""
        if self.open_state is not None:
            return self.open_state(election, leaves)
        return self.new_state(election)

    def schemes_for(self, params: object) -> Mapping[str, SignatureScheme]:
        """The signature schemes a precheck with ``params`` verifies with."""
        if self.bind_schemes is None or params is None:
            return self.schemes
        return self.bind_schemes(params)

    def precheck(
        self,
        raw: bytes,
        *,
        election: str | None,
        max_bytes: int,
        verify: bool = True,
        params: object = None,
        refresh: Callable[[], object] | None = None,
    ) -> Entry:
        """Spec §10.1 Everything that needs no state: parse, signature, type, type precheck,
        with the parameters snapshot ``params`` (None: the rule set's defaults), or, for a
        ``fresh`` type, the snapshot ``refresh`` returns. The type precheck's result is
        attached to the entry as ``checked``.

        Raises:
            MalformedInput (and its board subclasses), InvalidSignature, EntryRefused.
        """
        entry, entry_type = self._parse(raw, election, max_bytes, verify, params)
        if entry_type.fresh and refresh is not None:
            params = refresh()
        return _with_checked(entry, entry_type.precheck(entry, params))

    def precheck_many(
        self,
        raws: Sequence[bytes],
        *,
        election: str | None,
        max_bytes: int,
        params: object = None,
        refresh: Callable[[], object] | None = None,
    ) -> list[Entry | VerivoteError]:
        """Spec §10.1, §6.7 ``precheck`` of many entries at once: per entry, in order, the
        prechecked entry or the error its ``precheck`` raises. Each is parsed and its signature
        verified alone; the entries of a type with a ``precheck_many`` (ballots: their proofs
        in one batch verification) are prechecked together, the others one by one."""
        outcomes: list[Entry | VerivoteError] = []
        groups: dict[str, list[int]] = {}
        for i, raw in enumerate(raws):
            try:
                entry, entry_type = self._parse(raw, election, max_bytes, True, params)
            except VerivoteError as exc:
                outcomes.append(exc)
                continue
            if entry_type.precheck_many is not None and not entry_type.fresh:
                outcomes.append(entry)
                groups.setdefault(entry_type.name, []).append(i)
                continue
            try:
                snapshot = refresh() if entry_type.fresh and refresh is not None else params
                checked = entry_type.precheck(entry, snapshot)
                outcomes.append(_with_checked(entry, checked))
            except VerivoteError as exc:
                outcomes.append(exc)
        for name, positions in groups.items():
            batched = self.types[name].precheck_many
            assert batched is not None
            entries = [cast(Entry, outcomes[i]) for i in positions]  # parsed, not yet checked
            try:
                results: Sequence[object] = batched(entries, params)
            except VerivoteError as exc:
                results = [exc] * len(positions)
            for i, entry, result in zip(positions, entries, results, strict=True):
                outcomes[i] = result if isinstance(result, VerivoteError) else (
                    _with_checked(entry, result)
                )  # fmt: skip
        return outcomes

    def reparse(self, raw: bytes, *, election: str, max_bytes: int, params: object) -> Entry:
        """Spec §10.1 An entry another process of this board prechecked in full with the
        parameters ``params`` (final), parsed again for the stateful rules WITHOUT verifying
        its signature or its proofs (the type's ``parse``, else its ``precheck``), nor that
        its bytes are canonical JSON (that process checked these very bytes).

        Raises:
            MalformedInput, EntryRefused: as ``precheck``.
        """
        entry, entry_type = self._parse(raw, election, max_bytes, False, params, checked=True)
        parse = entry_type.parse or entry_type.precheck
        return _with_checked(entry, parse(entry, params))

    def _parse(
        self, raw: bytes, election: str | None, max_bytes: int, verify: bool, params: object,
        *, checked: bool = False,
    ) -> tuple[Entry, EntryType[StateT]]:  # fmt: skip
        """Parse (``checked``: bytes known to be canonical JSON, decoded without checking it),
        verify the signature, find the type and check the author's role."""
        schemes = self.schemes_for(params)
        if checked:
            entry = entry_from_json(json.loads(raw), schemes, election=election, verify=verify,
                                    raw=raw)  # fmt: skip
        else:
            entry = parse_entry(raw, schemes, election=election, verify=verify,
                                max_bytes=max_bytes)  # fmt: skip
        entry_type = self.types.get(entry.type)
        if entry_type is None:
            raise UnknownEntryType(f"unknown entry type {entry.type!r}")
        if entry.role not in entry_type.roles:
            raise EntryRefused(
                "role_not_allowed", f"role {entry.role!r} may not post {entry.type!r} entries"
            )
        return entry, entry_type

    def check(self, state: StateT, entry: Entry, *, index: int, received: int) -> None:
        """Spec §10.1 The stateful rule of the entry's type. Raises: EntryRefused."""
        self.types[entry.type].check(state, entry, index, received)

    def apply(self, state: StateT, leaf: Leaf) -> None:
        """Fold an accepted leaf into the state (types unknown to these rules are skipped)."""
        entry_type = self.types.get(leaf.entry.type)
        if entry_type is not None:
            entry_type.apply(state, leaf)


def _with_checked(entry: Entry, checked: object) -> Entry:
    """The entry with its type precheck's result attached (Spec §10.1)."""
    return entry if checked is None else replace(entry, checked=checked)


# --- the generic rule set --------------------------------------------------------------------


def _board_key_precheck(entry: Entry, params: object) -> None:
    BoardKeyPayload.of(entry)


def board_key_type() -> EntryType[Any]:
    """Spec §10.1 The ``board-key`` entry (leaf 0): role ``board``, payload ``{"key": hex,
    "rehearsal": bool}``."""
    return EntryType(BOARD_KEY_TYPE, frozenset({"board"}), precheck=_board_key_precheck)


@dataclass(slots=True)
class GenericState:
    """The generic rules' state: how many leaves of each type the log holds."""

    election: str
    counts: dict[str, int] = field(default_factory=dict)


def _count(state: GenericState, leaf: Leaf) -> None:
    state.counts[leaf.entry.type] = state.counts.get(leaf.entry.type, 0) + 1


def note_type() -> EntryType[GenericState]:
    """Spec §10.1 ``note``: a free-form signed announcement by an administrator, issuer or
    trustee; any JSON object as payload; no stateful rule."""
    return EntryType("note", frozenset({"administrator", "issuer", "trustee"}), apply=_count)


def generic_rules() -> Rules[GenericState]:
    """Spec §10.1 The rules this board runs before the election's rules plug in: Ed25519 roles
    only, the ``board-key`` and ``note`` types."""
    return Rules.build(
        GENERIC_RULES,
        schemes=ED25519_SCHEMES,
        types=[board_key_type(), note_type()],
        new_state=GenericState,
    )
