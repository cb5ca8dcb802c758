"""Spec §10.1 The board's batching threads: concurrent appends grouped into one transaction,
and concurrent prechecks into one batch verification.

``group_committer`` feeds ``Board.append`` from a queue on one writer thread: requests that
arrive while a batch commits (an fsync) form the next batch, so a busy board commits many
entries per fsync and answers each only once its batch is durable.

``batch_prechecker`` feeds ``Board.precheck_many`` the same way: the entries posted while a
batch is checked are checked together, their ballots' range and sum proofs in one §6.7 batch
verification (a batch that fails is verified proof by proof, so each refused ballot gets its
own refusal).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from bulletin_board.batching import Batcher
from bulletin_board.log import Appended, Board
from bulletin_board.wire import Entry

__all__ = [
    "DEFAULT_MAX_BATCH",
    "MAX_PRECHECK_BATCH",
    "PRECHECK_GATHER",
    "batch_prechecker",
    "group_committer",
]

DEFAULT_MAX_BATCH: Final = 1000
# Entries prechecked together: enough to amortise a batch verification, few enough that the
# first of them is not kept waiting for the last (a ballot's proofs take about a millisecond).
MAX_PRECHECK_BATCH: Final = 64
# A batch of fewer entries waits up to a few milliseconds for more: the election's ballots are
# batch-verified from 6 on (election.rules' BATCH_FROM; fewer cost 1.1x to 1.6x each as much),
# and under load the next ones are already being read.
PRECHECK_GATHER: Final = (6, 0.003)


def group_committer(
    board: Board, *, max_batch: int = DEFAULT_MAX_BATCH
) -> Batcher[Entry, Appended]:
    """Spec §10.1 One writer thread that batches concurrent appends into one transaction:
    ``submit(election, entry)`` gives a future of its ``Appended`` (or its refusal)."""

    def append(election: str, entries: Sequence[Entry]) -> Sequence[Appended | Exception]:
        return board.append(election, entries)

    return Batcher(append, name="board-writer", max_batch=max_batch)


def batch_prechecker(
    board: Board,
    *,
    max_bytes: int,
    max_batch: int = MAX_PRECHECK_BATCH,
    gather: tuple[int, float] = PRECHECK_GATHER,
) -> Batcher[bytes, Entry]:
    """Spec §10.1, §6.7 One thread that prechecks the entries posted concurrently together:
    ``submit(election, raw)`` gives a future of the prechecked entry (or its refusal)."""

    def precheck(election: str, raws: Sequence[bytes]) -> Sequence[Entry | Exception]:
        return board.precheck_many(raws, election=election, max_bytes=max_bytes)

    return Batcher(precheck, name="board-prechecker", max_batch=max_batch, gather=gather)
