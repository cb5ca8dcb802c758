"""Spec §12.3 Meek STV with the arithmetic of New Zealand's Schedule 1A.

Reference rule: Meek's method as specified by Hill, Wichmann and Woodall, "Algorithm 123:
Single transferable vote by Meek's method", The Computer Journal 30(3), 1987, with the
nine-decimal arithmetic of the New Zealand Local Electoral Regulations 2001, Schedule 1A
(clause 5 quota, clause 10 allocation with keep values rounded up, clause 17 keep-value update
rounded up). Deviations from Schedule 1A are listed in spec §12.3: the part a ballot passes on
is its value minus what was kept (as in Hill's reference implementation, so votes are
conserved exactly), ties follow §12.2/§12.6 instead of Schedule 1A's pseudo-random numbers,
and one candidate is excluded at a time.

Values are integers in units of 10^-9 of a vote.
"""

from __future__ import annotations

from typing import Final

from election.counting import _ties
from election.counting._ledger import Ledger, admitted, elect_reaching_quota
from election.counting.constraints import Constraints
from election.counting.lot import Lot
from election.counting.profile import Profile
from election.counting.record import Action, ActionKind, CountResult, TieBreak, format_units

__all__ = ["DECIMALS", "OMEGA", "count_meek"]

DECIMALS: Final = 9
SCALE: Final = 10**DECIMALS
#: Iteration stops when the total surplus falls below 0.00001 vote (spec §12.3 step 6).
OMEGA: Final = 10**4


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def count_meek(
    profile: Profile, *, seats: int, lot: Lot, constraints: Constraints | None = None
) -> CountResult:
    """Spec §12.3 Count ``profile`` by Meek STV (9 decimal places), with §12.5 constraints.

    Raises:
        MalformedInput: fewer than one seat, or no valid ballot.
        InfeasibleConstraints: the constraints cannot be met by any result (§12.5).
    """
    constraints = admitted(profile, seats=seats, constraints=constraints)
    return _MeekCount(profile, seats=seats, lot=lot, constraints=constraints).run()


