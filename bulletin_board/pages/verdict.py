"""Spec §13 The verifier's verdict shown on the results page and in the report.

``verdict_view`` puts a verifier report (its JSON form, §13) in words. ``Verdicts`` runs the
independent verifier on a board's own log, once per election and tree size, in a separate
process (``python -m bulletin_board.pages.verdict EXPORT``: it is CPU-bound, and the board's
request threads keep their interpreter), and only once a
result is on the log; until it finishes the page says that it is running. A verdict the board
computes about itself is a convenience, not evidence: the page says so, and shows the command
that checks the log without trusting the board.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import threading
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bulletin_board.export import format_export
from bulletin_board.log import Board
from bulletin_board.pages.i18n import Catalogue
from bulletin_board.wire import SignedTreeHead

__all__ = ["Verdicts", "verdict_view", "verify_file"]

_OUTCOMES = {
    "result-verified": "verdict.result_verified",
    "failed": "verdict.failed_outcome",
    "no-result": "verdict.no_result",
}


def verify_file(path: str) -> dict[str, Any]:
    """Run the verifier on an export file in this process: its report's JSON and lines."""
    from verifier import verify_export_file

    report = verify_export_file(Path(path), jobs=1)
    return {"json": report.to_json(), "lines": list(report.lines())}


def verdict_view(
    t: Catalogue, outcome: Mapping[str, Any], *, has_result: bool, size: int, root: str
) -> dict[str, Any]:
    """A verifier's report (``verify_file``'s answer) in words: the outcome, the numbered
    checks, the report's own lines."""
    report = outcome["json"]
    passed = bool(report.get("passed"))
    key = report.get("outcome")
    if key not in _OUTCOMES:
        key = "failed" if not passed else "result-verified" if has_result else "no-result"
    return {
        "state": "done",
        "passed": passed,
        "outcome": t.text(_OUTCOMES[str(key)]),
        "checks": [
            {
                "number": c["check"],
                "title": c["title"],
                "passed": c["passed"],
                "items_passed": c["items_passed"],
                "items_failed": c["items_failed"],
            }
            for c in report.get("checks", [])
        ],
        "lines": list(outcome.get("lines", [])),
        "size": t.number(size),
        "root": root,
    }


class Verdicts:
    """The verifier's verdicts on a board's logs, computed in the background (see module)."""

    def __init__(self, board: Board) -> None:
        self.board = board
        self._done: dict[str, tuple[int, str, dict[str, Any]]] = {}
        self._running: dict[str, tuple[int, Future[dict[str, Any]]]] = {}
        self._lock = threading.Lock()
        self._threads: ThreadPoolExecutor | None = None

    def close(self) -> None:
        """Stop starting verifier runs (a run in progress finishes in its own process)."""
        with self._lock:
            threads, self._threads = self._threads, None
        if threads is not None:
            threads.shutdown(wait=False, cancel_futures=True)

    def view(
        self, t: Catalogue, election: str, sth: SignedTreeHead, *, has_result: bool
    ) -> dict[str, Any] | None:
        """The verdict to show for ``election`` at ``sth``: the latest finished run (starting
        a run for this tree head if none is running), or that one is running; None before a
        result is on the log."""
        if not has_result:
            return None
        with self._lock:
            self._collect(election)
            done = self._done.get(election)
            running = self._running.get(election)
            if (done is None or done[0] < sth.tree_size) and running is None:
                self._start(election, sth)
                running = self._running.get(election)
        if done is not None:
            size, root, outcome = done
            return verdict_view(t, outcome, has_result=has_result, size=size, root=root)
        size = running[0] if running is not None else sth.tree_size
        return {"state": "running", "size": t.number(size)}

    def _collect(self, election: str) -> None:
        running = self._running.get(election)
        if running is None or not running[1].done():
            return
        del self._running[election]
        size, future = running
        try:
            outcome = future.result()
        except Exception as exc:  # the verifier's process died: say so on the page
            outcome = {"json": {"passed": False, "checks": []}, "lines": [f"error: {exc}"]}
        head = self.board.tree_head(election, size)
        self._done[election] = (size, head.root_hash.hex(), outcome)

    def _start(self, election: str, sth: SignedTreeHead) -> None:
        if self._threads is None:
            self._threads = ThreadPoolExecutor(max_workers=1, thread_name_prefix="verdict")
        future = self._threads.submit(self._run, election, sth)
        self._running[election] = (sth.tree_size, future)

    def _run(self, election: str, sth: SignedTreeHead) -> dict[str, Any]:
        """Write the log up to ``sth`` as an export, verify it in the verifier's process."""
        with tempfile.TemporaryDirectory(prefix="verivote-verdict-") as folder:
            path = Path(folder) / f"{election}-{sth.tree_size}.jsonl"
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
                    )
                )
            done = subprocess.run(  # noqa: S603 - this interpreter, this module, our file
                [sys.executable, "-m", "bulletin_board.pages.verdict", str(path)],
                capture_output=True,
                check=False,
            )
        if done.returncode != 0:
            last = done.stderr.decode(errors="replace").strip().splitlines()[-1:]
            raise RuntimeError(f"the verifier stopped: {' '.join(last) or done.returncode}")
        outcome: dict[str, Any] = json.loads(done.stdout)
        return outcome


if __name__ == "__main__":
    sys.stdout.write(json.dumps(verify_file(sys.argv[1])))
