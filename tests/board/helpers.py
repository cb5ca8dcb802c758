"""Shared helpers for board tests: keys, signed entries, a board on a database URL."""

from __future__ import annotations

from typing import Any

from bulletin_board.log import Board
from bulletin_board.rules import GenericState, Rules, generic_rules
from bulletin_board.storage import Storage
from bulletin_board.wire import Entry, sign_entry
from crypto.signing import SigningKey

BOARD_KEY = SigningKey(bytes(range(32)))
ADMIN = SigningKey(bytes(range(1, 33)))
RULES: Rules[GenericState] = generic_rules()


def note(i: int | str, *, election: str = "e1", key: SigningKey = ADMIN, **extra: Any) -> bytes:
    return sign_entry(
        election=election,
        type="note",
        role="administrator",
        payload={"n": i, **extra},
        key=key,
    )


def prechecked(raw: bytes, election: str = "e1", rules: Rules[Any] = RULES) -> Entry:
    return rules.precheck(raw, election=election, max_bytes=2**20)


def open_board(url: str, *, rules: Rules[Any] = RULES, election: str | None = "e1") -> Board:
    board = Board(Storage.open(url, migrate=True), BOARD_KEY, rules)
    if election is not None:
        board.create_election(election, exist_ok=True)
    return board
