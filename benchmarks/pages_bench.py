"""Public pages benchmark (issue 13, item 5): once the result is on the log, every page of an
election at party scale renders on the server in <= 200 ms.

    .venv/bin/python benchmarks/pages_bench.py [--members 400000] [--ballots 120000]
        [--jobs 2] [--repeat 5] [--tail 1000] [--quick] [--export FILE]

1. The election: the demonstration's (simulation.plans.nec_plan: the NEC by Scottish STV, 9
   seats with at least 5 women; a youth seat; a referendum; a mayoral primary by IRV: two ranked
   contests, each mixed three times) with ``--members`` credentials and ``--ballots`` ballots,
   counted, built by the election builder on a log in memory that only folds (honest entries)
   and cached as an export in benchmarks/.cache (building 120,000 ballots takes many minutes;
   the next run reuses it once the verifier has verified it: one built before a change of
   format or rules is rebuilt, said in one line). ``--export FILE`` times the pages of an
   existing export instead (``benchmarks/scale_bench.py --members 400000 --keep-export FILE``
   keeps one): nothing is built.
2. The board: the export's leaves, subtree hashes and tree heads stored in a fresh SQLite board
   exactly as a board stores them (without re-running the rules; the export's own board key),
   all but the last ``--tail`` leaves; served in-process by the board's own FastAPI
   application (the real routes, templates and digests), requests made with httpx's in-process
   transport. Its start-up work (the stored log's check, the credential index's fold) is
   waited for and reported.
3. Once per process, reported without a target: the first page after the board starts (it folds
   the whole log into the pages' digest), then the first page after the last ``--tail``
   leaves (ballots, the tally, the mixes, their decryptions and the result) are appended (the
   digest folds only those); the board's background work after the result (the BLT files, the
   verifier's run on its own log) is waited for and reported.
4. Then every page, English and Welsh, each ``--repeat`` times, its worst and median against
   200 ms: the front page, home, nominations, decisions, participation, results (with both
   ranked contests' stage tables and charts), the Atom feed, report.html, a mix's leaf page, a
   ballot's leaf page, the result's leaf page and each ranked contest's BLT download. Exits 1
   if any is over.

Figures on a shared machine are indicative. ``--quick``: 400 members, 120 ballots.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from election_cache import CACHE, discard, stale  # noqa: E402

from bulletin_board.election_rules import election_rules  # noqa: E402
from bulletin_board.log import Board  # noqa: E402
from bulletin_board.service import create_app  # noqa: E402
from bulletin_board.storage import LeafRow, Storage, StoredTreeHead  # noqa: E402
from bulletin_board.wire import SignedTreeHead, split_leaf  # noqa: E402
from crypto.envelope import entry_hash, peek_entry  # noqa: E402
from crypto.merkle import Frontier, leaf_hash  # noqa: E402
from crypto.signing import SigningKey  # noqa: E402
from simulation.boards import MemoryBoard  # noqa: E402
from simulation.builder import ElectionBuilder  # noqa: E402
from simulation.plan import RoleKeys  # noqa: E402
from simulation.plans import nec_choices, nec_plan  # noqa: E402

BOARD_KEY: Final = SigningKey(bytes([42] * 32))
TARGET_MS: Final = 200.0
ELECTION: Final = "nec-bench"
#: The election's pages timed (under /e/ELECTION/), then the leaves and downloads found.
PAGES: Final = ("", "nominations", "decisions", "participation", "results", "feed.atom",
                "report.html")  # fmt: skip
#: The verifier's run on the board's own log, waited for before timing (it is background work).
VERDICT_WAIT_S: Final = 3600


def build_export(members: int, ballots: int, jobs: int) -> Path:
    """The counted election as an export, cached: a cached one is used once the verifier has
    verified it, rebuilt otherwise."""
    path = CACHE / f"pages-nec-{members}-{ballots}.jsonl"
    if path.exists():
        reason = stale(path, jobs=jobs)
        if reason is None:
            return path
        discard(path, reason)
    started = time.monotonic()
    plan = nec_plan(start=datetime(2027, 1, 4, 9, tzinfo=UTC), members=members, election=ELECTION)
    board = MemoryBoard(plan.election, created=plan.at(0), checked=False)
    rng = random.Random(1)
    builder = ElectionBuilder(plan, board, keys=RoleKeys.fixed_for_testing(5), rng=rng)
    builder.prepare()
    print(f"  {members:,} credentials in {time.monotonic() - started:.0f} s", flush=True)
    voters = builder.members[:ballots]
    builder.vote_all([(m, nec_choices(rng, builder.params, m.style)) for m in voters],
                     processes=jobs)  # fmt: skip
    print(f"  {ballots:,} ballots in {time.monotonic() - started:.0f} s", flush=True)
    builder.count()
    board.write_export(path, BOARD_KEY, every=100)
    print(f"  built in {time.monotonic() - started:.0f} s: {path}", flush=True)
    return path


class ExportBoard(Board):
    """A board over a store holding another board's export: its tree heads are checked
    against the export's board key (it reads only: it never signs)."""

    def __init__(self, storage: Storage, board_key: bytes) -> None:
        super().__init__(storage, BOARD_KEY, election_rules())
        self._board_key = board_key

    @property
    def public_key(self) -> bytes:
        return self._board_key


