"""Benchmark: what a member's device downloads from the credential index at full scale
(spec §11.15, issue 14 item 5).

Builds, in process, the index of a log of N credentials (default 400,000) in parts of 10,000
(sorted, then chunked, as ``verivote credentials issue`` posts them) and B ballots (default
120,000, by random credentials, so some revote), signs its index head, and measures for
random named credentials and random absent ones: the size of the board's answer (the record and
its index proof, or the absence proof: the two neighbouring records and their proofs), the time
to check it (``IndexAnswer.check``), and the size of one credentials part's payload, which
``credentials check`` reads whole.

Usage: python benchmarks/index_bench.py [--members N] [--ballots B] [--samples S]

Prints each figure with its target and PASS/FAIL (target: an answer of at most 8 KiB).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bulletin_board.credential_index import CredentialIndex, IndexAnswer, sign_index_head
from bulletin_board.wire import sign_tree_head
from crypto import canonical
from crypto.signing import SigningKey

PART = 10_000
TARGET_BYTES = 8 * 1024
KEY = SigningKey(bytes([3] * 32))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=400_000)
    parser.add_argument("--ballots", type=int, default=120_000)
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()
    rng = random.Random(1)
    credentials = sorted(b"\x02" + rng.randbytes(32) for _ in range(args.members))
    began = time.perf_counter()
    index = CredentialIndex()
    parts = [credentials[i : i + PART] for i in range(0, len(credentials), PART)]
    for part in parts:
        payload = {"credentials": [c.hex() for c in part], "style": "a"}
        index.add_entry(index.size, "credentials", "issuer", b"", payload)
    for _ in range(args.ballots):
        index.add_entry(index.size, "ballot", "voter", rng.choice(credentials), None)
    sth = sign_tree_head(election="e", tree_size=index.size, root_hash=bytes(32),
                         timestamp=1, rehearsal=False, key=KEY)  # fmt: skip
    head = sign_index_head(sth, index, KEY)
    print(f"index of {index.records:,} records, {index.size:,} leaves: "
          f"{time.perf_counter() - began:.1f} s to fold and sign")  # fmt: skip
    ok = True
    for what in ("named", "absent"):
        sizes, seconds = [], 0.0
        for _ in range(args.samples):
            credential = rng.choice(credentials) if what == "named" else b"\x02" + rng.randbytes(32)
            answer = canonical.encode(index.answer_json(head, credential))
            sizes.append(len(answer))
            began = time.perf_counter()
            checked = IndexAnswer.check(canonical.decode(answer), credential)
            seconds += time.perf_counter() - began
            assert (checked.record is None) == (what == "absent"), what
        worst = max(sizes)
        verdict = "PASS" if worst <= TARGET_BYTES else "FAIL"
        ok &= worst <= TARGET_BYTES
        print(f"{what} credential's answer: {sum(sizes) / len(sizes) / 1024:.2f} KiB mean, "
              f"{worst / 1024:.2f} KiB max, checked in {1000 * seconds / args.samples:.2f} ms; "
              f"target <= {TARGET_BYTES // 1024} KiB: {verdict}")  # fmt: skip
    whole = canonical.encode({"credentials": [c.hex() for c in parts[0]], "style": "a"})
    print(f"one credentials part's payload (read whole by credentials check): "
          f"{len(whole) / 1024:,.0f} KiB for {len(parts[0]):,} credentials")  # fmt: skip
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
