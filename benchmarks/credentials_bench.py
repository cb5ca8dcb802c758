"""Benchmark: issuing credentials at party scale (spec §8.3, §11.7).

Builds a synthetic roll of N members (default 400,000) in the sections of the example
election (every member; one in ten youth; one in eight BAME), derives one credential per member
(a code from ``secrets``, one hash and one fixed-base exponentiation), sorts and chunks the
public credentials into parts of 10,000, and appends every part and the closing counts to a
real board (SQLite file, or --db URL for PostgreSQL) through the election rules, as
``verivote credentials issue`` does but without HTTP.

Usage: python benchmarks/credentials_bench.py [--members N] [--db URL]

Prints, per phase, the wall time and the rate: deriving, building the parts, the board's
prechecks (parsing 10,000 points a part) and its appends (stateful checks and the commit).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bulletin_board.election_rules import election_rules
from bulletin_board.log import Board
from bulletin_board.storage import Storage
from bulletin_board.wire import sign_entry
from crypto.signing import SigningKey
from election.definition import ElectionDefinition
from election.issuer import issue_credentials
from election.roll import Member, Roll

EXAMPLE = Path(__file__).resolve().parents[1] / "docs" / "examples" / "election.toml"
ADMIN, ISSUER, BOARD = (SigningKey(bytes([i] * 32)) for i in (1, 2, 3))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=400_000)
    parser.add_argument("--db", default=None, help="board database URL (default: a SQLite file)")
    args = parser.parse_args()
    if args.members < 1:
        parser.error(f"--members: at least 1 member, got {args.members}")
    text = EXAMPLE.read_text()
    text = text.replace(
        'key = "bab3bb4271b7bc238c4746a01ab3196c6ae1527eab1e60799b35d67684c899ee"',
        f'key = "{ADMIN.verify_key.to_hex()}"',
    ).replace(
        'key = "dcc493bcdac219cf49883d0ca85080294b39aa924bef6b91fd2aaffab30a2cb6"',
        f'key = "{ISSUER.verify_key.to_hex()}"',
    )
    definition = ElectionDefinition.from_toml(text)
    members = tuple(
        Member(
            f"M{i:07d}",
            f"Member {i}",
            f"m{i}@example.org",
            ("member",) + (("youth",) if i % 10 == 0 else ()) + (("bame",) if i % 8 == 0 else ()),
        )
        for i in range(args.members)
    )
    roll = Roll(definition.id, members)

    start, cpu = time.perf_counter(), time.process_time()
    issue = issue_credentials(roll, definition)
    derived, derived_cpu = time.perf_counter() - start, time.process_time() - cpu
    print(
        f"derive {args.members:,} credentials: {derived:.1f} s wall, {derived_cpu:.1f} s CPU "
        f"({derived_cpu / args.members * 1e6:.1f} us CPU each)"
    )

    start = time.perf_counter()
    parts = issue.issued.parts()
    complete = issue.issued.complete()
    raws = [
        sign_entry(
            election=definition.id,
            type="credentials",
            role="issuer",
            payload=p.to_json(),
            key=ISSUER,
        )
        for p in parts
    ]
    built = time.perf_counter() - start
    print(f"build and sign {len(parts)} parts: {built:.1f} s")

    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{tmp}/board.db"
        board = Board(Storage.open(url, migrate=True), BOARD, election_rules(), clock=lambda: 0)
        board.create_election(definition.id, exist_ok=True)
        definition_raw = sign_entry(
            election=definition.id,
            type="election-definition",
            role="administrator",
            payload={"definition": definition.to_json()},
            key=ADMIN,
        )
        _append(board, definition.id, [definition_raw])
        start = time.perf_counter()
        entries = [board.precheck(r, election=definition.id, max_bytes=2**21) for r in raws]
        prechecked = time.perf_counter() - start
        start = time.perf_counter()
        for entry in entries:
            outcome = board.append(definition.id, [entry])[0]
            if isinstance(outcome, Exception):
                raise outcome
        closing = sign_entry(
            election=definition.id,
            type="credentials-complete",
            role="issuer",
            payload=complete.to_json(),
            key=ISSUER,
        )
        _append(board, definition.id, [closing])
        appended = time.perf_counter() - start
        board.storage.close()
    size = sum(len(r) for r in raws)
    print(f"board prechecks {len(parts)} parts ({size / 2**20:.0f} MiB): {prechecked:.1f} s")
    print(f"board appends them and the counts: {appended:.1f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"styles: {dict(complete.counts)}; peak memory {peak:.0f} MiB")


def _append(board: Board, election: str, raws: list[bytes]) -> None:
    for raw in raws:
        outcome = board.append(election, [board.precheck(raw, election=election, max_bytes=2**21)])[
            0
        ]
        if isinstance(outcome, Exception):
            raise outcome


if __name__ == "__main__":
    main()
