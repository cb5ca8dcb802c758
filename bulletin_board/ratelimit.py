"""The board service's limit on writes: a token bucket per client address."""

from __future__ import annotations

import threading
import time
from typing import Final

__all__ = ["MAX_CLIENTS", "WriteRateLimiter"]

#: Buckets kept before all are forgotten (a flood of addresses cannot exhaust memory).
MAX_CLIENTS: Final = 100_000


class WriteRateLimiter:
    """A token bucket per client address: ``burst`` writes at once, then ``rate`` per second
    (``rate`` 0: no limit). Safe to call from several threads."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = burst
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, client: str) -> bool:
        """Take a token from ``client``'s bucket; False if it is empty."""
        if self.rate <= 0:
            return True
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(client, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            if tokens < 1.0:
                self._buckets[client] = (tokens, now)
                return False
            self._buckets[client] = (tokens - 1.0, now)
            if len(self._buckets) > MAX_CLIENTS:
                self._buckets.clear()
            return True
