"""Spec §12.2 Scottish STV: The Scottish Local Government Elections Order 2007, rules 45-52.

The rules were re-enacted unchanged in substance as rules 46-53 of the 2011 Order (SSI
2011/399); comments cite the 2007 numbering. Values are integers in units of 10^-5 of a vote,
so rule 48(3)'s "five decimal places (any remainder being ignored)" is exact integer floor
division. With constraints (§12.5) the rule gains the doomed/guarded steps; without them it is
exactly rules 45-52.

Papers are held grouped: one entry per distinct preference sequence (spec §12.1.1), since all
papers with the same sequence always sit with the same candidate at the same value.
"""

from __future__ import annotations

from typing import Final

from election.counting import _ties
from election.counting._ledger import Ledger, admitted, elect_reaching_quota
from election.counting.constraints import Constraints
from election.counting.lot import Lot
from election.counting.profile import Profile
from election.counting.record import Action, ActionKind, CountResult, TieBreak, format_units

__all__ = ["DECIMALS", "count_scottish", "scottish_quota"]

DECIMALS: Final = 5
SCALE: Final = 10**DECIMALS

# A parcel entry: (sequence index, position of the current candidate in it, value per paper).
_Entry = tuple[int, int, int]


def scottish_quota(valid: int, seats: int) -> int:
    """Spec §12.2 Rule 46: floor(valid / (seats + 1)) + 1 votes."""
    return valid // (seats + 1) + 1


def count_scottish(
    profile: Profile, *, seats: int, lot: Lot, constraints: Constraints | None = None
) -> CountResult:
    """Spec §12.2 Count ``profile`` by Scottish STV (rules 45-52), with §12.5 constraints.

    Raises:
        MalformedInput: fewer than one seat, or no valid ballot.
        InfeasibleConstraints: the constraints cannot be met by any result (§12.5).
    """
    constraints = admitted(profile, seats=seats, constraints=constraints)
    return _ScottishCount(profile, seats=seats, lot=lot, constraints=constraints).run()


