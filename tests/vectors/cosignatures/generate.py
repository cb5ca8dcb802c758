"""Write tests/vectors/cosignatures/cosignatures.json: a tree head, a witness's cosignature of
it, and named mutations of the cosignature's bytes with the reason each is refused (§10.5).

Usage: ``.venv/bin/python -m tests.vectors.cosignatures.generate``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from bulletin_board.cosignature import COSIGNATURE_PURPOSE, sign_cosignature
from bulletin_board.wire import sign_tree_head
from crypto import canonical
from tests.vectors._generate import signing_key

HERE = Path(__file__).resolve().parent
SOURCE = "verivote tests/vectors/cosignatures/generate.py (spec §8.1, §10.2, §10.5)"
T0 = 1_800_000_000_000


BOARD = signing_key("cosignatures/board-key")
WITNESS = signing_key("cosignatures/witness-1")
OTHER = signing_key("cosignatures/witness-2")


def _mutate(good: dict[str, Any], **changes: Any) -> str:
    return canonical.encode({**good, **changes}).decode()


def _resigned(good: dict[str, Any], **changes: Any) -> str:
    """The mutation signed again by the witness, so that only the content is wrong."""
    unsigned = {k: v for k, v in {**good, **changes}.items() if k != "signature"}
    signature = WITNESS.sign(COSIGNATURE_PURPOSE, canonical.encode(unsigned)).hex()
    return canonical.encode({**unsigned, "signature": signature}).decode()


def main() -> None:
    sth = sign_tree_head(
        election="nec-2027",
        tree_size=9,
        root_hash=hashlib.sha256(b"root").digest(),
        timestamp=T0,
        rehearsal=False,
        key=BOARD,
    )
    cosignature = sign_cosignature(sth, cosigned=T0 + 1500, key=WITNESS)
    good = cosignature.to_json()
    witness = cosignature.witness.hex()
    signature = cosignature.signature.hex()
    raw = cosignature.to_bytes().decode()
    refused = {
        "tree-size-plus-1": (_mutate(good, tree_size=10), "does not verify"),
        "root-hash-flipped": (
            _mutate(good, root_hash=hashlib.sha256(b"other").hexdigest()),
            "does not verify",
        ),
        "cosigned-changed": (_mutate(good, cosigned=T0 + 1501), "does not verify"),
        "other-witness-key": (
            _mutate(good, witness=OTHER.verify_key.to_hex()),
            "does not verify",
        ),
        "signature-bit-flipped": (
            _mutate(good, signature=signature[:-1] + ("1" if signature[-1] == "0" else "0")),
            "does not verify",
        ),
        "signed-as-tree-head": (
            _mutate(
                good,
                signature=WITNESS.sign(
                    b"board/sth",
                    canonical.encode({k: v for k, v in good.items() if k != "signature"}),
                ).hex(),
            ),
            "does not verify",
        ),
        "cosigned-before-head": (_resigned(good, cosigned=T0 - 1), "cosigned before"),
        "unknown-field": (_resigned(good, note="x"), "unknown field"),
        "missing-cosigned": (
            canonical.encode({k: v for k, v in good.items() if k != "cosigned"}).decode(),
            "missing field",
        ),
        "version-2": (_resigned(good, version=2), "version"),
        "short-root-hash": (_resigned(good, root_hash="00" * 31), "root hash"),
        "upper-case-hex": (
            raw.replace(witness, witness.upper()),
            "witness key",
        ),
        "non-canonical-spacing": (raw.replace(",", ", ", 1), "canonical"),
        "bad-election-id": (_resigned(good, election="NEC 2027"), "election"),
    }
    document = {
        "source": SOURCE,
        "description": (
            "Spec §10.5: a tree head of size 9 and a witness's cosignature of it (canonical "
            "bytes, purpose board/cosignature); refused: mutations of those bytes, each with a "
            "fragment of the reader's reason."
        ),
        "tree_head": sth.to_bytes().decode(),
        "witness_key": WITNESS.verify_key.to_hex(),
        "cosignature": raw,
        "refused": [
            {"name": name, "bytes": text, "reason": reason}
            for name, (text, reason) in refused.items()
        ],
    }
    (HERE / "cosignatures.json").write_text(json.dumps(document, indent=2) + "\n")


if __name__ == "__main__":
    main()
