"""Spec §11.4-§11.12 and §13.1 checks 2-10: the election's rules replayed from the spec, entry
by entry in log order, on the time each leaf records, with every aggregate and count recomputed.

This is an independent implementation of the rules the board applies (N-version checking,
§13: ``election.rules`` is never imported). Each entry type belongs to one numbered check and
is replayed by its module, as ``election.rules`` is split: ``_setup`` (check 2: definition and
administrative entries), ``_ceremony`` (3), ``_credentials`` (4), ``_voting`` (5: ballots and
audits), ``_tally`` (6 and 7: counted ballots, aggregates, decryptions), ``_mixing`` (9 and
10: mixes, ranked decryptions, a ranked contest's papers and count), ``_result`` (8). The
dispatch table ``ENTRY_CHECKS`` names each type's module function; its author roles are
``election.wire.ENTRY_AUTHORS``, the table the board's rules take theirs from. A refused entry
is recorded in the report and not folded in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final

from crypto.errors import VerivoteError
from election.wire import ELECTION_DEFINITION, VOTER
from verifier import _ceremony, _credentials, _mixing, _result, _setup, _tally, _voting
from verifier._ballots import BallotContext, BatchOutcome, Item
from verifier._log import LeafRecord
from verifier._report import Rejected
from verifier._state import EntryCheck, State

__all__ = ["ENTRY_CHECKS", "Replay"]

ENTRY_CHECKS: Final[Mapping[str, EntryCheck]] = {
    entry.type: entry
    for entry in (
        *_setup.CHECKS,
        *_ceremony.CHECKS,
        *_credentials.CHECKS,
        *_voting.CHECKS,
        *_tally.CHECKS,
        *_mixing.CHECKS,
        *_result.CHECKS,
    )
}
"""Spec §11.4 and §13.1 Every entry type of an election and how the verifier replays it."""

Submit = Callable[[BallotContext, list[Item]], None]
"""Hands a batch of voter entries to the workers; their outcomes come back via ``settle``."""


@dataclass(slots=True, eq=False)
class Replay:
    """Spec §11.4 The replay of one log: ``feed`` each leaf in order, then ``finish``.

    Ballot and audit entries are queued in ``state.voting`` and handed to ``submit`` (the
    orchestrator's worker pool) every ``batch_size`` entries or on ``flush``; their
    ``BatchOutcome``s come back through ``settle``, in log order. The orchestrator settles every
    outstanding batch before the next entry that is not a voter's.
    """

    state: State
    submit: Submit
    batch_size: int = 2048  # verifier._verify.BATCH_SIZE

    def feed(self, record: LeafRecord) -> None:
        """Replay one leaf (index 0, the board key, is check 1's)."""
        if record.index == 0:
            return
        state = self.state
        entry = ENTRY_CHECKS.get(record.type)
        check = 2 if entry is None else entry.check
        try:
            if entry is None:
                raise Rejected(2, f"an election has no {record.type!r} entries")
            if record.role != entry.role:
                raise Rejected(check, f"{record.type} entries are posted by the {entry.role}")
            if state.setup.definition is None and record.type != ELECTION_DEFINITION:
                raise Rejected(2, "nothing but the definition is accepted before it (leaf 1)")
            entry.replay(state, record, record.payload)
        except Rejected as exc:
            state.report.fail(exc.check, record.index, f"{record.type}: {exc}")
            return
        except VerivoteError as exc:
            state.report.fail(check, record.index, f"{record.type}: malformed payload: {exc}")
            return
        if entry.role == VOTER:
            if len(state.voting.batch) >= self.batch_size:
                self.flush()
            return  # counted when its batch settles
        state.report.ok(check)

    def flush(self) -> None:
        """Hand the queued voter entries to the workers."""
        voting = self.state.voting
        if voting.batch:
            assert voting.context is not None
            self.submit(voting.context, voting.batch)
            voting.batch = []

    def settle(self, outcome: BatchOutcome) -> None:
        """Spec §11.8-§11.10 The stateful rules for a verified batch, in log order."""
        _voting.settle(self.state, outcome)

    def finish(self) -> None:
        """After the last leaf: what an election in progress has not published yet."""
        state = self.state
        if state.voting.opened.ballots:
            _voting.resolve_opened(state)
        if state.setup.definition is None:
            state.report.fail(2, None, "the log holds no election definition")
        elif state.tallying.tally is None:
            state.report.notes.append("no tally on the log yet: checks 6-8 had nothing to check")
        elif not state.tallying.result_seen:
            state.report.notes.append("no result on the log yet")