def export_header(export: Path) -> tuple[str, bytes, int]:
    """The export's election id, board key, and number of leaves."""
    with export.open("rb") as lines:
        header = json.loads(next(lines))
        total = sum(1 for line in lines if line.startswith(b'{"leaf":'))
    return str(header["election"]), bytes.fromhex(header["board_key"]), total


def store(
    export: Path,
    storage: Storage,
    *,
    election: str = ELECTION,
    start: int,
    stop: int | None,
    found: dict[str, int] | None = None,
) -> int:
    """Store the export's leaves from ``start`` up to the tree head at or after ``stop`` (or to
    the end) with their subtree hashes and tree heads, as a board stores them, without
    re-running the rules; the log's size afterwards. ``found``: the first leaf of each entry
    type (and ``largest``: the largest leaf's index), filled in."""
    read = lambda wanted: storage.read_nodes(election, wanted)  # noqa: E731
    frontier = Frontier.from_reader(start, read) if start else Frontier.empty()
    rows: list[LeafRow] = []
    nodes: list[tuple[int, int, bytes]] = []
    largest = 0
    with export.open("rb") as lines:
        for line in lines:
            if line.startswith(b'{"leaf":'):
                raw = line[8 : line.rstrip(b"\n").rfind(b"}")]
                split = split_leaf(raw)
                assert split is not None
                entry, index, received = split
                if index < start:
                    continue
                if found is not None:
                    header = peek_entry(entry)
                    if header is not None:
                        found.setdefault(header.type, index)
                    if len(raw) > largest:
                        largest, found["largest"] = len(raw), index
                hashed = leaf_hash(raw)
                frontier, created = frontier.append(hashed)
                rows.append(LeafRow(index, hashed, entry_hash(entry), received, raw))
                nodes.extend(created)
            elif line.startswith(b'{"sth":') and rows:
                sth = SignedTreeHead.from_bytes(line[7 : line.rstrip(b"\n").rfind(b"}")])
                head = StoredTreeHead(sth.tree_size, sth.timestamp, sth.root_hash, sth.to_bytes())
                with storage.write(election) as tx:
                    tx.append(rows, nodes, head)
                rows, nodes = [], []
                if stop is not None and sth.tree_size >= stop:
                    break
    return frontier.size


class Rows:
    """The printed rows, and whether any failed its target."""

    def __init__(self) -> None:
        self.failed: list[str] = []

    def once(self, name: str, seconds: float, note: str = "once") -> None:
        print(f"  {name:<58} {seconds * 1000:>9.1f} ms   ({note})", flush=True)

    def timed(self, name: str, runs: list[float]) -> None:
        worst, median = max(runs) * 1000, statistics.median(runs) * 1000
        verdict = "PASS" if worst <= TARGET_MS else "FAIL"
        if verdict == "FAIL":
            self.failed.append(name)
        print(f"  {name:<40} worst {worst:>7.1f} ms  median {median:>7.1f} ms   "
              f"target <= {TARGET_MS:.0f} ms   {verdict}", flush=True)  # fmt: skip


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--members", type=int, default=400_000)
    parser.add_argument("--ballots", type=int, default=120_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=5, help="requests per page and language")
    parser.add_argument("--tail", type=int, default=1000, help="leaves appended at the end")
    parser.add_argument("--quick", action="store_true", help="400 members, 120 ballots")
    parser.add_argument("--export", type=Path, metavar="FILE",
                        help="time the pages of this export (nothing built)")  # fmt: skip
    args = parser.parse_args()
    if args.members < 1:
        parser.error(f"--members: at least 1 member, got {args.members}")
    if not 1 <= args.ballots <= args.members:
        parser.error(f"--ballots: 1 to --members ({args.members}), got {args.ballots}")
    if min(args.jobs, args.repeat, args.tail) < 1:
        parser.error("--jobs, --repeat and --tail: at least 1")
    if args.export is not None and not args.export.is_file():
        parser.error(f"--export: no such file {args.export}")
    if args.quick:
        args.members, args.ballots, args.tail = 400, 120, 20
    return args


