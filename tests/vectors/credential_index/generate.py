"""Write tests/vectors/credential_index/index.json: a small log, its credential index (the
records' canonical bytes and the index root), the board's signed answers for one credential
(honest, and changed ones each with its error) and the standing of every credential.

Usage: ``.venv/bin/python -m tests.vectors.credential_index.generate``.

Spec §11.15. The leaves are complete §10.1 leaves whose entries carry a zero signature: the
index reads only each entry's type, author and payload, and the ciphertexts are real points so
that §11.10's "an audit holds the alpha of the last ballot" reads as in a real log. Checked by
tests/test_index_vectors.py (bulletin_board/credential_index.py) and by the booth's JavaScript
(booth/tests/checks/vectors.js, js/credentials-index.js).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bulletin_board.credential_index import (
    INDEX_PURPOSE,
    CredentialIndex,
    CredentialRecord,
    IndexAnswer,
    judge,
)
from bulletin_board.index_server import CredentialIndexServer
from bulletin_board.wire import STH_PURPOSE, SignedTreeHead, sign_tree_head
from crypto import canonical
from crypto.errors import (
    InclusionProofMismatch,
    InconsistentLog,
    InvalidSignature,
    MalformedInput,
    VerivoteError,
)
from crypto.group import Scalar, g_pow
from crypto.merkle import leaf_hash, root_from_leaf_hashes
from crypto.signing import SigningKey

HERE = Path(__file__).resolve().parent
SOURCE = "verivote tests/vectors/credential_index/generate.py (spec §9.1, §10.2, §11.10, §11.15)"
ELECTION = "index-vector"
T0 = 1_800_000_000_000
BOARD = SigningKey(hashlib.sha256(b"verivote-1/test-vector/credential-index/board").digest())


def point(label: str) -> str:
    digest = hashlib.sha256(f"verivote-1/test-vector/credential-index/{label}".encode()).digest()
    return g_pow(Scalar.reduce(int.from_bytes(digest))).to_bytes().hex()


A, B, C, D, E, F = (point(x) for x in "ABCDEF")


def ciphertext(label: str) -> dict[str, str]:
    return {"alpha": point(f"alpha {label}"), "beta": point(f"beta {label}")}


def ballot(label: str) -> dict[str, Any]:
    return {
        "style": "a",
        "paper": "00" * 32,
        "contests": [{"contest": "x", "ranking": ciphertext(label), "proof": {}}],
    }


def entry(kind: str, role: str, key: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "version": 1,
        "election": ELECTION,
        "type": kind,
        "author": {"role": role, "key": key},
        "payload": payload,
        "signature": "00" * 64,
    }


ADMIN = "11" * 32
ISSUER = "22" * 32
AUDITED = entry("ballot", "voter", C, ballot("c2"))
ENTRIES = [
    entry("board-key", "board", BOARD.verify_key.to_hex(), {}),
    entry("election-definition", "administrator", ADMIN, {}),
    entry("credentials", "issuer", ISSUER, {"style": "a", "credentials": sorted([A, B, C])}),
    entry("credentials", "issuer", ISSUER, {"style": "b", "credentials": [D]}),
    entry("ballot", "voter", A, ballot("a1")),
    entry("ballot", "voter", B, ballot("b1")),
    entry("audit", "voter", C, {"ballot": AUDITED, "openings": []}),
    entry("ballot", "voter", A, ballot("a2")),
    AUDITED,  # the board cast the ballot C only audited (§11.10)
    entry("credential-reissue", "issuer", ISSUER, {"credential": E, "revoked": B, "style": "a"}),
    entry("ballot", "voter", D, ballot("d1")),
    entry("decision", "administrator", ADMIN, {"subject": "s", "decision": "d", "reason": "r"}),
]
LEAVES: list[dict[str, Any]] = [
    {"version": 1, "index": i, "received": T0 + 1000 * i, "entry": e} for i, e in enumerate(ENTRIES)
]


NAMED = (A, B, C, D, E)


def _record(index: CredentialIndex, credential: str) -> CredentialRecord:
    record = index.record(bytes.fromhex(credential))
    assert record is not None
    return record


def _copy(value: Any) -> Any:
    return json.loads(json.dumps(value))


def _flip(hex_text: str) -> str:
    return ("1" if hex_text[0] == "0" else "0") + hex_text[1:]


def _resign(head: dict[str, Any], purpose: bytes = INDEX_PURPOSE) -> None:
    unsigned = {k: v for k, v in head.items() if k != "signature"}
    head["signature"] = BOARD.sign(purpose, canonical.encode(unsigned)).hex()


ERRORS: tuple[tuple[type[VerivoteError], str], ...] = (
    (InvalidSignature, "invalid_signature"),
    (InclusionProofMismatch, "inclusion_mismatch"),
    (InconsistentLog, "inconsistent_log"),
    (MalformedInput, "malformed"),
)


def _error(value: Any, credential: str) -> str:
    try:
        IndexAnswer.check(value, bytes.fromhex(credential))
    except VerivoteError as exc:
        return next(code for kind, code in ERRORS if isinstance(exc, kind))
    return "none"


@dataclass(frozen=True)
class _Row:
    index: int
    raw: bytes


class _Log:
    """The log above as the board's index server reads it (``LeafSource``)."""

    def __init__(self, sth: SignedTreeHead) -> None:
        self.sth = sth
        self.key = BOARD

    def latest_tree_head(self, election: str) -> SignedTreeHead:
        return self.sth

    def leaves(self, election: str, start: int, end: int) -> list[_Row]:
        return [_Row(i, canonical.encode(LEAVES[i])) for i in range(start, end)]


