"""The board's append rate as its log grows (issue #14 item 4): ``board_bench.py --grow``.

``Board.append`` in-process on one election of a fresh database (PostgreSQL with ``--pg``, else
SQLite), in groups of 64 (a group commit), ``--grow-rounds`` rounds of ``--grow-round``
pre-signed ``note`` entries each (the storage path every ballot takes: the lock, the fold, the
duplicate lookup, the inserts through the database's guards, the tree head). Each round prints
its rate, the board's CPU per append and, on PostgreSQL, its backends' CPU per append (read in
/proc: the server runs on this machine), and the statements that cost most. A board whose
per-append cost grows with its log fails: the target is the last round's rate >= 0.8 x the
first's.
"""

from __future__ import annotations

import os
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy import event

from bulletin_board.keyfile import load_or_create_board_key
from bulletin_board.log import Board
from bulletin_board.rules import generic_rules
from bulletin_board.storage import Storage

GROW_TARGET = 0.8
_BATCH = 64


def _cpu_seconds(pids: set[int]) -> float:
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


class _Statements:
    """Time spent in each statement the board runs (by its first words)."""

    def __init__(self, storage: Storage) -> None:
        self.spent: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
        self.backends: set[int] = set()
        self._started = 0.0
        for engine in (storage._write, storage._read):
            event.listen(engine, "before_cursor_execute", self._before)
            event.listen(engine, "after_cursor_execute", self._after)
            if storage.dialect == "postgresql":
                event.listen(engine, "connect", self._connect)
            engine.dispose()  # connections opened from now on: their backends are known

    def _connect(self, dbapi: Any, _record: Any) -> None:
        self.backends.add(int(dbapi.execute("SELECT pg_backend_pid()").fetchone()[0]))

    def _before(self, *_args: Any) -> None:
        self._started = time.perf_counter()

    def _after(self, _c: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        spent = self.spent[" ".join(statement.split())[:72]]
        spent[0] += 1
        spent[1] += time.perf_counter() - self._started


def grow(db: str, key: Path, rounds: int, per_round: int, entries: Any) -> tuple[float, float]:
    """Append ``rounds`` x ``per_round`` entries; returns the first and last rounds' rates.
    ``entries(start, n)`` signs n note entries."""
    storage = Storage.open(db, migrate=True)
    statements = _Statements(storage)
    board = Board(storage, load_or_create_board_key(key)[0], generic_rules())
    board.create_election("bench", exist_ok=True)
    rates = []
    try:
        for r in range(rounds):
            prechecked = [board.rules.precheck(raw, election="bench", max_bytes=4096)
                          for raw in entries(r * per_round, per_round)]  # fmt: skip
            statements.spent.clear()
            pg_cpu, cpu, start = (
                _cpu_seconds(statements.backends),
                time.process_time(),
                time.perf_counter(),
            )
            for i in range(0, per_round, _BATCH):
                board.append("bench", prechecked[i : i + _BATCH])
            elapsed = time.perf_counter() - start
            cpu = (time.process_time() - cpu) * 1e6 / per_round
            pg_cpu = (_cpu_seconds(statements.backends) - pg_cpu) * 1e6 / per_round
            rates.append(per_round / elapsed)
            pg = f", database {pg_cpu:.0f} us" if statements.backends else ""
            print(f"  leaves {r * per_round:>9,}-{(r + 1) * per_round:<9,} {rates[-1]:7,.0f}/s "
                  f"(CPU per append: board {cpu:.0f} us{pg})", flush=True)  # fmt: skip
            top = sorted(statements.spent.items(), key=lambda kv: -kv[1][1])[:3]
            for what, (count, spent) in top:
                print(f"      {spent * 1e6 / per_round:6.0f} us/append in {count:5.0f} x {what}")
    finally:
        storage.close()
    return rates[0], rates[-1]
