"""The benchmarks' cache of built elections (benchmarks/.cache): an export there is used only
while this verivote verifies it.

Building an election of 100,000 ballots takes minutes, so the benchmarks keep the exports they
build (pages_bench.py here). One built before a change of the wire formats or of the rules (the
ceremony's deadlines, a new field of an entry) no longer verifies: the pages would be drawn
around the entries they cannot read, and a verifier timed on it would time a refusal.
``first_failure`` names why a report is not a verified result, ``stale`` verifies a cached
export, and ``discard`` says in one line that it is rebuilt, and removes it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from verifier import Report, UnreadableInput, verify_export_file

ROOT: Final = Path(__file__).resolve().parents[1]
CACHE: Final = ROOT / "benchmarks" / ".cache"


def first_failure(report: Report) -> str | None:
    """None for a verified result; otherwise its first failure (or its verdict), one line."""
    if report.outcome == "result-verified":
        return None
    return next((str(finding) for finding in report.findings()), report.last_line())


def stale(path: Path, *, jobs: int) -> str | None:
    """Why this verivote does not verify the cached export at ``path`` to a result, or None."""
    try:
        return first_failure(verify_export_file(path, jobs=jobs))
    except UnreadableInput as exc:
        return str(exc)


def discard(path: Path, reason: str) -> None:
    """Say in one line that the cached export at ``path`` is rebuilt, and why; remove it."""
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    print(
        f"  {shown} does not verify with this verivote ({reason}): "
        "built before a change of format or rules; rebuilding it",
        flush=True,
    )
    path.unlink()
