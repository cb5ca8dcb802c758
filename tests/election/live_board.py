"""Test helpers: a real board served by uvicorn on 127.0.0.1 in this process, on a simulated
clock, for commands that talk HTTP to a URL; and a dishonest one, the same board whose operator
switched off some of the election's stateful rules (it appends what an honest board refuses)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from bulletin_board.config import ServiceSettings
from bulletin_board.election_rules import election_rules
from bulletin_board.log import Board
from bulletin_board.service import create_app
from bulletin_board.storage import Storage
from simulation.served import SimulatedClock, serve_in_thread, served_board
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


def _accept(state: object, entry: object, index: int, received: int) -> None:
    return None


@contextmanager
def dishonest_board(
    db_url: str, *, elections: tuple[str, ...], now: int, unchecked: Iterable[str]
) -> Iterator[LiveBoard]:
    """The board on ``db_url`` with the stateful check of the ``unchecked`` entry types
    switched off (formats, signatures and proofs still checked; every entry still folded)."""
    rules = election_rules()
    types = dict(rules.types)
    for name in unchecked:
        types[name] = dataclasses.replace(types[name], check=_accept)
    clock = SimulatedClock(now)
    storage = Storage.open(db_url, migrate=True)
    board = Board(storage, BOARD_KEY, dataclasses.replace(rules, types=types), clock=clock)
    for election in elections:
        board.ensure_election(election)
    app = create_app(board, ServiceSettings(write_rate=0), own_storage=True)
    with serve_in_thread(app) as url:
        yield LiveBoard(url, clock)
