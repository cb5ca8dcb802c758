"""The board service's limit on writes: a token bucket per client address, one limit for every
worker process of a ``verivote board serve``.

The buckets live in a table of fixed-size slots in a shared memory map: a file that ``serve``
creates before it starts uvicorn's workers and names to each of them (``ServeConfig.rate_file``),
or an anonymous map when the application is built in one process. A write takes the table's lock
(a ``threading.Lock`` inside a process, ``flock`` on the file across processes), refills and
takes from its client's bucket, and releases it: a few microseconds, no database round trip.

Why a file and not the board's database: the limit is checked on every POST, before the entry is
even parsed; a row updated per request would add a transaction to the hot path and, on SQLite,
contend for the one write lock with the log's own group commits. The log's tables are also
append-only (the database refuses UPDATE), which a bucket needs. The file works the same on a
SQLite and a PostgreSQL board. What it does not share: two ``board serve`` processes on
different hosts over one PostgreSQL database each keep their own limit (an operator who runs
several hosts rate-limits at the proxy in front of them).

The time is ``time.monotonic()``: CLOCK_MONOTONIC, the same clock in every process of a host.

Slot layout (32 bytes): 16-byte BLAKE2b digest of the client address (all zero: empty), tokens
and last refill time as native doubles. A client's slot is found by linear probing over
``PROBES`` slots from its digest; when all are taken, the one refilled longest ago is reused
(a bucket idle for ``burst / rate`` seconds is full, and forgetting it changes nothing).
"""

from __future__ import annotations

import fcntl
import hashlib
import mmap
import os
import struct
import threading
import time
from pathlib import Path
from typing import Final

__all__ = ["PROBES", "SLOTS", "WriteRateLimiter", "create_rate_file"]

#: Buckets in the table (2 MiB): distinct clients tracked at once.
SLOTS: Final = 65_536
#: Slots a client's bucket may occupy, from the one its digest names.
PROBES: Final = 16

_SLOT = struct.Struct("=16sdd")
_EMPTY: Final = bytes(16)
TABLE_BYTES: Final = SLOTS * _SLOT.size


def create_rate_file(path: Path) -> None:
    """Create the shared bucket table ``path`` (mode 0600, zero-filled, ``TABLE_BYTES``)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.ftruncate(fd, TABLE_BYTES)
    finally:
        os.close(fd)


class WriteRateLimiter:
    """A token bucket per client address: ``burst`` writes at once, then ``rate`` per second
    (``rate`` 0: no limit). Safe to call from several threads, and, over one ``path`` made by
    ``create_rate_file``, from several processes: they share one limit."""

    def __init__(self, rate: float, burst: int, *, path: Path | None = None) -> None:
        self.rate = rate
        self.burst = burst
        self._lock = threading.Lock()
        self._fd: int | None = None
        if path is None:
            self._map = mmap.mmap(-1, TABLE_BYTES)
            return
        self._fd = os.open(path, os.O_RDWR)
        try:
            if os.fstat(self._fd).st_size != TABLE_BYTES:
                raise ValueError(f"{path} is not a rate-limit table of {TABLE_BYTES} bytes")
            self._map = mmap.mmap(self._fd, TABLE_BYTES)
        except BaseException:
            os.close(self._fd)
            raise

    def close(self) -> None:
        self._map.close()
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def allow(self, client: str) -> bool:
        """Take a token from ``client``'s bucket; False if it is empty."""
        if self.rate <= 0:
            return True
        digest = hashlib.blake2b(client.encode("utf-8", "surrogateescape"), digest_size=16)
        key = digest.digest()
        first = int.from_bytes(key[:8], "big") % SLOTS
        with self._lock:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_EX)
            try:
                return self._take(key, first, time.monotonic())
            finally:
                if self._fd is not None:
                    fcntl.flock(self._fd, fcntl.LOCK_UN)

    def _take(self, key: bytes, first: int, now: float) -> bool:
        burst = float(self.burst)
        slot, tokens = -1, burst
        oldest, oldest_time = first, float("inf")
        for probe in range(PROBES):
            index = (first + probe) % SLOTS
            stored, stored_tokens, last = _SLOT.unpack_from(self._map, index * _SLOT.size)
            if stored == key:
                slot = index
                tokens = min(burst, stored_tokens + max(0.0, now - last) * self.rate)
                break
            if stored == _EMPTY:
                slot = index
                break
            if last < oldest_time:
                oldest, oldest_time = index, last
        if slot < 0:
            slot = oldest
        allowed = tokens >= 1.0
        _SLOT.pack_into(self._map, slot * _SLOT.size, key, tokens - 1.0 if allowed else tokens, now)
        return allowed
