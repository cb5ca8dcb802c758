"""A board served by uvicorn on 127.0.0.1 in a thread of this process: for the demonstration
(whose board runs on a simulated clock, ``create_board_app(..., clock=...)``) and tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI


class SimulatedClock:
    """A board clock (integer ms since the epoch) that moves only when told to."""

    def __init__(self, now: int) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve_in_thread(app: FastAPI, *, timeout: float = 60.0) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1 and a free port until the block ends; yields its base URL.

    Raises:
        RuntimeError: the server did not start.
    """
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
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
