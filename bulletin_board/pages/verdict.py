"""Spec §13 The verifier's verdict, as the results page and the scrutineer's report show it.

``verdict_view`` puts a verifier report (its JSON form, §13, and its lines) in words, for the
report (cli/report.py) and for the board, which runs ``verivote verify`` in another process
(bulletin_board/pages/source.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bulletin_board.pages.i18n import Catalogue

__all__ = ["verdict_view"]

_OUTCOMES = {
    "result-verified": "verdict.result_verified",
    "failed": "verdict.failed_outcome",
    "no-result": "verdict.no_result",
}


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
