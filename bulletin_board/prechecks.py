"""Spec §10.1 The board's prechecks: the stateless checks of a posted entry, outside the append
lock, with the rules' parameters snapshot from this process's view of the log (a base of
``bulletin_board.log.Board``, which folds and refreshes the views)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bulletin_board.rules import Rules
from bulletin_board.wire import Entry
from crypto.errors import VerivoteError
from election.collector import LARGE_ENTRY_BYTES, collector_paused

__all__ = ["Prechecks"]


class Prechecks:
    """Spec §10.1 ``precheck``, ``precheck_many`` and ``reparse`` over this process's views
    (``_views``: election -> a view with its folded ``state``), refreshed by ``refresh``."""

    rules: Rules[Any]
    _views: dict[str, Any]

    def refresh(self, election: str) -> object:
        """Fold what other processes appended; the parameters snapshot (``Board.refresh``)."""
        raise NotImplementedError

    def precheck(self, raw: bytes, *, election: str, max_bytes: int) -> Entry:
        """Spec §10.1 The stateless checks of an entry posted to ``election``, with the rules'
        parameters snapshot from this process's view of the log (outside the append lock).

        If the precheck fails on a snapshot that is not final (a later entry could still change
        it, and another process may have appended one), the view is refreshed and the entry
        prechecked once more. An entry of a ``fresh`` type is prechecked on a refreshed view.

        Raises:
            MalformedInput, InvalidSignature, EntryRefused: as ``Rules.precheck``.
            UnknownElection: the rules read parameters and there is no such log.
        """
        with collector_paused(len(raw) >= LARGE_ENTRY_BYTES):
            return self._precheck(raw, election=election, max_bytes=max_bytes)

    def _precheck(self, raw: bytes, *, election: str, max_bytes: int) -> Entry:
        if not self.rules.uses_parameters:
            return self.rules.precheck(raw, election=election, max_bytes=max_bytes)
        view = self._views.get(election)
        params = self.refresh(election) if view is None else self.rules.snapshot(view.state)

        def refresh() -> object:
            return params if view is None else self.refresh(election)

        try:
            return self.rules.precheck(
                raw, election=election, max_bytes=max_bytes, params=params, refresh=refresh
            )
        except VerivoteError:
            if view is None or self.rules.is_final(params):
                raise
        params = self.refresh(election)
        return self.rules.precheck(
            raw, election=election, max_bytes=max_bytes, params=params, refresh=lambda: params
        )

    def precheck_many(
        self, raws: Sequence[bytes], *, election: str, max_bytes: int
    ) -> list[Entry | VerivoteError]:
        """Spec §10.1, §6.7 ``precheck`` of entries posted concurrently, at once (a ballot's
        proofs in one batch verification with the others'): per entry, in order, the
        prechecked entry or the error its ``precheck`` raises.

        Raises:
            UnknownElection, LogCorrupted: folding the log for its parameters failed.
        """
        # A batch's objects live until its proofs are checked together: paused, as the
        # verifier's batches are (verifier/_ballots.py).
        with collector_paused():
            return self._precheck_many(raws, election=election, max_bytes=max_bytes)

    def _precheck_many(
        self, raws: Sequence[bytes], *, election: str, max_bytes: int
    ) -> list[Entry | VerivoteError]:
        if not self.rules.uses_parameters:
            return self.rules.precheck_many(raws, election=election, max_bytes=max_bytes)
        view = self._views.get(election)
        if view is None or not self.prechecks_final(election):
            params = self.refresh(election)  # and the view is up to date: no retry below
            view = None
        else:
            params = self.rules.snapshot(view.state)
        outcomes = self.rules.precheck_many(
            raws,
            election=election,
            max_bytes=max_bytes,
            params=params,
            refresh=lambda: self.refresh(election),
        )
        if view is None or self.rules.is_final(params):
            return outcomes
        for i, outcome in enumerate(outcomes):  # refused on a snapshot that may be stale
            if isinstance(outcome, VerivoteError):
                try:
                    outcomes[i] = self.precheck(raws[i], election=election, max_bytes=max_bytes)
                except VerivoteError as exc:
                    outcomes[i] = exc
        return outcomes

    def prechecks_final(self, election: str) -> bool:
        """Whether this process prechecks ``election``'s entries on final parameters (Spec
        §10.1: no later entry can change them; once true, true for good)."""
        view = self._views.get(election)
        if not self.rules.uses_parameters:
            return True
        return view is not None and self.rules.is_final(self.rules.snapshot(view.state))

    def reparse(self, raw: bytes, *, election: str, max_bytes: int) -> Entry | None:
        """Spec §10.1 An entry that another process of this board prechecked in full on final
        parameters, parsed again WITHOUT verifying its signature or proofs, for ``append``;
        None when this process's parameters are not final (precheck it in full).

        Raises:
            MalformedInput, EntryRefused: the entry does not parse (it cannot have passed a
                precheck: a server fault, not the author's).
        """
        view = self._views.get(election)
        if view is None or not self.prechecks_final(election):
            return None
        with collector_paused(len(raw) >= LARGE_ENTRY_BYTES):
            return self.rules.reparse(
                raw, election=election, max_bytes=max_bytes, params=self.rules.snapshot(view.state)
            )
