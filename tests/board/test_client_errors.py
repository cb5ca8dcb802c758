"""Spec §10.1 A board's error answer and its ``Retry-After`` header, read without trusting
either (``bulletin_board.client_errors``): whatever a hostile board sends, the reader gives a
value or None, never an exception (issue 16 item 7)."""

from __future__ import annotations

import pytest

from bulletin_board.client_errors import MAX_RETRY_SECONDS, error_answer, retry_after


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("1", 1.0),
        (" 30 ", 30.0),
        ("0", 0.0),
        (str(MAX_RETRY_SECONDS), float(MAX_RETRY_SECONDS)),
        (None, None),
        ("", None),
        ("\u00b2", None),  # str.isdigit() says yes, float() raises ValueError
        ("\u0663", None),  # an Arabic-Indic three: int() would read it
        ("-1", None),
        ("1.5", None),
        ("soon", None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", None),  # an HTTP date: not what a board sends
        (str(MAX_RETRY_SECONDS + 1), None),
        ("9" * 400, None),  # float() of it is inf
    ],
)
def test_retry_after(header: str | None, seconds: float | None) -> None:
    assert retry_after(header) == seconds


@pytest.mark.parametrize(
    ("body", "answer"),
    [
        (b'{"error":{"code":"voting_closed","message":"voting has closed"}}',
         ("voting_closed", "voting has closed")),
        (b'{"error":{"code":"x\\u001b","message":"one\\ntwo\\ud800"}}',
         ("x\x1b", "one two\\ud800")),
        (b'{"error":' + b"[" * 100_000 + b"]" * 100_000 + b"}", None),  # RecursionError
        (b'{"error":' + b"[" * 5000 + b"]" * 5000 + b"}", None),
        (b"[" * 5000, None),
        (b"Conflict", None),
        (b"\xff\xfe{", None),
        (b"", None),
        (b'{"error":{"code":1,"message":"m"}}', None),
        (b'{"error":{"code":"c"}}', None),
        (b'{"error":"c"}', None),
        (b'["error"]', None),
        (b'{"error":{"code":"c","message":"' + b"m" * 2**16 + b'"}}', None),  # too large
    ],
)  # fmt: skip
def test_error_answer(body: bytes, answer: tuple[str, str] | None) -> None:
    assert error_answer(body) == answer
