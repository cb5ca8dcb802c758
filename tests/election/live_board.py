"""Test helpers: a real board served by uvicorn on 127.0.0.1 in this process, on a simulated
clock, for commands that talk HTTP to a URL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from bulletin_board.config import ServiceSettings
from bulletin_board.service import create_board_app
from cli._server import serve_in_thread
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
    with serve_in_thread(app) as url:
        yield LiveBoard(url, clock)
