"""Spec §6.8 The independent generators of a shuffle, derived by hashing to the curve (§2.4).

``G_k = hash_to_point("verivote-1/generator", gs, I2OSP(k, 4))`` for the generators' seed ``gs``:
the chain's start is ``h = G_0`` and position ``i`` has ``h_i = G_(i+1)``. Nobody knows a discrete
logarithm between any two of them, nor to ``g`` (never ``h_i = g^x_i``: the Swiss Post 2019 flaw).

Each generator costs a SHA-256 and about two square-root attempts (§2.4: half the x-coordinates
are on the curve), some 12 µs; the prover and every verifier of a mix need the same ones, so they
are cached per seed, for the two most recent seeds, and extended on demand.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Final

from crypto.errors import MalformedInput
from crypto.group import Point, lift_x
from crypto.hashing import Dst, encode_parts

__all__ = ["ShuffleGenerators", "shuffle_generators"]

# Seeds whose generators stay cached: the mix being made or checked, and one more (each mix has
# its own seed). 100,000 generators hold about 25 MB.
_CACHED_SEEDS: Final = 2
_MAX_SIZE: Final = 2**32 - 2  # G_(N) must have a 4-byte index

_lock: Final = threading.Lock()
_cache: Final[OrderedDict[bytes, list[Point]]] = OrderedDict()


@dataclass(frozen=True, slots=True)
class ShuffleGenerators:
    """Spec §6.8 The chain's start ``h = G_0`` and the position generators ``h_i = G_(i+1)``."""

    h: Point
    hs: tuple[Point, ...]


def shuffle_generators(seed: bytes, size: int) -> ShuffleGenerators:
    """Spec §6.8 The generators of a shuffle of ``size`` ciphertexts under the seed ``gs``.

    Derived once per seed and cached (the most recent few seeds); a larger ``size`` extends the
    cached list. Safe to call from several threads.

    Raises:
        MalformedInput: ``size`` is negative or too large for a 4-byte index.
    """
    if not 0 <= size <= _MAX_SIZE:
        raise MalformedInput(f"shuffle generators: size must be in [0, 2^32 - 2], got {size}")
    with _lock:
        points = _cache.pop(seed, None) or []
        try:
            if len(points) < size + 1:
                points.extend(_derive(seed, len(points), size + 1))
        finally:
            _cache[seed] = points  # most recently used last
            while len(_cache) > _CACHED_SEEDS:
                _cache.popitem(last=False)
        return ShuffleGenerators(points[0], tuple(points[1 : size + 1]))


def _derive(seed: bytes, start: int, stop: int) -> list[Point]:
    """G_start, ..., G_(stop-1): ``hash_to_point`` (§2.4) with the hash of the fixed prefix
    ``encode_parts(dst, gs)`` computed once."""
    prefix = hashlib.sha256(encode_parts(Dst.GENERATOR, seed))
    out = []
    for k in range(start, stop):
        per_index = prefix.copy()
        per_index.update(encode_parts(k.to_bytes(4, "big")))
        for counter in range(2**32):
            attempt = per_index.copy()
            attempt.update(encode_parts(counter.to_bytes(4, "big")))
            try:
                out.append(lift_x(attempt.digest()))
                break
            except MalformedInput:
                continue
        else:  # pragma: no cover - each attempt succeeds with probability about 1/2
            raise AssertionError("unreachable: 2^32 consecutive misses")
    return out
