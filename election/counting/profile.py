"""Spec §12.1 Ballot handling: preference lists and the grouped ballot profile.

A ballot is reduced to its preference list (spec §12.1.1): the candidates in the order the
voter ranked them, stopping at the first skipped or repeated preference. A ballot whose list
is empty is invalid. Identical lists are grouped into one sequence with a weight (the number
of ballots), so memory and counting time grow with the number of distinct sequences, not the
number of ballots.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from crypto.errors import MalformedInput

__all__ = [
    "Profile",
    "preference_list",
    "preference_list_from_ranks",
]


def preference_list(order: Sequence[int], *, candidates: int) -> tuple[int, ...]:
    """Spec §12.1.1 The preference list of a ballot given as candidates in ranked order.

    ``order`` holds 0-based candidate indices, most preferred first. The list stops before the
    first candidate that repeats an earlier one.

    Raises:
        MalformedInput: an index outside ``0 .. candidates-1``.
    """
    seen: set[int] = set()
    out: list[int] = []
    for c in order:
        if not 0 <= c < candidates:
            raise MalformedInput(f"candidate index {c} outside 0..{candidates - 1}")
        if c in seen:
            break
        seen.add(c)
        out.append(c)
    return tuple(out)


def preference_list_from_ranks(ranks: Sequence[int | None]) -> tuple[int, ...]:
    """Spec §12.1.1 The preference list of a ballot given as a rank per candidate.

    ``ranks[c]`` is the rank the voter wrote against candidate ``c`` (1 = first), or None. The
    list is the candidate ranked 1, then the one ranked 2, and so on; it stops at the first rank
    that no candidate has (a skipped preference) or that two or more candidates share (a
    repeated preference).

    Raises:
        MalformedInput: a rank below 1.
    """
    by_rank: dict[int, list[int]] = {}
    for c, r in enumerate(ranks):
        if r is None:
            continue
        if r < 1:
            raise MalformedInput(f"rank {r} for candidate {c}: ranks start at 1")
        by_rank.setdefault(r, []).append(c)
    out: list[int] = []
    rank = 1
    while len(by_rank.get(rank, ())) == 1:
        out.append(by_rank[rank][0])
        rank += 1
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Profile:
    """Spec §12.1.1 A grouped ballot profile: distinct preference lists and their weights.

    ``sequences`` are distinct, non-empty, without repeats, sorted; ``weights[i]`` is the number
    of valid ballots whose preference list is ``sequences[i]``. ``invalid`` counts ballots whose
    list was empty; ``cut_short`` counts valid ballots whose marks went on past a skipped or
    repeated preference (they count, up to that point).
    """

    candidates: tuple[str, ...]
    sequences: tuple[tuple[int, ...], ...]
    weights: tuple[int, ...]
    invalid: int
    cut_short: int
    title: str = ""

    @property
    def valid(self) -> int:
        """The number of valid ballots."""
        return sum(self.weights)

    @classmethod
    def from_counts(
        cls,
        *,
        candidates: Sequence[str],
        counts: Mapping[tuple[int, ...], int],
        invalid: int = 0,
        cut_short: int = 0,
        title: str = "",
    ) -> Profile:
        """Spec §12.1.1 A profile from already normalised preference lists and their counts.

        Raises:
            MalformedInput: duplicate or empty candidate names, an empty or non-normalised list,
                an unknown candidate, a weight below 1.
        """
        names = tuple(candidates)
        _check_names(names)
        items = sorted(counts.items())
        for seq, weight in items:
            if not seq:
                raise MalformedInput("an empty preference list cannot carry a vote")
            if preference_list(seq, candidates=len(names)) != seq:
                raise MalformedInput(f"preference list {seq} repeats a candidate")
            if weight < 1:
                raise MalformedInput(f"weight {weight} for {seq}: weights are positive")
        return cls(
            candidates=names,
            sequences=tuple(s for s, _ in items),
            weights=tuple(w for _, w in items),
            invalid=invalid,
            cut_short=cut_short,
            title=title,
        )

    @classmethod
    def from_orders(
        cls,
        *,
        candidates: Sequence[str],
        orders: Iterable[tuple[Sequence[int], int]],
        title: str = "",
    ) -> Profile:
        """Spec §12.1.1 Group ballots given as (candidates in ranked order, number of ballots).

        Each distinct raw order is reduced to its preference list once, so the cost is one
        dictionary update per ballot plus one normalisation per distinct order.

        Raises:
            MalformedInput: an unknown candidate index, a count below 1, bad names.
        """
        raw: Counter[tuple[int, ...]] = Counter()
        for order, count in orders:
            if count < 1:
                raise MalformedInput(f"ballot count {count}: counts are positive")
            raw[tuple(order)] += count
        return cls._from_raw(candidates=candidates, raw=raw, title=title)

    @classmethod
    def from_ballots(
        cls, *, candidates: Sequence[str], ballots: Iterable[Sequence[int]], title: str = ""
    ) -> Profile:
        """Spec §12.1.1 Group individual ballots (candidates in ranked order), one per voter.

        Raises:
            MalformedInput: an unknown candidate index, bad names.
        """
        raw: Counter[tuple[int, ...]] = Counter(tuple(b) for b in ballots)
        return cls._from_raw(candidates=candidates, raw=raw, title=title)

    @classmethod
    def _from_raw(
        cls, *, candidates: Sequence[str], raw: Counter[tuple[int, ...]], title: str
    ) -> Profile:
        n = len(candidates)
        counts: Counter[tuple[int, ...]] = Counter()
        invalid = cut_short = 0
        for order, count in raw.items():
            seq = preference_list(order, candidates=n)
            if not seq:
                invalid += count
                continue
            if len(seq) < len(order):
                cut_short += count
            counts[seq] += count
        return cls.from_counts(
            candidates=candidates, counts=counts, invalid=invalid, cut_short=cut_short, title=title
        )


def _check_names(names: tuple[str, ...]) -> None:
    if not names:
        raise MalformedInput("a contest needs at least one candidate")
    for name in names:
        if not name or name != name.strip():
            raise MalformedInput(f"candidate name {name!r}: empty or padded with spaces")
    if len(set(names)) != len(names):
        dupes = sorted({n for n in names if names.count(n) > 1})
        raise MalformedInput(f"duplicate candidate names: {', '.join(dupes)}")
