"""Spec §12.1.6 The ranked contests' decrypted papers as BLT downloads, built once per result.

A result leaf never changes (§10.2), so the BLT file of a ranked contest is built once per
(election, result leaf, contest) and kept; building it for 120,000 papers takes over a second,
so it is built in a background thread as soon as the pages fold the result (``warm``), and a
download that arrives before it is ready waits for that build, never starts another.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor

from bulletin_board.pages.digest import ElectionDigest
from bulletin_board.pages.results import contest_blt
from election.definition import ContestKind

__all__ = ["Papers"]


class Papers:
    """The BLT files of a board's ranked contests (see the module docstring)."""

    def __init__(self) -> None:
        self._built: dict[tuple[str, int, str], Future[bytes | None]] = {}
        self._lock = threading.Lock()
        self._threads: ThreadPoolExecutor | None = None
        self._closed = False

    def close(self) -> None:
        """Stop building (a build in progress ends; a waiting download builds its own)."""
        with self._lock:
            self._closed = True
            threads, self._threads = self._threads, None
        if threads is not None:
            threads.shutdown(wait=False, cancel_futures=True)

    def warm(self, election: str, digest: ElectionDigest) -> None:
        """Start building every ranked contest's file of ``digest``'s result (called under the
        digest's lock, when a fold added the result)."""
        if digest.result is None or digest.definition is None:
            return
        for contest in digest.definition.value.contests:
            if contest.kind is ContestKind.RANKED:
                self._future(election, digest, contest.id)

    def blt(
        self, election: str, digest: ElectionDigest, contest: str
    ) -> Future[bytes | None] | None:
        """Contest ``contest``'s BLT file of ``digest``'s result, as a future (its value None:
        no such ranked contest, or no checked result); None before the result. Called under
        the digest's lock; wait for the value after releasing it."""
        if digest.result is None:
            return None
        return self._future(election, digest, contest)

    def wait(self) -> None:
        """Wait for every build started (for benchmarks and tests)."""
        with self._lock:
            futures = list(self._built.values())
        for future in futures:
            future.exception()

    def _future(self, election: str, digest: ElectionDigest, contest: str) -> Future[bytes | None]:
        assert digest.result is not None
        key = (election, digest.result.index, contest)
        with self._lock:
            future = self._built.get(key)
            if future is not None and not future.cancelled():
                return future
            # What contest_blt reads, taken now: the digest folds on after the lock is released.
            snapshot = ElectionDigest(
                digest.election,
                definition=digest.definition,
                result=digest.result,
                candidate_lists={contest: list(digest.candidate_lists.get(contest, []))},
            )
            if self._closed:
                future = Future()
                future.set_result(contest_blt(snapshot, contest))
                return future
            if self._threads is None:
                self._threads = ThreadPoolExecutor(max_workers=1, thread_name_prefix="papers")
            future = self._threads.submit(contest_blt, snapshot, contest)
            self._built[key] = future
            return future
