"""Write tests/vectors/receipts/receipts.json: a §11.13 receipt file and the board's later
state, with tampered receipts and boards that contradict them.

Usage: ``.venv/bin/python -m tests.vectors.receipts.generate``.

The log (§10): leaf 0 the board key, leaf 1 the election definition of
tests/vectors/ballots (so the ballot's credential signature verifies under its fingerprint),
administrator decisions, and at leaf 4 the ``every-kind`` ballot of ballots.json. The board
answers the ballot with a receipt under the tree head of size 6 (§10.3); the member's client
saves the receipt file (§11.13). Later the board's tree head is of size 9; it serves the
consistency proof 6 -> 9 and the inclusion proof of leaf 4 in the tree of size 9.

``offline`` cases tamper with the file (step 1: each refused with its error); ``board`` cases
are boards that contradict the receipt (steps 2-4: another key, a fork that dropped the
ballot, a shrunken log, a wrong proof). tests/test_receipt_vectors.py checks every case with
bulletin_board/wire.py and crypto/merkle.py, booth/tests/vectors.test.mjs with booth/js.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bulletin_board.wire import (
    ED25519,
    ED25519_ROLES,
    Leaf,
    Receipt,
    SignatureScheme,
    SignedTreeHead,
    parse_entry,
    sign_entry,
    sign_tree_head,
)
from crypto import canonical
from crypto.merkle import Frontier, consistency_proof, inclusion_proof, reader_from_mapping
from crypto.signing import SigningKey
from election.wire import CredentialScheme
from tests.vectors._generate import signing_key, write_json
from tests.vectors.ballots.generate import CASES, DEFINITION, ELECTION, cast, election

HERE = Path(__file__).resolve().parent
SOURCE = "verivote tests/vectors/receipts/generate.py (spec §9, §10.2, §10.3, §11.13)"
BOARD_URL = "https://board.example.org"
T0 = 1_800_000_000_000


BOARD = signing_key("receipts/board-key")
OTHER_BOARD = signing_key("receipts/other-board-key")
ADMIN = signing_key("ballots/admin")


def schemes() -> dict[str, SignatureScheme]:
    fingerprint = election()[0].fingerprint
    return {**dict.fromkeys(ED25519_ROLES, ED25519), "voter": CredentialScheme(fingerprint)}


class Log:
    """An in-memory log: leaves, complete-subtree hashes, signed tree heads."""

    def __init__(self, key: SigningKey) -> None:
        self.key = key
        self.rehearsal = False
        self.leaves: list[Leaf] = []
        self.frontier = Frontier.empty()
        self.nodes: dict[tuple[int, int], bytes] = {}

    def append(self, raw: bytes) -> Leaf:
        entry = parse_entry(raw, schemes(), election=ELECTION)
        leaf = Leaf.build(
            index=len(self.leaves), received=T0 + 1000 * len(self.leaves), entry=entry
        )
        self.leaves.append(leaf)
        self.frontier, created = self.frontier.append(leaf.hash)
        self.nodes.update({(level, index): h for level, index, h in created})
        return leaf

    def sth(self, size: int) -> SignedTreeHead:
        frontier = Frontier.empty()
        for leaf in self.leaves[:size]:
            frontier, _ = frontier.append(leaf.hash)
        return sign_tree_head(
            election=ELECTION,
            tree_size=size,
            root_hash=frontier.root(),
            timestamp=T0 + 1000 * size,
            rehearsal=self.rehearsal,
            key=self.key,
        )

    def rehearsal_sth(self, size: int) -> SignedTreeHead:
        """The tree head of ``size`` as a board that flips the rehearsal flag would sign it."""
        self.rehearsal = True
        try:
            return self.sth(size)
        finally:
            self.rehearsal = False

    def inclusion(self, index: int, size: int) -> list[str]:
        return [h.hex() for h in inclusion_proof(index, size, reader_from_mapping(self.nodes))]

    def consistency(self, first: int, second: int) -> list[str]:
        return [h.hex() for h in consistency_proof(first, second, reader_from_mapping(self.nodes))]


def _admin(type: str, payload: dict[str, Any]) -> bytes:
    return sign_entry(
        election=ELECTION, type=type, role="administrator", payload=payload, key=ADMIN
    )


def _decision(n: int) -> bytes:
    return _admin("decision", {"subject": f"Decision {n}", "decision": "Noted", "reason": "Test"})


def build(key: SigningKey, ballot: bytes | None) -> Log:
    log = Log(key)
    log.append(
        sign_entry(
            election=ELECTION,
            type="board-key",
            role="board",
            payload={"key": key.verify_key.to_hex(), "rehearsal": False},
            key=key,
        )
    )
    log.append(_admin("election-definition", {"definition": DEFINITION}))
    log.append(_decision(1))
    log.append(_decision(2))
    log.append(ballot if ballot is not None else _decision(99))
    for n in range(3, 7):
        log.append(_decision(n))
    return log


def _json(raw: bytes) -> Any:
    return canonical.decode(raw)


def _tampered(document: dict[str, Any], change: Callable[[dict[str, Any]], None]) -> str:
    copy = json.loads(json.dumps(document))
    change(copy)
    return (canonical.encode(copy) + b"\n").decode()


def _flip(hex_text: str) -> str:
    return hex_text[:-1] + ("0" if hex_text[-1] != "0" else "1")


def _framing(file_text: str, document: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Spec §11.13 and §4.2 (files a person handles) the bytes a reader accepts: a writer writes
    the canonical bytes and one 0x0A; a reader ignores 0x09-0x0D and 0x20 around the JSON and a
    byte-order mark first, and accepts any one JSON text of the object (pretty-printed, members
    reordered); the signatures and the tracker hold over the canonical encodings whatever the
    form. Refused: what is not one JSON text, and what §4.2 refuses in any form."""
    body = file_text[:-1]
    reordered = dict(reversed(list(document.items())))
    return [
        ("as written: the canonical bytes and one 0x0A", file_text, "none"),
        ("without the final newline", body, "none"),
        ("a CRLF line ending", body + "\r\n", "none"),
        ("tabs, spaces and blank lines around", "\t \n" + body + "\n\n \x0b\x0c", "none"),
        ("pretty-printed (white space inside the JSON)", json.dumps(document, indent=2), "none"),
        ("members in another order", json.dumps(reordered, ensure_ascii=False), "none"),
        (
            "pretty-printed with CRLF by an editor",
            json.dumps(document, indent=4).replace("\n", "\r\n"),
            "none",
        ),
        ("a byte-order mark before", "\ufeff" + file_text, "none"),
        ("a no-break space after (not JSON white space)", body + "\u00a0", "malformed"),
        ("two receipt files in one", file_text + file_text, "malformed"),
        ("a duplicate member", body[:-1] + ',"version":1}', "malformed"),
        (
            "a float where an integer belongs",
            body.replace('"version":1', '"version":1.0'),
            "malformed",
        ),
    ]


