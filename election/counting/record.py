"""Spec §12.1.5 The count record: what every counting rule returns, stage by stage.

A count is a sequence of stages. Each stage records its action (first preferences, a surplus
transfer, an exclusion), every candidate's total at the end of the stage, the change in each
total, the value that became non-transferable and the value lost to fractions in the stage,
and who was deemed elected or excluded. Values are exact integers in units of
``10^-decimals`` of a vote (5 decimals for Scottish STV, 9 for Meek, 0 for IRV); no float is
ever used. ``CountResult.to_json`` gives the canonical JSON of spec §12.1.5.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from crypto import canonical
from crypto.canonical import JsonValue

__all__ = [
    "Action",
    "ActionKind",
    "CountResult",
    "Stage",
    "TieBreak",
    "format_units",
    "record_difference",
]


def format_units(units: int, decimals: int) -> str:
    """Spec §12.1.5 A value of ``units`` × 10^-decimals as an exact decimal string.

    ``format_units(176100000, 5) == "1761.00000"``; ``format_units(-5, 2) == "-0.05"``.
    """
    if decimals == 0:
        return str(units)
    sign = "-" if units < 0 else ""
    whole, frac = divmod(abs(units), 10**decimals)
    return f"{sign}{whole}.{frac:0{decimals}d}"


class ActionKind(StrEnum):
    """Spec §12.1.5 What a stage did."""

    FIRST_PREFERENCES = "first-preferences"
    SURPLUS = "surplus"  # Scottish rule 48; in Meek, a keep-value iteration
    EXCLUSION = "exclusion"  # Scottish rule 50; IRV elimination (possibly a batch)
    CONSTRAINT_EXCLUSION = "constraint-exclusion"  # §12.5 doomed candidates


@dataclass(frozen=True, slots=True)
class Action:
    """Spec §12.1.5 A stage's action and the candidates it applies to (0-based indices)."""

    kind: ActionKind
    subjects: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class TieBreak:
    """Spec §12.6 How a tie was resolved: by an earlier stage's totals, or by lot.

    ``decided_by`` is the number of the earlier stage whose totals decided, or 0 for a lot.
    ``order`` lists the tied candidates, the one the rule picks first.
    """

    purpose: str
    tied: tuple[int, ...]
    decided_by: int
    order: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Stage:
    """Spec §12.1.5 One stage of a count.

    ``totals`` are at the end of the stage (0 for an excluded candidate, the quota for an
    elected candidate whose surplus has been transferred); ``transfers`` the change during it.
    ``non_transferable`` and ``loss_to_fractions`` are this stage's amounts; ``exhausted`` and
    ``lost`` the running sums. At every stage, exactly:
    sum(totals) + exhausted + lost = valid ballots × 10^decimals.
    """

    number: int
    action: Action
    quota: int
    totals: tuple[int, ...]
    transfers: tuple[int, ...]
    non_transferable: int
    loss_to_fractions: int
    exhausted: int
    lost: int
    elected: tuple[int, ...]
    excluded: tuple[int, ...]
    doomed: tuple[int, ...] = ()
    guarded: tuple[int, ...] = ()
    ties: tuple[TieBreak, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CountResult:
    """Spec §12.1.5 A whole count: its parameters, its stages, and the order of election."""

    method: str
    title: str
    candidates: tuple[str, ...]
    seats: int
    decimals: int
    valid_ballots: int
    invalid_ballots: int
    distinct_sequences: int
    constraints: tuple[str, ...]
    lot_seed: bytes
    contest: str
    stages: tuple[Stage, ...]
    elected: tuple[int, ...]

    @property
    def elected_names(self) -> tuple[str, ...]:
        """The elected candidates' names, in order of election."""
        return tuple(self.candidates[c] for c in self.elected)

    @property
    def quota(self) -> int:
        """The quota of the first stage (Scottish STV: the only quota), in units."""
        return self.stages[0].quota

    def value(self, units: int) -> str:
        """``units`` of this count as an exact decimal string (§12.1.5)."""
        return format_units(units, self.decimals)

    def to_dict(self) -> dict[str, JsonValue]:
        """Spec §12.1.5 The count record as a JSON object (integers and strings only)."""
        names = self.candidates

        def named(indices: tuple[int, ...]) -> list[JsonValue]:
            return [names[c] for c in indices]

        stages: list[JsonValue] = []
        for s in self.stages:
            stages.append(
                {
                    "stage": s.number,
                    "action": s.action.kind.value,
                    "subjects": named(s.action.subjects),
                    "quota": self.value(s.quota),
                    "totals": {names[c]: self.value(v) for c, v in enumerate(s.totals)},
                    "transfers": {names[c]: self.value(v) for c, v in enumerate(s.transfers)},
                    "non_transferable": self.value(s.non_transferable),
                    "loss_to_fractions": self.value(s.loss_to_fractions),
                    "exhausted": self.value(s.exhausted),
                    "lost": self.value(s.lost),
                    "elected": named(s.elected),
                    "excluded": named(s.excluded),
                    "doomed": named(s.doomed),
                    "guarded": named(s.guarded),
                    "ties": [
                        {
                            "purpose": t.purpose,
                            "tied": named(t.tied),
                            "decided_by_stage": t.decided_by,
                            "order": named(t.order),
                        }
                        for t in s.ties
                    ],
                    "notes": list(s.notes),
                }
            )
        return {
            "format": "verivote-count",
            "version": 1,
            "method": self.method,
            "title": self.title,
            "candidates": list(names),
            "seats": self.seats,
            "decimals": self.decimals,
            "valid_ballots": self.valid_ballots,
            "invalid_ballots": self.invalid_ballots,
            "distinct_sequences": self.distinct_sequences,
            "constraints": list(self.constraints),
            "lot": {"seed": self.lot_seed.hex(), "contest": self.contest},
            "quota": self.value(self.quota),
            "stages": stages,
            "elected": named(self.elected),
        }

    def to_json(self) -> bytes:
        """Spec §12.1.5 The canonical JSON (§4.1) of ``to_dict``."""
        return canonical.encode(self.to_dict())


def record_difference(record: CountResult, published: Mapping[str, Any]) -> str | None:
    """Spec §12.1.5 How a published count record differs from ``record`` (a count replayed),
    or None when it is the same record: the first member that differs, and for the stages the
    first stage and the first of its members that differ, e.g. ``stage 4: totals``."""
    expected = record.to_dict()
    if canonical.encode(expected) == canonical.encode(dict(published)):
        return None
    for key in expected:
        if key == "stages" or key not in published:
            continue
        if canonical.encode(expected[key]) != canonical.encode(published[key]):
            return f"{key}: {published[key]!r}, the count gives {expected[key]!r}"[:300]
    stages = expected["stages"]
    assert isinstance(stages, list)
    theirs = published.get("stages")
    if not isinstance(theirs, list):
        return "stages: not a list"
    for number, (mine, other) in enumerate(zip(stages, theirs, strict=False), start=1):
        if canonical.encode(mine) == canonical.encode(other):
            continue
        if not isinstance(mine, dict) or not isinstance(other, dict):
            return f"stage {number}: not an object"
        for key in mine:
            if canonical.encode(mine[key]) != canonical.encode(other.get(key)):
                return f"stage {number}: {key} differs from the count's"
        return f"stage {number}: members other than the count's"
    if len(stages) != len(theirs):
        return f"{len(theirs)} stages, the count has {len(stages)}"
    extra = sorted(set(published) - set(expected))
    return f"members the record does not have: {', '.join(extra)}"
