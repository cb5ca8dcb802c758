"""benchmarks/mix_bench.py keeps working (tiny N): every row, with its target where it has one."""

from __future__ import annotations

import pytest

from tests.bench_modules import load


def test_every_row_is_produced(monkeypatch: pytest.MonkeyPatch) -> None:
    bench = load("mix_bench", monkeypatch)
    rows = bench.run(12, memory=True)
    names = [name.strip() for name, _, _, _ in rows]
    assert names == [
        "shuffle (re-encrypt and permute)",
        "proof of the shuffle (§6.8), generators included",
        "shuffle + proof, per ciphertext",
        "verification: parse outputs and proof (5 points each)",
        "verification: derive the generators",
        "verification: check_shuffle_proof (batched)",
        "verification, per ciphertext",
        "decryption share + proof (§7.8, one proof per list)",
        "decryption verification (§7.8), parse included",
        "alternative, §7.6 proof per ciphertext: share + proof",
        "alternative: verified one by one",
        "alternative: verified batched from transcripts (§6.7 style)",
        "memory, prover: peak growth per 100,000 ciphertexts",
        "memory, verifier: peak growth per 100,000 ciphertexts",
    ]
    targets = {name.strip(): (target, verdict) for name, _, target, verdict in rows}
    assert targets["shuffle + proof, per ciphertext"][0] == "<= 300 µs"
    assert targets["verification, per ciphertext"][0] == "<= 200 µs"
    assert targets["decryption share + proof (§7.8, one proof per list)"][0] == "<= 150 µs"
    assert targets["decryption verification (§7.8), parse included"][0] == "<= 100 µs"
    assert all(verdict in {"PASS", "FAIL"} for target, verdict in targets.values() if target)
    assert all(float(value.split()[0]) >= 0 for _, value, _, _ in rows)


def test_the_end_to_end_row_posts_a_mix_to_a_board(monkeypatch: pytest.MonkeyPatch) -> None:
    bench = load("mix_bench", monkeypatch)
    rows = bench.run(8, memory=False, board=True)
    name, value, target, verdict = rows[-1]
    assert name.startswith("end to end: a mix of")
    assert "through a board" in name
    assert float(value.split()[0]) > 0
    assert (target, verdict) == ("", "")


def test_the_process_rows_time_a_mix_in_this_process_and_on_workers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bench = load("mix_bench", monkeypatch)
    rows = bench.run(6, memory=False, jobs=2)
    names = [name for name, _, _, _ in rows[-2:]]
    assert names == [
        "shuffle + proof on this process, WALL time",
        "shuffle + proof on 2 worker processes, WALL time",
    ]
    assert all(float(value.split()[0]) > 0 for _, value, _, _ in rows[-2:])
