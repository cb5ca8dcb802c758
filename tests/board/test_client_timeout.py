"""A client waits for a board's answer to a large write as long as its size needs (a mix of
120,000 ciphertexts is ~40 MB, its proof checked before the answer): a real HTTP server on
127.0.0.1 that answers every POST after a delay."""

from __future__ import annotations

import time
from http.server import BaseHTTPRequestHandler

import pytest

from bulletin_board.client import LARGE_ENTRY_BYTES_PER_SECOND, BoardClient, BoardRefused
from crypto.errors import VerivoteError
from tests.serving import serve_handler

DELAY = 1.5  # seconds the board takes to answer


class _Slow(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["content-length"]))
        time.sleep(DELAY)
        body = b'{"error":{"code":"busy_checking","message":"a test board refuses"}}'
        self.send_response(409)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_a_large_write_is_waited_for_longer_than_a_small_one() -> None:
    large = b"x" * (2 * LARGE_ENTRY_BYTES_PER_SECOND)  # 2 s more than the timeout
    with serve_handler(_Slow) as url, BoardClient(url, "e", timeout=0.5) as client:
        with pytest.raises(VerivoteError, match=r"cannot reach the board.*timed out"):
            client.post(b"{}")
        with pytest.raises(BoardRefused, match="a test board refuses"):
            client.post(large)