class _ScottishCount:
    def __init__(self, profile: Profile, *, seats: int, lot: Lot, constraints: Constraints) -> None:
        self.profile = profile
        self.n = len(profile.candidates)
        self.seats = seats
        self.lot = lot
        self.constraints = constraints
        self.seqs = profile.sequences
        self.weights = profile.weights
        # Rule 46: the quota.
        self.quota = scottish_quota(profile.valid, seats) * SCALE
        self.piles: list[list[_Entry]] = [[] for _ in range(self.n)]
        self.totals = [0] * self.n
        self.continuing: set[int] = set(range(self.n))
        self.elected: list[int] = []
        self.excluded: list[int] = []
        self.doomed: set[int] = set()
        self.ledger = Ledger(self.n)

    def run(self) -> CountResult:
        # Rule 45: the first stage, every paper to its first preference at value one.
        for i, seq in enumerate(self.seqs):
            c = seq[0]
            self.piles[c].append((i, 0, SCALE))
            self.totals[c] += SCALE * self.weights[i]
        action = Action(ActionKind.FIRST_PREFERENCES)
        moved: tuple[int, int, list[int], list[TieBreak], list[str]] = (0, 0, [], [], [])
        while True:
            if self._finish_stage(action, *moved):
                break
            action, moved = self._next_stage()
        return CountResult(
            method="scottish-stv",
            title=self.profile.title,
            candidates=self.profile.candidates,
            seats=self.seats,
            decimals=DECIMALS,
            valid_ballots=self.profile.valid,
            invalid_ballots=self.profile.invalid,
            distinct_sequences=len(self.seqs),
            constraints=self.constraints.describe(),
            lot_seed=self.lot.seed,
            contest=self.lot.contest,
            stages=tuple(self.ledger.stages),
            elected=tuple(self.elected),
        )

    # -- end of a stage: rules 47 and 52, §12.5 ------------------------------------------

    def _finish_stage(
        self,
        action: Action,
        non_transferable: int,
        loss: int,
        excluded: list[int],
        ties: list[TieBreak],
        notes: list[str],
    ) -> bool:
        stage = self.ledger.next_number
        # Rule 47(1): a candidate whose votes equal or exceed the quota is deemed elected.
        reaching = [c for c in self.continuing if self.totals[c] >= self.quota]
        new, doomed_now, more_ties, more_notes = elect_reaching_quota(
            reaching,
            totals=self.totals,
            history=self.ledger.history,
            elected=self.elected,
            continuing=self.continuing,
            seats=self.seats,
            constraints=self.constraints,
            lot=self.lot,
            stage=stage,
        )
        ties = ties + more_ties
        notes = notes + more_notes
        seats_left = self.seats - len(self.elected)
        self.doomed = set(doomed_now)
        guarded: frozenset[int] = frozenset()
        if seats_left > 0 and self.continuing:
            doomed, guarded = self.constraints.classify(
                elected=self.elected, continuing=sorted(self.continuing), seats_left=seats_left
            )
            self.doomed |= doomed
            # Rule 52(1): as many continuing (not doomed) candidates as vacancies: all elected.
            viable = [c for c in self.continuing if c not in self.doomed]
            if len(viable) <= seats_left:
                order, last_ties = _ties.order_by_total(
                    viable,
                    totals=self.totals,
                    history=self.ledger.history,
                    lot=self.lot,
                    purpose="elect",
                    stage=stage,
                )
                ties += last_ties
                for c in order:
                    self.elected.append(c)
                    self.continuing.discard(c)
                    new.append(c)
                notes.append("rule 52: the continuing candidates fill the remaining vacancies")
        complete = len(self.elected) == self.seats or not (self.continuing - self.doomed)
        self.ledger.record(
            action=action,
            quota=self.quota,
            totals=self.totals,
            non_transferable=non_transferable,
            loss=loss,
            elected=new,
            excluded=excluded,
            doomed=sorted(self.doomed & self.continuing),
            guarded=sorted(guarded) if not complete else (),
            ties=ties,
            notes=notes,
        )
        return complete

    # -- the next stage: §12.5 doomed exclusion, rule 49 surplus, rule 50 exclusion -------

    def _next_stage(
        self,
    ) -> tuple[Action, tuple[int, int, list[int], list[TieBreak], list[str]]]:
        stage = self.ledger.next_number
        # §12.5: doomed candidates are excluded together, before any other transfer.
        doomed = sorted(self.doomed & self.continuing)
        if doomed:
            nt = self._exclude(doomed)
            action = Action(ActionKind.CONSTRAINT_EXCLUSION, tuple(doomed))
            return action, (nt, 0, doomed, [], ["§12.5: doomed candidates excluded"])
        # Rule 48(1), 49(1): transfer the highest surplus first.
        pending = [c for c in self.elected if self.totals[c] > self.quota]
        if pending:
            top = max(self.totals[c] for c in pending)
            tied = [c for c in pending if self.totals[c] == top]
            # Rule 49(2)-(3): equal surpluses by the most recent unequal stage, then by lot.
            chosen, tie = _ties.pick(
                tied,
                history=self.ledger.history[:-1],
                prefer="highest",
                lot=self.lot,
                purpose="surplus",
                stage=stage,
            )
            nt, loss, note = self._transfer_surplus(chosen)
            action = Action(ActionKind.SURPLUS, (chosen,))
            return action, (nt, loss, [], [tie] if tie else [], [note])
        # Rule 50(1): exclude the continuing candidate with the lowest total (never a guarded
        # one, §12.5).
        guarded = set(self.ledger.stages[-1].guarded)
        candidates = [c for c in self.continuing if c not in guarded]
        if not candidates:
            raise AssertionError("no candidate can be excluded")  # pragma: no cover
        low = min(self.totals[c] for c in candidates)
        tied = [c for c in candidates if self.totals[c] == low]
        # Rule 51: equal lowest totals by the most recent unequal stage, then by lot.
        chosen, tie = _ties.pick(
            tied,
            history=self.ledger.history[:-1],
            prefer="lowest",
            lot=self.lot,
            purpose="exclude",
            stage=stage,
        )
        nt = self._exclude([chosen])
        return Action(ActionKind.EXCLUSION, (chosen,)), (nt, 0, [chosen], [tie] if tie else [], [])

    def _next_continuing(self, seq: tuple[int, ...], pos: int) -> int:
        """The position of the next available preference (a continuing candidate), or -1."""
        continuing = self.continuing
        for j in range(pos + 1, len(seq)):
            if seq[j] in continuing:
                return j
        return -1

    def _transfer_surplus(self, x: int) -> tuple[int, int, str]:
        """Rule 48: every paper of ``x`` moves on at value surplus × value / total (5 dp)."""
        total = self.totals[x]
        surplus = total - self.quota
        gained = [0] * self.n
        non_transferable = 0
        new_value: dict[int, int] = {}
        seqs, weights, piles = self.seqs, self.weights, self.piles
        for i, pos, value in piles[x]:
            # Rule 48(3)-(4): A = surplus × the paper's value, B = the candidate's total;
            # A / B to five decimal places, any remainder ignored.
            tv = new_value.get(value)
            if tv is None:
                tv = new_value[value] = surplus * value // total
            if tv == 0:
                continue  # worth nothing from here on: only loss to fractions
            seq = seqs[i]
            j = self._next_continuing(seq, pos)
            if j < 0:
                # Rule 48(1)(b): no next available preference: non-transferable.
                non_transferable += tv * weights[i]
                continue
            # Rule 48(2): to the continuing candidate of the next available preference.
            c = seq[j]
            piles[c].append((i, j, tv))
            gained[c] += tv * weights[i]
        piles[x] = []
        for c in range(self.n):
            self.totals[c] += gained[c]
        # The elected candidate keeps exactly the quota.
        self.totals[x] = self.quota
        loss = surplus - sum(gained) - non_transferable
        note = (
            f"rule 48(3): each paper of candidate {x + 1} moves at value × "
            f"{format_units(surplus, DECIMALS)} / {format_units(total, DECIMALS)}, "
            "truncated to 5 decimal places"
        )
        return non_transferable, loss, note

    def _exclude(self, out: list[int]) -> int:
        """Rule 50(2)-(4): every paper of the excluded moves on at the value it has."""
        for x in out:
            self.continuing.discard(x)
            self.excluded.append(x)
        non_transferable = 0
        seqs, weights, piles = self.seqs, self.weights, self.piles
        for x in out:
            for i, pos, value in piles[x]:
                seq = seqs[i]
                j = self._next_continuing(seq, pos)
                if j < 0:
                    non_transferable += value * weights[i]
                    continue
                c = seq[j]
                piles[c].append((i, j, value))
                self.totals[c] += value * weights[i]
            piles[x] = []
            self.totals[x] = 0
        return non_transferable
