"""Spec §10.1 What a client tells its user when a board refuses a request or cannot be reached:
the refusal codes in words, a board's text made safe to print as one line, a board's error
answer and ``Retry-After`` header read without trusting either (``error_answer``,
``retry_after``: every client that reads a board's HTTP answers uses them), and a board URL
checked before any request is made.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Final

import httpx

from bulletin_board.errors import BoardError
from crypto.errors import MalformedInput, VerificationFailed

__all__ = [
    "HINTS",
    "BoardRefused",
    "BoardUnreachable",
    "check_board_url",
    "error_answer",
    "printable",
    "retry_after",
]

#: The largest error answer read (a board's is one line of at most ~600 bytes, Spec §10.1).
MAX_ERROR_BYTES: Final = 2**16
#: The longest wait a board may ask for (``Retry-After`` seconds): a day.
MAX_RETRY_SECONDS: Final = 86_400
_SECONDS = re.compile(r"[0-9]{1,9}")


#: What a refusal code means for the person who posted the entry (Spec §10.1, §11.4).
HINTS: Final[Mapping[str, str]] = {
    "malformed": "the entry is not well formed",
    "bad_signature": "the signature does not verify (wrong key, or another election)",
    "rate_limited": "the board is busy: try again in a moment",
    "unknown_election": "the board has no such election",
    "no_definition": "publish the election definition first",
    "definition_exists": "the definition is already published and never changes",
    "wrong_author": "this key is not the one the definition names for that role",
    "deadline_passed": "that deadline has passed and can no longer be changed",
    "time_in_past": "the new time must be in the future",
    "timetable_disorder": "the timetable would be out of order",
    "nominations_not_open": "nominations have not opened yet",
    "nominations_not_closed": "nominations have not closed yet",
    "voting_opened": "voting has opened: that can no longer change",
    "candidate_list_published": "the candidate list is published: no more nominations",
    "candidates_mismatch": "the list must be exactly the qualifying nominees",
    "constraints_infeasible": "no set of candidates can meet the contest's constraints",
    "trustee_keys_missing": "wait for every trustee's key",
    "dealings_missing": "wait for every trustee's dealing",
    "ceremony_incomplete": "wait for every trustee to finish checking shares",
    "ceremony_closed": "the election key is published: the ceremony is over",
    "election_key_mismatch": "the key differs from what the ceremony on the board gives",
    "no_election_key": "the election key is not published yet",
    "credentials_complete": "the credentials are complete: use a reissue",
    "credentials_incomplete": "the credentials are not complete yet",
    "voting_not_open": "voting has not opened yet",
    "voting_closed": "voting has closed",
    "voting_not_ready": "the election is not ready for voting yet",
    "unknown_credential": "this credential is not on the published lists",
    "credential_revoked": "this credential was revoked by a reissue",
    "wrong_style": "the ballot is not of this credential's style",
    "invalid_proof": "a proof does not verify",
    "ciphertext_reused": "the ballot reuses a ciphertext of another voter",
    "ciphertext_audited": "the ballot reuses a ciphertext that was audited (opened)",
    "not_ranked": "only a ranked contest is mixed and decrypted as a list",
    "mix_out_of_order": "another mix was posted meanwhile: mix the contest's latest list",
    "duplicate_mix": "this trustee has mixed the contest already",
    "mixing_closed": "the contest's decryption began: it is mixed no more",
    "invalid_mix": "the proof of the shuffle does not verify",
    "not_enough_mixes": "wait until t trustees have mixed the contest",
    "wrong_mix": "decrypt the contest's last mix (another was posted meanwhile)",
    "too_large": "the entry is larger than the board accepts (board serve --max-large-body)",
    "voting_close_shortened": "voting has opened: the close can only move later",
    "not_rehearsal": "this is a real election's board: its clock follows real time",
    "clock_not_later": "the board's clock is already past that time",
}


def printable(text: str, limit: int = 500) -> str:
    """What a board said, safe to print as one line: white space collapsed, cut at ``limit``,
    and anything that is not UTF-8 text (a lone surrogate from a ``\\udc00`` escape) escaped."""
    line = " ".join(text.split())[:limit]
    return line.encode("utf-8", "backslashreplace").decode("utf-8")


def error_answer(content: bytes) -> tuple[str, str] | None:
    """The stable code and the message of a board's error answer
    (``{"error": {"code": ..., "message": ...}}``, Spec §10.1), each made printable; None when
    ``content`` is not one: not JSON, of another shape, too large, or nested too deep for
    Python's parser (a hostile board's ``[[[[...``, which raises RecursionError there)."""
    if len(content) > MAX_ERROR_BYTES:
        return None
    try:
        value = json.loads(content)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return None
    error = value.get("error") if isinstance(value, dict) else None
    if not isinstance(error, dict):
        return None
    code, message = error.get("code"), error.get("message")
    if not isinstance(code, str) or not isinstance(message, str):
        return None
    return printable(code, 64), printable(message)


def retry_after(value: str | None) -> float | None:
    """The seconds a board's ``Retry-After`` header asks a client to wait (Spec §10.1: the board
    sends whole seconds), or None for anything else: absent, an HTTP date, a negative or
    fractional number, digits that are not ASCII (``str.isdigit`` accepts ``²``, which
    ``float`` refuses), or more than ``MAX_RETRY_SECONDS``."""
    text = "" if value is None else value.strip()
    if not _SECONDS.fullmatch(text):
        return None
    seconds = int(text)
    return float(seconds) if seconds <= MAX_RETRY_SECONDS else None


class BoardRefused(VerificationFailed):
    """The board refused an entry or a request: its stable ``code`` and HTTP ``status``, and
    when it asked to be retried later, after how many seconds (``retry_after``)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        what: str = "request",
        retry_after: float | None = None,
    ) -> None:
        hint = HINTS.get(code)
        text = f"the board refused the {what}: {message} [{code}]"
        super().__init__(f"{text} ({hint})" if hint and hint not in message else text)
        self.status = status
        self.code = code
        self.retry_after = retry_after


def check_board_url(url: str) -> str:
    """A board's base URL: ``http://`` or ``https://``, a host, and a valid port if any.

    Raises:
        MalformedInput: anything else (httpx would raise a ValueError deep inside a request).
    """
    try:
        parsed: httpx.URL | None = httpx.URL(url)
        port = parsed.port if parsed is not None else None
    except (httpx.InvalidURL, ValueError, TypeError):
        parsed, port = None, None
    if (
        parsed is None
        or parsed.scheme not in ("http", "https")
        or not parsed.host
        or not (port is None or 0 < port < 65536)
    ):
        raise MalformedInput(
            f"not a board URL: {printable(repr(url), 100)} (give http://HOST[:PORT] or https://...)"
        )
    return url


class BoardUnreachable(BoardError):
    """No answer from the board (network, DNS, timeout, or not a board)."""

    code = "board_unreachable"
