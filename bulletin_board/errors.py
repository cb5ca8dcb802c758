"""The board's refusals, each with a stable error code (Spec §10.1), under crypto/errors.py.

    VerivoteError
    ├── MalformedInput
    │   ├── UnsupportedRole         code "unsupported_role"
    │   ├── UnknownEntryType        code "unknown_type"
    │   ├── WrongElection           code "wrong_election"
    │   └── BadRange                code "bad_range"
    ├── VerificationFailed
    │   └── EntryRefused            code chosen by the rule, e.g. "board_key_only_first"
    └── BoardError
        ├── UnknownElection         code "unknown_election"
        ├── NotFound                code "not_found" (or a more specific code)
        ├── UnknownTreeSize         code "unknown_tree_size"
        └── LogCorrupted            code "log_corrupted": the database disagrees with itself

The HTTP service maps each to a status and its code (``bulletin_board.service``); the codes
are part of the API and never change meaning. ``UnsupportedRole`` and ``WrongElection`` are the
entry envelope's (``crypto.envelope``), re-exported here.
"""

from __future__ import annotations

import re
from typing import ClassVar

from crypto.envelope import UnsupportedRole, WrongElection
from crypto.errors import MalformedInput, VerificationFailed, VerivoteError

__all__ = [
    "BadRange",
    "BoardError",
    "EntryRefused",
    "LogCorrupted",
    "NotFound",
    "UnknownElection",
    "UnknownEntryType",
    "UnknownTreeSize",
    "UnsupportedRole",
    "WrongElection",
]

_CODE = re.compile(r"[a-z][a-z0-9_]{0,63}")


class UnknownEntryType(MalformedInput):
    """An entry type the election's rules do not register."""

    code: ClassVar[str] = "unknown_type"


class BadRange(MalformedInput):
    """A range, index or size parameter outside what the log can answer."""

    code: ClassVar[str] = "bad_range"


class EntryRefused(VerificationFailed):
    """A well-formed, correctly signed entry that the election's rules refuse.

    ``code`` is a stable, lower-case identifier chosen by the rule (``[a-z][a-z0-9_]*``).
    """

    def __init__(self, code: str, message: str) -> None:
        if not _CODE.fullmatch(code):
            raise ValueError(f"invalid refusal code {code!r}")
        super().__init__(message)
        self.code = code


class BoardError(VerivoteError):
    """Something the board cannot do or find (not the client's malformed input)."""

    code: ClassVar[str] = "board_error"


class UnknownElection(BoardError):
    code: ClassVar[str] = "unknown_election"


class NotFound(BoardError):
    """No such leaf, entry or tree head; ``code`` may name what was missing."""

    code: ClassVar[str] = "not_found"


class UnknownTreeSize(BoardError):
    """A tree size for which the board has published no signed tree head."""

    code: ClassVar[str] = "unknown_tree_size"


class LogCorrupted(BoardError):
    """The stored log disagrees with itself or with this process's view: stop writing."""

    code: ClassVar[str] = "log_corrupted"
