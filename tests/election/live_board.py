"""Test helpers: a real board served by uvicorn on 127.0.0.1 in this process, on a simulated
clock, for commands that talk HTTP to a URL."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import uvicorn

from bulletin_board.service import ServiceSettings, create_board_app
from tests.board.server import free_port
from tests.election.board_log import BOARD_KEY, Clock


@dataclass
class LiveBoard:
    url: str
    clock: Clock


@contextmanager
def live_board(db_url: str, *, elections: tuple[str, ...], now: int) -> Iterator[LiveBoard]:
    clock = Clock(now)
    app = create_board_app(
        db_url, BOARD_KEY, clock=clock, elections=elections, settings=ServiceSettings(write_rate=0)
    )
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the board did not start")
        time.sleep(0.02)  # polling readiness, not synchronising on time
    try:
        yield LiveBoard(f"http://127.0.0.1:{port}", clock)
    finally:
        server.should_exit = True
        thread.join(timeout=60)
