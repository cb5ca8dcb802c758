"""Bulletin board benchmark (issues #3, #14): durable appends/s over HTTP, fully-checked ballots/s
and their latency, proof latency at 1,000,000 entries, export throughput, and the fsync bound of
each database.

    .venv/bin/python benchmarks/board_bench.py [--pg URL] [--entries 4000] [--size 1000000]
        [--ballots 2000] [--paced-seconds 5] [--skip-appends] [--skip-ballots] [--skip-proofs]
    .venv/bin/python benchmarks/board_bench.py --grow [--pg URL] [--grow-rounds 10]
        [--grow-round 10000]

Growth (``--grow``, only that; benchmarks/board_grow.py): the append rate of one election as
its log grows, round by round, on PostgreSQL (``--pg``) or SQLite; target: the last round's
rate >= 0.8 x the first's.

Ballots (issue #14 item 1): for each paper (a 10-candidate vote-for-1 contest, and the demo's:
NEC and mayoral rankings, a 2-candidate youth seat, a yes/no referendum) and each database, an
election is set up with voting open now (benchmarks/election_bench.py ``prepare_ballots``) and a
real ``verivote board serve --workers 2`` takes the members' ballots, each checked in full
(signature, every proof, every rule) and durably committed before the answer: ``--ballots`` of
them as fast as ``--clients`` keep-alive connections post them (target >= 400/s on
PostgreSQL), then ``--paced-seconds`` of them sent at 300/s on a fixed schedule (open loop: a
ballot's latency runs from its scheduled time, so a board that falls behind is charged for the
queue), p99 target <= 250 ms on PostgreSQL. The CPU the server's processes used per ballot of
the burst is printed too: on a shared machine it is what the board costs, whatever else runs,
and 2 cores divided by it bounds the rate on an idle machine.

Appends: real ``verivote board serve`` processes (1 worker, and 2 with their writer) on a fresh
SQLite file and, with ``--pg`` (default: $VERIVOTE_TEST_DATABASE_URL), a fresh PostgreSQL database;
entries are pre-signed Ed25519 ``note`` entries, which the board parses, signature-checks and
commits durably before answering; ``--clients`` keep-alive connections post concurrently.

Proofs: a log of ``--size`` entries is built with ``Board.unsafe_bulk_append`` (the documented
bulk path: same leaves, nodes and tree heads, no stateful rules; one tree head per 20,000
entries), then served by a real server; inclusion and consistency proofs are requested over
HTTP one at a time, at random indices and published sizes.

The machine's two cores are shared by the server, the load generator and anything else
running: figures are indicative.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

import httpx
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bulletin_board.keyfile import load_or_create_board_key  # noqa: E402
from bulletin_board.log import Board  # noqa: E402
from bulletin_board.rules import generic_rules  # noqa: E402
from bulletin_board.storage import Storage  # noqa: E402
from bulletin_board.wire import sign_entry  # noqa: E402
from crypto.signing import SigningKey  # noqa: E402

VERIVOTE = str(Path(sys.executable).parent / "verivote")
ELECTION = "bench"
ADMIN = SigningKey(bytes(range(32)))
RESULTS: list[tuple[str, str, str, str]] = []


def _row(what: str, value: str, target: str = "", ok: bool | None = None) -> None:
    verdict = "" if ok is None else ("PASS" if ok else "FAIL")
    RESULTS.append((what, value, target, verdict))
    print(f"  {what}: {value} {target} {verdict}", flush=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, db: str, key: Path, workers: int, *, rules: str = "generic") -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [VERIVOTE, "board", "serve", "--db", db, "--key", str(key), "--port",
             str(self.port), "--workers", str(workers), "--write-rate", "0",
             "--create-election", ELECTION, "--rules", rules],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/v1/elections", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("server did not start")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def _entries(n: int, tag: str) -> list[bytes]:
    return [
        sign_entry(election=ELECTION, type="note", role="administrator",
                   payload={"tag": tag, "n": i}, key=ADMIN)
        for i in range(n)
    ]  # fmt: skip


# --- a minimal keep-alive HTTP/1.1 client (httpx costs more CPU than the server) -------------


async def _post_entry(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, election: str, body: bytes
) -> bool:
    """Post one entry on a keep-alive connection and read the whole answer: was it accepted?"""
    writer.write(
        b"POST /v1/elections/%s/entries HTTP/1.1\r\nHost: b\r\n"
        b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
        % (election.encode(), len(body), body)
    )
    status = await reader.readline()
    length = 0
    while (line := await reader.readline()) not in (b"\r\n", b""):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    await reader.readexactly(length)
    return status.startswith(b"HTTP/1.1 201")


async def _post_all(
    url: str, bodies: list[bytes], clients: int, *, election: str = ELECTION
) -> tuple[float, int]:
    host, port = url.removeprefix("http://").split(":")
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    failures = 0

    async def worker() -> None:
        nonlocal failures
        reader, writer = await asyncio.open_connection(host, int(port))
        while True:
            try:
                body = queue.get_nowait()
            except asyncio.QueueEmpty:
                break
            if not await _post_entry(reader, writer, election, body):
                failures += 1
        writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    return time.perf_counter() - start, failures


async def _post_paced(
    url: str, bodies: list[bytes], rate: float, connections: int, *, election: str
) -> tuple[list[float], int]:
    """Post ``bodies`` at ``rate`` a second on a fixed schedule over ``connections`` keep-alive
    connections; each one's latency (ms) from its scheduled time to its answer, and failures."""
    host, port = url.removeprefix("http://").split(":")
    queue: asyncio.Queue[tuple[int, bytes]] = asyncio.Queue()
    for item in enumerate(bodies):
        queue.put_nowait(item)
    latencies: list[float] = []
    failures = 0
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.1

    async def worker() -> None:
        nonlocal failures
        reader, writer = await asyncio.open_connection(host, int(port))
        while True:
            try:
                i, body = queue.get_nowait()
            except asyncio.QueueEmpty:
                break
            scheduled = start + i / rate
            await asyncio.sleep(max(0.0, scheduled - loop.time()))
            accepted = await _post_entry(reader, writer, election, body)
            latencies.append((loop.time() - scheduled) * 1000)
            if not accepted:
                failures += 1
        writer.close()

    await asyncio.gather(*(worker() for _ in range(connections)))
    return latencies, failures


