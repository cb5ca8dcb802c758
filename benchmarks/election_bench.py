"""Election benchmark (issue #4): building a ballot, the board accepting ballots, and the demo
election by phase.

    .venv/bin/python benchmarks/election_bench.py [--db URL|sqlite] [--ballots 2000]
        [--clients 16] [--workers 2] [--demo-voters 10000] [--quick]

1. Build: median ms to encrypt, prove and sign one ballot in-process: a 10-candidate vote-for-1
   contest, and the demo's ballot (a ranking of up to 12 of 20 NEC candidates, a mayoral
   ranking, a 2-candidate youth seat, a yes/no referendum). Target <= 3 ms.
2. The board, for each of the two ballots: an election with that ballot is set up on a fresh
   database (``--db``: a PostgreSQL URL,
   default postgresql://postgres@127.0.0.1:5432/test, in which a fresh database is created and
   dropped; or ``sqlite``) by an in-process board on a simulated clock, with voting open now;
   then a real ``verivote board serve`` with ``--workers`` uvicorn workers (real clock) takes
   ballots built beforehand: median ms for one accepted ballot (one client, sequential), then
   ballots/s with ``--clients`` concurrent keep-alive HTTP clients. Target >= 400 ballots/s on
   PostgreSQL with 2 workers. Every ballot is checked in full (signature, every proof, the
   rules) and durably committed before the board answers.
3. The demo (``verivote demo``) at ``--demo-voters`` members, timed by phase (0 skips it): the
   tally's decryption, each trustee's mixes of the two ranked contests, their decryption and
   the result with its STV and IRV counts among them.

The machine's two cores are shared by the server, the load generator and anything else
running: figures are indicative.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final, NoReturn

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from board_bench import Server, _post_all, _row, _run, pg_create, pg_drop, print_results  # noqa: E402
from rich.console import Console  # noqa: E402

from bulletin_board.client import BoardClient  # noqa: E402
from bulletin_board.keyfile import load_or_create_board_key  # noqa: E402
from cli.demo import run_demo  # noqa: E402
from crypto.credentials import derive_credential_key  # noqa: E402
from simulation.boards import HttpBoard  # noqa: E402
from simulation.builder import ElectionBuilder, Member  # noqa: E402
from simulation.choices import random_choices  # noqa: E402
from simulation.plans import leader_plan, nec_choices, nec_plan  # noqa: E402
from simulation.served import SimulatedClock, served_board  # noqa: E402

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
BUILD_TARGET_MS = 3.0
ACCEPT_TARGET = 400.0
SHAPES: Final = {
    "simple": "a 10-candidate vote-for-1 ballot",
    "demo": "the demo's ballot (NEC and mayoral rankings, 2-candidate youth seat, yes/no)",
}


def _pg_or_sqlite(spec: str, work: Path, created: list[str]) -> tuple[str, str]:
    work.mkdir(parents=True, exist_ok=True)
    if spec == "sqlite":
        return "sqlite", f"sqlite:///{work / 'election.db'}"
    url = pg_create(spec)
    created.append(url)
    return "postgresql", url


@dataclasses.dataclass(frozen=True, slots=True)
class Prepared:
    """An election of one ballot shape, voting open now, and its members' ballots built."""

    db: str
    key_path: Path
    election: str
    ballots: list[bytes]
    build_ms: float


def prepare_ballots(db: str, work: Path, shape: str, count: int) -> Prepared:
    """Set up an election of ``shape`` (``simple``: one 10-candidate vote-for-1 contest, or
    ``demo``) on ``db`` with voting open now, by an in-process board on a simulated clock;
    build ``count`` members' ballots (timed: the median ms per ballot)."""
    key_path = work / "board.key"
    board_key = load_or_create_board_key(key_path)[0]
    t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(days=15, hours=12)
    rng = random.Random(1)
    if shape == "simple":
        plan, choose = leader_plan(start=t0, members=count), random_choices
    else:
        plan, choose = nec_plan(start=t0, members=count), nec_choices
    election = plan.election
    clock = SimulatedClock(plan.at(0))
    with (
        served_board(db, board_key, clock=clock, elections=[election]) as url,
        BoardClient(url, election) as client,
    ):
        builder = ElectionBuilder(plan, HttpBoard(client, clock.set), rng=rng)
        builder.prepare()
    params = builder.params
    built, times = [], []
    for member in builder.members:
        choices = choose(rng, params, member.style)
        started = time.perf_counter()
        credential = derive_credential_key(member.code, fingerprint=params.fingerprint)
        built.append(builder.ballot(Member(member.code, credential, member.style), choices))
        times.append((time.perf_counter() - started) * 1000)
    return Prepared(db, key_path, election, built, statistics.median(times))


