"""Known-answer vectors (tests/vectors/<area>/<name>.json) and the one loader the tests use.

Each file is a JSON object that names its ``source`` and ``description`` (STYLE.md: a vector's
provenance lives next to it; the README of each area says more). Most hold a list of cases under
``vectors``; the others (canonical, hashing, signing, credentials, ballots, receipts, Merkle,
threshold) are shaped by their area. The booth's JavaScript reads the same files
(booth/tests/checks/vectors.js), so both sides agree byte for byte.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final

from crypto.group import Point, Scalar

__all__ = ["VECTORS", "hex_point", "hex_scalar", "load", "load_cases"]

VECTORS: Final = Path(__file__).resolve().parent


def load(name: str) -> dict[str, Any]:
    """The document tests/vectors/<name>.json (``name`` like ``"elgamal/keys"``).

    Fails the test that loads it unless the document names its source and description.
    """
    document: dict[str, Any] = json.loads((VECTORS / f"{name}.json").read_text(encoding="utf-8"))
    assert document["source"], f"{name}.json: no source"
    assert document["description"], f"{name}.json: no description"
    return document


def load_cases(name: str) -> list[dict[str, Any]]:
    """The cases under ``vectors`` in :func:`load` (``name``), never an empty list."""
    cases: list[dict[str, Any]] = load(name)["vectors"]
    assert cases, f"{name}.json: no vectors"
    return cases


def hex_point(text: str) -> Point:
    """A vector's point (§2.3 encoding, hex), read with the group's strict reader."""
    return Point.from_hex(text)


def hex_scalar(text: str) -> Scalar:
    """A vector's scalar (§2.2 encoding, hex), read with the group's strict reader."""
    return Scalar.from_hex(text)