def _run(coroutine: Any) -> Any:
    try:
        import uvloop

        return uvloop.run(coroutine)
    except ImportError:
        return asyncio.run(coroutine)


def bench_appends(name: str, db: str, key: Path, workers: int, n: int, clients: int) -> float:
    server = Server(db, key, workers)
    try:
        warm = _entries(200, f"warm-{name}-{workers}")
        _run(_post_all(server.url, warm, clients))
        bodies = _entries(n, f"{name}-{workers}")
        elapsed, failures = _run(_post_all(server.url, bodies, clients))
        assert isinstance(elapsed, float)
    finally:
        server.stop()
    rate = n / elapsed
    target = name == "postgresql" and workers == 2
    _row(
        f"appends/s {name}, {workers} worker(s), {clients} clients",
        f"{rate:,.0f}/s ({failures} failed)",
        ">= 1,000/s" if target else "",
        (rate >= 1000 and failures == 0) if target else (False if failures else None),
    )
    return rate


# --- fully-checked ballots (issue #14 item 1) ---------------------------------------------------

BALLOT_TARGET: Final = 400.0
PACED_RATE: Final = 300.0
P99_TARGET_MS: Final = 250.0
PAPERS: Final = {"simple": "10-candidate vote-for-1", "demo": "the demo's paper"}


