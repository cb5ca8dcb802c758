"""Micro-benchmarks of verivote's crypto core: median µs per operation and operations per second.

Usage (from the repository root): ``make bench`` or ``.venv/bin/python benchmarks/crypto_bench.py``
(``--quick`` for a fast, rougher run).

Method: one thread (so one core) throughout. Each operation runs in batches long enough
(about 20 ms) for ``time.perf_counter`` to be precise; after one warm-up batch, the median over
the batches of (batch time / operations in the batch) is reported. Inputs are fixed random
values; every exponent is a full 256-bit scalar. Figures depend on the machine and its load:
compare them on a quiet machine.
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from crypto import elgamal
from crypto.elgamal import (
    SecretKey,
    decrypt_bytes,
    discrete_log,
    encrypt,
    encrypt_bytes,
    encrypt_with_randomness,
)
from crypto.group import FixedBase, G, Point, Scalar, g_pow, g_pow_vartime, multi_pow_vartime
from crypto.proofs.chaum_pedersen import prove_dleq, verify_dleq
from crypto.proofs.disjunctive import prove_range, prove_sum_range, verify_range, verify_sum_range
from crypto.proofs.randomness import prove_randomness, verify_randomness

CONTEXT = b"benchmark election fingerprint|credential|contest|option"


@dataclass(frozen=True)
class Row:
    name: str
    median_us: float
    target_us: float | None = None
    note: str = ""


def measure(fn: Callable[[], object], *, batch_seconds: float, batches: int) -> float:
    """Median µs per call over ``batches`` batches, after a warm-up batch."""
    # Size the batch: at least one call, about batch_seconds long.
    start = time.perf_counter()
    fn()
    once = max(time.perf_counter() - start, 1e-7)
    per_batch = max(1, int(batch_seconds / once))
    for _ in range(per_batch):  # warm-up
        fn()
    samples = []
    for _ in range(batches):
        start = time.perf_counter()
        for _ in range(per_batch):
            fn()
        samples.append((time.perf_counter() - start) / per_batch * 1e6)
    return statistics.median(samples)


def _partial_decryption_row(bench: Callable[[Callable[[], object]], float]) -> Row:
    name = "partial decryption (D = alpha^x_j + DLEQ proof)"
    try:
        threshold = importlib.import_module("crypto.threshold")
        partial_decrypt = threshold.partial_decrypt
    except (ImportError, AttributeError):
        return Row(name, float("nan"), note="crypto.threshold.partial_decrypt not present yet")
    try:
        secret = Scalar.random()
        share = threshold.KeyShare(trustee=1, secret=secret, verification_key=g_pow(secret))
        alpha = g_pow(Scalar.random())
        partial_decrypt(share, alpha, context=CONTEXT)
    except Exception as exc:  # its API is another engineer's and may change
        return Row(name, float("nan"), note=f"could not call partial_decrypt: {exc!r}")
    return Row(name, bench(lambda: partial_decrypt(share, alpha, context=CONTEXT)))


def run(*, quick: bool) -> list[Row]:
    batch_seconds, batches = (0.01, 5) if quick else (0.02, 15)

    def bench(fn: Callable[[], object]) -> float:
        return measure(fn, batch_seconds=batch_seconds, batches=batches)

    k, k2 = Scalar.random(), Scalar.random()
    x = g_pow(Scalar.random())
    sk = SecretKey.generate()
    pk = sk.public_key().precompute()
    table = pk.element
    assert isinstance(table, FixedBase)
    rows = [
        Row("g_pow (constant time, secret exponent)", bench(lambda: g_pow(k))),
        Row("g_pow_vartime (fixed-base table)", bench(lambda: g_pow_vartime(k))),
        Row("FixedBase.pow_vartime (election key table)", bench(lambda: table.pow_vartime(k))),
        Row("Point ** k (variable base, constant time)", bench(lambda: x**k)),
        Row(
            "multi_pow_vartime [(g, a), (X, b)]",
            bench(lambda: multi_pow_vartime([(G, k), (x, k2)])),
        ),
        Row(
            "multi_pow_vartime [(pk table, a), (X, b)]",
            bench(lambda: multi_pow_vartime([(table, k), (x, k2)])),
        ),
        Row("Point.from_bytes (decompression)", bench(lambda: Point.from_bytes(x.to_bytes()))),
    ]

    # §5.2 encryption and §6.4 0/1 proofs.
    r = Scalar.random()
    vote = encrypt_with_randomness(pk, 1, randomness=r)
    proof01 = prove_range(r, value=1, public_key=pk, ciphertext=vote, maximum=1, context=CONTEXT)

    def encrypt_and_prove() -> None:
        ciphertext, randomness = encrypt(pk, 1)
        prove_range(
            randomness, value=1, public_key=pk, ciphertext=ciphertext, maximum=1, context=CONTEXT
        )

    rows += [
        Row("encrypt (exponential, §5.2)", bench(lambda: encrypt(pk, 1))),
        Row(
            "0/1 proof generation (§6.4, L = 1)",
            bench(
                lambda: prove_range(
                    r, value=1, public_key=pk, ciphertext=vote, maximum=1, context=CONTEXT
                )
            ),
        ),
        Row("encrypt + 0/1 proof", bench(encrypt_and_prove), target_us=300),
        Row(
            "0/1 proof verification (§6.4)",
            bench(
                lambda: verify_range(
                    proof01, public_key=pk, ciphertext=vote, maximum=1, context=CONTEXT
                )
            ),
            target_us=250,
        ),
    ]

    # A 10-candidate vote-for-1 ballot: 10 range proofs 0..1 and one sum proof 1..1.
    choices = [1] + [0] * 9
    encrypted = [encrypt(pk, m) for m in choices]
    ciphertexts = [c for c, _ in encrypted]
    proofs = [
        prove_range(rr, value=m, public_key=pk, ciphertext=c, maximum=1, context=CONTEXT)
        for m, (c, rr) in zip(choices, encrypted, strict=True)
    ]
    total_r = Scalar.reduce(sum(rr.value for _, rr in encrypted))
    sum_proof = prove_sum_range(
        total_r,
        value=1,
        public_key=pk,
        ciphertexts=ciphertexts,
        minimum=1,
        maximum=1,
        context=CONTEXT,
    )

    def verify_ballot() -> None:
        for c, p in zip(ciphertexts, proofs, strict=True):
            verify_range(p, public_key=pk, ciphertext=c, maximum=1, context=CONTEXT)
        verify_sum_range(
            sum_proof,
            public_key=pk,
            ciphertexts=ciphertexts,
            minimum=1,
            maximum=1,
            context=CONTEXT,
        )

    randomness_proof = prove_randomness(r, public_key=pk, ciphertext=vote, context=CONTEXT)
    rows += [
        Row(
            "sum proof verification (§6.5, 10 ciphertexts, 1..1)",
            bench(
                lambda: verify_sum_range(
                    sum_proof,
                    public_key=pk,
                    ciphertexts=ciphertexts,
                    minimum=1,
                    maximum=1,
                    context=CONTEXT,
                )
            ),
        ),
        Row("10-candidate vote-for-1 ballot verification", bench(verify_ballot), target_us=1500),
        Row(
            "randomness proof verification (§6.6)",
            bench(
                lambda: verify_randomness(
                    randomness_proof, public_key=pk, ciphertext=vote, context=CONTEXT
                )
            ),
        ),
    ]

    # §6.3 DLEQ verification (as for a decryption share).
    secret = Scalar.random()
    h1, h2 = g_pow(secret), x**secret
    dleq = prove_dleq(secret, g1=G, h1=h1, g2=x, h2=h2, context=CONTEXT)
    rows.append(
        Row(
            "DLEQ verification (§6.3)",
            bench(lambda: verify_dleq(dleq, g1=G, h1=h1, g2=x, h2=h2, context=CONTEXT)),
        )
    )
    rows.append(_partial_decryption_row(bench))

    # §5.5 BSGS: table build (cache cleared) and decoding a value at the top of the bound.
    bound = 1_000_000
    target = g_pow(Scalar(bound))

    def build_and_decode() -> None:
        elgamal._baby_steps.cache_clear()  # benchmark-only access: time the table build
        discrete_log(target, bound=bound)

    discrete_log(target, bound=bound)
    decode = bench(lambda: discrete_log(target, bound=bound))
    rows += [
        Row("BSGS decode of 1,000,000 (table cached)", decode),
        Row("BSGS table build for bound 1,000,000", bench(build_and_decode) - decode),
    ]

    # §5.6 point embedding.
    data = bytes(range(1, 29))
    embedded, _ = encrypt_bytes(pk, data)
    rows += [
        Row("embedding encrypt (28 bytes, §5.6)", bench(lambda: encrypt_bytes(pk, data))),
        Row("embedding decrypt + extract (§5.6)", bench(lambda: decrypt_bytes(sk, embedded))),
    ]
    return rows


def print_table(rows: list[Row]) -> None:
    width = max(len(row.name) for row in rows)
    print(f"{'operation':<{width}}  {'median µs':>10}  {'ops/s':>10}  target")
    print("-" * (width + 40))
    for row in rows:
        if row.median_us != row.median_us:  # NaN: not measured
            print(f"{row.name:<{width}}  {'-':>10}  {'-':>10}  {row.note}")
            continue
        ops = 1e6 / row.median_us
        target = ""
        if row.target_us is not None:
            verdict = "PASS" if row.median_us <= row.target_us else "FAIL"
            target = f"<= {row.target_us:g} µs {verdict}"
        print(f"{row.name:<{width}}  {row.median_us:>10.1f}  {ops:>10,.0f}  {target}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer, shorter batches")
    args = parser.parse_args()
    print_table(run(quick=args.quick))


if __name__ == "__main__":
    main()
