"""A small least-recently-used cache of what is costly to draw on a page and changes only with a
few leaves of the log (issue 13 item 5): the results' count view and its HTML (stage tables and
charts), kept per election, result leaf and language by bulletin_board/pages/render.py.

The key says everything the cached value was drawn from, so a value is never stale: a leaf that
changes what it shows changes its key. What changes per request (the tree head, the phase, the
verifier's verdict, the time the report was generated) is never in a cached value. Bounded:
``size`` values at most, the least recently used dropped first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

__all__ = ["Lru"]

V = TypeVar("V")


class Lru(Generic[V]):
    """At most ``size`` values by key, the least recently used dropped first; thread-safe.
    ``hits`` and ``misses`` count the lookups."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError(f"an LRU cache holds at least 1 value, not {size}")
        self.size = size
        self.hits = 0
        self.misses = 0
        self._values: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._values)

    def get(self, key: Hashable, build: Callable[[], V]) -> V:
        """The value of ``key``, built by ``build()`` (outside the lock: two requests may both
        build a missing value, and they build the same) and kept when missing."""
        with self._lock:
            if key in self._values:
                self.hits += 1
                self._values.move_to_end(key)
                return self._values[key]
            self.misses += 1
        value = build()
        with self._lock:
            self._values[key] = value
            self._values.move_to_end(key)
            while len(self._values) > self.size:
                self._values.popitem(last=False)
        return value