def bench_ballots(name: str, db: str, work: Path, shape: str, args: argparse.Namespace) -> None:
    """Ballots/s and paced latency for one paper on one database (see the module docstring)."""
    from election_bench import prepare_ballots

    paced = int(PACED_RATE * args.paced_seconds)
    prepared = prepare_ballots(db, work, shape, args.ballots + paced)
    burst, rest = prepared.ballots[: args.ballots], prepared.ballots[args.ballots :]
    server = Server(db, prepared.key_path, 2, rules="election")
    try:
        cpu = _tree_cpu(server.proc.pid)
        elapsed, failures = _run(
            _post_all(server.url, burst, args.clients, election=prepared.election)
        )
        cpu = _tree_cpu(server.proc.pid) - cpu
        latencies, late_failures = _run(
            _post_paced(server.url, rest, PACED_RATE, args.clients, election=prepared.election)
        )
    finally:
        server.stop()
    target = name == "postgresql"
    rate = len(burst) / elapsed
    _row(
        f"ballots/s, {PAPERS[shape]}, {name}, 2 workers, {args.clients} clients",
        f"{rate:,.0f}/s ({len(burst)} in {elapsed:.1f} s, {failures} failed)",
        f">= {BALLOT_TARGET:,.0f}/s" if target else "",
        (rate >= BALLOT_TARGET and failures == 0) if target else (False if failures else None),
    )
    _row(
        f"server CPU per ballot, {PAPERS[shape]}, {name} (all its processes)",
        f"{cpu * 1000 / len(burst):.2f} ms (2 cores: at most {2 * len(burst) / cpu:,.0f}/s)",
    )
    times = sorted(latencies)
    p99 = times[max(0, int(len(times) * 0.99) - 1)]
    _row(
        f"ballot latency at {PACED_RATE:,.0f}/s, {PAPERS[shape]}, {name}, 2 workers",
        f"p99 {p99:.0f} ms, median {statistics.median(times):.0f} ms "
        f"({len(times)} ballots, {late_failures} failed)",
        f"p99 <= {P99_TARGET_MS:,.0f} ms" if target else "",
        (p99 <= P99_TARGET_MS and late_failures == 0)
        if target
        else (False if late_failures else None),
    )