class _MeekCount:
    def __init__(self, profile: Profile, *, seats: int, lot: Lot, constraints: Constraints) -> None:
        self.profile = profile
        self.n = len(profile.candidates)
        self.seats = seats
        self.lot = lot
        self.constraints = constraints
        self.items = list(zip(profile.sequences, profile.weights, strict=True))
        # Step 2: keep values, 1 for every candidate not excluded.
        self.keep = [SCALE] * self.n
        self.votes = [0] * self.n
        self.exhausted = 0
        self.quota = 0
        self.continuing: set[int] = set(range(self.n))  # "hopeful" in Schedule 1A
        self.elected: list[int] = []
        self.doomed: set[int] = set()
        self.guarded: frozenset[int] = frozenset()
        self.ledger = Ledger(self.n)
        self.converged = False

    def run(self) -> CountResult:
        # Stage 1: the first distribution, every ballot wholly to its first preference.
        self._distribute()
        complete = self._finish_stage(Action(ActionKind.FIRST_PREFERENCES), [], [], [])
        while not complete:
            stage = self.ledger.next_number
            ties: list[TieBreak] = []
            doomed = sorted(self.doomed & self.continuing)
            if doomed:
                # §12.5: doomed candidates are excluded together.
                self._exclude(doomed)
                action = Action(ActionKind.CONSTRAINT_EXCLUSION, tuple(doomed))
                excluded = doomed
                self._iterate(update_first=False)
            elif self.converged:
                # Step 7: exclude the continuing candidate with the fewest votes (never a
                # guarded one); ties as Scottish rule 51, then by lot.
                pool = [c for c in self.continuing if c not in self.guarded]
                if not pool:
                    raise AssertionError("no candidate can be excluded")  # pragma: no cover
                low = min(self.votes[c] for c in pool)
                chosen, tie = _ties.pick(
                    [c for c in pool if self.votes[c] == low],
                    history=self.ledger.history[:-1],
                    prefer="lowest",
                    lot=self.lot,
                    purpose="exclude",
                    stage=stage,
                )
                ties = [tie] if tie else []
                self._exclude([chosen])
                action = Action(ActionKind.EXCLUSION, (chosen,))
                excluded = [chosen]
                self._iterate(update_first=False)
            else:
                action = Action(ActionKind.SURPLUS, tuple(self.elected))
                excluded = []
                self._iterate(update_first=True)
            complete = self._finish_stage(action, excluded, ties, [])
        return CountResult(
            method="meek-stv",
            title=self.profile.title,
            candidates=self.profile.candidates,
            seats=self.seats,
            decimals=DECIMALS,
            valid_ballots=self.profile.valid,
            invalid_ballots=self.profile.invalid,
            distinct_sequences=len(self.items),
            constraints=self.constraints.describe(),
            lot_seed=self.lot.seed,
            contest=self.lot.contest,
            stages=tuple(self.ledger.stages),
            elected=tuple(self.elected),
        )

    def _distribute(self) -> None:
        """Steps 3-4 (Schedule 1A clause 10): share each ballot out by the keep values.

        Each candidate on the ballot, in order, keeps the ballot's remaining value times their
        keep value, rounded up to 9 decimal places, and passes on the rest; excluded candidates
        (keep value 0) are skipped. What remains after the last preference is non-transferable.
        Step 5 (clause 11): the quota is (valid votes - non-transferable) / (seats + 1),
        truncated to 9 decimal places, plus 0.000000001.
        """
        keep = self.keep
        votes = [0] * self.n
        exhausted = 0
        for seq, weight in self.items:
            remaining = SCALE
            for c in seq:
                k = keep[c]
                if k == 0:
                    continue
                if k == SCALE:
                    votes[c] += remaining * weight
                    remaining = 0
                    break
                kept = _ceil_div(remaining * k, SCALE)
                votes[c] += kept * weight
                remaining -= kept
                if remaining == 0:
                    break
            exhausted += remaining * weight
        self.votes = votes
        self.exhausted = exhausted
        self.quota = (self.profile.valid * SCALE - exhausted) // (self.seats + 1) + 1

    def _surplus(self) -> int:
        """Step 6: the total surplus of the elected candidates."""
        return sum(max(self.votes[c] - self.quota, 0) for c in self.elected)

    def _update_keep_values(self) -> None:
        """Step 8 (Schedule 1A clause 17): k = q × k / v, each operation rounded up to 9 dp."""
        for c in self.elected:
            v = self.votes[c]
            if v > 0:
                product = _ceil_div(self.quota * self.keep[c], SCALE)
                self.keep[c] = min(SCALE, _ceil_div(product * SCALE, v))

    def _iterate(self, *, update_first: bool) -> None:
        """Iterate distributions until someone reaches the quota or the surplus settles."""
        last: int | None = None
        if update_first:
            self._update_keep_values()
        while True:
            self._distribute()
            if any(self.votes[c] >= self.quota for c in self.continuing):
                return
            surplus = self._surplus()
            if surplus < OMEGA or (last is not None and surplus >= last):
                return
            last = surplus
            self._update_keep_values()

    def _exclude(self, out: list[int]) -> None:
        for c in out:
            self.keep[c] = 0
            self.continuing.discard(c)

    def _finish_stage(
        self, action: Action, excluded: list[int], ties: list[TieBreak], notes: list[str]
    ) -> bool:
        stage = self.ledger.next_number
        before = self.ledger.exhausted
        reaching = [c for c in self.continuing if self.votes[c] >= self.quota]
        new, doomed_now, more_ties, more_notes = elect_reaching_quota(
            reaching,
            totals=self.votes,
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
        self.guarded = frozenset()
        if seats_left > 0 and self.continuing:
            doomed, self.guarded = self.constraints.classify(
                elected=self.elected, continuing=sorted(self.continuing), seats_left=seats_left
            )
            self.doomed |= doomed
            viable = [c for c in self.continuing if c not in self.doomed]
            if len(viable) <= seats_left:
                order, last_ties = _ties.order_by_total(
                    viable,
                    totals=self.votes,
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
                notes.append("the continuing candidates fill the remaining seats")
        complete = len(self.elected) == self.seats or not (self.continuing - self.doomed)
        surplus = self._surplus()
        # The next stage iterates again only if this one ended by an election with a surplus
        # still to share; otherwise the iteration has settled and the next stage excludes.
        self.converged = surplus < OMEGA or not new
        keep_note = ", ".join(
            f"{c + 1}: {format_units(self.keep[c], DECIMALS)}" for c in sorted(self.elected)
        )
        if keep_note:
            notes.append(f"keep values {keep_note}")
        self.ledger.record(
            action=action,
            quota=self.quota,
            totals=self.votes,
            non_transferable=self.exhausted - before,
            loss=0,
            elected=new,
            excluded=excluded,
            doomed=sorted(self.doomed & self.continuing),
            guarded=sorted(self.guarded) if not complete else (),
            ties=ties,
            notes=notes,
        )
        return complete
