"""The board serves the web booth at /booth/ELECTION/ (issue 12): a real ``verivote board serve``
on 127.0.0.1, fetched over HTTP. The served files are exactly bulletin_board.booth's list, byte
for byte, each with its type and the strict policy; anything else is a 404 page, never a file
from elsewhere and never a 500."""

from __future__ import annotations

import base64
import hashlib
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bulletin_board.booth import BOOTH_DIR, served_paths
from tests.board.server import BoardServer, publish_booth
from tests.election.scenario import ELECTION

NOT_SERVED = ("README.md", "package.json", "package-lock.json", "tests/vectors.html",
              "tests/unit.test.mjs", "tools/vendor.py")  # fmt: skip


@pytest.fixture(scope="module")
def board(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A board whose election has a booth release in force (spec §11.14)."""
    work = tmp_path_factory.mktemp("booth-serve")
    with BoardServer(
        f"sqlite:///{work / 'board.db'}", work / "board.key", create=ELECTION, rules=None
    ) as server:
        publish_booth(server.url)
        yield server.url


def _raw_get(url: str, target: str) -> tuple[int, bytes]:
    """GET ``target`` exactly as written (httpx would normalise dot segments away)."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(
            f"GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode("latin-1")
        )
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    status = int(answer.split(b" ", 2)[1])
    return status, answer.partition(b"\r\n\r\n")[2]


def test_the_index_is_served_with_the_strict_policy(board: str) -> None:
    answer = httpx.get(f"{board}/booth/{ELECTION}/")
    assert answer.status_code == 200
    assert answer.content == (BOOTH_DIR / "index.html").read_bytes()
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "no-referrer"
    assert answer.headers["cache-control"] == "no-store"
    maps = re.findall(rb'<script type="importmap">(.*?)</script>', answer.content, re.S)
    assert maps, "the entry page has an import map"
    hashes = sorted(
        {f"'sha256-{base64.b64encode(hashlib.sha256(m).digest()).decode()}'" for m in maps}
    )
    policy = [d.strip() for d in answer.headers["content-security-policy"].split(";")]
    assert policy[0] == "default-src 'none'"
    script = next(d for d in policy if d.startswith("script-src ")).split()[1:]
    assert script[0] == "'self'"
    assert set(hashes) <= set(script[1:])
    assert "'unsafe-inline'" not in script
    assert "'unsafe-eval'" not in script
    assert {"style-src 'self'", "img-src 'self' data:", "connect-src 'self'", "base-uri 'none'",
            "form-action 'self'", "frame-ancestors 'none'"} <= set(policy)  # fmt: skip


def test_every_served_file_is_served_byte_for_byte_with_its_type(board: str) -> None:
    paths = served_paths()
    assert "index.html" in paths
    assert any(p.startswith("js/") for p in paths)
    assert any(p.startswith("vendor/@noble/") for p in paths)
    assert not set(paths) & set(NOT_SERVED)
    with httpx.Client(timeout=60, base_url=f"{board}/booth/{ELECTION}/") as client:
        for path in paths:
            answer = client.get(path)
            assert answer.status_code == 200, path
            assert answer.content == (BOOTH_DIR / path).read_bytes(), path
            if path.endswith((".js", ".mjs")):
                assert answer.headers["content-type"] == "text/javascript; charset=utf-8"
            assert "content-security-policy" in answer.headers
            assert answer.headers["x-content-type-options"] == "nosniff"


def test_the_election_must_exist(board: str) -> None:
    redirect = httpx.get(f"{board}/booth/{ELECTION}")
    assert redirect.status_code == 308
    assert redirect.headers["location"] == f"/booth/{ELECTION}/"
    for election in ("nosuch", "bad%20id", ELECTION.upper(), "-"):
        answer = httpx.get(f"{board}/booth/{election}/")
        assert answer.status_code == 404, election
        assert answer.headers["content-type"].startswith("text/html")
        assert "There is no election" in answer.text


@pytest.mark.parametrize("path", NOT_SERVED)
def test_the_development_files_are_not_served(board: str, path: str) -> None:
    assert (BOOTH_DIR / path).exists()
    answer = httpx.get(f"{board}/booth/{ELECTION}/{path}")
    assert answer.status_code == 404
    assert "There is no such page." in answer.text


@pytest.mark.parametrize(
    "target",
    [
        f"/booth/{ELECTION}/../../pyproject.toml",
        f"/booth/{ELECTION}/%2e%2e/%2e%2e/pyproject.toml",
        f"/booth/{ELECTION}/js/../../README.md",
        f"/booth/{ELECTION}/js/..%2f..%2fREADME.md",
        f"/booth/{ELECTION}//etc/passwd",
        f"/booth/{ELECTION}/%2Fetc%2Fpasswd",
        f"/booth/{ELECTION}/js/",
        f"/booth/{ELECTION}/vendor",
        f"/booth/{ELECTION}/%00",
        f"/booth/{ELECTION}/index.html%00.js",
        f"/booth/{ELECTION}/%ff%fe",
        f"/booth/{ELECTION}/" + "a/" * 2000,
        f"/booth/{ELECTION}/.git/config",
        f"/booth/%2e%2e/{ELECTION}/index.html",
    ],
)
def test_odd_paths_are_refused_without_a_500(board: str, target: str) -> None:
    status, body = _raw_get(board, target)
    assert status in (400, 404, 414), (target, status)
    assert b"[project]" not in body
    assert b"# booth" not in body
    assert b"passwd" not in body or status == 404


def test_no_page_of_the_board_loads_another_origin(board: str) -> None:
    for path in ("/docs", "/redoc", "/docs/oauth2-redirect"):
        assert httpx.get(f"{board}{path}").status_code == 404, path
    assert httpx.get(f"{board}/openapi.json").status_code == 200
    front = httpx.get(f"{board}/")
    assert front.status_code == 200
    assert not re.search(r'(src|href)="(https?:)?//', front.text)


def test_the_booth_list_leaves_out_what_is_not_served(tmp_path: Path) -> None:
    for path in ("index.html", "js/a.js", "README.md", "js/README.md", "package.json",
                 "tests/x.html", "tools/t.py", "node_modules/m/i.js", ".hidden", "js/.swp",
                 "js/__pycache__/x.pyc"):  # fmt: skip
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("x")
    assert served_paths(tmp_path) == ["index.html", "js/README.md", "js/a.js"]