def _tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by process ``pid`` and its descendants (Linux):
    on a shared machine, what the server costs, whatever else runs."""
    tick = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = {}
    used: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # exited meanwhile
        children.setdefault(int(fields[1]), []).append(int(entry.name))
        used[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        total += used.get(current, 0.0)
        todo += children.get(current, [])
    return total


# --- the writer alone --------------------------------------------------------------------------


def writer_rate(db: str, key: Path, batch: int, n: int) -> float:
    """Board.append in-process (no HTTP): the bound the single writer per election sets."""
    board = Board(Storage.open(db, migrate=True), load_or_create_board_key(key)[0],
                  generic_rules())  # fmt: skip
    board.create_election(ELECTION, exist_ok=True)
    entries = [board.rules.precheck(r, election=ELECTION, max_bytes=4096)
               for r in _entries(n, "writer")]  # fmt: skip
    start = time.perf_counter()
    for i in range(0, n, batch):
        board.append(ELECTION, entries[i : i + batch])
    rate = n / (time.perf_counter() - start)
    board.storage.close()
    return rate


# --- fsync bound -----------------------------------------------------------------------------


def commit_rate(db: str, seconds: float = 3.0) -> float:
    """Durable single-row commits per second: the bound on sequential group commits."""
    storage = Storage.open(db, migrate=True)
    engine = storage._write
    with engine.begin() as c:
        c.exec_driver_sql("CREATE TABLE IF NOT EXISTS bench_fsync (n INTEGER)")
    count = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        with engine.begin() as c:
            c.exec_driver_sql("INSERT INTO bench_fsync VALUES (1)")
        count += 1
    rate = count / (time.perf_counter() - start)
    storage.close()
    return rate


# --- a large log -----------------------------------------------------------------------------


def build_log(db: str, key: Path, size: int) -> None:
    board = Board(Storage.open(db, migrate=True), load_or_create_board_key(key)[0],
                  generic_rules())  # fmt: skip
    board.create_election(ELECTION, exist_ok=True)
    rules = board.rules
    chunk = 20_000
    start = time.perf_counter()
    done = board.storage.size(ELECTION)
    while done < size:
        n = min(chunk, size - done)
        raws = _entries_range(done, n)
        entries = [rules.precheck(r, election=ELECTION, max_bytes=4096, verify=False)
                   for r in raws]  # fmt: skip
        board.unsafe_bulk_append(ELECTION, entries)
        done += n
        print(f"    built {done:,} leaves ({time.perf_counter() - start:.0f} s)", flush=True)
    board.storage.close()


def _entries_range(start: int, n: int) -> list[bytes]:
    return [
        sign_entry(election=ELECTION, type="note", role="administrator",
                   payload={"bulk": start + i}, key=ADMIN)
        for i in range(n)
    ]  # fmt: skip


def _latencies(client: httpx.Client, make: Callable[[], str], count: int) -> list[float]:
    times = []
    for _ in range(count):
        path = make()
        t = time.perf_counter()
        r = client.get(path)
        times.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, r.text
    return times


def bench_proofs(name: str, db: str, key: Path, size: int, count: int) -> None:
    server = Server(db, key, 1)
    base = f"/v1/elections/{ELECTION}"
    try:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            final = client.get(f"{base}/sth").json()["tree_size"]
            published = list(range(20_001, final, 20_000)) or [1]
            rng = random.Random(1)
            for label, make in (
                ("inclusion", lambda: f"{base}/proof/inclusion?tree_size={final}"
                 f"&index={rng.randrange(final)}"),
                ("consistency", lambda: f"{base}/proof/consistency?first="
                 f"{rng.choice(published)}&second={final}"),
            ):  # fmt: skip
                _latencies(client, make, 20)  # warm up
                times = sorted(_latencies(client, make, count))
                median = statistics.median(times)
                p99 = times[int(len(times) * 0.99) - 1]
                _row(
                    f"{label} proof at {final:,} entries, {name} (HTTP)",
                    f"median {median:.2f} ms, p99 {p99:.2f} ms",
                    "median <= 10 ms",
                    median <= 10,
                )
            t = time.perf_counter()
            total = 0
            with client.stream("GET", f"{base}/export") as r:
                for chunk in r.iter_bytes():
                    total += len(chunk)
            elapsed = time.perf_counter() - t
            _row(
                f"export of {final:,} entries, {name}",
                f"{total / elapsed / 2**20:,.1f} MiB/s, {final / elapsed:,.0f} leaves/s "
                f"({total / 2**20:,.0f} MiB in {elapsed:.1f} s)",
            )
    finally:
        server.stop()


# --- PostgreSQL databases --------------------------------------------------------------------


def _pg_admin(url: str) -> sa.Engine:
    return sa.create_engine(
        url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )


def pg_create(url: str) -> str:
    name = f"verivote_bench_{secrets.token_hex(4)}"
    with _pg_admin(url).connect() as c:
        c.exec_driver_sql(f'CREATE DATABASE "{name}"')
    return sa.engine.make_url(url).set(database=name).render_as_string(hide_password=False)


def pg_drop(admin_url: str, url: str) -> None:
    name = sa.engine.make_url(url).database
    with _pg_admin(admin_url).connect() as c:
        c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pg", default=os.environ.get("VERIVOTE_TEST_DATABASE_URL"))
    parser.add_argument("--entries", type=int, default=4000)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--proofs", type=int, default=300)
    parser.add_argument("--large-log-on", choices=["sqlite", "postgresql", "both"],
                        default="sqlite")  # fmt: skip
    parser.add_argument("--ballots", type=int, default=2000)
    parser.add_argument("--paced-seconds", type=float, default=5.0)
    parser.add_argument("--papers", choices=["simple", "demo", "both"], default="both")
    parser.add_argument("--skip-appends", action="store_true")
    parser.add_argument("--skip-ballots", action="store_true")
    parser.add_argument("--skip-fsync", action="store_true", help="skip the fsync and writer")
    parser.add_argument("--skip-proofs", action="store_true")
    parser.add_argument("--grow", action="store_true", help="only the rate as the log grows")
    parser.add_argument("--grow-rounds", type=int, default=10)
    parser.add_argument("--grow-round", type=int, default=10_000)
    args = parser.parse_args()
    if args.grow:
        main_grow(args)
        return
    if args.skip_appends and args.skip_ballots and args.skip_fsync and args.skip_proofs:
        parser.exit(2, "board_bench: nothing to measure: every measure is skipped\n")
    work = Path(tempfile.mkdtemp(prefix="board-bench-"))
    key = work / "board.key"
    created: list[str] = []
    try:
        backends: list[tuple[str, Callable[[str], str]]] = [
            ("sqlite", lambda tag: str(work / f"{tag}.db"))
        ]
        if args.pg:
            backends.append(("postgresql", lambda tag: _remember(pg_create(args.pg), created)))
        if not args.skip_fsync:
            print("fsync bound (durable single-row commits/s, one writer):")
            for name, fresh in backends:
                _row(f"commits/s {name}", f"{commit_rate(fresh('fsync')):,.0f}/s")
            print("the writer alone (Board.append in-process, batches of 64, no HTTP):")
            for name, fresh in backends:
                rate = writer_rate(fresh("writer"), key, 64, 3200)
                _row(f"writer appends/s {name}", f"{rate:,.0f}/s")
        if not args.skip_appends:
            print("durable appends through the HTTP API:")
            for name, fresh in backends:
                for workers in (1, 2):
                    bench_appends(name, fresh(f"a{workers}"), key, workers, args.entries,
                                  args.clients)  # fmt: skip
        if not args.skip_ballots:
            papers = list(PAPERS) if args.papers == "both" else [args.papers]
            print("fully-checked ballots through the HTTP API (2 workers):")
            for shape in papers:
                for name, fresh in backends:
                    folder = work / f"ballots-{shape}-{name}"
                    folder.mkdir()
                    bench_ballots(name, fresh(f"ballots-{shape}"), folder, shape, args)
        if not args.skip_proofs:
            for name, fresh in backends:
                if args.large_log_on not in (name, "both"):
                    continue
                print(f"building a {args.size:,}-entry log on {name} (bulk path):")
                db = fresh("large")
                build_log(db, key, args.size)
                bench_proofs(name, db, key, args.size, args.proofs)
    finally:
        for url in created:
            pg_drop(args.pg, url)
        shutil.rmtree(work, ignore_errors=True)
    print_results()


def main_grow(args: argparse.Namespace) -> None:
    """``--grow``: the append rate at the log's smallest and largest sizes (board_grow.py)."""
    from board_grow import GROW_TARGET, grow

    work = Path(tempfile.mkdtemp(prefix="board-grow-"))
    db = pg_create(args.pg) if args.pg else str(work / "grow.db")
    name = "postgresql" if args.pg else "sqlite"
    size = args.grow_rounds * args.grow_round
    print(f"the append rate as one election's log grows to {size:,} leaves ({name}):")
    try:
        first, last = grow(db, work / "board.key", args.grow_rounds, args.grow_round,
                           _entries_range)  # fmt: skip
    finally:
        if args.pg:
            pg_drop(args.pg, db)
        shutil.rmtree(work, ignore_errors=True)
    _row(
        f"appends/s at {size:,} leaves vs at {args.grow_round:,}, {name}",
        f"{last:,.0f}/s vs {first:,.0f}/s ({last / first:.2f} x)",
        f">= {GROW_TARGET} x",
        last >= GROW_TARGET * first,
    )
    print_results()


def print_results(result_width: int = 48, target_width: int = 16) -> None:
    """The table of every figure measured, with its target and verdict."""
    if not RESULTS:
        print("\nno figure was measured")
        return
    width = max(len(r[0]) for r in RESULTS)
    print()
    print(f"{'measure':<{width}}  {'result':<{result_width}}  {'target':<{target_width}}  verdict")
    for what, value, target, verdict in RESULTS:
        print(f"{what:<{width}}  {value:<{result_width}}  {target:<{target_width}}  {verdict}")


def _remember(url: str, created: list[str]) -> str:
    created.append(url)
    return url


if __name__ == "__main__":
    main()
