"""The scale run (issue 14 item 4): the NEC-style election of an N-member organisation, end to
end, through the simulation builder over HTTP.

    .venv/bin/python benchmarks/scale_bench.py --members 400000 [--db URL|sqlite]
        [--turnout 0.3] [--revotes 0.05] [--audits 20] [--processes 4] [--senders 64]
        [--jobs 2] [--board-workers 2] [--trustee-jobs 1]

The election is ``simulation.plans.nec_plan`` (the demo's): the NEC by Scottish STV (9 seats,
at least 5 women, 20 candidates), a youth seat voted by the youth section (15 % of the roll), a
rule-change referendum and a mayoral primary by IRV; trustees 3 of 5, trustees 3 and 5 absent
at the count. A board on ``--db`` (a PostgreSQL URL, in which a fresh database is created and
dropped at the end; or ``sqlite``) is served over HTTP on 127.0.0.1 as ``verivote board serve
--workers N`` serves it (one writer process appending for ``--board-workers`` HTTP worker
processes, N >= 2; 0: a thread of this process) on a simulated clock (the timetable's weeks
pass in seconds); every entry is signed, posted over HTTP, checked by the board's rules and
acknowledged with a checked receipt. The members' devices are ``--processes`` processes, each
with ``--senders`` ballots in flight (a crowd of members voting at once: the board checks
concurrent ballots' proofs in one batch and commits them in one group). The trustees' mixes
and list decryptions run on ``--trustee-jobs`` processes. Phases, each timed:

1. definition, nominations, candidate lists; 2. the 3-of-5 key ceremony; 3. N credentials
issued and published; 4. ``--turnout`` of the members cast over HTTP (``--processes`` device
processes build and post them), ``--revotes`` of them revote, ``--audits`` ballots are audited
(Benaloh challenge); 5. the tally and its 3-of-5 decryption; 6. three mixes of each ranked
contest (NEC, mayor) and their decryption; 7. the result (the STV and IRV counts); 8. the
export; 9. ``verivote verify`` of the export (``--jobs`` processes); 10. one member's receipt
check through the board's credential index (spec §11.15) against the full fold of the log,
and a ``credentials check`` of a named credential and of one the log does not name (its
absence proved): bytes downloaded and time.

Prints a table: each phase's wall time, the peak resident memory of this process (the
builder; the board too with ``--board-workers 0``) and of its largest child process that has
ended (devices, trustees' and verifier workers; the board's workers once the board stops,
before the verification), the CPU seconds each phase took by whom (this process, the builder;
the board's writer and workers; the other child processes once ended: devices, trustees' jobs,
the verifier's workers; PostgreSQL's backends), the export's size; and
the total (without the receipt check's comparison, a measure beside the election, in
parentheses) against the target of 15 minutes at 400,000 members (the figure is PASS/FAIL only at
400,000 or more; smaller runs show how each phase grows). The machine's two cores are shared
by the board, the builder's devices and anything else running: figures are indicative.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from board_bench import pg_create, pg_drop  # noqa: E402

from bulletin_board.client import BoardClient  # noqa: E402
from bulletin_board.credential_index import judge  # noqa: E402
from bulletin_board.keyfile import load_or_create_board_key  # noqa: E402
from cli._common import progress  # noqa: E402
from cli.receipt import read_receipt, write_receipt  # noqa: E402
from crypto.merkle import verify_consistency, verify_inclusion  # noqa: E402
from crypto.signing import SigningKey  # noqa: E402
from election.wire import (  # noqa: E402
    ContestResult,
    RankedContestResult,
    parse_receipt_file,
)
from simulation.boards import HttpBoard  # noqa: E402
from simulation.builder import ElectionBuilder  # noqa: E402
from simulation.plans import nec_choices, nec_plan  # noqa: E402
from simulation.served import (  # noqa: E402
    SharedClock,
    SimulatedClock,
    served_board,
    served_board_processes,
)
from verifier import verify_source  # noqa: E402

DEFAULT_PG: Final = "postgresql://postgres@127.0.0.1:5432/test"
TARGET_S: Final = 15 * 60
TARGET_MEMBERS: Final = 400_000


class _CountingClient(BoardClient):
    """A board client that counts the bytes of the answers it reads."""

    received: int = 0
    requests: int = 0

    def _request(self, method: str, path: str, *, what: str, **kwargs: Any) -> httpx.Response:
        response = super()._request(method, path, what=what, **kwargs)
        self.received += len(response.content)
        self.requests += 1
        return response


def _rss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


_TICK: Final = os.sysconf("SC_CLK_TCK")


def _proc_cpu(pid: int) -> tuple[int, str, float] | None:
    """A live process's parent, command name and CPU seconds (user + system), from /proc."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    name = stat[stat.index("(") + 1 : stat.rindex(")")]
    fields = stat[stat.rindex(")") + 2 :].split()
    return int(fields[1]), name, (int(fields[11]) + int(fields[12])) / _TICK