def main() -> None:
    label, style, choices, _ = CASES[0]
    ballot = cast(label, style, choices)
    entry = ballot["entry"].encode()
    log = build(BOARD, entry)
    leaf = log.leaves[4]
    receipt = Receipt(leaf, log.sth(6), tuple(bytes.fromhex(h) for h in log.inclusion(4, 6)))
    document = {
        "format": "verivote-receipt",
        "version": 1,
        "board": BOARD_URL,
        "election": ELECTION,
        "tracker": ballot["tracker"],
        "receipt": _json(receipt.to_bytes()),
    }
    file_text = (canonical.encode(document) + b"\n").decode()
    current = log.sth(9)
    fork = build(BOARD, None)
    other = build(OTHER_BOARD, entry)

    def board_case(
        reason: str,
        sth: SignedTreeHead,
        proof: list[str],
        incl: list[str],
        error: str,
        key: SigningKey = BOARD,
    ) -> dict[str, Any]:
        return {
            "reason": reason,
            "board_key": key.verify_key.to_hex(),
            "current_sth": _json(sth.to_bytes()),
            "consistency_proof": proof,
            "inclusion_proof": incl,
            "error": error,
        }

    r = "receipt"
    offline = [
        ("tracker of another entry", lambda d: d.update(tracker=_flip(d["tracker"])), "malformed"),
        (
            "leaf_hash changed",
            lambda d: d[r].update(leaf_hash=_flip(d[r]["leaf_hash"])),
            "malformed",
        ),
        ("leaf_index changed", lambda d: d[r].update(leaf_index=5), "malformed"),
        ("not a receipt file", lambda d: d.update(format="verivote-export"), "malformed"),
        (
            "tree head root changed",
            lambda d: d[r]["sth"].update(root_hash=_flip(d[r]["sth"]["root_hash"])),
            "invalid_signature",
        ),
        (
            "ballot changed after signing",
            lambda d: d[r]["leaf"]["entry"]["payload"].update(style="executive+policy+rule-change"),
            "invalid_signature",
        ),
        (
            "inclusion proof hash changed",
            lambda d: d[r]["inclusion_proof"].__setitem__(0, _flip(d[r]["inclusion_proof"][0])),
            "inclusion_mismatch",
        ),
        ("inclusion proof truncated", lambda d: d[r]["inclusion_proof"].pop(), "malformed"),
        ("received time changed", lambda d: d[r]["leaf"].update(received=T0), "malformed"),
    ]
    board = [
        board_case(
            "the board is consistent and includes the ballot",
            current,
            log.consistency(6, 9),
            log.inclusion(4, 9),
            "none",
        ),
        board_case(
            "a fork that dropped the ballot",
            fork.sth(9),
            fork.consistency(6, 9),
            fork.inclusion(4, 9),
            "inconsistent_log",
        ),
        board_case("the log shrank", log.sth(5), [], [], "inconsistent_log"),
        board_case(
            "a consistency proof for another tree",
            current,
            log.consistency(5, 9),
            log.inclusion(4, 9),
            "inconsistent_log",
        ),
        board_case(
            "an inclusion proof of another leaf",
            current,
            log.consistency(6, 9),
            log.inclusion(3, 9),
            "inconsistent_log",
        ),
        board_case(
            "a tree head that says rehearsal where the receipt's does not (§10.2)",
            log.rehearsal_sth(9),
            log.consistency(6, 9),
            log.inclusion(4, 9),
            "inconsistent_log",
        ),
        board_case(
            "another board key (leaf 0)",
            other.sth(9),
            other.consistency(6, 9),
            other.inclusion(4, 9),
            "malformed",
            OTHER_BOARD,
        ),
    ]
    output = {
        "source": SOURCE,
        "description": (
            "Spec §11.13 a receipt file and its checks: step 1 offline (valid, and tampered "
            "files with their error), steps 2-4 against the board's current tree head and "
            "proofs (consistent, and boards that contradict the receipt)"
        ),
        "election": ELECTION,
        "fingerprint": election()[0].fingerprint.hex(),
        "board_key": BOARD.verify_key.to_hex(),
        "leaves": [lf.raw.decode() for lf in log.leaves],
        "leaf_hashes": [lf.hash.hex() for lf in log.leaves],
        "entry": ballot["entry"],
        "tracker": ballot["tracker"],
        "receipt_file": file_text,
        "offline": [
            {"reason": reason, "receipt_file": _tampered(document, change), "error": error}
            for reason, change, error in offline
        ],
        "framing": [
            {"reason": reason, "receipt_file": text, "error": error}
            for reason, text, error in _framing(file_text, document)
        ],
        "board": board,
    }
    write_json(HERE / "receipts.json", output)


if __name__ == "__main__":
    main()
