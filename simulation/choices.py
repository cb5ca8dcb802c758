"""The simulated members' choices: what each marks on the ballot paper of their style.

A ``Chooser`` draws one member's choices (option indices per contest, in ballot order) with a
seeded ``random.Random``: a simulation, never a secret. ``random_choices`` suits any election;
a plan may bring its own (the demonstration's makes some candidates more popular).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence

from election.definition import ContestKind
from election.rules import ElectionParameters

__all__ = ["Choices", "Chooser", "count", "random_choices", "weighted_order", "weighted_sample"]

Choices = dict[str, list[int]]
#: (rng, the election's parameters, the member's ballot style) -> their choices.
Chooser = Callable[[random.Random, ElectionParameters, str], Choices]


def random_choices(rng: random.Random, params: ElectionParameters, style: str) -> Choices:
    """Uniform choices for every contest of ``style``: up to the allowed number of marks
    (none included), one option of a referendum (or none, 5%), a ranking of 1 to the allowed
    number of candidates."""
    choices: Choices = {}
    for shape in params.layout.style(style):
        if shape.kind is ContestKind.REFERENDUM:
            choices[shape.id] = [] if rng.random() < 0.05 else [rng.randrange(shape.options)]
        elif shape.kind is ContestKind.RANKED:
            limit = min(shape.max_selections or shape.options, shape.options)
            choices[shape.id] = rng.sample(range(shape.options), rng.randint(1, limit))
        else:
            limit = min(shape.max_selections or shape.options, shape.options)
            choices[shape.id] = sorted(rng.sample(range(shape.options), rng.randint(0, limit)))
    return choices


def weighted_sample(rng: random.Random, weights: Sequence[float], k: int) -> list[int]:
    """``k`` distinct indices of ``weights`` drawn in proportion to them, sorted."""
    return sorted(weighted_order(rng, weights, k))


def weighted_order(rng: random.Random, weights: Sequence[float], k: int) -> list[int]:
    """``k`` distinct indices of ``weights`` drawn one after another in proportion to them (a
    ranking: the first drawn is the most preferred)."""
    pool = list(range(len(weights)))
    chosen = []
    for _ in range(min(k, len(pool))):
        pick = rng.choices(pool, weights=[weights[i] for i in pool])[0]
        pool.remove(pick)
        chosen.append(pick)
    return chosen


def count(
    cast: Mapping[str, Mapping[str, Sequence[int]]], options: Mapping[str, int]
) -> dict[str, list[int]]:
    """Per contest of ``options`` (its number of options), the marks each option received in
    the members' ``cast`` choices (member -> contest -> marks): a homomorphic count."""
    totals = {contest: [0] * n for contest, n in options.items()}
    for choices in cast.values():
        for contest, marks in choices.items():
            if contest in totals:
                for k in marks:
                    totals[contest][k] += 1
    return totals
