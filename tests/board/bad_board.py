"""A hostile board for client tests: a real HTTP server on 127.0.0.1 (``http.server`` in a
thread) that answers every request with the bytes a test chose for its path."""

from __future__ import annotations

import socket
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler

from tests.serving import serve_handler

Answer = tuple[int, bytes]


@contextmanager
def bad_board(
    answers: Mapping[str, Answer],
    default: Answer | None,
    *,
    headers: Mapping[str, str] | None = None,
) -> Iterator[str]:
    """Serve until the block ends; a request's answer is ``answers[path]`` (path without the
    query), else ``default`` (None: the connection is closed unanswered), sent with
    ``headers`` too (a ``content-length`` there replaces the body's: a longer one is an answer
    cut short). Yields the base URL."""
    extra = {name.lower(): value for name, value in (headers or {}).items()}

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            answer = answers.get(self.path.split("?", 1)[0], default)
            if answer is None:
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            status, body = answer
            self.send_response(status)
            sent = {"content-type": "application/json", "content-length": str(len(body))} | extra
            for name, value in sent.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer

        def log_message(self, *args: object) -> None:
            pass

    with serve_handler(Handler) as url:
        yield url
