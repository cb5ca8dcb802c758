"""Spec §12.2 (rules 49(2)-(3), 51(2)) and §12.6 Resolving ties between candidates.

Tied candidates are compared at the end of the most recent earlier stage at which their totals
were not all equal; those with the lowest (or highest) total there stay tied, and the look-back
continues among them. If they were equal at every stage, the lot of §12.6 decides.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from election.counting.lot import Lot
from election.counting.record import TieBreak

Prefer = Literal["lowest", "highest"]


def pick(
    tied: Sequence[int],
    *,
    history: Sequence[Sequence[int]],
    prefer: Prefer,
    lot: Lot,
    purpose: str,
    stage: int,
) -> tuple[int, TieBreak | None]:
    """Pick one of ``tied`` (equal now): by the most recent earlier stage, then by lot.

    ``history[k]`` holds every candidate's totals at the end of stage ``k + 1``; the caller
    passes only the stages before the one at which the candidates are tied. Returns the pick and
    a record of the tie (None when ``tied`` has one member).
    """
    remaining = sorted(set(tied))
    if len(remaining) == 1:
        return remaining[0], None
    original = tuple(remaining)
    decided_by = 0
    # Rules 49(2), 51(2)(a): the most recent preceding stage at which they were unequal.
    for index in range(len(history) - 1, -1, -1):
        totals = history[index]
        values = {totals[c] for c in remaining}
        if len(values) == 1:
            continue
        best = min(values) if prefer == "lowest" else max(values)
        remaining = [c for c in remaining if totals[c] == best]
        decided_by = index + 1
        if len(remaining) == 1:
            break
    if len(remaining) == 1:
        chosen = remaining[0]
        rest = [c for c in original if c != chosen]
        return chosen, TieBreak(purpose, original, decided_by, (chosen, *rest))
    # Rules 49(3), 51(2)(b): by lot (§12.6).
    order = lot.draw(remaining, purpose=purpose, stage=stage)
    rest = [c for c in original if c not in order]
    return order[0], TieBreak(purpose, original, 0, (*order, *rest))


def order_by_total(
    candidates: Sequence[int],
    *,
    totals: Sequence[int],
    history: Sequence[Sequence[int]],
    lot: Lot,
    purpose: str,
    stage: int,
) -> tuple[tuple[int, ...], tuple[TieBreak, ...]]:
    """``candidates`` by total, highest first; equal totals ordered by ``pick`` (highest)."""
    ordered: list[int] = []
    ties: list[TieBreak] = []
    for value in sorted({totals[c] for c in candidates}, reverse=True):
        group = [c for c in candidates if totals[c] == value]
        while group:
            chosen, tie = pick(
                group, history=history, prefer="highest", lot=lot, purpose=purpose, stage=stage
            )
            if tie is not None:
                ties.append(tie)
            ordered.append(chosen)
            group.remove(chosen)
    return tuple(ordered), tuple(ties)
