"""Spec §10.1 The board's writer thread: concurrent appends grouped into one transaction.

``GroupCommitter`` feeds ``Board.append`` from a queue on one writer thread: requests that
arrive while a batch commits (an fsync) form the next batch, so a busy board commits many
entries per fsync and answers each only once its batch is durable.
"""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Final

from bulletin_board.log import Appended, Board
from bulletin_board.wire import Entry

__all__ = ["DEFAULT_MAX_BATCH", "GroupCommitter"]

DEFAULT_MAX_BATCH: Final = 1000


@dataclass(frozen=True, slots=True)
class _Request:
    election: str
    entry: Entry
    future: Future[Appended]


class GroupCommitter:
    """Spec §10.1 One writer thread that batches concurrent appends into one transaction."""

    def __init__(self, board: Board, *, max_batch: int = DEFAULT_MAX_BATCH) -> None:
        self.board = board
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[_Request | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="board-writer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._queue.put(None)
        self._thread.join()

    def submit(self, election: str, entry: Entry) -> Future[Appended]:
        future: Future[Appended] = Future()
        self._queue.put(_Request(election, entry, future))
        return future

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            stop = False
            while len(batch) < self.max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stop = True
                    break
                batch.append(item)
            by_election: dict[str, list[_Request]] = {}
            for request in batch:
                by_election.setdefault(request.election, []).append(request)
            for election in sorted(by_election):
                self._commit(election, by_election[election])
            if stop:
                return

    def _commit(self, election: str, requests: list[_Request]) -> None:
        try:
            outcomes = self.board.append(election, [r.entry for r in requests])
        except Exception as exc:
            for request in requests:
                request.future.set_exception(exc)
            return
        for request, outcome in zip(requests, outcomes, strict=True):
            if isinstance(outcome, Exception):
                request.future.set_exception(outcome)
            else:
                request.future.set_result(outcome)