def main() -> None:
    index = CredentialIndex()
    for leaf in LEAVES:
        index.add_json(leaf["index"], leaf)
    hashes = [leaf_hash(canonical.encode(leaf)) for leaf in LEAVES]
    sth = sign_tree_head(
        election=ELECTION, tree_size=len(LEAVES), root_hash=root_from_leaf_hashes(hashes),
        timestamp=T0 + 1000 * len(LEAVES), rehearsal=False, key=BOARD,
    )  # fmt: skip
    server = CredentialIndexServer(_Log(sth))
    head = json.loads(server.head(ELECTION))["index_head"]

    def answer(credential: str) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(server.answer(ELECTION, bytes.fromhex(credential)))
        return value

    honest = answer(A)
    absent = answer(F)
    named_neighbour = (absent["before"] or absent["after"])["record"]["credential"]
    low, high = "02" + "00" * 32, "03" + "ff" * 32  # below and above every record

    def instead(value: dict[str, Any], **changed: Any) -> None:
        """Replace the answer by F's absence answer with ``changed`` members."""
        value.clear()
        value.update(_copy(absent), **changed)

    changes: list[tuple[str, str, Callable[[dict[str, Any]], None], str]] = [
        ("the honest answer", A, lambda a: None, "none"),
        ("a credential the log does not name", F, lambda a: instead(a), "none"),
        ("absent, below every record", low, lambda a: a.update(answer(low)), "none"),
        ("absent, above every record", high, lambda a: a.update(answer(high)), "none"),
        (
            "absence claimed for a named credential with no proof",
            A,
            lambda a: a.update(record=None, index_proof=[]),
            "inconsistent_log",
        ),
        (
            "absence claimed for a named credential with its own record as a neighbour",
            named_neighbour,
            lambda a: instead(a),
            "inconsistent_log",
        ),
        (
            "an absence with a neighbour left out",
            F,
            lambda a: instead(a, before=None, after=None),
            "inconsistent_log",
        ),
        (
            "an absence with a neighbour's record changed",
            F,
            lambda a: instead(
                a, after={**absent["after"], "record": {**absent["after"]["record"], "audits": [4]}}
            ),
            "inclusion_mismatch",
        ),
        (
            "an absence at another position",
            F,
            lambda a: instead(a, position=absent["position"] + 1),
            "inclusion_mismatch",
        ),
        (
            "an absence with an index proof",
            F,
            lambda a: instead(a, index_proof=honest["index_proof"]),
            "malformed",
        ),
        (
            "a record with neighbours",
            A,
            lambda a: a.update(before=None, after=None),
            "malformed",
        ),
        (
            "the index head signed with purpose board/sth",
            A,
            lambda a: _resign(a["index_head"], STH_PURPOSE),
            "invalid_signature",
        ),
        (
            "the index root changed",
            A,
            lambda a: a["index_head"].update(index_root=_flip(a["index_head"]["index_root"])),
            "invalid_signature",
        ),
        (
            "the record of another credential",
            A,
            lambda a: a.update(answer(B)),
            "inconsistent_log",
        ),
        (
            "the record omits a ballot",
            A,
            lambda a: a["record"].update(ballots=a["record"]["ballots"][:1]),
            "inclusion_mismatch",
        ),
        ("the record at another position", A, lambda a: a.update(position=1), "inclusion_mismatch"),
        (
            "ballots not in increasing order",
            A,
            lambda a: a["record"].update(ballots=a["record"]["ballots"][::-1]),
            "malformed",
        ),
        (
            "a leaf index beyond the tree size",
            A,
            lambda a: a["record"].update(ballots=[4, len(LEAVES)]),
            "malformed",
        ),
    ]
    cases = []
    for reason, credential, change, error in changes:
        value = _copy(honest)
        change(value)
        assert _error(value, credential) == error, (reason, _error(value, credential))
        cases.append({"reason": reason, "credential": credential, "answer": value, "error": error})
    standings = []
    assert index.records == len(NAMED)
    for credential in NAMED:
        record = _record(index, credential)
        payloads = {i: ENTRIES[i]["payload"] for i in (*record.ballots, *record.audits)}
        standing = judge(record, payloads)
        standings.append(
            {
                "credential": credential,
                "revoked": standing.revoked,
                "last_ballot": standing.last_ballot,
                "opened_by": standing.opened_by,
            }
        )
    document = {
        "source": SOURCE,
        "description": (
            "Spec §11.15: a log of 12 leaves (entries with zero signatures: the index reads type, "
            "author and payload), its records' canonical bytes in index order and the index "
            "root; the board's signed answers for credential A, honest and changed, and the "
            "absence answers (the neighbouring records) of credentials the log does not name, "
            "honest and changed (each with its error); and §11.10's standing of each "
            "credential from its own leaves."
        ),
        "board_key": BOARD.verify_key.to_hex(),
        "leaves": LEAVES,
        "leaf_hashes": [h.hex() for h in hashes],
        "records": [_record(index, c).to_bytes().decode() for c in sorted(NAMED)],
        "index_root": head["index_root"],
        "answers": cases,
        "standings": standings,
    }
    path = HERE / "index.json"
    path.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
