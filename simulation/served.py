"""A board served by uvicorn on 127.0.0.1 in a thread of this process, on a clock the caller
moves: for the demonstration (whose timetable's weeks pass in seconds), the tests and the
benchmarks. Needs the ``board`` extra (imported when a board is served)."""

from __future__ import annotations

import mmap
import multiprocessing
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from bulletin_board.config import ServiceSettings
from crypto.signing import SigningKey

if TYPE_CHECKING:
    from fastapi import FastAPI

    from bulletin_board.config import ServeConfig
    from simulation.boards import MemoryBoard

__all__ = [
    "SharedClock",
    "SimulatedClock",
    "free_port",
    "serve_in_thread",
    "served_board",
    "served_board_processes",
    "served_copy",
]


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


class SharedClock:
    """A ``SimulatedClock`` kept in a file of 8 bytes, mapped in memory, that board worker
    processes read (``served_board_processes``): ``set`` here is seen by every worker at once.
    A copy sent to another process (pickled) maps the same file again, by its path."""

    def __init__(self, path: Path, now: int | None = None) -> None:
        if now is not None:
            path.write_bytes(now.to_bytes(8, "big"))
        with path.open("r+b") as file:
            self._map = mmap.mmap(file.fileno(), 8)
        self.path = path

    def __reduce__(self) -> tuple[type[SharedClock], tuple[Path]]:
        return SharedClock, (self.path,)

    @property
    def now(self) -> int:
        return int.from_bytes(self._map[:8], "big")

    def __call__(self) -> int:
        return self.now

    def set(self, now: int) -> None:
        self._map[:8] = now.to_bytes(8, "big")


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


@contextmanager
def served_board_processes(
    db: str,
    key_path: Path,
    *,
    clock: SharedClock,
    elections: Sequence[str],
    workers: int = 2,
    timeout: float = 120.0,
) -> Iterator[str]:
    """A board on database ``db`` (migrated) signing with the key in ``key_path`` (a board key
    file, ``bulletin_board.keyfile``) on ``clock``, holding the logs of ``elections``, served
    as ``verivote board serve --workers N`` serves one (``bulletin_board.workers``: ONE writer
    process appends for ``workers`` HTTP worker processes, N >= 2) until the block ends, writes
    not rate-limited; yields its base URL. For the benchmarks: the board's checks run on other
    cores than the caller's, on the path a real board takes.

    Raises:
        RuntimeError: the board did not start.
    """
    from bulletin_board.config import ServeConfig
    from bulletin_board.keyfile import load_board_key
    from bulletin_board.log import Board
    from bulletin_board.rule_sets import named_rules
    from bulletin_board.storage import Storage

    if workers < 2:
        raise ValueError("served_board_processes serves with a writer: workers >= 2")
    storage = Storage.open(db, migrate=True)
    try:
        board = Board(storage, load_board_key(key_path), named_rules("election"), clock=clock)
        for election in elections:
            board.ensure_election(election)
    finally:
        storage.close()
    config = ServeConfig(
        db, key_path.resolve(), settings=ServiceSettings(write_rate=0), clock=clock
    )
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="verivote-board-") as folder:  # mode 0700
        process = multiprocessing.get_context("spawn").Process(
            target=_serve, args=(config, Path(folder), port, workers), name="board-serve"
        )
        process.start()
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_for(url, process, timeout)
            yield url
        finally:
            if process.is_alive():
                process.terminate()  # SIGTERM: the workers finish, then the writer commits
                process.join(timeout)
            if process.is_alive():
                process.kill()
                process.join()


def _serve(config: ServeConfig, folder: Path, port: int, workers: int) -> None:
    """The spawned ``board serve`` of ``served_board_processes`` (until SIGTERM)."""
    from bulletin_board.workers import serve_workers

    options = {"log_level": "warning", "access_log": False, "proxy_headers": False}
    if not serve_workers(config, folder, host="127.0.0.1", port=port, workers=workers,
                         options=options):  # fmt: skip
        sys.exit(1)


def _wait_for(url: str, process: BaseProcess, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.is_alive():
        try:
            if httpx.get(f"{url}/v1/elections", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)  # polling readiness, not synchronising on time
    raise RuntimeError("the board's processes did not start")