class _CpuMeter:
    """CPU seconds by whom, read at each phase's start and end (Linux /proc): this process (the
    builder: administrator, trustees, the devices' orchestration), the board's processes (its
    writer and workers, the processes alive when ``board_started`` is called), PostgreSQL's
    backends, and the other child processes once they have ended (the members' devices, the
    trustees' jobs, the verifier's workers; ``RUSAGE_CHILDREN``). A process that ends inside a
    phase keeps the last value read (a board or PostgreSQL process is read at every phase's
    bounds); the board's CPU moves to the children's count when it stops, between phases."""

    def __init__(self) -> None:
        self.board: set[int] = set()
        self.seen: dict[int, float] = {}

    def board_started(self) -> None:
        self.board = self._descendants()

    def _descendants(self) -> set[int]:
        parents = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit() and (read := _proc_cpu(int(entry))) is not None:
                parents[int(entry)] = read[0]
        found: set[int] = set()
        frontier = {os.getpid()}
        while frontier:
            frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
            found |= frontier
        return found

    def read(self) -> dict[str, float]:
        """Cumulative CPU seconds: builder, board, others (ended children), postgres."""
        board = postgres = 0.0
        for entry in os.listdir("/proc"):
            if not entry.isdigit() or (read := _proc_cpu(int(entry))) is None:
                continue
            pid, (_, name, cpu) = int(entry), read
            if pid in self.board or name == "postgres":
                self.seen[pid] = cpu
        for pid, cpu in self.seen.items():
            if pid in self.board:
                board += cpu
            else:
                postgres += cpu
        own, children = (
            resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
        )
        return {
            "builder": own.ru_utime + own.ru_stime,
            "board": board,
            "others": children.ru_utime + children.ru_stime,
            "postgres": postgres,
        }


