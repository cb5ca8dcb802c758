"""Test helpers: a real board served by uvicorn on 127.0.0.1 in this process, on a simulated
clock, for commands that talk HTTP to a URL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from simulation.served import SimulatedClock, served_board
from tests.election.board_log import BOARD_KEY


@dataclass
class LiveBoard:
    url: str
    clock: SimulatedClock


@contextmanager
def live_board(db_url: str, *, elections: tuple[str, ...], now: int) -> Iterator[LiveBoard]:
    clock = SimulatedClock(now)
    with served_board(db_url, BOARD_KEY, clock=clock, elections=elections) as url:
        yield LiveBoard(url, clock)
