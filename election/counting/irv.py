"""Spec §12.4 IRV (instant-runoff voting) for single-seat contests.

Each stage counts every continuing ballot for its highest-ranked continuing candidate. A
candidate with more than half of the continuing votes is elected. Otherwise the sure losers are
eliminated together (batch elimination, as Burlington VT counted in 2009): the largest set of
lowest candidates whose combined votes are fewer than those of the next candidate up, which
changes no outcome (spec §12.4); if there is no such set of two or more, the single lowest
candidate, ties resolved as in Scottish rule 51 (the most recent earlier stage at which they
differed, then by the lot of §12.6). Quota constraints (§12.5) apply with one seat.
"""

from __future__ import annotations

from election.counting import _ties
from election.counting._ledger import Ledger, admitted
from election.counting.constraints import Constraints
from election.counting.lot import Lot
from election.counting.profile import Profile
from election.counting.record import Action, ActionKind, CountResult, TieBreak

__all__ = ["count_irv", "sure_losers"]


def sure_losers(totals: dict[int, int]) -> list[int]:
    """Spec §12.4 The largest set of lowest candidates whose sum is below the next one up.

    ``totals`` maps each candidate who may be eliminated to their votes. Returns the set in
    ascending order of votes, or [] when no set of one or more candidates qualifies.
    """
    ranked = sorted(totals, key=lambda c: (totals[c], c))
    best: list[int] = []
    running = 0
    for k in range(len(ranked) - 1):
        running += totals[ranked[k]]
        if running < totals[ranked[k + 1]]:
            best = ranked[: k + 1]
    return best


def count_irv(
    profile: Profile,
    *,
    lot: Lot,
    constraints: Constraints | None = None,
    batch_elimination: bool = True,
) -> CountResult:
    """Spec §12.4 Count ``profile`` by IRV for one seat.

    Raises:
        MalformedInput: no valid ballot.
        InfeasibleConstraints: no candidate meets the constraints (§12.5).
    """
    n = len(profile.candidates)
    constraints = admitted(profile, seats=1, constraints=constraints)
    seqs, weights = profile.sequences, profile.weights
    piles: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    totals = [0] * n
    continuing = set(range(n))
    # Step 1: every valid ballot to its first preference.
    for i, seq in enumerate(seqs):
        piles[seq[0]].append((i, 0))
        totals[seq[0]] += weights[i]
    ledger = Ledger(n)
    elected: list[int] = []
    action = Action(ActionKind.FIRST_PREFERENCES)
    non_transferable = 0
    excluded: list[int] = []
    ties: list[TieBreak] = []
    while True:
        stage = ledger.next_number
        notes: list[str] = []
        doomed, guarded = constraints.classify(
            elected=[], continuing=sorted(continuing), seats_left=1
        )
        # Step 2: a majority of the continuing votes, or the last candidate who can win.
        viable = [c for c in continuing if c not in doomed]
        active = sum(totals[c] for c in continuing)
        majority = active // 2 + 1
        winners = [c for c in viable if totals[c] >= majority]
        if winners:
            elected.append(winners[0])
            notes.append("more than half of the continuing votes")
        elif len(viable) == 1:
            elected.append(viable[0])
            notes.append("the only continuing candidate who can be elected")
        done = bool(elected)
        if done:
            continuing.discard(elected[0])
        ledger.record(
            action=action,
            quota=majority,
            totals=totals,
            non_transferable=non_transferable,
            loss=0,
            elected=elected,
            excluded=excluded,
            doomed=sorted(doomed - set(elected)),
            guarded=() if done else sorted(guarded),
            ties=ties,
            notes=notes,
        )
        if done:
            break
        stage += 1
        ties = []
        # Step 3: eliminate the doomed (§12.5), else the sure losers, else the lowest.
        if doomed:
            excluded = sorted(doomed)
            action = Action(ActionKind.CONSTRAINT_EXCLUSION, tuple(excluded))
        else:
            eligible = {c: totals[c] for c in continuing if c not in guarded}
            if not eligible:
                raise AssertionError("no candidate can be eliminated")  # pragma: no cover
            batch = sure_losers(eligible) if batch_elimination else []
            if len(batch) >= 2:
                excluded = sorted(batch)
            else:
                low = min(eligible.values())
                chosen, tie = _ties.pick(
                    [c for c, v in eligible.items() if v == low],
                    history=ledger.history[:-1],
                    prefer="lowest",
                    lot=lot,
                    purpose="exclude",
                    stage=stage,
                )
                excluded = [chosen]
                ties = [tie] if tie else []
            action = Action(ActionKind.EXCLUSION, tuple(excluded))
        # Move every ballot of the eliminated to its next continuing preference.
        for x in excluded:
            continuing.discard(x)
        non_transferable = 0
        for x in excluded:
            for i, pos in piles[x]:
                seq = seqs[i]
                j = next((j for j in range(pos + 1, len(seq)) if seq[j] in continuing), -1)
                if j < 0:
                    non_transferable += weights[i]
                    continue
                piles[seq[j]].append((i, j))
                totals[seq[j]] += weights[i]
            piles[x] = []
            totals[x] = 0
    return CountResult(
        method="irv",
        title=profile.title,
        candidates=profile.candidates,
        seats=1,
        decimals=0,
        valid_ballots=profile.valid,
        invalid_ballots=profile.invalid,
        distinct_sequences=len(seqs),
        constraints=constraints.describe(),
        lot_seed=lot.seed,
        contest=lot.contest,
        stages=tuple(ledger.stages),
        elected=tuple(elected),
    )
