"""A board served by uvicorn on 127.0.0.1 in a thread of this process, on a clock the caller
moves: for the demonstration (whose timetable's weeks pass in seconds), the tests and the
benchmarks. Needs the ``board`` extra (imported when a board is served)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from bulletin_board.config import ServiceSettings
from crypto.signing import SigningKey

if TYPE_CHECKING:
    from fastapi import FastAPI

    from simulation.boards import MemoryBoard

__all__ = ["SimulatedClock", "free_port", "serve_in_thread", "served_board", "served_copy"]


class SimulatedClock:
    """A board clock (integer ms since the epoch) that moves only when told to, until
    ``follow_real_time``: from then on it is the system clock."""

    def __init__(self, now: int) -> None:
        self.now = now
        self.real = False

    def __call__(self) -> int:
        return time.time_ns() // 1_000_000 if self.real else self.now

    def set(self, now: int) -> None:
        self.now = now

    def follow_real_time(self) -> None:
        self.real = True


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve_in_thread(
    app: FastAPI, *, timeout: float = 60.0, port: int | None = None
) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1 and ``port`` (default: a free one) until the block ends;
    yields its base URL.

    Raises:
        RuntimeError: the server did not start.
    """
    import uvicorn

    port = port or free_port()
    # No proxy in front: X-Forwarded-For is trusted from nobody (the write limit's address).
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", proxy_headers=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the board did not start")
        time.sleep(0.02)  # polling readiness, not synchronising on time
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=timeout)


@contextmanager
def served_board(
    db: str,
    key: SigningKey,
    *,
    clock: SimulatedClock,
    elections: Sequence[str],
    settings: ServiceSettings | None = None,
    rehearsal: bool = False,
    port: int | None = None,
) -> Iterator[str]:
    """A board on database ``db`` (migrated) signing with ``key`` on ``clock``, holding the
    logs of ``elections``, served until the block ends (writes not rate-limited by default);
    yields its base URL. ``rehearsal``: a rehearsal board, whose logs say so (Spec §10.2)."""
    from bulletin_board.service import create_board_app

    app = create_board_app(
        db,
        key,
        clock=clock,
        elections=elections,
        settings=settings or ServiceSettings(write_rate=0),
        rehearsal=rehearsal,
    )
    with serve_in_thread(app, port=port) as url:
        yield url


@contextmanager
def served_copy(
    log: MemoryBoard,
    db: str,
    key: SigningKey,
    *,
    clock: SimulatedClock,
    settings: ServiceSettings | None = None,
) -> Iterator[str]:
    """A board on database ``db`` holding ``log``'s leaves, served until the block ends (writes
    not rate-limited by default); yields its base URL. The leaves are appended in bulk, each at
    its reception time, WITHOUT the rules (``Board.unsafe_bulk_append``: they ran when ``log``
    was built, or were meant not to): for tests and benchmarks that need a large election on a
    real board quickly. The clock is left at the last leaf's time."""
    from bulletin_board.log import Board
    from bulletin_board.rule_sets import named_rules
    from bulletin_board.service import create_app
    from bulletin_board.storage import Storage
    from crypto.envelope import Entry

    storage = Storage.open(db, migrate=True)
    board = Board(storage, key, named_rules("election"), clock=clock)
    clock.set(log.entries[0][1])
    board.ensure_election(log.election)
    batch: list[Entry] = []
    for entry, received in log.entries[1:]:
        assert isinstance(entry, Entry)
        if batch and received != clock.now:
            board.unsafe_bulk_append(log.election, batch)
            batch = []
        clock.set(received)
        batch.append(entry)
    if batch:
        board.unsafe_bulk_append(log.election, batch)
    app = create_app(board, settings or ServiceSettings(write_rate=0), own_storage=True)
    with serve_in_thread(app) as url:
        yield url
