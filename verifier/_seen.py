"""Spec §13.1 checks 1 and 5: what the verifier remembers of every leaf and voter entry, kept in
a temporary SQLite file rather than in the reader's memory, so that verifying a log of any
length needs memory for the batches in flight, not for the whole log (issue 14 item 6).

Kept: each entry's 16-byte digest (check 1: no entry replayed), each ciphertext's 64-bit alpha
prefix with the first leaf holding it, ``leaf << 1 | audit`` (§11.8, check 5: no ciphertext
reused from another credential, nor both cast and audited), and each accepted voter entry's
credential number. One connection, never committed: with no journal, reads see every write,
and SQLite's page cache (``_CACHE_KIB``) bounds the memory; the file goes when it is closed.
It costs a few dozen µs per ballot of ten ciphertexts (B-tree inserts of random keys), a few
per cent of verifying the ballot, and the file about 230 bytes per such ballot.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Final

__all__ = ["Seen"]

_CACHE_KIB: Final = 8192
# SQLite integers are signed 64-bit: the prefix p is stored as p - 2^63.
_OFFSET: Final = 1 << 63
_SCHEMA: Final = """
CREATE TABLE entries (digest BLOB PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE alphas (prefix INTEGER PRIMARY KEY, first INTEGER NOT NULL);
CREATE TABLE credentials (leaf INTEGER PRIMARY KEY, credential INTEGER NOT NULL);
"""


class Seen:
    """The digests, alpha prefixes and credentials seen so far in one log. ``close`` removes
    the file (the verifier closes it when the log is verified)."""

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="verivote-verify-")
        self._db = sqlite3.connect(Path(self._folder.name) / "seen.sqlite")
        for pragma in (
            "journal_mode = OFF",
            "synchronous = OFF",
            "locking_mode = EXCLUSIVE",
            f"cache_size = -{_CACHE_KIB}",
        ):
            self._db.execute(f"PRAGMA {pragma}")
        self._db.executescript(_SCHEMA)
        self._lookups: dict[int, str] = {}

    def close(self) -> None:
        self._db.close()
        self._folder.cleanup()

    # --- check 1 ---------------------------------------------------------------------------
    def new_entry(self, digest: bytes) -> bool:
        """Record an entry's digest: False if an earlier leaf held it already."""
        insert = "INSERT OR IGNORE INTO entries VALUES (?)"
        return self._db.execute(insert, (digest,)).rowcount == 1

    # --- check 5 ---------------------------------------------------------------------------
    def first_holders(self, prefixes: Sequence[int]) -> dict[int, int]:
        """Each of ``prefixes`` already held, with its first holder (``leaf << 1 | audit``)."""
        if not prefixes:
            return {}
        sql = self._lookups.get(len(prefixes))
        if sql is None:
            marks = ",".join("?" * len(prefixes))  # placeholders only: nothing is spliced in
            sql = f"SELECT prefix, first FROM alphas WHERE prefix IN ({marks})"  # noqa: S608
            self._lookups[len(prefixes)] = sql
        rows = self._db.execute(sql, [p - _OFFSET for p in prefixes])
        return {prefix + _OFFSET: first for prefix, first in rows}

    def hold(self, prefixes: Iterable[int], first: int) -> None:
        """Record ``first`` as the holder of each prefix not held yet."""
        insert = "INSERT OR IGNORE INTO alphas VALUES (?, ?)"
        self._db.executemany(insert, [(p - _OFFSET, first) for p in prefixes])

    def set_credential(self, leaf: int, credential: int) -> None:
        """The credential (its number in issue order) of the accepted voter entry ``leaf``."""
        self._db.execute("INSERT INTO credentials VALUES (?, ?)", (leaf, credential))

    def credential(self, leaf: int) -> int | None:
        """The credential of the accepted voter entry ``leaf``, None if it is not one."""
        row = self._db.execute("SELECT credential FROM credentials WHERE leaf = ?", (leaf,))
        found = row.fetchone()
        return None if found is None else int(found[0])

    def entries_of(self, credentials: Iterable[int]) -> list[tuple[int, int]]:
        """(leaf, credential) of every accepted voter entry of these credentials, by a scan:
        needed only when audits opened ballots (a board that broke §11.8-§11.9)."""
        wanted = set(credentials)
        rows = self._db.execute("SELECT leaf, credential FROM credentials")
        return [(leaf, credential) for leaf, credential in rows if credential in wanted]
