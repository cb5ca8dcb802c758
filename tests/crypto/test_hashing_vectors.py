"""Spec §2.2-§2.4 and §3 known answers: tests/vectors/hashing/hashing.json, recomputed.

The booth's JavaScript checks the same file (booth/tests/vectors.test.mjs)."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from crypto.errors import MalformedInput, NonCanonicalEncoding
from crypto.group import N, Point, Scalar
from crypto.hashing import encode_parts, hash_bytes, hash_to_point, hash_to_scalar
from tests.vectors import load

VECTOR = load("hashing/hashing")


def _parts(case: dict[str, Any]) -> list[bytes]:
    return [bytes.fromhex(p) for p in case["parts"]]


@pytest.mark.parametrize("case", VECTOR["hash"], ids=lambda c: c["dst"])
def test_h(case: dict[str, Any]) -> None:
    dst, parts = case["dst"].encode(), _parts(case)
    # Spec §3.1 from the text: 4-byte big-endian length before each part, the tag first.
    oracle = b"".join(len(p).to_bytes(4, "big") + p for p in [dst, *parts])
    assert encode_parts(dst, *parts).hex() == case["encoded"] == oracle.hex()
    assert hash_bytes(dst, *parts).hex() == case["digest"] == hashlib.sha256(oracle).hexdigest()


@pytest.mark.parametrize("case", VECTOR["hash_to_scalar"], ids=lambda c: c["dst"])
def test_h_s(case: dict[str, Any]) -> None:
    dst, parts = case["dst"].encode(), _parts(case)
    for attempt in case["attempts"]:
        digest = hash_bytes(dst, *parts, attempt["counter"].to_bytes(4, "big"))
        assert digest.hex() == attempt["digest"]
        assert (int.from_bytes(digest, "big") < N) == attempt["below_n"]
    assert case["attempts"][-1]["below_n"]
    assert hash_to_scalar(dst, *parts).to_hex() == case["scalar"] == case["attempts"][-1]["digest"]


@pytest.mark.parametrize("case", VECTOR["hash_to_point"], ids=lambda c: c["dst"])
def test_hash_to_point(case: dict[str, Any]) -> None:
    dst, parts = case["dst"].encode(), _parts(case)
    for attempt in case["attempts"]:
        x = hash_bytes(dst, *parts, attempt["counter"].to_bytes(4, "big"))
        assert x.hex() == attempt["x"]
        if attempt["on_curve"]:
            Point.from_bytes(b"\x02" + x)
        else:
            with pytest.raises(MalformedInput, match="not on curve"):
                Point.from_bytes(b"\x02" + x)
    assert [a["on_curve"] for a in case["attempts"]] == [False] * (len(case["attempts"]) - 1) + [
        True
    ]
    assert hash_to_point(dst, *parts).to_hex() == case["point"] == "02" + case["attempts"][-1]["x"]


@pytest.mark.parametrize("case", VECTOR["generators"], ids=lambda c: f"{c['label']}-{c['index']}")
def test_generators(case: dict[str, Any]) -> None:
    point = hash_to_point(
        b"verivote-1/generator", case["label"].encode(), case["index"].to_bytes(4, "big")
    )
    assert point.to_hex() == case["point"]


def test_point_and_scalar_encodings() -> None:
    for case in VECTOR["points"]["valid"]:
        assert Point.from_hex(case["hex"]).to_hex() == case["hex"]
    for case in VECTOR["scalars"]["valid"]:
        assert Scalar.from_hex(case["hex"]).to_hex() == case["hex"]


@pytest.mark.parametrize(
    ("parse", "case"),
    [(Point.from_hex, c) for c in VECTOR["points"]["rejected"]]
    + [(Scalar.from_hex, c) for c in VECTOR["scalars"]["rejected"]],
    ids=lambda v: v["reason"] if isinstance(v, dict) else "",
)
def test_rejected_encodings(parse: Any, case: dict[str, Any]) -> None:
    kind = NonCanonicalEncoding if case["error"] == "non_canonical" else MalformedInput
    with pytest.raises(kind) as caught:
        parse(case["hex"])
    assert (type(caught.value) is NonCanonicalEncoding) == (case["error"] == "non_canonical")
