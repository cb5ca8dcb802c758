"""What the vector generators share: their fixed seeds and the way they write a file.

Every secret a generator draws comes from a public label, ``SHA-256("verivote-1/test-vector/" ||
label)`` (reduced mod n for a scalar), so the files are reproducible and worthless as keys. The
files are JSON indented by two, UTF-8 as it is (no ``\\u`` escapes), ending with a newline.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from crypto.group import Scalar
from crypto.signing import SigningKey

__all__ = ["seed", "seed_bytes", "signing_key", "write_json", "write_vectors"]


def seed_bytes(label: str) -> bytes:
    """SHA-256("verivote-1/test-vector/" || label)."""
    return hashlib.sha256(b"verivote-1/test-vector/" + label.encode()).digest()


def seed(label: str) -> Scalar:
    """The label's seed as a scalar (mod n), never zero."""
    value = Scalar.reduce(int.from_bytes(seed_bytes(label), "big"))
    assert value, f"the seed of {label!r} is zero"
    return value


def signing_key(label: str) -> SigningKey:
    """An Ed25519 role key whose 32-byte seed is the label's."""
    return SigningKey(seed_bytes(label))


def write_json(path: Path, document: Mapping[str, Any]) -> None:
    """Write a vector file."""
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    path.write_text(text, encoding="utf-8")


def write_vectors(
    path: Path, *, source: str, description: str, vectors: list[dict[str, Any]]
) -> None:
    """Write a vector file of cases under ``vectors`` (tests.vectors.load_cases reads it)."""
    write_json(path, {"source": source, "description": description, "vectors": vectors})
