"""A real board (uvicorn on 127.0.0.1, a simulated clock) holding an election built by the
election builder, with the booth served at ``/booth/ELECTION/`` from the board's own origin
under the harness's strict policy: what the browser tests vote through.

Until the board serves the booth itself (issue 12 item 6), ``mount_booth`` adds the route: the
files under booth/ except README.md, package*.json, tests/ and tools/ (the served set)."""

from __future__ import annotations

import mimetypes
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from bulletin_board.config import ServiceSettings
from crypto.envelope import Entry
from crypto.signing import SigningKey
from simulation.served import SimulatedClock, serve_in_thread
from tests.browser import harness

if TYPE_CHECKING:
    from fastapi import FastAPI

_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
          ".json": "application/json", ".css": "text/css; charset=utf-8"}  # fmt: skip
BOARD_KEY = SigningKey(bytes([7] * 32))


def served_file(path: str) -> bytes | None:
    """The bytes of a served booth file at ``path`` (relative to booth/), or None."""
    parts = [p for p in path.split("/") if p]
    if not parts:
        parts = ["index.html"]
    if any(p in (".", "..") for p in parts) or parts[0] in ("tests", "tools", "node_modules"):
        return None
    if len(parts) == 1 and (parts[0] == "README.md" or parts[0].startswith("package")):
        return None
    target = harness.BOOTH.joinpath(*parts)
    return target.read_bytes() if target.is_file() else None


def mount_booth(app: FastAPI) -> None:
    """Serve the booth at /booth/{election}/ on ``app`` unless the board already does."""
    from fastapi import Response

    if any(getattr(r, "path", "").startswith("/booth/") for r in app.routes):
        return
    policy = harness.content_security_policy()
    headers = {"Content-Security-Policy": policy, "X-Content-Type-Options": "nosniff",
               "Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}  # fmt: skip

    @app.get("/booth/{election}/{path:path}", include_in_schema=False)
    def booth(election: str, path: str) -> Response:
        body = served_file(path)
        if body is None:
            return Response(b"not found", status_code=404, media_type="text/plain")
        suffix = "." + (path.rsplit(".", 1)[-1] if "." in path else "html")
        media = _TYPES.get(suffix) or mimetypes.guess_type(path)[0] or "application/octet-stream"
        return Response(body, media_type=media, headers=headers)


@contextmanager
def booth_board(
    db: str, *, clock: SimulatedClock, elections: list[str], rehearsal: bool = False
) -> Iterator[str]:
    """A board on ``db`` on ``clock`` with ``elections`` (a rehearsal board if ``rehearsal``),
    the booth mounted; yields its URL."""
    from bulletin_board.service import create_board_app

    app = create_board_app(
        db, BOARD_KEY, clock=clock, elections=elections,
        settings=ServiceSettings(write_rate=0), rehearsal=rehearsal,
    )  # fmt: skip
    mount_booth(app)
    with serve_in_thread(app) as url:
        yield url


@contextmanager
def lying_board(
    db: str, *, election: str, leaves: Sequence[tuple[Entry, int]], clock: SimulatedClock
) -> Iterator[str]:
    """A board signing with the honest board's key that holds ``leaves`` (entries and
    reception times, leaf 0 excluded) appended WITHOUT the rules: a board that dropped or
    rewrote part of its history. The booth is mounted; yields its URL."""
    from bulletin_board.log import Board
    from bulletin_board.rule_sets import named_rules
    from bulletin_board.service import create_app
    from bulletin_board.storage import Storage

    storage = Storage.open(db, migrate=True)
    board = Board(storage, BOARD_KEY, named_rules("election"), clock=clock)
    clock.set(leaves[0][1])
    board.ensure_election(election)
    for entry, received in leaves:
        clock.set(received)
        board.unsafe_bulk_append(election, [entry])
    app = create_app(board, ServiceSettings(write_rate=0), own_storage=True)
    mount_booth(app)
    with serve_in_thread(app) as url:
        yield url
