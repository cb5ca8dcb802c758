"""Write tests/vectors/published/published.json: what a board answers the booth when it opens
(booth/app/published.js ``readElection``), and boards whose answers it must refuse.

Usage: ``.venv/bin/python -m tests.vectors.published.generate``.

The log is the one of tests/vectors/receipts (leaf 0 the board key, leaf 1 the election
definition, decisions, the ``every-kind`` ballot at leaf 4, decisions to leaf 8). The booth reads
leaf 0 (``/leaves/0``), the current tree head of size 9 (``/sth``), the leaves up to the first
voter entry (``/entries?start=1&end=9``: a page holding every leaf after 0), and the consistency
proof of the 4 leaves it read to that tree head (``/proof/consistency?first=4&second=9``), in
the bytes the board's service answers (bulletin_board/service.py). ``refused`` cases replace one
answer each: a leaf whose entry was changed after signing (§10.1), a consistency proof with one
hash changed (§9.3), a tree head signed by another key than leaf 0 names (§10.2). Checked by
booth/tests/published.test.mjs; tests/test_published_vectors.py checks the file is what this
writes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from crypto import canonical
from tests.vectors._generate import write_json
from tests.vectors.ballots.generate import CASES, ELECTION, cast
from tests.vectors.receipts.generate import BOARD, OTHER_BOARD, Log, build

HERE = Path(__file__).resolve().parent
SOURCE = "verivote tests/vectors/published/generate.py (spec §9.3, §10.1-§10.3)"
READ = 4  # leaves 0-3 precede the first ballot
SIZE = 9


def _json(raw: bytes) -> Any:
    return canonical.decode(raw)


def _flip(hex_text: str) -> str:
    return hex_text[:-1] + ("0" if hex_text[-1] != "0" else "1")


def answers(log: Log) -> dict[str, Any]:
    """The board's answers to the booth's requests, as bulletin_board/service.py writes them."""
    zero = log.leaves[0]
    return {
        "/leaves/0": {"leaf": _json(zero.raw), "leaf_hash": zero.hash.hex(), "leaf_index": 0},
        "/sth": _json(log.sth(SIZE).to_bytes()),
        f"/entries?start=1&end={SIZE}": {
            "leaves": [_json(leaf.raw) for leaf in log.leaves[1:SIZE]],
            "next": None,
        },
        f"/proof/consistency?first={READ}&second={SIZE}": {
            "first": READ,
            "second": SIZE,
            "consistency_proof": log.consistency(READ, SIZE),
        },
    }


def document() -> dict[str, Any]:
    label, style, choices, _ = CASES[0]
    entry = cast(label, style, choices)["entry"].encode()
    log = build(BOARD, entry)
    other = build(OTHER_BOARD, entry)
    honest = answers(log)

    page = json.loads(json.dumps(honest[f"/entries?start=1&end={SIZE}"]))
    page["leaves"][1]["entry"]["payload"]["subject"] = "Decision 1, changed"
    proof = json.loads(json.dumps(honest[f"/proof/consistency?first={READ}&second={SIZE}"]))
    proof["consistency_proof"][0] = _flip(proof["consistency_proof"][0])
    refused = [
        (
            "a leaf whose entry was changed after it was signed (§10.1)",
            {f"/entries?start=1&end={SIZE}": page},
            "invalid_signature",
        ),
        (
            "a consistency proof with one hash changed (§9.3)",
            {f"/proof/consistency?first={READ}&second={SIZE}": proof},
            "inconsistent_log",
        ),
        (
            "a tree head signed by another key than leaf 0 names (§10.2)",
            {"/sth": _json(other.sth(SIZE).to_bytes())},
            "malformed",
        ),
    ]
    return {
        "source": SOURCE,
        "description": (
            "Spec §9.3, §10.1-§10.3 the board's answers to a booth opening an election (leaf 0, "
            "the current tree head, the leaves before the first ballot, the consistency proof "
            "of those leaves to the tree head), and boards whose one changed answer the booth "
            "refuses with the named error"
        ),
        "election": ELECTION,
        "board_key": BOARD.verify_key.to_hex(),
        "other_board_key": OTHER_BOARD.verify_key.to_hex(),
        "tree_size": SIZE,
        "leaves_read": READ,
        "leaf_hashes": [leaf.hash.hex() for leaf in log.leaves],
        "answers": honest,
        "refused": [
            {"reason": reason, "answers": changed, "error": error}
            for reason, changed, error in refused
        ],
    }


def main(path: Path = HERE / "published.json") -> None:
    write_json(path, document())


if __name__ == "__main__":
    main()
