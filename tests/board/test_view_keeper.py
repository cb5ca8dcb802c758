"""bulletin_board/view_keeper.py: a worker's view folded in the background while the log grows
slowly (the count), left alone while it grows fast (voting). Two Board objects on one database
stand for two worker processes."""

from __future__ import annotations

import time

from bulletin_board.log import Appended, Board
from bulletin_board.storage import Storage
from bulletin_board.view_keeper import ViewKeeper
from tests.board.helpers import BOARD_KEY, RULES, note, open_board, prechecked


def _append(board: Board, *numbers: int) -> None:
    outcomes = board.append("e1", [prechecked(note(n)) for n in numbers])
    assert all(isinstance(o, Appended) for o in outcomes), outcomes


def _two_workers(db_url: str) -> tuple[Board, Board]:
    writer = open_board(db_url)
    worker = Board(Storage.open(db_url), BOARD_KEY, RULES)
    _append(writer, 0)
    worker.refresh("e1")  # the worker has served a request: it holds a view
    return writer, worker


def test_a_slowly_growing_log_is_folded(db_url: str) -> None:
    writer, worker = _two_workers(db_url)
    keeper = ViewKeeper(worker, lambda: ["e1"], quiet=4)
    assert not keeper.look("e1")  # the first look only notes the size
    _append(writer, 1, 2)
    assert worker.folded("e1") == 2
    assert keeper.look("e1")
    assert worker.folded("e1") == writer.storage.size("e1") == 4
    assert not keeper.look("e1")  # nothing new: nothing to fold


def test_a_fast_growing_log_is_left_to_the_prechecks(db_url: str) -> None:
    writer, worker = _two_workers(db_url)
    keeper = ViewKeeper(worker, lambda: ["e1"], quiet=4)
    keeper.look("e1")
    _append(writer, *range(1, 7))  # 6 leaves since the last look: members voting
    assert not keeper.look("e1")
    assert worker.folded("e1") == 2
    assert keeper.look("e1")  # quiet since (the count): the backlog is folded at once
    assert worker.folded("e1") == 8


def test_no_view_no_fold(db_url: str) -> None:
    writer = open_board(db_url)
    _append(writer, 0)
    worker = Board(Storage.open(db_url), BOARD_KEY, RULES)
    keeper = ViewKeeper(worker, lambda: ["e1"])
    keeper.look("e1")
    _append(writer, 1)
    assert not keeper.look("e1")
    assert worker.folded("e1") is None  # a view is built by the first request, not here


def test_the_thread_folds_until_stopped(db_url: str) -> None:
    writer, worker = _two_workers(db_url)
    keeper = ViewKeeper(worker, lambda: ["e1"], every=0.02)
    keeper.start()
    try:
        time.sleep(0.1)  # a first look
        _append(writer, 1)
        deadline = time.monotonic() + 10
        while worker.folded("e1") != 3 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert worker.folded("e1") == 3
    finally:
        keeper.stop()
