"""Spec §13 The verifier's report: one line per check (§13.1), each failure naming the entry
index, the check and what was wrong; the same content as JSON.

The orchestrator is the one place that gathers results: every check records ``Finding``s
instead of stopping at the first failure.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Final

from crypto.canonical import JsonValue
from crypto.errors import VerivoteError

__all__ = ["CHECKS", "MAX_FINDINGS", "Finding", "Rejected", "Report"]

# Spec §13.1 The numbered checks, in the order a scrutineer reads them.
CHECKS: Final = {
    1: "log: canonical entries, leaf hashes, signed tree heads, consistency",
    2: "definition, timetable, nominations and administrative entries",
    3: "key ceremony and election key",
    4: "credential lists, counts and revocations",
    5: "ballots and audits: eligibility, window, signatures, proofs, no reuse",
    6: "which ballots count: the last valid ballot per credential",
    7: "tally: homomorphic aggregate, decryption shares, combination",
    8: "result: counts and winners",
}
# Failures kept per check: a broken board can fail every ballot; the count stays exact.
MAX_FINDINGS: Final = 100


class Rejected(VerivoteError):
    """An entry the rules refuse: the check it fails (§13.1) and why."""

    def __init__(self, check: int, message: str) -> None:
        super().__init__(message)
        self.check = check


@dataclass(frozen=True, slots=True)
class Finding:
    """One failure: the check (§13.1), the leaf index (None: not one entry) and why."""

    check: int
    index: int | None
    message: str

    def __str__(self) -> str:
        where = "" if self.index is None else f"entry {self.index}: "
        return f"check {self.check}: {where}{self.message}"

    def to_json(self) -> dict[str, JsonValue]:
        return {"check": self.check, "index": self.index, "message": self.message}


@dataclass(slots=True)
class _CheckTally:
    passed: int = 0
    failed: int = 0
    findings: list[Finding] = field(default_factory=list)


@dataclass(slots=True)
class Report:
    """Spec §13.1 What the verifier found: per check, how many items passed and every failure;
    contests that cannot be verified yet (ranked, §13.1); a receipt's verdict."""

    election: str | None = None
    leaves: int = 0
    tree_size: int | None = None
    root_hash: str | None = None
    checks: dict[int, _CheckTally] = field(
        default_factory=lambda: {number: _CheckTally() for number in CHECKS}
    )
    not_verifiable: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def ok(self, check: int, count: int = 1) -> None:
        """Record ``count`` items that passed ``check``."""
        self.checks[check].passed += count

    def fail(self, check: int, index: int | None, message: str) -> None:
        """Record a failure of ``check`` at leaf ``index``."""
        tally = self.checks[check]
        tally.failed += 1
        if len(tally.findings) < MAX_FINDINGS:
            tally.findings.append(Finding(check, index, message))

    @property
    def passed(self) -> bool:
        """Every check passed (ranked contests pending are reported, not failed)."""
        return all(tally.failed == 0 for tally in self.checks.values())

    def findings(self) -> Iterator[Finding]:
        for tally in self.checks.values():
            yield from tally.findings

    def lines(self) -> Iterator[str]:
        """The human report: a header, one line per check, then every failure."""
        yield f"election {self.election or '?'}: {self.leaves} leaves, tree head {self.root_hash}"
        for number, title in CHECKS.items():
            tally = self.checks[number]
            status = "PASS" if tally.failed == 0 else "FAIL"
            yield f"[{status}] {number}. {title}: {tally.passed} passed, {tally.failed} failed"
        for contest in self.not_verifiable:
            yield f"[NOT YET VERIFIABLE] contest {contest}: ranked, pending the mixnet"
        for note in self.notes:
            yield f"note: {note}"
        for finding in self.findings():
            yield f"  {finding}"
        total = sum(t.failed for t in self.checks.values())
        if not self.passed:
            yield f"FAILED: {total} failure(s)"
        elif self.not_verifiable:
            pending = ", ".join(self.not_verifiable)
            yield f"verified: every check passed; not yet verifiable (ranked): {pending}"
        else:
            yield "verified: every check passed"

    def to_json(self) -> dict[str, JsonValue]:
        return {
            "election": self.election,
            "leaves": self.leaves,
            "tree_size": self.tree_size,
            "root_hash": self.root_hash,
            "passed": self.passed,
            "checks": [
                {
                    "check": number,
                    "title": CHECKS[number],
                    "passed": tally.failed == 0,
                    "items_passed": tally.passed,
                    "items_failed": tally.failed,
                    "failures": [f.to_json() for f in tally.findings],
                }
                for number, tally in self.checks.items()
            ],
            "not_yet_verifiable": [{"contest": c, "reason": "ranked"} for c in self.not_verifiable],
            "notes": list(self.notes),
        }
