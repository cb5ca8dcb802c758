"""Benchmark: Scottish STV (spec §12.2) with a minimum for women (§12.5) at party scale.

1,000,000 synthetic ballots, 20 candidates, 9 seats, at least 5 women. The preference model
is party-list-like: a voter picks a party, ranks some of its candidates in a Plackett-Luce
order (stronger candidates tend to come first), and may go on to rank a second party's
candidates; one voter in ten ranks across parties by Plackett-Luce over everyone. Women are
on average weaker here, so the constraint binds. Random numbers come from a fixed seed, so
every run counts the same ballots.

Usage: python benchmarks/count_bench.py [--ballots N] [--seed S] [--tracemalloc]

Prints the time to generate the ballots (not part of the count), to group them into a
profile, and to count, the number of distinct preference lists, and peak memory (maximum
resident set size; with --tracemalloc also the Python allocation peak of grouping and
counting, which slows them down).
"""

from __future__ import annotations

import argparse
import itertools
import math
import random
import resource
import sys
import time
import tracemalloc
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from election.counting.constraints import Constraints
from election.counting.lot import Lot
from election.counting.profile import Profile
from election.counting.scottish import count_scottish

SEATS = 9
# (party, share of voters, candidates as (strength, is_woman))
PARTIES: list[tuple[str, float, list[tuple[float, bool]]]] = [
    ("Red", 0.38, [(9, False), (7, True), (6, False), (4, True), (3, False), (2, True)]),
    ("Blue", 0.30, [(8, False), (6, False), (5, True), (3, True), (3, False), (1, True)]),
    ("Green", 0.18, [(6, True), (5, False), (3, True), (2, False)]),
    ("Gold", 0.14, [(5, False), (4, True), (2, False), (1, True)]),
]
# How many of a party's candidates a voter ranks (weights for 1, 2, 3, ...).
DEPTH = [0.22, 0.22, 0.2, 0.16, 0.11, 0.09]
SECOND_PARTY = 0.35
INDEPENDENT = 0.10


def _plackett_luce_orders(strengths: Sequence[float]) -> tuple[list[tuple[int, ...]], list[float]]:
    """Every order of the candidates with its Plackett-Luce probability (cumulative)."""
    orders = list(itertools.permutations(range(len(strengths))))
    cumulative: list[float] = []
    total = 0.0
    for order in orders:
        p = 1.0
        left = float(sum(strengths))
        for c in order:
            p *= strengths[c] / left
            left -= strengths[c]
        total += p
        cumulative.append(total)
    return orders, cumulative


def generate(n: int, seed: int) -> tuple[list[str], list[tuple[int, ...]], set[str]]:
    rng = random.Random(seed)
    names: list[str] = []
    women: set[str] = set()
    members: list[list[int]] = []
    for party, _, candidates in PARTIES:
        ids = []
        for k, (_, woman) in enumerate(candidates):
            name = f"{party} {k + 1}{' (W)' if woman else ''}"
            ids.append(len(names))
            names.append(name)
            if woman:
                women.add(name)
        members.append(ids)
    strengths = [s for _, _, cands in PARTIES for s, _ in cands]
    tables = [_plackett_luce_orders([s for s, _ in cands]) for _, _, cands in PARTIES]
    party_of = rng.choices(range(len(PARTIES)), weights=[w for _, w, _ in PARTIES], k=n)
    second_of = rng.choices(range(len(PARTIES)), weights=[w for _, w, _ in PARTIES], k=n)
    depth_of = rng.choices(range(1, len(DEPTH) + 1), weights=DEPTH, k=2 * n)
    kind = [rng.random() for _ in range(n)]
    # Pre-draw each party's within-party orders in bulk.
    orders_of: list[list[tuple[int, ...]]] = []
    for p, (orders, cumulative) in enumerate(tables):
        drawn = rng.choices(orders, cum_weights=cumulative, k=n)
        orders_of.append([tuple(members[p][i] for i in o) for o in drawn])
    ballots: list[tuple[int, ...]] = []
    append = ballots.append
    log_w = [math.log(s) for s in strengths]
    for i in range(n):
        u = kind[i]
        if u < INDEPENDENT:
            # Plackett-Luce over everyone, by sorting Gumbel-perturbed log strengths.
            keys = sorted(
                range(len(names)), key=lambda c: -(log_w[c] - math.log(-math.log(rng.random())))
            )
            append(tuple(keys[: depth_of[i] + 2]))
            continue
        p = party_of[i]
        ballot = orders_of[p][i][: depth_of[i]]
        if u < INDEPENDENT + SECOND_PARTY and second_of[i] != p:
            q = second_of[i]
            ballot += orders_of[q][i][: depth_of[n + i]]
        append(ballot)
    return names, ballots, women


def _rss_mib() -> float:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--tracemalloc", action="store_true")
    args = parser.parse_args(argv)
    if args.ballots < 1:
        parser.error(f"--ballots: at least 1 ballot to count, got {args.ballots}")

    t0 = time.perf_counter()
    names, ballots, women = generate(args.ballots, args.seed)
    t1 = time.perf_counter()
    rss_generated = _rss_mib()
    if args.tracemalloc:
        tracemalloc.start()
    t2 = time.perf_counter()
    profile = Profile.from_ballots(candidates=names, ballots=ballots, title="benchmark")
    t3 = time.perf_counter()
    del ballots
    constraints = Constraints.build(
        candidates=names, groups={"women": women}, minimums={"women": 5}
    )
    result = count_scottish(profile, seats=SEATS, lot=Lot(bytes(32)), constraints=constraints)
    t4 = time.perf_counter()
    traced = tracemalloc.get_traced_memory()[1] if args.tracemalloc else None

    elected_women = sum(1 for c in result.elected if names[c] in women)
    print(f"ballots              {args.ballots:>12,} ({profile.invalid} invalid)")
    print(f"candidates, seats    {len(names):>12}, {SEATS}  (constraint: women >= 5)")
    print(f"distinct sequences   {len(profile.sequences):>12,}")
    print(f"stages               {len(result.stages):>12}")
    print(f"generate ballots     {t1 - t0:>11.2f}s  (not part of the count)")
    print(f"group into profile   {t3 - t2:>11.2f}s")
    print(f"count (Scottish STV) {t4 - t3:>11.2f}s")
    print(f"group + count        {t4 - t2:>11.2f}s")
    print(f"peak RSS             {_rss_mib():>11.1f} MiB (after generating: {rss_generated:.1f})")
    if traced is not None:
        print(f"tracemalloc peak     {traced / 2**20:>11.1f} MiB (grouping and counting)")
    print(f"elected              {', '.join(result.elected_names)}")
    print(f"women elected        {elected_women:>12}")
    constrained = [s.number for s in result.stages if s.doomed or s.guarded]
    print(f"stages with doomed/guarded candidates: {constrained}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
