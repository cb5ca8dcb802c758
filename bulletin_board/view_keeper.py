"""Spec §10.1 (informative §10.6) A worker's view of a log kept folded while the log grows
slowly, so that the next entry's precheck does not fold first what other workers accepted.

Each HTTP worker of ``board serve --workers N`` holds its own view of a log and folds the leaves
the others' entries added only when a precheck needs fresh parameters. While members vote that
is rare (a ballot's parameters are final once voting opens) and folding every ballot in every
worker would cost each ~0.2 ms a leaf. After the close it is the rule: a trustee's mix or list
decryption is checked against the latest list, and a mix of 120,000 ciphertexts is a 60 MB leaf
that takes its worker seconds to fold. Trustees post from their own machines, so the next mix
lands on whichever worker the kernel picks; without this, that worker first folds the mix
before (or several), on the critical path of the count.

So a thread folds, every ``every`` seconds, each log this worker has a view of, when the log
grew since the last look by at most ``quiet`` leaves (a log growing faster is being voted on:
left to the prechecks that need it). The fold is ``Board.refresh``: under the board's lock, as a
precheck's own refresh, which then finds nothing left to fold.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Final

from sqlalchemy.exc import SQLAlchemyError

from bulletin_board.log import Board
from crypto.errors import VerivoteError

__all__ = ["ViewKeeper"]

#: Seconds between looks at the logs' sizes (one cheap query per log with a view).
EVERY: Final = 1.0
#: A log that grew by at most this many leaves since the last look is folded.
QUIET: Final = 16


class ViewKeeper:
    """The thread that keeps ``board``'s views of ``elections()`` folded (see the module)."""

    def __init__(
        self,
        board: Board,
        elections: Callable[[], Iterable[str]],
        *,
        every: float = EVERY,
        quiet: int = QUIET,
    ) -> None:
        self._board, self._elections = board, elections
        self._every, self._quiet = every, quiet
        self._sizes: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="view-keeper", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            for election in self._elections():
                self.look(election)

    def look(self, election: str) -> bool:
        """Fold ``election``'s log if it grew slowly and this worker's view is behind; whether
        it folded. Errors are left to the requests, which answer them."""
        try:
            size = self._board.storage.size(election)
            before, self._sizes[election] = self._sizes.get(election), size
            folded = self._board.folded(election)
            if folded is None or folded >= size or before is None or size - before > self._quiet:
                return False
            self._board.refresh(election)
        except (VerivoteError, SQLAlchemyError):  # a corrupted log, the database away
            return False
        return True
