"""Spec §12.5 Quota constraints: minimum and maximum numbers of seats for groups of candidates.

The method is Hill's (I. D. Hill, "STV with constraints", Voting matters 9, 1998) as extended
to several overlapping constraints by Otten (J. Otten, "STV with multiple constraints", Voting
matters 13, 2001): at every point of the count a continuing candidate is *doomed* if no way of
filling the remaining seats from the continuing candidates that includes them meets every
constraint, and *guarded* if every way that meets the constraints includes them. Doomed
candidates are excluded; guarded candidates are never chosen for exclusion; a candidate who
reaches the quota while doomed is not elected. Whether a way exists is decided exactly, by
dynamic programming over candidate *types* (the set of constrained groups a candidate belongs
to), so the cost depends on the number of groups and seats, not on the number of candidates.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from crypto.errors import MalformedInput, VerivoteError

__all__ = ["Constraints", "GroupBound", "InfeasibleConstraints"]


class InfeasibleConstraints(VerivoteError):
    """Spec §12.5 No set of candidates of the required size meets every constraint."""


@dataclass(frozen=True, slots=True)
class GroupBound:
    """Spec §12.5 At least ``minimum`` and at most ``maximum`` (None: no maximum) seats."""

    group: str
    minimum: int = 0
    maximum: int | None = None

    def describe(self) -> str:
        """``women >= 5``, ``men <= 4`` or ``youth 1..2``."""
        if self.maximum is None:
            return f"{self.group} >= {self.minimum}"
        if self.minimum == 0:
            return f"{self.group} <= {self.maximum}"
        return f"{self.group} {self.minimum}..{self.maximum}"


@dataclass(frozen=True, slots=True)
class Constraints:
    """Spec §12.5 Group bounds and, for each bound, the 0-based indices of its members."""

    bounds: tuple[GroupBound, ...] = ()
    members: tuple[frozenset[int], ...] = ()

    @classmethod
    def none(cls) -> Constraints:
        """No constraint at all."""
        return cls()

    @classmethod
    def build(
        cls,
        *,
        candidates: Sequence[str],
        groups: Mapping[str, Iterable[str]],
        minimums: Mapping[str, int] | None = None,
        maximums: Mapping[str, int] | None = None,
    ) -> Constraints:
        """Spec §12.5 Constraints from group memberships (group -> candidate names) and bounds.

        Raises:
            MalformedInput: a bound for a group absent from ``groups``, a member who is not a
                candidate, a negative bound, or a minimum above the maximum.
        """
        minimums = dict(minimums or {})
        maximums = dict(maximums or {})
        index = {name: i for i, name in enumerate(candidates)}
        bounds: list[GroupBound] = []
        members: list[frozenset[int]] = []
        for group in sorted(set(minimums) | set(maximums)):
            if group not in groups:
                raise MalformedInput(f"constraint on unknown group {group!r}")
            lo = minimums.get(group, 0)
            hi = maximums.get(group)
            if lo < 0 or (hi is not None and hi < 0):
                raise MalformedInput(f"group {group!r}: bounds must not be negative")
            if hi is not None and lo > hi:
                raise MalformedInput(f"group {group!r}: minimum {lo} above maximum {hi}")
            who: set[int] = set()
            for name in groups[group]:
                if name not in index:
                    raise MalformedInput(f"group {group!r}: {name!r} is not a candidate")
                who.add(index[name])
            bounds.append(GroupBound(group=group, minimum=lo, maximum=hi))
            members.append(frozenset(who))
        return cls(bounds=tuple(bounds), members=tuple(members))

    def describe(self) -> tuple[str, ...]:
        """Each bound as text, e.g. ``("women >= 5",)``."""
        return tuple(b.describe() for b in self.bounds)

    def satisfied_by(self, elected: Iterable[int]) -> bool:
        """Spec §12.5 Whether a set of elected candidates meets every bound."""
        chosen = set(elected)
        for bound, who in zip(self.bounds, self.members, strict=True):
            n = len(chosen & who)
            if n < bound.minimum or (bound.maximum is not None and n > bound.maximum):
                return False
        return True

    def feasible(self, *, elected: Iterable[int], pool: Iterable[int], seats_left: int) -> bool:
        """Spec §12.5 Can ``seats_left`` more candidates from ``pool`` complete a valid result?"""
        return _Engine(self, seats_left).feasible(list(elected), list(pool), seats_left)

    def check(self, *, candidates: int, seats: int) -> None:
        """Spec §12.5 Refuse constraints that no result could meet, before any count.

        Raises:
            InfeasibleConstraints: no ``min(seats, candidates)`` candidates meet every bound.
        """
        if not self.bounds:
            return
        to_fill = min(seats, candidates)
        if not self.feasible(elected=(), pool=range(candidates), seats_left=to_fill):
            sizes = ", ".join(
                f"{b.group}: {len(who)} candidate(s)"
                for b, who in zip(self.bounds, self.members, strict=True)
            )
            raise InfeasibleConstraints(
                f"constraints {', '.join(self.describe())} cannot be met when electing "
                f"{to_fill} of {candidates} candidates ({sizes}); revise them before the count"
            )

    def classify(
        self, *, elected: Sequence[int], continuing: Sequence[int], seats_left: int
    ) -> tuple[frozenset[int], frozenset[int]]:
        """Spec §12.5 The doomed and the guarded among the ``continuing`` candidates.

        Doomed: no valid completion includes them. Guarded: every valid completion does.
        Candidates of the same type are interchangeable, so one check per type suffices.
        """
        if not self.bounds or seats_left <= 0:
            return frozenset(), frozenset()
        engine = _Engine(self, seats_left)
        by_type: dict[int, list[int]] = {}
        for c in continuing:
            by_type.setdefault(engine.mask[c], []).append(c)
        doomed: set[int] = set()
        guarded: set[int] = set()
        elected_list = list(elected)
        for same in by_type.values():
            rep = same[0]
            others = [c for c in continuing if c != rep]
            if not engine.feasible([*elected_list, rep], others, seats_left - 1):
                doomed.update(same)
            elif not engine.feasible(elected_list, others, seats_left):
                guarded.update(same)
        return frozenset(doomed), frozenset(guarded)


class _Engine:
    """Exact feasibility: dynamic programming over candidate types and per-group counts."""

    def __init__(self, constraints: Constraints, seats: int) -> None:
        self.lo = [b.minimum for b in constraints.bounds]
        # Without a maximum, counts above the minimum never matter: cap them there.
        self.hi = [b.maximum for b in constraints.bounds]
        self.cap = [(hi if hi is not None else lo) for lo, hi in zip(self.lo, self.hi, strict=True)]
        self.mask: Counter[int] = Counter()
        for g, who in enumerate(constraints.members):
            for c in who:
                self.mask[c] |= 1 << g

    def feasible(self, elected: list[int], pool: list[int], r: int) -> bool:
        if r < 0 or len(pool) < r:
            return False
        k = len(self.lo)
        base = [0] * k
        for c in elected:
            for g in range(k):
                if self.mask[c] >> g & 1:
                    base[g] += 1
        for g in range(k):
            hi = self.hi[g]
            if hi is not None and base[g] > hi:
                return False
            base[g] = min(base[g], self.cap[g])
        available = Counter(self.mask[c] for c in pool)
        states = {(0, tuple(base))}
        for m, a in sorted(available.items()):
            groups = [g for g in range(k) if m >> g & 1]
            grown: set[tuple[int, tuple[int, ...]]] = set()
            for total, counts in states:
                for x in range(min(a, r - total) + 1):
                    new = list(counts)
                    within = True
                    for g in groups:
                        hi = self.hi[g]
                        if hi is not None and counts[g] + x > hi:
                            within = False
                            break
                        new[g] = min(counts[g] + x, self.cap[g])
                    if not within:
                        break
                    grown.add((total + x, tuple(new)))
            states = grown
        return any(
            total == r and all(counts[g] >= self.lo[g] for g in range(k))
            for total, counts in states
        )
