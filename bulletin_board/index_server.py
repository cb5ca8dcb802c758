"""Spec §11.15 The board's side of the credential index: each election's index folded from
its stored leaves and signed at a published size, answered to members' devices
(``/credential-index``, bulletin_board/service.py). The index itself, its records, heads and
the checks a device makes are bulletin_board/credential_index.py."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from bulletin_board.credential_index import CredentialIndex, IndexHead, sign_index_head
from bulletin_board.errors import BadRange, BoardError
from bulletin_board.wire import SignedTreeHead
from crypto import canonical
from crypto.signing import SigningKey

__all__ = ["CredentialIndexServer", "LeafSource"]


class LeafSource(Protocol):
    """What the index server reads: a board (``bulletin_board.log.Board``)."""

    key: SigningKey

    def latest_tree_head(self, election: str) -> SignedTreeHead: ...

    def leaves(self, election: str, start: int, end: int) -> Iterable[Any]: ...


class CredentialIndexServer:
    """Spec §11.15 The board's index of each election, folded incrementally from its stored
    leaves and signed at a published size; refreshed to the latest STH when asked for a size
    it does not cover or when older than ``refresh`` seconds (one fold for many readers)."""

    def __init__(self, board: LeafSource, *, refresh: float = 2.0) -> None:
        self._board = board
        self._refresh = refresh
        self._lock = threading.Lock()
        self._held: dict[str, tuple[CredentialIndex, IndexHead | None, float]] = {}
        self._stop = threading.Event()
        self._warming: threading.Thread | None = None

    def _current(self, election: str, min_size: int) -> tuple[CredentialIndex, IndexHead]:
        index, head, at = self._held.get(election, (CredentialIndex(), None, 0.0))
        fresh = time.monotonic() - at < self._refresh
        if head is not None and head.sth.tree_size >= min_size and fresh:
            return index, head
        sth = self._board.latest_tree_head(election)
        if min_size > sth.tree_size:
            raise BadRange(f"min_size {min_size} is above the latest tree size {sth.tree_size}")
        if head is None or sth.tree_size > index.size:
            for row in self._board.leaves(election, index.size, sth.tree_size):
                index.add_raw(row.index, row.raw)
            head = sign_index_head(sth, index, self._board.key)
        self._held[election] = (index, head, time.monotonic())
        return index, head

    def start_warming(
        self, elections: Callable[[], Iterable[str]], *, chunk: int = 1024
    ) -> threading.Thread:
        """Fold the stored leaves of ``elections()`` in a background thread, ``chunk`` at a
        time under the lock, once (a board starting over a stored log), so that the first
        question does not wait for the whole log (~20 s for 126,000 leaves) but at most for
        one chunk and the signing; heads are signed when asked for, and later leaves folded
        then (a fold kept up in the background would cost every worker ~0.2 ms a leaf during
        voting, measured: 7 % of the board's throughput). Stopped by ``stop_warming``."""

        def fold(election: str) -> bool:
            with self._lock:
                index, head, at = self._held.get(election, (CredentialIndex(), None, 0.0))
                try:  # a log the board cannot read is left to the questions' errors
                    size = self._board.latest_tree_head(election).tree_size
                    end = min(size, index.size + chunk)
                    for row in self._board.leaves(election, index.size, end):
                        index.add_raw(row.index, row.raw)
                except BoardError:
                    return False
                self._held[election] = (index, head, at)
                return end < size

        def warm() -> None:
            for election in elections():
                while not self._stop.is_set() and fold(election):
                    pass

        self._warming = threading.Thread(target=warm, name="credential-index", daemon=True)
        self._warming.start()
        return self._warming

    def stop_warming(self) -> None:
        self._stop.set()
        if self._warming is not None:
            self._warming.join()

    def folded(self, election: str) -> int:
        """How many of ``election``'s leaves the index holds (signed or not yet)."""
        with self._lock:
            return self._held[election][0].size if election in self._held else 0

    def head(self, election: str) -> bytes:
        """Spec §11.15 ``{"index_head": ...}``, the latest computed.
        Raises: UnknownElection, NotFound (no tree head yet), LogCorrupted."""
        with self._lock:
            _, head = self._current(election, 0)
            return canonical.encode({"index_head": head.to_json()})

    def answer(self, election: str, credential: bytes, min_size: int = 0) -> bytes:
        """Spec §11.15 The answer for ``credential`` at a size of at least ``min_size``.
        Raises: BadRange, UnknownElection, NotFound, LogCorrupted."""
        with self._lock:
            index, head = self._current(election, min_size)
            return canonical.encode(index.answer_json(head, credential))
