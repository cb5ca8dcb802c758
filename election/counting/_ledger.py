"""Spec §12.1.5 Stage bookkeeping shared by the counting rules, and the §12.5 election step."""

from __future__ import annotations

from collections.abc import Sequence

from crypto.errors import MalformedInput
from election.counting import _ties
from election.counting.constraints import Constraints
from election.counting.lot import Lot
from election.counting.profile import Profile
from election.counting.record import Action, Stage, TieBreak


def admitted(profile: Profile, *, seats: int, constraints: Constraints | None) -> Constraints:
    """The checks every ranked count makes before stage 1: at least one seat, at least one
    valid ballot, and constraints some result can meet (§12.5); returns the constraints to
    apply (none when none were given).

    Raises:
        MalformedInput: fewer than one seat, or no valid ballot.
        InfeasibleConstraints: the constraints cannot be met by any result.
    """
    if seats < 1:
        raise MalformedInput(f"seats {seats}: at least one seat is needed")
    if profile.valid == 0:
        raise MalformedInput("no valid ballot to count")
    constraints = constraints or Constraints.none()
    constraints.check(candidates=len(profile.candidates), seats=seats)
    return constraints


class Ledger:
    """Accumulates stages; keeps every stage's totals for the tie-break look-back (§12.2)."""

    def __init__(self, candidates: int) -> None:
        self.n = candidates
        self.history: list[tuple[int, ...]] = []
        self.stages: list[Stage] = []
        self.exhausted = 0
        self.lost = 0

    @property
    def next_number(self) -> int:
        return len(self.stages) + 1

    def record(
        self,
        *,
        action: Action,
        quota: int,
        totals: Sequence[int],
        non_transferable: int,
        loss: int,
        elected: Sequence[int],
        excluded: Sequence[int],
        doomed: Sequence[int] = (),
        guarded: Sequence[int] = (),
        ties: Sequence[TieBreak] = (),
        notes: Sequence[str] = (),
    ) -> Stage:
        now = tuple(totals)
        before = self.history[-1] if self.history else now
        self.exhausted += non_transferable
        self.lost += loss
        stage = Stage(
            number=self.next_number,
            action=action,
            quota=quota,
            totals=now,
            transfers=tuple(a - b for a, b in zip(now, before, strict=True)),
            non_transferable=non_transferable,
            loss_to_fractions=loss,
            exhausted=self.exhausted,
            lost=self.lost,
            elected=tuple(elected),
            excluded=tuple(excluded),
            doomed=tuple(sorted(doomed)),
            guarded=tuple(sorted(guarded)),
            ties=tuple(ties),
            notes=tuple(notes),
        )
        self.stages.append(stage)
        self.history.append(now)
        return stage


def elect_reaching_quota(
    reaching: Sequence[int],
    *,
    totals: Sequence[int],
    history: Sequence[Sequence[int]],
    elected: list[int],
    continuing: set[int],
    seats: int,
    constraints: Constraints,
    lot: Lot,
    stage: int,
) -> tuple[list[int], list[int], list[TieBreak], list[str]]:
    """Spec §12.2 rule 47 and §12.5: deem elected, highest total first, those who reach the quota.

    A candidate whose election would leave no valid completion (§12.5) is not elected but
    doomed. Mutates ``elected`` and ``continuing``; returns (newly elected, newly doomed, ties,
    notes).
    """
    order, ties = _ties.order_by_total(
        reaching, totals=totals, history=history, lot=lot, purpose="elect", stage=stage
    )
    new: list[int] = []
    doomed: list[int] = []
    notes: list[str] = []
    for c in order:
        if len(elected) == seats:
            break
        if constraints.bounds and not constraints.feasible(
            elected=[*elected, c],
            pool=[d for d in continuing if d != c],
            seats_left=seats - len(elected) - 1,
        ):
            doomed.append(c)
            notes.append(f"candidate {c + 1} reached the quota but is doomed (§12.5)")
            continue
        elected.append(c)
        continuing.discard(c)
        new.append(c)
    return new, doomed, list(ties), notes