def main() -> int:
    args = _arguments()
    import httpx
    from fastapi.testclient import TestClient

    if args.export is not None:
        export = args.export
        print(f"pages benchmark: the export {export}")
    else:
        print(f"pages benchmark: {args.members:,} credentials, {args.ballots:,} ballots")
        export = build_export(args.members, args.ballots, args.jobs)
    election, board_key, total = export_header(export)
    rows = Rows()
    with tempfile.TemporaryDirectory(prefix="verivote-pages-bench-") as folder:
        storage = Storage.open(f"sqlite:///{Path(folder) / 'board.db'}", migrate=True)
        storage.create_election(election, created=0)
        found: dict[str, int] = {}
        began = time.monotonic()
        stored = store(export, storage, election=election, start=0,
                       stop=max(1, total - args.tail), found=found)  # fmt: skip
        print(f"  stored {stored:,} of {total:,} leaves in {time.monotonic() - began:.0f} s")
        app = create_app(ExportBoard(storage, board_key))
        began = time.monotonic()
        with TestClient(app) as client:
            assert isinstance(client, httpx.Client)
            for thread in threading.enumerate():
                if thread.name == "credential-index":
                    thread.join()
            rows.once("board start: the stored log checked, the index folded",
                      time.monotonic() - began, "once per start")  # fmt: skip

            def get(path: str, lang: str = "en") -> tuple[float, httpx.Response]:
                begin = time.perf_counter()
                response = client.get(f"{path}?lang={lang}")
                elapsed = time.perf_counter() - begin
                if response.status_code != 200:
                    raise SystemExit(f"{path}: HTTP {response.status_code}")
                return elapsed, response

            page = f"/e/{election}/"
            rows.once("first page (folds the whole log once)", get(page)[0], "once per start")
            store(export, storage, election=election, start=stored, stop=None, found=found)
            rows.once(f"first page after {total - stored:,} more leaves (folds those)",
                      get(page + "results")[0], "once per new leaves")  # fmt: skip
            began = time.monotonic()
            app.state.pages.papers.wait()
            rows.once("the BLT files built after the result", time.monotonic() - began,
                      "background, once per result")  # fmt: skip
            began = time.monotonic()
            while "The verifier is checking" in get(page + "results")[1].text:
                if time.monotonic() - began > VERDICT_WAIT_S:
                    raise SystemExit("the board's verifier did not finish")
                time.sleep(2)  # polling the board's background run
            rows.once("the verifier's run on the board's own log", time.monotonic() - began,
                      "background, once per tree head")  # fmt: skip
            results = get(page + "results")[1].text
            if "RESULT VERIFIED" not in results:
                print("  (the verifier's verdict is not RESULT VERIFIED: see the results page)")
            papers = re.findall(rf'href="/e/{election}/(results/[a-z0-9-]+\.blt)"', results)
            paths = [("front page", "/")] + [(p or "home", page + p) for p in PAGES]
            for what, kind in (("mix", "mix"), ("ballot", "ballot"), ("result", "result")):
                if kind in found:
                    paths.append((f"leaf of a {what} ({found[kind]})", f"{page}leaf/{found[kind]}"))
            paths += [(p.removeprefix("results/"), page + p) for p in papers]
            for lang in ("en", "cy"):
                for name, path in paths:
                    runs = [get(path, lang)[0] for _ in range(args.repeat)]
                    rows.timed(f"{name} ({lang})", runs)
        storage.close()
    if rows.failed:
        print(f"FAIL: {len(rows.failed)} over {TARGET_MS:.0f} ms: {', '.join(rows.failed)}")
        return 1
    print(f"PASS: every page within {TARGET_MS:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
