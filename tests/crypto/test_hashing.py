"""Spec §3 Hashing, checked against an oracle written from the spec text with hashlib."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crypto.errors import MalformedInput
from crypto.group import N, Point
from crypto.hashing import (
    Dst,
    encode_parts,
    hash_bytes,
    hash_chunks_to_int,
    hash_to_point,
    hash_to_scalar,
)

SPEC = Path(__file__).resolve().parents[2] / "docs" / "spec.md"


def _oracle_parts(*parts: bytes) -> bytes:
    return b"".join(len(p).to_bytes(4, "big") + p for p in parts)


def test_encode_parts_known_answer() -> None:
    assert encode_parts() == b""
    assert encode_parts(b"") == bytes(4)
    assert encode_parts(b"ab", b"c") == b"\x00\x00\x00\x02ab\x00\x00\x00\x01c"


def test_encode_parts_is_injective_across_splits() -> None:
    assert encode_parts(b"ab", b"c") != encode_parts(b"a", b"bc")
    assert hash_bytes(b"t", b"ab", b"c") != hash_bytes(b"t", b"a", b"bc")
    assert hash_bytes(b"t1", b"x") != hash_bytes(b"t2", b"x")


@given(st.binary(max_size=40), st.lists(st.binary(max_size=40), max_size=4))
def test_hash_to_scalar_matches_spec_oracle(dst: bytes, parts: list[bytes]) -> None:
    digest = hashlib.sha256(_oracle_parts(dst, *parts, (0).to_bytes(4, "big"))).digest()
    value = int.from_bytes(digest, "big")
    assert value < N  # fails with probability 2^-127
    assert hash_to_scalar(dst, *parts).value == value


@given(st.lists(st.binary(max_size=40), max_size=4))
def test_hash_to_point_matches_spec_oracle(parts: list[bytes]) -> None:
    point = hash_to_point(Dst.GENERATOR, *parts)
    for ctr in range(256):
        x = hashlib.sha256(_oracle_parts(Dst.GENERATOR, *parts, ctr.to_bytes(4, "big"))).digest()
        try:
            expected = Point.from_bytes(b"\x02" + x)
        except MalformedInput:
            continue
        assert point == expected
        return
    pytest.fail("no point within 256 tries")


def test_generators_are_distinct_and_not_g() -> None:
    gens = {hash_to_point(Dst.GENERATOR, b"test", i.to_bytes(4, "big")) for i in range(20)}
    assert len(gens) == 20


def test_domain_tags_are_distinct_and_match_the_spec_table() -> None:
    tags = Dst.all()
    assert len(set(tags.values())) == len(tags)
    section = SPEC.read_text().split("### 3.4", 1)[1].split("\n## ", 1)[0]
    in_spec = set(re.findall(r"^\| `([^`]+)` \|", section, flags=re.M))
    assert in_spec == {t.decode() for t in tags.values()}


@given(st.lists(st.binary(max_size=40), max_size=6), st.integers(0, 6))
def test_hash_chunks_to_int_is_hash_to_scalar_of_the_parts_joined(
    parts: list[bytes], cut: int
) -> None:
    """The verifier's loop hashes a statement's encoded parts as chunks cut anywhere."""
    encoded = encode_parts(Dst.RANGE, *parts)
    chunks = [encoded[:cut], encoded[cut:]]
    assert hash_chunks_to_int(chunks) == hash_to_scalar(Dst.RANGE, *parts).value
