"""One digest per election for a board process, folded incrementally from the board's storage.

``Digests.read(election)`` takes the election's latest signed tree head, folds into that
election's digest only the leaves below it that the digest has not seen (the first read folds
the whole log once; every later read costs O(new leaves)), and yields the digest and the tree
head under a per-election lock, so that a page is drawn from exactly the log that tree head
signs. Leaves below a published tree head never change (§10.2), so the digest never refolds.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from bulletin_board.log import Board
from bulletin_board.pages.digest import ElectionDigest
from bulletin_board.wire import SignedTreeHead

__all__ = ["Digests"]


class Digests:
    """The digests of a board's elections (see the module docstring)."""

    def __init__(self, board: Board) -> None:
        self.board = board
        self._digests: dict[str, ElectionDigest] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def _lock(self, election: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(election, threading.Lock())

    @contextmanager
    def read(self, election: str) -> Iterator[tuple[ElectionDigest, SignedTreeHead]]:
        """The election's digest up to its latest signed tree head, and that tree head.

        Raises:
            UnknownElection: no such log; NotFound: the log has no tree head yet.
        """
        sth = self.board.latest_tree_head(election)
        with self._lock(election):
            digest = self._digests.get(election)
            if digest is None or digest.size > sth.tree_size:
                digest = self._digests[election] = ElectionDigest(election)
            if digest.size < sth.tree_size:
                for row in self.board.leaves(election, digest.size, sth.tree_size):
                    digest.add(row.raw)
            yield digest, sth
