"""Spec §10 The board's error answers: each error's HTTP status and stable code, one line.

Every error the board answers is ``{"error": {"code": ..., "message": ...}}``; the client's
faults are 4xx, never 500. ``answer`` gives the status, code and message of an exception, for
the HTTP service (bulletin_board/service.py) and for the writer process that appends for its
workers (bulletin_board/writer.py), so that both answer alike.
"""

from __future__ import annotations

from collections.abc import Mapping

from bulletin_board.errors import (
    BoardError,
    EntryRefused,
    LogCorrupted,
    NotFound,
    UnknownElection,
    UnknownTreeSize,
)
from crypto import canonical
from crypto.errors import (
    InvalidSignature,
    MalformedInput,
    NonCanonicalEncoding,
    VerificationFailed,
)

__all__ = ["ClientError", "answer", "error_body", "status_and_code"]


def status_and_code(exc: Exception) -> tuple[int, str]:
    """The HTTP status and the stable code of an error (500 ``internal``: a server fault)."""
    if isinstance(exc, ClientError):
        return exc.status, exc.code
    if isinstance(exc, EntryRefused):
        return 409, exc.code
    if isinstance(exc, UnknownElection | NotFound | UnknownTreeSize):
        return 404, exc.code
    if isinstance(exc, LogCorrupted):
        return 503, exc.code
    if isinstance(exc, NonCanonicalEncoding):
        return 400, "non_canonical"
    if isinstance(exc, MalformedInput):
        return 400, str(getattr(exc, "code", "malformed"))
    if isinstance(exc, InvalidSignature):
        return 400, "bad_signature"
    if isinstance(exc, VerificationFailed):
        return 400, "verification_failed"
    if isinstance(exc, BoardError):
        return 400, exc.code
    return 500, "internal"


def answer(exc: Exception) -> tuple[int, str, str]:
    """The status, code and one-line message the board answers an error with (a server
    fault's message is not shown, a corrupted log's is)."""
    status, code = status_and_code(exc)
    shown = status < 500 or isinstance(exc, LogCorrupted | ClientError)
    return status, code, _one_line(str(exc)) if shown else "internal error"


def error_body(code: str, message: str) -> bytes:
    return canonical.encode({"error": {"code": code, "message": _one_line(message)}})


def _one_line(message: str) -> str:
    line = " ".join(message.split())
    return line[:500]


class ClientError(Exception):
    """An answer decided before the rules ran (a limit, a header), or by another process of
    the board (its writer): its status, code, message and headers."""

    def __init__(
        self, status: int, code: str, message: str, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.headers = headers
