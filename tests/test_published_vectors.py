"""tests/vectors/published/published.json (the board's answers to a booth opening an election,
read by booth/tests/published.test.mjs) is what its generator writes, over the log of
tests/vectors/receipts."""

from __future__ import annotations

from pathlib import Path

from tests.vectors import VECTORS, load
from tests.vectors.published import generate


def test_the_file_is_what_the_generator_writes(tmp_path: Path) -> None:
    generate.main(tmp_path / "published.json")
    written = (tmp_path / "published.json").read_bytes()
    assert written == (VECTORS / "published" / "published.json").read_bytes()


def test_the_log_is_the_receipts_vectors() -> None:
    published, receipts = load("published/published"), load("receipts/receipts")
    assert published["leaf_hashes"] == receipts["leaf_hashes"]
    assert published["board_key"] == receipts["board_key"]
    assert [c["error"] for c in published["refused"]] == [
        "invalid_signature",
        "inconsistent_log",
        "malformed",
    ]
