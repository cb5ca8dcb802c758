"""Spec §12.1.6 and §11.12 An election's ranked contest counted from its decrypted papers.

A paper is the byte string extracted from one plaintext of the contest's final list (§5.6), or
None where the plaintext is not an embedding. ``paper_preferences`` decides whether it is a
valid ranking (1 to ``max_selections`` distinct option indices below the number of candidates)
and gives its preference list; every other paper is invalid, set aside whole (a repeat does not
cut it short as in a BLT file: an honest client never encrypts one). ``count_papers`` counts the
valid ones by the contest's method, seats and constraints, with the result's lot seed.

One implementation for everyone who counts: the administrator, the board's rules and the
independent verifier (which may import counting, §13).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from election.counting.contest import contest_constraints
from election.counting.irv import count_irv
from election.counting.lot import Lot
from election.counting.meek import count_meek
from election.counting.profile import Profile
from election.counting.readers import format_blt
from election.counting.record import CountResult
from election.counting.scottish import count_scottish
from election.definition import Contest, ContestKind, RankedMethod

if TYPE_CHECKING:
    from election.wire import CandidateList

__all__ = ["blt_names", "count_papers", "paper_preferences", "papers_blt", "papers_profile"]


def paper_preferences(
    paper: bytes | None, *, candidates: int, max_preferences: int
) -> tuple[int, ...] | None:
    """Spec §12.1.6 The 0-based preference list of a valid ranking, or None for an invalid
    paper: not an embedding (None), empty, the empty ranking 0xFF, an index repeated or not
    below ``candidates``, more than ``max_preferences`` preferences."""
    if paper is None or not 1 <= len(paper) <= max_preferences:
        return None
    if len(set(paper)) != len(paper) or max(paper) >= candidates:
        return None
    return tuple(paper)


def papers_profile(
    papers: Iterable[bytes | None],
    *,
    candidates: Sequence[str],
    max_preferences: int,
    title: str = "",
) -> Profile:
    """Spec §12.1.1 and §12.1.6 The grouped profile of a contest's papers: each valid ranking's
    preference list with its number of papers; the invalid papers counted as such.

    Raises:
        MalformedInput: bad candidate names (empty, padded or repeated).
    """
    raw: Counter[bytes | None] = Counter(papers)
    counts: Counter[tuple[int, ...]] = Counter()
    invalid = 0
    for paper, weight in raw.items():
        preferences = paper_preferences(
            paper, candidates=len(candidates), max_preferences=max_preferences
        )
        if preferences is None:
            invalid += weight
        else:
            counts[preferences] += weight
    return Profile.from_counts(candidates=candidates, counts=counts, invalid=invalid, title=title)


def count_papers(
    contest: Contest,
    candidates: CandidateList,
    papers: Iterable[bytes | None],
    *,
    seed: bytes,
) -> CountResult | None:
    """Spec §11.12 The count of a ranked contest's papers by its method (Scottish STV §12.2,
    Meek STV §12.3, IRV §12.4 with batch elimination), seats and constraints (§12.5, groups
    ``attribute=value``), lots from ``seed`` and the contest id (§12.6); candidates named by
    their ids in candidate-list order, the record's title the contest's. None when no paper is
    a valid ranking: there is nothing to count, and nobody is elected.

    Raises:
        InfeasibleConstraints: no candidates can meet the constraints (refused at the
            candidate list already, §11.5).
        ValueError: ``contest`` is not ranked.
    """
    if contest.kind is not ContestKind.RANKED or contest.max_selections is None:
        raise ValueError(f"contest {contest.id} is not ranked")
    profile = papers_profile(
        papers,
        candidates=[c.id for c in candidates.candidates],
        max_preferences=contest.max_selections,
        title=contest.title,
    )
    if not profile.sequences:
        return None
    lot = Lot(seed, contest=contest.id)
    constraints = contest_constraints(candidates, contest)
    if contest.method is RankedMethod.IRV:
        return count_irv(profile, lot=lot, constraints=constraints)
    counter = count_meek if contest.method is RankedMethod.MEEK else count_scottish
    return counter(profile, seats=contest.seats, lot=lot, constraints=constraints)


def blt_names(candidates: CandidateList) -> tuple[str, ...]:
    """Spec §12.1.2 The candidates' names as a BLT file can hold them (distinct, no double
    quote), else their ids, in candidate-list order."""
    names = tuple(c.name for c in candidates.candidates)
    if len(set(names)) == len(names) and not any('"' in n for n in names):
        return names
    return tuple(c.id for c in candidates.candidates)


def papers_blt(
    contest: Contest, candidates: CandidateList, papers: Iterable[bytes | None]
) -> tuple[bytes, Profile]:
    """Spec §12.1.2 and §12.1.6 A ranked contest's decrypted papers as a BLT file that
    ``verivote count`` or any other STV program counts again (candidates named by
    ``blt_names``, the title the contest's), with the profile it holds.

    Raises:
        ValueError: ``contest`` is not ranked.
    """
    if contest.kind is not ContestKind.RANKED or contest.max_selections is None:
        raise ValueError(f"contest {contest.id} is not ranked")
    profile = papers_profile(
        papers,
        candidates=blt_names(candidates),
        max_preferences=contest.max_selections,
        title=contest.title.replace('"', "'"),
    )
    return format_blt(profile, seats=contest.seats), profile