class _Phases:
    """Each phase's wall time and peak memory (this process; its children)."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, float, float, float, str, str]] = []
        self.start = time.perf_counter()
        self.extra = 0.0
        self.cpu = _CpuMeter()

    @contextmanager
    def phase(self, name: str, *, extra: bool = False) -> Iterator[list[str]]:
        """Time a phase; ``extra``: a measure beside the election, not in its total."""
        note: list[str] = []
        began = time.perf_counter()
        before = self.cpu.read()
        print(f"-> {name}", flush=True)
        yield note
        seconds = time.perf_counter() - began
        after = self.cpu.read()
        cpu = "/".join(f"{after[k] - before[k]:.0f}" for k in before)
        if extra:
            self.extra += seconds
            name = f"({name})"
        row = (
            name, seconds, _rss_mb(resource.RUSAGE_SELF), _rss_mb(resource.RUSAGE_CHILDREN),
            cpu, "; ".join(note),
        )  # fmt: skip
        self.rows.append(row)
        print(f"   {seconds:8.1f} s  CPU s {cpu}  {'; '.join(note)}", flush=True)

    def table(self, members: int) -> bool:
        total = time.perf_counter() - self.start - self.extra
        last = f"total, {members:,} members"
        width = max(len(name) for name in [last, *(row[0] for row in self.rows)])
        print()
        print(
            f"{'phase':<{width}} {'wall s':>8} {'peak MB':>8} {'children MB':>12} "
            f"{'CPU s: builder/board/others/postgres':>36}  notes"
        )
        for name, seconds, mine, children, cpu, note in self.rows:
            print(f"{name:<{width}} {seconds:8.1f} {mine:8.0f} {children:12.0f} {cpu:>36}  {note}")
        target = members >= TARGET_MEMBERS
        verdict = ("PASS" if total <= TARGET_S else "FAIL") if target else "(target at 400,000)"
        print(f"{last:<{width}} {total:8.1f}{'':>22}  target <= {TARGET_S} s: {verdict}")
        return total <= TARGET_S or not target


def _receipt_checks(url: str, election: str, receipt: Path, workers: int) -> list[str]:
    """One member's receipt check through the credential index, then by the full fold: bytes
    and seconds of each (spec §11.13, §11.15)."""
    notes = []
    document = parse_receipt_file(receipt.read_bytes())
    began = time.perf_counter()

    def fold(_: int) -> float:
        started = time.perf_counter()
        with httpx.Client(base_url=url, timeout=600) as http:
            http.get(f"/v1/elections/{election}/credential-index").raise_for_status()
        return time.perf_counter() - started

    # Each of the board's workers folds its index once, when first asked. The kernel gives
    # each new connection to a worker at random (SO_REUSEPORT), so: as many requests at once
    # as workers, each on its own connection, then more until 8 in a row answer within a
    # second (a worker still cold takes ~20 s; all 8 on one worker has odds 2^-8 with two).
    # Without this the check below could land on a worker that never folded and wait for it.
    with ThreadPoolExecutor(max(workers, 1)) as pool:
        list(pool.map(fold, range(max(workers, 1))))
    quick = 0
    while workers > 1 and quick < 8:
        quick = quick + 1 if fold(0) < 1.0 else 0
    notes.append(f"board's first index fold {time.perf_counter() - began:.1f} s")
    began = time.perf_counter()
    client = _CountingClient(url, election)
    with closing(client):
        checked = read_receipt(document, client)
        current = client.tree_head().tree_size
        answer = client.credential_index(checked.leaf.entry.key, current)
        sth = answer.head.sth
        verify_consistency(
            old_size=checked.sth.tree_size, new_size=sth.tree_size,
            old_root=checked.sth.root_hash, new_root=sth.root_hash,
            proof=client.consistency_proof(checked.sth.tree_size, sth.tree_size),
        )  # fmt: skip
        verify_inclusion(
            leaf_hash=checked.leaf.hash, index=checked.leaf.index, tree_size=sth.tree_size,
            proof=client.inclusion_proof(checked.leaf.index, sth.tree_size), root=sth.root_hash,
        )  # fmt: skip
        assert answer.record is not None
        leaves = client.credential_leaves(answer, skip={"issued"})
        standing = judge(answer.record, {i: leaf.entry.payload for i, leaf in leaves.items()})
        indexed = (time.perf_counter() - began, client.received, client.requests)
    began = time.perf_counter()
    client = _CountingClient(url, election)
    with closing(client):
        read_receipt(document, client)
        log, _ = client.fold()
        folded = log.credentials.credentials[checked.leaf.entry.key]
        full = (time.perf_counter() - began, client.received, client.requests)
    assert folded.last_ballot == standing.last_ballot, (folded.last_ballot, standing)
    notes.append(
        f"index: {indexed[1] / 1024:,.1f} KiB in {indexed[2]} requests, {indexed[0]:.2f} s"
    )
    notes.append(f"full fold: {full[1] / 2**20:,.1f} MiB, {full[0]:.1f} s")
    notes.append(f"{full[1] / max(indexed[1], 1):,.0f}x fewer bytes")
    notes += _credential_checks(url, election, checked.leaf.entry.key, current)
    return notes


def _credential_checks(url: str, election: str, credential: bytes, current: int) -> list[str]:
    """`credentials check` through the index: a named credential (its index answer and the
    credentials part that lists it, read whole) and one the log does not name (its absence
    proved by the neighbouring records), bytes and seconds of each (spec §11.15)."""
    notes = []
    for what, wanted in (("named", credential), ("absent", b"\x02" + bytes(32))):
        began = time.perf_counter()
        client = _CountingClient(url, election)
        with closing(client):
            answer = client.credential_index(wanted, current)
            assert (answer.record is None) == (what == "absent"), what
            if answer.record is not None:
                client.credential_leaves(answer, skip={"ballots", "audits"})
            notes.append(
                f"credentials check, {what}: {client.received / 1024:,.1f} KiB in "
                f"{client.requests} requests, {time.perf_counter() - began:.2f} s"
            )
    return notes


def run(args: argparse.Namespace, db: str, work: Path) -> bool:
    rng = random.Random(args.seed)
    plan = nec_plan(
        start=datetime.now(UTC).replace(microsecond=0), members=args.members,
        election="nec-scale",
    )  # fmt: skip
    phases = _Phases()
    export = args.keep_export or work / "nec-scale.export"
    receipt_path = work / "receipt.json"
    clock: SimulatedClock | SharedClock
    served: AbstractContextManager[str]
    if args.board_workers:  # the board's own worker processes, as `verivote board serve` runs
        clock = SharedClock(work / "clock", plan.at(0))
        key_path = work / "board.key"
        load_or_create_board_key(key_path)
        served = served_board_processes(
            db, key_path, clock=clock, elections=[plan.election], workers=args.board_workers
        )
    else:  # a thread of this process
        clock = SimulatedClock(plan.at(0))
        served = served_board(db, SigningKey.generate(), clock=clock, elections=[plan.election])
    with served as url, BoardClient(url, plan.election) as client:
        where = f"{args.board_workers} worker processes" if args.board_workers else "in process"
        print(f"board at {url} ({where}, database {db.split('@')[-1]}), {args.members:,} members")
        phases.cpu.board_started()
        board = HttpBoard(client, clock.set)
        builder = ElectionBuilder(plan, board, rng=rng, progress=progress, jobs=args.trustee_jobs)
        with phases.phase("definition, nominations, candidate lists"):
            builder.define()
            builder.nominate()
            builder.candidate_lists()
        with phases.phase("key ceremony (3 of 5 trustees)"):
            builder.ceremony()
        with phases.phase(f"{args.members:,} credentials issued and published") as note:
            builder.issue()
            note.append(f"log {client.tree_head().tree_size:,} leaves")
        params = builder.params
        voters = rng.sample(builder.members, round(args.members * args.turnout))
        revoters = rng.sample(voters, round(len(voters) * args.revotes))
        auditors = voters[: args.audits]
        votes = [(m, nec_choices(rng, params, m.style)) for m in voters]
        again = [(m, nec_choices(rng, params, m.style)) for m in revoters]
        with phases.phase(f"voting: {len(voters):,} ballots over HTTP") as note:
            began = time.perf_counter()
            for member in auditors:  # Benaloh: audit one ballot, then cast another
                builder.audit(member, nec_choices(rng, params, member.style))
            builder.vote_all(votes, processes=args.processes, senders=args.senders)
            builder.vote_all(
                again[1:], processes=args.processes, senders=args.senders, label="revotes"
            )
            note.append(f"{len(again):,} revotes, {len(auditors)} audits")
            rate = (len(votes) + len(again)) / (time.perf_counter() - began)
            note.append(f"{rate:,.0f} ballots/s")
            member, choices = again[0]
            clock.set(plan.at(plan.timetable.voting_open + 0.2))
            receipt = client.post(builder.ballot(member, choices), what="ballot")
            builder.cast[member.id] = {c: list(marks) for c, marks in choices.items()}
            write_receipt(receipt_path, board=url, receipt=receipt)
        with phases.phase("close: the fold checked against the tree head, tally"):
            board.check_head()  # the builder folded every leaf as it was appended
            builder.tally()
        with phases.phase("decryption of the tally (3 of 5)"):
            builder.decrypt()
        with phases.phase("mixing: 3 mixes of nec and mayor"):
            builder.mix()
        with phases.phase("decryption of the mixed lists (3 of 5)"):
            builder.decrypt_ranked()
        with phases.phase("result (STV, IRV, block, referendum)") as note:
            outcome = builder.result()
            expected = builder.expected_counts()
            got = {
                c.contest: list(c.counts) for c in outcome.contests if isinstance(c, ContestResult)
            }
            assert got == expected, "the decrypted counts are not the votes cast"
            ranked = [c for c in outcome.contests if isinstance(c, RankedContestResult)]
            note.append(f"{len(ranked)} ranked counts, homomorphic counts as cast")
        with phases.phase("export") as note:
            size = client.export_to(export)
            note.append(f"{size / 2**20:,.1f} MiB, {client.tree_head().tree_size:,} leaves")
        with phases.phase("receipt check: credential index vs full fold", extra=True) as note:
            note += _receipt_checks(url, plan.election, receipt_path, args.board_workers)
    with phases.phase(f"verivote verify of the export ({args.jobs} jobs)") as note:
        report = verify_source(str(export), jobs=args.jobs)
        lines = list(report.lines())
        note.append(lines[-1] if lines else "?")
        assert report.exit_status == 0, "\n".join(lines[-10:])
    return phases.table(args.members)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=40_000)
    parser.add_argument(
        "--db",
        default=os.environ.get("VERIVOTE_TEST_DATABASE_URL", DEFAULT_PG),
        help="PostgreSQL URL (a fresh database is made in it) or 'sqlite'",
    )
    parser.add_argument("--turnout", type=float, default=0.3)
    parser.add_argument("--revotes", type=float, default=0.05, help="share of voters revoting")
    parser.add_argument("--audits", type=int, default=20, help="ballots audited")
    parser.add_argument("--processes", type=int, default=4, help="device processes casting")
    parser.add_argument(
        "--senders", type=int, default=64,
        help="ballots each device process has in flight (the board checks and commits "
        "concurrent ballots together)",
    )  # fmt: skip
    parser.add_argument("--jobs", type=int, default=2, help="verifier processes")
    parser.add_argument(
        "--board-workers", type=int, default=2,
        help="the board's HTTP worker processes, beside its writer (>= 2; 0: a thread of this "
        "process)",
    )  # fmt: skip
    parser.add_argument(
        "--trustee-jobs", type=int, default=1,
        help="processes computing each trustee's mixes and list decryptions (1: in process)",
    )  # fmt: skip
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--keep-export", type=Path, metavar="FILE",
        help="write the export to FILE and keep it (to profile the verifier on it later)",
    )  # fmt: skip
    args = parser.parse_args()
    if args.board_workers == 1:
        parser.error("--board-workers: 0 (in process) or at least 2 (a writer and the workers)")
    work = Path(tempfile.mkdtemp(prefix="scale-bench-"))
    created = None
    try:
        if args.db == "sqlite":
            db = f"sqlite:///{work / 'board.db'}"
        else:
            db = created = pg_create(args.db)
        ok = run(args, db, work)
    finally:
        if created is not None:
            pg_drop(args.db, created)
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
