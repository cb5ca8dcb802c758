"""The cyclic garbage collector paused around bulk work on large entries.

Reading or checking a mix of 120,000 ciphertexts, or the list decryptions of one, allocates
millions of objects (JSON strings, points, their libsecp256k1 structures) that form no cycles:
reference counting frees them. CPython's collector still walks them, and every full pass walks
everything the process holds besides: a board worker's or a builder's whole view of a
400,000-member election. Measured on this project's machine, a 40,000-ciphertext mix parsed and
checked in a process holding 3 million objects took 3.98 s with the collector on and 3.24 s
with it paused; the passes grow with the process's size, so the larger the election, the more
they cost (docs/scaling.md §1).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

__all__ = ["LARGE_ENTRY_BYTES", "collector_paused"]

#: An entry at least this large is read with the collector paused (a mix, a list decryption,
#: a part of the credentials list; a ballot is a few KB).
LARGE_ENTRY_BYTES: Final = 1 << 20


@contextmanager
def collector_paused(pause: bool = True) -> Iterator[None]:
    """Pause the cyclic collector meanwhile (if ``pause``, and if it runs: a nested or
    concurrent pause leaves it to the outermost), then let it run again."""
    if not pause or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
