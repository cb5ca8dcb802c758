"""benchmarks/crypto_bench.py's batch and multi-exponentiation rows keep working (tiny sizes)."""

from __future__ import annotations

import pytest

from crypto.elgamal import SecretKey
from tests.bench_modules import load


def test_batch_and_multi_pow_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    bench = load("crypto_bench", monkeypatch)
    monkeypatch.setattr(bench, "BATCH_SIZES", (10, 20))
    monkeypatch.setattr(bench, "MULTI_POW_SIZES", (5, 2000, 2001))
    pk = SecretKey.generate().public_key().precompute()
    rows = bench._batch_rows(
        pk, quick=True, single_range=150.0, single_sum=110.0, single_ballot=1800.0
    )
    names = [row.name for row in rows]
    assert names == [
        "0/1 proof, batched (§6.7), 10 proofs: per proof",
        "0/1 proof, batched (§6.7), 20 proofs: per proof",
        "sum proof (10 ciphertexts, 1..1), batched alone, 10 proofs: per proof",
        "sum proof (10 ciphertexts, 1..1), batched alone, 20 proofs: per proof",
        "10-candidate vote-for-1 ballot, batched, 2 ballots: per ballot",
    ]
    assert all(row.median_us > 0 for row in rows)
    multi = bench._multi_pow_rows(quick=True)
    assert [row.name for row in multi] == [
        f"multi_pow_vartime, {size:,} bases, {bits}-bit exponents: per base"
        for bits in (256, 128)
        for size in (5, 2000)
    ]
    assert [row.note.split(",")[0] for row in multi] == [
        "one multiplication each",
        "Pippenger",
        "one multiplication each",
        "Pippenger",
    ]
