"""The write rate limit (issue 16 item 4): one limit across the workers of ``verivote board
serve``, and X-Forwarded-For trusted only from the proxies the operator names.

The process tests run a real ``board serve`` with 2 workers on 127.0.0.1. Each worker listens on
a socket of its own (SO_REUSEPORT): to send to one worker, a test opens connections until that
worker accepted enough of them (/proc tells which process holds each), and checks which answered
each request: with one bucket per worker, the second worker would accept a fresh burst.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from bulletin_board.ratelimit import PROBES, SLOTS, WriteRateLimiter, create_rate_file
from tests.board.server import BoardServer

BURST = 6


# --- the table, in process ----------------------------------------------------------------------


def test_two_limiters_over_one_file_share_each_bucket(tmp_path: Path) -> None:
    path = tmp_path / "rate"
    create_rate_file(path)
    assert path.stat().st_mode & 0o777 == 0o600
    first = WriteRateLimiter(0.001, 3, path=path)
    second = WriteRateLimiter(0.001, 3, path=path)
    try:
        assert [first.allow("10.0.0.1"), second.allow("10.0.0.1"), first.allow("10.0.0.1")] == [
            True,
            True,
            True,
        ]
        assert not second.allow("10.0.0.1")
        assert not first.allow("10.0.0.1")
        assert second.allow("10.0.0.2")  # another address, another bucket
    finally:
        first.close()
        second.close()


def test_a_process_of_its_own_keeps_its_own_table() -> None:
    one, other = WriteRateLimiter(0.001, 1), WriteRateLimiter(0.001, 1)
    assert one.allow("a")
    assert not one.allow("a")
    assert other.allow("a")


def test_buckets_refill_at_the_rate() -> None:
    limiter = WriteRateLimiter(1e9, 2)
    assert all(limiter.allow("a") for _ in range(100))  # refilled between calls
    assert all(WriteRateLimiter(0, 1).allow("a") for _ in range(10))  # rate 0: no limit


def test_a_full_probe_window_reuses_the_slot_refilled_longest_ago() -> None:
    """Fill every slot a client's digest can reach, then that client still gets a bucket."""
    limiter = WriteRateLimiter(0.001, 1)
    clients = [f"10.0.{i // 256}.{i % 256}" for i in range(4 * SLOTS)]
    for client in clients:
        assert limiter.allow(client)
    # The table holds at most SLOTS buckets: some early clients were forgotten (a fresh bucket),
    # the last PROBES are still there (empty).
    assert not any(limiter.allow(client) for client in clients[-PROBES:])
    assert any(limiter.allow(client) for client in clients[:PROBES])


def test_a_table_of_the_wrong_size_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "rate"
    path.write_bytes(b"\0" * 100)
    with pytest.raises(ValueError, match="not a rate-limit table"):
        WriteRateLimiter(1, 1, path=path)


# --- a real board serve with 2 workers ----------------------------------------------------------