def bench_board(args: argparse.Namespace, work: Path, created: list[str], shape: str) -> None:
    """Build an election's ballots (timed); post them to real servers."""
    label = SHAPES[shape]
    name, db = _pg_or_sqlite(args.db, work / shape, created)
    sequential = min(100, args.ballots // 5)
    prepared = prepare_ballots(db, work / shape, shape, args.ballots + sequential)
    election, built, ms = prepared.election, prepared.ballots, prepared.build_ms
    _row(f"build: {label}", f"median {ms:.2f} ms", "<= 3 ms", ms <= BUILD_TARGET_MS)
    server = Server(db, prepared.key_path, args.workers, rules="election")
    try:
        with httpx.Client(base_url=server.url, timeout=60) as http:
            latencies = []
            for raw in built[:sequential]:
                start = time.perf_counter()
                answer = http.post(
                    f"/v1/elections/{election}/entries",
                    content=raw,
                    headers={"content-type": "application/json"},
                )
                latencies.append((time.perf_counter() - start) * 1000)
                assert answer.status_code == 201, answer.text
        _row(
            f"board accepts one {shape} ballot, {name}, {args.workers} worker(s), sequential",
            f"median {statistics.median(latencies):.1f} ms",
        )
        bodies = built[sequential:]
        elapsed, failures = _run(_post_all(server.url, bodies, args.clients, election=election))
    finally:
        server.stop()
    rate = len(bodies) / elapsed
    target = name == "postgresql" and args.workers == 2
    _row(
        f"board accepts {shape} ballots, {name}, {args.workers} workers, {args.clients} clients",
        f"{rate:,.0f} ballots/s ({len(bodies)} in {elapsed:.1f} s, {failures} failed)",
        ">= 400/s" if target else "",
        (rate >= ACCEPT_TARGET and failures == 0) if target else None,
    )


def bench_demo(voters: int, work: Path) -> None:
    directory = work / "demo-run"
    directory.mkdir()
    quiet = Console(file=open(os.devnull, "w"))  # noqa: SIM115
    start = time.perf_counter()
    run = run_demo(voters, directory=directory, console=quiet, seed=1)
    total = time.perf_counter() - start
    for phase, seconds in run.phases.items():
        _row(f"demo at {voters:,}: {phase}", f"{seconds:.1f} s")
    _row(f"demo at {voters:,} voters, total", f"{total:.1f} s ({run.tree_size:,} leaves)")


class _Parser(argparse.ArgumentParser):
    """An argument parser whose mistakes are one line (no usage block)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see --help)\n")


def _at_least(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number, at least ``minimum``."""

    def count(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = minimum - 1
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be a whole number >= {minimum}, got {text!r}")
        return value

    return count


def main() -> None:
    parser = _Parser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--db",
        default=os.environ.get("VERIVOTE_TEST_DATABASE_URL", DEFAULT_PG),
        help="PostgreSQL URL (a fresh database is made in it) or 'sqlite'",
    )
    # At least 5 ballots: a fifth of them (at most 100) are timed one by one.
    parser.add_argument("--ballots", type=_at_least(5), default=2000)
    parser.add_argument("--clients", type=_at_least(1), default=16)
    parser.add_argument("--workers", type=_at_least(1), default=2)
    parser.add_argument(
        "--skip-board", action="store_true", help="skip the build and board measures: only the demo"
    )
    parser.add_argument("--demo-voters", type=_at_least(0), default=10_000, help="0 skips the demo")
    parser.add_argument("--quick", action="store_true", help="--ballots 500 --demo-voters 1000")
    args = parser.parse_args()
    if args.skip_board and args.demo_voters == 0:
        parser.error("nothing to measure: --skip-board with --demo-voters 0")
    if args.quick:
        args.ballots, args.demo_voters = 500, min(args.demo_voters, 1000)
    work = Path(tempfile.mkdtemp(prefix="election-bench-"))
    created: list[str] = []
    try:
        shapes: dict[str, str] = {} if args.skip_board else dict(SHAPES)
        for shape, label in shapes.items():
            print(f"{label}: build, then the board ({args.db}):")
            bench_board(args, work, created, shape)
        if args.demo_voters:
            print(f"the demo at {args.demo_voters:,} voters:")
            bench_demo(args.demo_voters, work)
    finally:
        for url in created:
            pg_drop(args.db, url)
        shutil.rmtree(work, ignore_errors=True)
    print_results(52, 10)


if __name__ == "__main__":
    main()
