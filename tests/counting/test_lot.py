"""Spec §12.6 Drawing lots, checked against an oracle written from the spec text."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crypto.errors import MalformedInput
from election.counting.lot import Lot
from tests.strategies import lot_seeds

SPEC = Path(__file__).resolve().parents[2] / "docs" / "spec.md"


def _oracle_key(seed: bytes, contest: str, purpose: str, stage: int, number: int) -> bytes:
    parts = [
        b"verivote-1/count/lot",
        seed,
        contest.encode(),
        purpose.encode(),
        stage.to_bytes(4, "big"),
        number.to_bytes(4, "big"),
    ]
    return hashlib.sha256(b"".join(len(p).to_bytes(4, "big") + p for p in parts)).digest()


@given(
    lot_seeds,
    st.text(max_size=12),
    st.sampled_from(["exclude", "surplus", "elect", "block"]),
    st.integers(0, 200),
    st.lists(st.integers(0, 30), min_size=1, max_size=6, unique=True),
)
def test_draw_orders_by_the_spec_key(
    seed: bytes, contest: str, purpose: str, stage: int, tied: list[int]
) -> None:
    lot = Lot(seed, contest=contest)
    for c in tied:
        assert lot.key(purpose=purpose, stage=stage, candidate=c) == _oracle_key(
            seed, contest, purpose, stage, c + 1
        )
    expected = sorted(
        tied,
        key=lambda c: int.from_bytes(_oracle_key(seed, contest, purpose, stage, c + 1), "big"),
    )
    assert list(lot.draw(tied, purpose=purpose, stage=stage)) == expected


def test_known_answer_in_the_spec() -> None:
    lot = Lot(bytes(32), contest="nec-2025")
    section = SPEC.read_text(encoding="utf-8").split("### 12.6", 1)[1].split("### 12.7")[0]
    prefixes = re.findall(r"`([0-9a-f]{8})`", section)
    keys = [lot.key(purpose="exclude", stage=3, candidate=c).hex()[:8] for c in range(3)]
    assert prefixes == keys
    assert lot.draw([0, 1, 2], purpose="exclude", stage=3) == (0, 2, 1)


def test_purpose_stage_contest_and_seed_each_change_the_draw() -> None:
    base = Lot(bytes(32), contest="a")
    k = base.key(purpose="exclude", stage=1, candidate=0)
    assert base.key(purpose="surplus", stage=1, candidate=0) != k
    assert base.key(purpose="exclude", stage=2, candidate=0) != k
    assert base.key(purpose="exclude", stage=1, candidate=1) != k
    assert Lot(bytes(32), contest="b").key(purpose="exclude", stage=1, candidate=0) != k
    assert Lot(b"\x01" * 32, contest="a").key(purpose="exclude", stage=1, candidate=0) != k


@pytest.mark.parametrize(
    "text",
    [
        "",
        "00" * 31,
        "00" * 33,
        "AB" * 32,  # upper case is not canonical (§1.2)
        "0g" * 32,
        " " + "00" * 32,
    ],
)
def test_seed_hex_is_strict(text: str) -> None:
    with pytest.raises(MalformedInput, match="expected 64 lower-case hex digits"):
        Lot.from_hex(text)


def test_seed_hex_round_trip_and_default_seed() -> None:
    assert Lot.from_hex("ab" * 32).seed == b"\xab" * 32
    assert Lot.from_file_bytes(b"1 1\n").seed == hashlib.sha256(b"1 1\n").digest()
    with pytest.raises(MalformedInput, match="lot seed: 5 bytes, expected 32"):
        Lot(b"short")
    with pytest.raises(ValueError, match="purpose"):
        Lot(bytes(32)).key(purpose="coin", stage=1, candidate=0)
