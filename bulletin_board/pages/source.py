"""What the pages read of a board: one digest per election, folded incrementally from the
board's storage, and the verifier's verdicts on its logs.

``Digests.read(election)`` takes the election's latest signed tree head, folds into that
election's digest only the leaves below it that the digest has not seen (the first read folds
the whole log once; every later read costs O(new leaves)), and yields the digest and the tree
head under a per-election lock, so that a page is drawn from exactly the log that tree head
signs. Leaves below a published tree head never change (§10.2), so the digest never refolds.

``on_result`` is told (under the lock) when a fold adds the result: the BLT downloads are
built then (bulletin_board/pages/downloads.py).

``Verdicts`` runs the independent verifier on a board's own log, once per election and tree
size, in another process (``verivote verify EXPORT --json``: it is CPU-bound,
and the board's request threads keep their interpreter), and only once a result is on the log;
until it finishes the page says that it is running. A verdict the board computes about itself
is a convenience, not evidence: the page says so, and shows the command that checks the log
without trusting the board.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bulletin_board.export import format_export
from bulletin_board.log import Board
from bulletin_board.pages.digest import ElectionDigest
from bulletin_board.pages.i18n import Catalogue
from bulletin_board.pages.verdict import verdict_view
from bulletin_board.wire import SignedTreeHead
from bulletin_board.witnessing import stored_cosignatures

__all__ = ["Digests", "Verdicts"]

#: How the board runs the independent verifier: ``verivote verify`` in a process of its own.
_VERIFY = "from cli.main import main; main()"
#: Its exit statuses with a report: result verified, failed, no result (spec §13.3).
_VERIFY_DONE = frozenset({0, 1, 3})


class Digests:
    """The digests of a board's elections (see the module docstring)."""

    def __init__(
        self, board: Board, *, on_result: Callable[[str, ElectionDigest], None] | None = None
    ) -> None:
        self.board = board
        self.on_result = on_result
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
                had_result = digest.result is not None
                for row in self.board.leaves(election, digest.size, sth.tree_size):
                    digest.add(row.raw)
                if not had_result and digest.result is not None and self.on_result is not None:
                    self.on_result(election, digest)
            yield digest, sth


class Verdicts:
    """The verifier's verdicts on a board's logs, computed in the background (see module)."""

    def __init__(self, board: Board) -> None:
        self.board = board
        # election -> (tree size, root, outcome, cosignatures of that head when verified)
        self._done: dict[str, tuple[int, str, dict[str, Any], int]] = {}
        self._running: dict[str, tuple[int, int, Future[dict[str, Any]]]] = {}
        self._lock = threading.Lock()
        self._threads: ThreadPoolExecutor | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._closed = False

    def close(self) -> None:
        """Stop: no new run, and the verifier's process of a run in progress is ended."""
        with self._lock:
            self._closed = True
            threads, self._threads = self._threads, None
            process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
        if threads is not None:
            threads.shutdown(wait=False, cancel_futures=True)

    def view(
        self, t: Catalogue, election: str, sth: SignedTreeHead, *, has_result: bool
    ) -> dict[str, Any] | None:
        """The verdict to show for ``election`` at ``sth``: the latest finished run (starting
        a run for this tree head if none is running, or if witnesses cosigned it since, Spec
        §10.5), or that one is running; None before a result is on the log."""
        if not has_result:
            return None
        cosigned = len(self.board.storage.cosignatures(election, sth.tree_size))
        with self._lock:
            self._collect(election)
            done = self._done.get(election)
            running = self._running.get(election)
            stale = done is None or (done[0], done[3]) < (sth.tree_size, cosigned)
            if stale and running is None and not self._closed:
                self._start(election, sth, cosigned)
                running = self._running.get(election)
        if done is not None:
            size, root, outcome, _ = done
            return verdict_view(t, outcome, has_result=has_result, size=size, root=root)
        size = running[0] if running is not None else sth.tree_size
        return {"state": "running", "size": t.number(size)}

    def _collect(self, election: str) -> None:
        running = self._running.get(election)
        if running is None or not running[2].done():
            return
        del self._running[election]
        size, cosigned, future = running
        try:
            outcome = future.result()
        except Exception as exc:  # the verifier's process died: say so on the page
            outcome = {"json": {"passed": False, "checks": []}, "lines": [f"error: {exc}"]}
        head = self.board.tree_head(election, size)
        self._done[election] = (size, head.root_hash.hex(), outcome, cosigned)

    def _start(self, election: str, sth: SignedTreeHead, cosigned: int) -> None:
        if self._threads is None:
            self._threads = ThreadPoolExecutor(max_workers=1, thread_name_prefix="verdict")
        future = self._threads.submit(self._run, election, sth)
        self._running[election] = (sth.tree_size, cosigned, future)

    def _run(self, election: str, sth: SignedTreeHead) -> dict[str, Any]:
        """Write the log up to ``sth`` as an export (with its cosignatures, §10.5), verify it
        in the verifier's process."""
        with tempfile.TemporaryDirectory(prefix="verivote-verdict-") as folder:
            path = Path(folder) / f"{election}-{sth.tree_size}.jsonl"
            report = Path(folder) / "report.json"
            with path.open("wb") as out:
                out.writelines(
                    format_export(
                        election=election,
                        board_key=sth.board_key,
                        leaves=(r.raw for r in self.board.leaves(election, 0, sth.tree_size)),
                        tree_heads=(
                            (h.tree_size, h.raw)
                            for h in self.board.storage.tree_heads(election, up_to=sth.tree_size)
                        ),
                        cosignatures=[
                            c.to_bytes() for c in stored_cosignatures(self.board.storage, sth)
                        ],
                    )
                )
            with self._lock:
                if self._closed:
                    raise RuntimeError("the board is stopping")
                process = self._process = subprocess.Popen(  # noqa: S603 - this interpreter
                    [sys.executable, "-c", _VERIFY, "verify", str(path), "--json",
                     str(report), "--jobs", "1", "--quiet"],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                )  # fmt: skip
            answer, problem = process.communicate()
            if process.returncode not in _VERIFY_DONE or not report.exists():
                last = problem.decode(errors="replace").strip().splitlines()[-1:]
                raise RuntimeError(f"the verifier stopped: {' '.join(last) or process.returncode}")
            outcome: dict[str, Any] = {
                "json": json.loads(report.read_bytes()),
                "lines": answer.decode(errors="replace").splitlines(),
            }
        return outcome
