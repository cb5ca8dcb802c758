"""A naive oracle for spec §12.2, written from the spec text: one object per ballot paper.

Deliberately simple and slow: papers are never grouped, every paper carries its own value as
an exact Fraction rounded down to 5 decimal places by hand, and the stage loop follows the
numbered steps of §12.2 literally. No constraints (§12.5). Lots use the §12.6 key, which
tests/counting/test_lot.py checks against its own oracle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from math import floor

from election.counting.lot import Lot
from election.counting.profile import Profile

UNIT = Fraction(1, 10**5)


def five_places_down(x: Fraction) -> Fraction:
    return Fraction(floor(x / UNIT)) * UNIT


@dataclass
class Paper:
    prefs: tuple[int, ...]
    at: int
    value: Fraction


@dataclass
class RefStage:
    action: str
    subject: tuple[int, ...]
    totals: list[Fraction]
    non_transferable: Fraction
    loss: Fraction
    elected: list[int]
    excluded: list[int]


@dataclass
class RefCount:
    quota: Fraction
    stages: list[RefStage] = field(default_factory=list)
    elected: list[int] = field(default_factory=list)


def _lookback(tied: list[int], history: list[list[Fraction]], *, lowest: bool) -> list[int]:
    """§12.2 steps 5-6: most recent earlier stage where not all equal; keep the extreme ones."""
    for totals in reversed(history):
        if len({totals[c] for c in tied}) > 1:
            extreme = (min if lowest else max)(totals[c] for c in tied)
            tied = [c for c in tied if totals[c] == extreme]
            if len(tied) == 1:
                return tied
    return tied


def _choose(
    tied: list[int],
    history: list[list[Fraction]],
    *,
    lowest: bool,
    lot: Lot,
    purpose: str,
    stage: int,
) -> int:
    tied = _lookback(sorted(tied), history, lowest=lowest)
    if len(tied) == 1:
        return tied[0]
    return min(tied, key=lambda c: lot.key(purpose=purpose, stage=stage, candidate=c))


def reference_scottish(profile: Profile, *, seats: int, lot: Lot) -> RefCount:
    n = len(profile.candidates)
    papers = [
        Paper(prefs=seq, at=0, value=Fraction(1))
        for seq, weight in zip(profile.sequences, profile.weights, strict=True)
        for _ in range(weight)
    ]
    valid = len(papers)
    quota = Fraction(valid // (seats + 1) + 1)  # step 2
    state = ["continuing"] * n
    elected: list[int] = []
    history: list[list[Fraction]] = []
    count = RefCount(quota=quota)

    def holder(p: Paper) -> int | None:
        return p.prefs[p.at] if p.at >= 0 else None

    def totals() -> list[Fraction]:
        t = [Fraction(0)] * n
        for p in papers:
            c = holder(p)
            if c is not None:
                t[c] += p.value
        for c in elected:
            if c in surplus_done:
                t[c] = quota
        return t

    def move_on(p: Paper) -> bool:
        """To the next available preference; False (and off the count) if there is none."""
        for j in range(p.at + 1, len(p.prefs)):
            if state[p.prefs[j]] == "continuing":
                p.at = j
                return True
        p.at = -1
        return False

    surplus_done: set[int] = set()
    subject: tuple[int, ...]
    action, subject = "first-preferences", ()
    nt = loss = Fraction(0)
    excluded_now: list[int] = []
    while True:
        stage_no = len(history) + 1
        t = totals()
        # Step 3: everyone continuing at or above the quota, highest first.
        reaching = [c for c in range(n) if state[c] == "continuing" and t[c] >= quota]
        new: list[int] = []
        while reaching and len(elected) < seats:
            top = max(t[c] for c in reaching)
            c = _choose(
                [d for d in reaching if t[d] == top],
                history,
                lowest=False,
                lot=lot,
                purpose="elect",
                stage=stage_no,
            )
            reaching.remove(c)
            state[c] = "elected"
            elected.append(c)
            new.append(c)
        # Step 4: rule 52.
        cont = [c for c in range(n) if state[c] == "continuing"]
        if len(elected) < seats and len(cont) <= seats - len(elected):
            while cont:
                top = max(t[c] for c in cont)
                c = _choose(
                    [d for d in cont if t[d] == top],
                    history,
                    lowest=False,
                    lot=lot,
                    purpose="elect",
                    stage=stage_no,
                )
                cont.remove(c)
                state[c] = "elected"
                elected.append(c)
                new.append(c)
        count.stages.append(RefStage(action, subject, t, nt, loss, new, excluded_now))
        history.append(t)
        if len(elected) == seats or not any(s == "continuing" for s in state):
            break
        stage_no += 1
        nt = loss = Fraction(0)
        excluded_now = []
        pending = [c for c in elected if c not in surplus_done and t[c] > quota]
        if pending:
            # Step 5: the highest surplus; every paper of X at floor5(S × v / T).
            top = max(t[c] for c in pending)
            x = _choose(
                [c for c in pending if t[c] == top],
                history[:-1],
                lowest=False,
                lot=lot,
                purpose="surplus",
                stage=stage_no,
            )
            big_t = t[x]
            s = big_t - quota
            moved = Fraction(0)
            for p in papers:
                if holder(p) == x:
                    p.value = five_places_down(s * p.value / big_t)
                    if move_on(p):
                        moved += p.value
                    else:
                        nt += p.value
            surplus_done.add(x)
            loss = s - moved - nt
            action, subject = "surplus", (x,)
        else:
            # Step 6: exclude the lowest.
            cont = [c for c in range(n) if state[c] == "continuing"]
            low = min(t[c] for c in cont)
            x = _choose(
                [c for c in cont if t[c] == low],
                history[:-1],
                lowest=True,
                lot=lot,
                purpose="exclude",
                stage=stage_no,
            )
            state[x] = "excluded"
            for p in papers:
                if holder(p) == x and not move_on(p):
                    nt += p.value
            excluded_now = [x]
            action, subject = "exclusion", (x,)
    count.elected = elected
    return count


NINE = Fraction(1, 10**9)


def up9(x: Fraction) -> Fraction:
    return -Fraction(floor(-x / NINE)) * NINE


def down9(x: Fraction) -> Fraction:
    return Fraction(floor(x / NINE)) * NINE


@dataclass
class RefMeekStage:
    action: str
    subject: tuple[int, ...]
    votes: list[Fraction]
    quota: Fraction
    exhausted: Fraction
    elected: list[int]


def reference_meek(profile: Profile, *, seats: int, lot: Lot) -> list[RefMeekStage]:
    """§12.3 step by step, one ballot at a time, exact Fractions rounded as the text says."""
    n = len(profile.candidates)
    ballots = [s for s, w in zip(profile.sequences, profile.weights, strict=True) for _ in range(w)]
    valid = len(ballots)
    keep = [Fraction(1)] * n
    state = ["continuing"] * n
    elected: list[int] = []
    history: list[list[Fraction]] = []
    stages: list[RefMeekStage] = []

    def distribute() -> tuple[list[Fraction], Fraction, Fraction]:  # steps 2-3
        votes = [Fraction(0)] * n
        exhausted = Fraction(0)
        for b in ballots:
            r = Fraction(1)
            for c in b:
                if keep[c] == 0 or r == 0:
                    continue
                kept = up9(r * keep[c])
                votes[c] += kept
                r -= kept
            exhausted += r
        return votes, exhausted, down9((valid - exhausted) / (seats + 1)) + NINE

    def surplus(votes: list[Fraction], q: Fraction) -> Fraction:  # step 5
        return sum((max(votes[c] - q, Fraction(0)) for c in elected), Fraction(0))

    def settle(
        votes: list[Fraction], q: Fraction
    ) -> tuple[list[Fraction], Fraction, Fraction]:  # steps 2-6
        last = None
        while True:
            votes, ex, q = distribute()
            if any(votes[c] >= q for c in range(n) if state[c] == "continuing"):
                return votes, ex, q
            s = surplus(votes, q)
            if s < Fraction(1, 10**5) or (last is not None and s >= last):
                return votes, ex, q
            last = s
            for c in elected:  # step 6
                keep[c] = min(Fraction(1), up9(up9(q * keep[c]) / votes[c]))

    votes, exhausted, q = distribute()
    subject: tuple[int, ...]
    action, subject = "first-preferences", ()
    while True:
        stage_no = len(history) + 1
        new: list[int] = []
        reaching = [c for c in range(n) if state[c] == "continuing" and votes[c] >= q]
        while reaching and len(elected) < seats:  # step 4
            top = max(votes[c] for c in reaching)
            c = _choose(
                [d for d in reaching if votes[d] == top],
                history,
                lowest=False,
                lot=lot,
                purpose="elect",
                stage=stage_no,
            )
            reaching.remove(c)
            state[c] = "elected"
            elected.append(c)
            new.append(c)
        cont = [c for c in range(n) if state[c] == "continuing"]
        if len(elected) < seats and len(cont) <= seats - len(elected):  # step 8
            while cont:
                top = max(votes[c] for c in cont)
                c = _choose(
                    [d for d in cont if votes[d] == top],
                    history,
                    lowest=False,
                    lot=lot,
                    purpose="elect",
                    stage=stage_no,
                )
                cont.remove(c)
                state[c] = "elected"
                elected.append(c)
                new.append(c)
        stages.append(RefMeekStage(action, subject, list(votes), q, exhausted, new))
        history.append(list(votes))
        if len(elected) == seats or not any(s == "continuing" for s in state):
            return stages
        settled = surplus(votes, q) < Fraction(1, 10**5) or not new
        if settled:  # step 7
            cont = [c for c in range(n) if state[c] == "continuing"]
            low = min(votes[c] for c in cont)
            x = _choose(
                [c for c in cont if votes[c] == low],
                history[:-1],
                lowest=True,
                lot=lot,
                purpose="exclude",
                stage=stage_no + 1,
            )
            state[x], keep[x] = "excluded", Fraction(0)
            action, subject = "exclusion", (x,)
            votes, exhausted, q = settle(votes, q)
        else:
            action, subject = "surplus", tuple(elected)
            for c in elected:
                keep[c] = min(Fraction(1), up9(up9(q * keep[c]) / votes[c]))
            votes, exhausted, q = settle(votes, q)