def _group(pgid: int) -> list[int]:
    pids = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                stat = Path(f"/proc/{name}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[2]) == pgid:
                pids.append(int(name))
    return pids


def _workers(server: BoardServer) -> list[int]:
    """The worker processes: those listening on the board's port (each its own socket, with
    SO_REUSEPORT; the writer process listens on none)."""
    listening = {
        fields[9]
        for fields in (line.split() for line in _tcp_lines())
        if int(fields[1].split(":")[1], 16) == server.port and fields[3] == "0A"
    }
    return sorted({pid for inode, pid in _sockets(server).items() if inode in listening})


def _tcp_lines() -> list[str]:
    lines = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if Path(table).exists():
            lines += Path(table).read_text().splitlines()[1:]
    return lines


def _sockets(server: BoardServer) -> dict[str, int]:
    """Socket inode -> the pid of the board's process holding it."""
    inodes: dict[str, int] = {}
    for pid in _group(server.process.pid):
        try:
            links = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
        except OSError:
            continue
        inodes.update({link[8:-1]: pid for link in links if link.startswith("socket:[")})
    return inodes


def _holders(server: BoardServer) -> dict[int, int]:
    """Client port -> the pid of the process holding that connection to the board."""
    inodes = _sockets(server)
    holders = {}
    for fields in (line.split() for line in _tcp_lines()):
        local, remote, inode = fields[1], fields[2], fields[9]
        if int(local.split(":")[1], 16) == server.port and inode in inodes:
            holders[int(remote.split(":")[1], 16)] = inodes[inode]
    return holders


def _connect_to(worker: int, server: BoardServer, n: int) -> list[socket.socket]:
    """``n`` connections that ``worker`` accepted: the kernel spreads connections over the
    workers' sockets, so open them until enough landed on it (closing the others unused)."""
    kept: list[socket.socket] = []
    for _ in range(50 * n):
        if len(kept) == n:
            return kept
        c = socket.create_connection(("127.0.0.1", server.port), timeout=30)
        port = c.getsockname()[1]
        for _ in range(200):
            holder = _holders(server).get(port)
            if holder is not None:
                break
            threading.Event().wait(0.01)  # polling for the accept, not synchronising on time
        if holder == worker:
            kept.append(c)
        else:
            c.close()
    raise AssertionError(f"worker {worker} accepted too few connections")


def _posts(
    server: BoardServer, n: int, worker: int, forwarded: list[str] | None = None
) -> list[tuple[int, int]]:
    """``n`` POSTs of an empty object to ``worker``, each on its own connection, sent together:
    their statuses and the pid that answered each. The limit is taken before the body is read,
    so a refused body spends a token as an entry would."""
    connections = _connect_to(worker, server, n)
    answers = []
    try:
        for i, c in enumerate(connections):
            header = f"X-Forwarded-For: {forwarded[i]}\r\n" if forwarded else ""
            c.sendall(
                b"POST /v1/elections/e1/entries HTTP/1.1\r\nHost: board\r\n"
                b"Content-Type: application/json\r\nContent-Length: 2\r\n"
                + header.encode() + b"\r\n{}"
            )  # fmt: skip
        statuses = [int(c.makefile("rb").readline().split()[1]) for c in connections]
        holders = _holders(server)
        pids = [holders[c.getsockname()[1]] for c in connections]
        answers = list(zip(statuses, pids, strict=True))
    finally:
        for c in connections:
            c.close()
    return answers


@pytest.fixture
def board(tmp_path: Path) -> Iterator[BoardServer]:
    limits = ("--write-burst", str(BURST))
    server = BoardServer(
        f"sqlite:///{tmp_path / 'board.db'}", tmp_path / "board.key", workers=2,
        write_rate=0.001, options=limits,
    )  # fmt: skip
    try:
        yield server
    finally:
        server.kill()


@pytest.mark.slow
def test_the_limit_holds_across_workers(board: BoardServer) -> None:
    first, second = _workers(board)
    answers = _posts(board, BURST, first)
    assert answers == [(400, first)] * BURST  # a burst spent on the first worker
    answers = _posts(board, 3, second)
    assert answers == [(429, second)] * 3  # the second worker shares the empty bucket


@pytest.mark.slow
def test_a_spoofed_forwarded_header_does_not_reset_the_bucket(board: BoardServer) -> None:
    first, second = _workers(board)
    assert [s for s, _ in _posts(board, BURST, first)] == [400] * BURST
    for worker in (first, second):
        spoofed = [f"203.0.113.{i}" for i in range(4)] + ["127.0.0.2", "::1"]
        answers = _posts(board, len(spoofed), worker, forwarded=spoofed)
        assert answers == [(429, worker)] * len(spoofed)


@pytest.mark.slow
def test_a_named_proxy_is_trusted_for_the_client_address(tmp_path: Path) -> None:
    """With --forwarded-allow-ips 127.0.0.1, each forwarded client has its own bucket, shared by
    the workers; a client behind the proxy cannot escape its own by naming another hop."""
    options = ("--write-burst", "2", "--forwarded-allow-ips", "10.9.9.9, 127.0.0.1/32")
    with BoardServer(
        f"sqlite:///{tmp_path / 'board.db'}", tmp_path / "board.key", workers=2,
        write_rate=0.001, options=options,
    ) as server:  # fmt: skip
        first, second = _workers(server)
        answers = _posts(server, 3, first, forwarded=["198.51.100.7"] * 3)
        assert [s for s, _ in answers] == [400, 400, 429]
        answers = _posts(server, 3, second, forwarded=["198.51.100.7", "198.51.100.8", "192.0.2.1"])
        assert [s for s, _ in answers] == [429, 400, 400]
        # The proxy appends the address it saw: the spoofed hop on the left is ignored.
        answers = _posts(server, 1, second, forwarded=["192.0.2.99, 198.51.100.7"])
        assert [s for s, _ in answers] == [429]


def test_serve_refuses_a_proxy_that_is_not_an_address(tmp_path: Path) -> None:
    import subprocess

    from tests.board.server import VERIVOTE

    for value in ("*", "proxy.example", ""):
        done = subprocess.run(
            [VERIVOTE, "board", "serve", "--db", str(tmp_path / "b.db"), "--key",
             str(tmp_path / "b.key"), "--forwarded-allow-ips", value],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert done.returncode == 2, done.stderr
        assert "is not an IP address or network" in done.stderr
        assert "Traceback" not in done.stderr
