"""Spec §13 The verifier's report: one line per check (§13.1), each failure naming the entry
index, the check and what was wrong; the results the log holds (§13.3: per contest the counted
ballots, turnout, counts or a ranked count, the elected and every deciding lot); and the
outcome (§13.3), whose
name starts the last line and which sets the exit status. The same content as JSON.

The orchestrator is the one place that gathers results: every check records ``Finding``s
instead of stopping at the first failure.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Final

from crypto.canonical import JsonValue
from crypto.errors import VerivoteError
from election.counting import CountResult, DecidingLot, decided_by_lot

__all__ = [
    "CHECKS",
    "MAX_FINDINGS",
    "OUTCOMES",
    "ContestSummary",
    "Finding",
    "RankedSummary",
    "Rejected",
    "Report",
    "ResultSummary",
]

# Spec §13.1 The numbered checks, in the order a scrutineer reads them.
CHECKS: Final = {
    1: "log: canonical entries, leaf hashes, signed tree heads, consistency, witnesses",
    2: "definition, timetable, nominations and administrative entries",
    3: "key ceremony and election key",
    4: "credential lists, counts and revocations",
    5: "ballots and audits: eligibility, window, signatures, proofs, no reuse",
    6: "which ballots count: the last valid ballot per credential",
    7: "tally: homomorphic aggregate, decryption shares, combination",
    8: "result: counts and winners",
    9: "mixes: input = previous output, proof of shuffle, distinct entitled trustees",
    10: "ranked decryptions, papers, and each ranked count replayed stage by stage",
}
# Failures kept per check: a broken board can fail every ballot; the count stays exact.
MAX_FINDINGS: Final = 100
# Spec §13.3 Each outcome: the words starting the last line, and the exit status.
OUTCOMES: Final = {
    "result-verified": ("RESULT VERIFIED", 0),
    "failed": ("FAILED", 1),
    "no-result": ("NO RESULT", 3),
    "in-progress": ("IN PROGRESS", 0),
}
# Spec §10.2, §13.1 What a rehearsal's report says, under its first line and in its last.
REHEARSAL: Final = "REHEARSAL, not a real election"


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


@dataclass(frozen=True, slots=True)
class RankedSummary:
    """Spec §11.12 and §12.1.5 A ranked contest's count as the report states it: the method,
    the valid and invalid papers, the number of stages, the stages whose ties a lot decided."""

    method: str
    valid: int
    invalid: int
    stages: int
    lots: tuple[int, ...]

    @classmethod
    def of(cls, count: CountResult | None) -> RankedSummary:
        """The summary of ``count`` (None: no valid paper, nothing counted)."""
        if count is None:
            return cls("none", 0, 0, 0, ())
        lots = tuple(s.number for s in count.stages if any(t.decided_by == 0 for t in s.ties))
        return cls(
            count.method, count.valid_ballots, count.invalid_ballots, len(count.stages), lots
        )

    def lines(self, seed: bytes) -> Iterator[str]:
        if not self.stages:
            yield "    no paper is a valid ranking: nothing counted, nobody elected"
            return
        yield (
            f"    {self.method} count: {self.valid} valid and {self.invalid} invalid papers, "
            f"{self.stages} stage(s), replayed stage by stage"
        )
        if self.lots:
            stages = ", ".join(str(n) for n in self.lots)
            yield f"    ties at stage(s) {stages} {decided_by_lot(seed)}"

    def to_json(self, seed: bytes) -> dict[str, JsonValue]:
        return {
            "method": self.method,
            "valid_papers": self.valid,
            "invalid_papers": self.invalid,
            "stages": self.stages,
            "lot_stages": list(self.lots),
        }


@dataclass(frozen=True, slots=True)
class ContestSummary:
    """Spec §11.12 and §13.3 One contest's result as the report states it: N_c counted ballots
    of ``eligible`` credentials issued for the styles holding it, each option's (id, label) and
    count (None: not counted homomorphically), the elected and passed over (ids, or the winning
    referendum option), and the lots that decided between an elected and a not elected one; for
    a ranked contest its count (``ranked``), the elected in order of election."""

    contest: str
    title: str
    kind: str
    seats: int
    ballots: int
    eligible: int
    options: tuple[tuple[str, str], ...]
    counts: tuple[int, ...] | None
    elected: tuple[str, ...]
    passed_over: tuple[str, ...]
    lots: tuple[DecidingLot, ...] = ()
    ranked: RankedSummary | None = None

    @property
    def turnout(self) -> str:
        share = 100 * self.ballots / self.eligible if self.eligible else 0.0
        return f"{share:.1f}%"

    def lines(self, seed: bytes) -> Iterator[str]:
        seats = "" if self.kind == "referendum" else f", {self.seats} seat(s)"
        yield (
            f"  contest {self.contest} ({self.title}; {self.kind}{seats}): {self.ballots} "
            f"ballot(s) counted of {self.eligible} eligible, turnout {self.turnout}"
        )
        if self.ranked is not None:
            name = dict(self.options)
            yield from self.ranked.lines(seed)
            elected = ", ".join(name[c] for c in self.elected) or "nobody"
            yield f"    elected, in order: {elected}"
            return
        width = max((len(label) for _, label in self.options), default=0)
        won = "wins" if self.kind == "referendum" else "elected"
        counts = self.counts or ()
        for k, (ident, label) in enumerate(self.options):
            mark = won if ident in self.elected else ""
            if ident in self.passed_over:
                mark = "passed over (quota)"
            votes = f"{counts[k]:>8}" if k < len(counts) else ""
            yield f"    {label:<{width}} {votes}  {mark}".rstrip()
        if self.kind == "referendum" and not self.elected:
            yield "    no option wins: a tie for first place"
        name = dict(self.options)
        for lot in self.lots:
            yield (
                f"    tie between {', '.join(name[c] for c in lot.tied)} {decided_by_lot(seed)}: "
                f"{', '.join(name[c] for c in lot.elected)} elected"
            )

    def to_json(self, seed: bytes) -> dict[str, JsonValue]:
        counts = self.counts or ()
        return {
            "contest": self.contest,
            "title": self.title,
            "kind": self.kind,
            "seats": self.seats,
            "ballots": self.ballots,
            "eligible": self.eligible,
            "turnout": self.turnout,
            "options": [
                {
                    "id": ident,
                    "name": label,
                    "votes": counts[k] if k < len(counts) else None,
                    "elected": ident in self.elected,
                    "passed_over": ident in self.passed_over,
                }
                for k, (ident, label) in enumerate(self.options)
            ],
            "elected": list(self.elected),
            "passed_over": list(self.passed_over),
            "lots": [
                {
                    "tied": list(lot.tied),
                    "elected": list(lot.elected),
                    "seed": seed.hex(),
                    "rule": "§12.6",
                    "text": decided_by_lot(seed),
                }
                for lot in self.lots
            ],
            "ranked": None if self.ranked is None else self.ranked.to_json(seed),
        }


@dataclass(frozen=True, slots=True)
class ResultSummary:
    """Spec §13.3 The result entry the log holds (its leaf and lot seed), contest by contest."""

    index: int
    seed: bytes
    contests: tuple[ContestSummary, ...]

    def lines(self) -> Iterator[str]:
        yield f"results (the result in entry {self.index}; lot seed {self.seed.hex()}):"
        for contest in self.contests:
            yield from contest.lines(self.seed)

    def to_json(self) -> dict[str, JsonValue]:
        return {
            "index": self.index,
            "seed": self.seed.hex(),
            "contests": [c.to_json(self.seed) for c in self.contests],
        }


@dataclass(slots=True)
class Report:
    """Spec §13.1 What the verifier found: per check, how many items passed and every failure;
    notes (a receipt's verdict among them); the result on the log (None: none, or not one that
    verified; stated only if every check passed); and
    whether the caller checks an election in progress (``in_progress``: no result is then an
    outcome of its own, §13.3)."""

    election: str | None = None
    leaves: int = 0
    tree_size: int | None = None
    root_hash: str | None = None
    checks: dict[int, _CheckTally] = field(
        default_factory=lambda: {number: _CheckTally() for number in CHECKS}
    )
    notes: list[str] = field(default_factory=list)
    result: ResultSummary | None = None
    in_progress: bool = False
    rehearsal: bool | None = None
    """Leaf 0's flag (Spec §10.2): a rehearsal, not a real election, whatever the checks say."""

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
        """Every check passed."""
        return all(tally.failed == 0 for tally in self.checks.values())

    @property
    def outcome(self) -> str:
        """Spec §13.3 ``result-verified``, ``failed``, ``no-result`` or ``in-progress``."""
        if not self.passed:
            return "failed"
        if self.result is not None:
            return "result-verified"
        return "in-progress" if self.in_progress else "no-result"

    @property
    def exit_status(self) -> int:
        """Spec §13.3 0 a result verified (or in progress, when asked), 1 a check failed, 3 no
        result (2, unreadable input, is raised before any report)."""
        return OUTCOMES[self.outcome][1]

    def findings(self) -> Iterator[Finding]:
        for tally in self.checks.values():
            yield from tally.findings

    def lines(self) -> Iterator[str]:
        """The human report: a header, one line per check, then every failure; the verdict
        last, marked REHEARSAL for a rehearsal's log (Spec §13.1)."""
        yield f"election {self.election or '?'}: {self.leaves} leaves, tree head {self.root_hash}"
        if self.rehearsal:
            yield "REHEARSAL: a rehearsal board, not a real election (docs/spec.md §10.2)"
        for number, title in CHECKS.items():
            tally = self.checks[number]
            status = "PASS" if tally.failed == 0 else "FAIL"
            yield f"[{status}] {number}. {title}: {tally.passed} passed, {tally.failed} failed"
        for note in self.notes:
            yield f"note: {note}"
        for finding in self.findings():
            yield f"  {finding}"
        if self.result is not None and self.passed:
            yield from self.result.lines()
        yield self.last_line()

    def last_line(self) -> str:
        """Spec §13.3 The outcome's words (then REHEARSAL for a rehearsal's log, §13.1), then
        what they rest on."""
        outcome = self.outcome
        words = OUTCOMES[outcome][0]
        if self.rehearsal:
            words = f"{words} ({REHEARSAL})"
        if outcome == "failed":
            total = sum(t.failed for t in self.checks.values())
            return f"{words}: {total} failure(s)"
        if outcome == "result-verified":
            return f"{words}: every check passed, and the result follows from the votes"
        if outcome == "in-progress":
            return f"{words}: every check passed so far; the log holds no result yet"
        return (
            f"{words}: every check passed, but the log holds no result: an election in progress, "
            "or a board withholding its tally or result (--in-progress checks an election in "
            "progress)"
        )

    def to_json(self) -> dict[str, JsonValue]:
        return {
            "election": self.election,
            "leaves": self.leaves,
            "tree_size": self.tree_size,
            "root_hash": self.root_hash,
            "outcome": self.outcome,
            "rehearsal": bool(self.rehearsal),
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
            "results": self.result.to_json() if self.result is not None and self.passed else None,
            "notes": list(self.notes),
        }
