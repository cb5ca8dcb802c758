"""Micro-benchmarks of verivote's crypto core: median µs per operation and operations per second.

Usage (from the repository root): ``make bench`` or ``.venv/bin/python benchmarks/crypto_bench.py``
(``--quick`` for a fast, rougher run).

Method: one thread (so one core) throughout. Each operation runs in batches long enough
(about 20 ms) for ``time.perf_counter`` to be precise; after one warm-up batch, the median over
the batches of (batch time / operations in the batch) is reported. Inputs are fixed random
values; every exponent is a full 256-bit scalar unless the row says otherwise. Batch
verification (§6.7) and multi-exponentiation rows time whole batches (one to three runs each,
median) and divide by the batch's size. Figures depend on the machine and its load: compare
them on a quiet machine; on a shared one, ``--cpu-time`` times the thread's CPU time instead of
the wall clock, which other processes disturb less.
"""

from __future__ import annotations

import argparse
import importlib
import secrets
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from crypto import elgamal
from crypto._pippenger import group_by_length, pippenger_window
from crypto.batch import BatchVerifier
from crypto.credentials import CredentialKey, sign_with_credential, verify_credential_signature
from crypto.elgamal import (
    Ciphertext,
    PublicKey,
    SecretKey,
    decrypt_bytes,
    discrete_log,
    encrypt,
    encrypt_bytes,
    encrypt_with_randomness,
)
from crypto.group import G, N, Point, Scalar, g_pow
from crypto.multiexp import FixedBase, g_pow_vartime, multi_pow_vartime
from crypto.proofs.chaum_pedersen import prove_dleq, verify_dleq
from crypto.proofs.disjunctive import (
    DisjunctiveProof,
    prove_range,
    prove_sum_range,
    verify_range,
    verify_sum_range,
)
from crypto.proofs.randomness import prove_randomness, verify_randomness

CONTEXT = b"benchmark election fingerprint|credential|contest|option"
BATCH_SIZES = (100, 1_000, 10_000)
# The clock: time.perf_counter (wall) by default, time.thread_time with --cpu-time.
_clock: Callable[[], float] = time.perf_counter


@dataclass(frozen=True)
class Row:
    name: str
    median_us: float
    target_us: float | None = None
    note: str = ""


def measure(fn: Callable[[], object], *, batch_seconds: float, batches: int) -> float:
    """Median µs per call over ``batches`` batches, after a warm-up batch."""
    # Size the batch: at least one call, about batch_seconds long.
    start = _clock()
    fn()
    once = max(_clock() - start, 1e-7)
    per_batch = max(1, int(batch_seconds / once))
    for _ in range(per_batch):  # warm-up
        fn()
    samples = []
    for _ in range(batches):
        start = _clock()
        for _ in range(per_batch):
            fn()
        samples.append((_clock() - start) / per_batch * 1e6)
    return statistics.median(samples)


def measure_each(fn: Callable[[], object], *, count: int, runs: int) -> float:
    """Median µs per item over ``runs`` runs of ``fn``, which handles ``count`` items."""
    samples = []
    for _ in range(runs):
        start = _clock()
        fn()
        samples.append((_clock() - start) / count * 1e6)
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


@dataclass(frozen=True)
class _Ballot:
    """A 10-candidate vote-for-1 ballot's proofs, with a context of its own."""

    ciphertexts: list[Ciphertext]
    proofs: list[DisjunctiveProof]
    total: DisjunctiveProof
    context: bytes


def _make_ballot(pk: PublicKey, number: int) -> _Ballot:
    context = CONTEXT + number.to_bytes(4, "big")
    choices = [0] * 10
    choices[number % 10] = 1
    encrypted = [encrypt(pk, m) for m in choices]
    ciphertexts = [c for c, _ in encrypted]
    proofs = [
        prove_range(rr, value=m, public_key=pk, ciphertext=c, maximum=1, context=context)
        for m, (c, rr) in zip(choices, encrypted, strict=True)
    ]
    total = prove_sum_range(
        Scalar.reduce(sum(rr.value for _, rr in encrypted)),
        value=1,
        public_key=pk,
        ciphertexts=ciphertexts,
        minimum=1,
        maximum=1,
        context=context,
    )
    return _Ballot(ciphertexts, proofs, total, context)


def _add_ballot(batch: BatchVerifier, pk: PublicKey, ballot: _Ballot, number: int) -> None:
    for k, (c, p) in enumerate(zip(ballot.ciphertexts, ballot.proofs, strict=True)):
        batch.add_range(
            p, public_key=pk, ciphertext=c, maximum=1, context=ballot.context, label=(number, k)
        )
    batch.add_sum_range(
        ballot.total,
        public_key=pk,
        ciphertexts=ballot.ciphertexts,
        minimum=1,
        maximum=1,
        context=ballot.context,
        label=(number, "total"),
    )


def _sum_proofs(pk: PublicKey, count: int) -> list[tuple[list[Ciphertext], DisjunctiveProof]]:
    """``count`` sum proofs (10 ciphertexts, 1..1) over ciphertexts drawn from a pool."""
    zeros = [encrypt(pk, 0) for _ in range(997)]
    ones = [encrypt(pk, 1) for _ in range(101)]
    out = []
    for i in range(count):
        chosen = [zeros[(9 * i + t) % len(zeros)] for t in range(9)]
        chosen.insert(i % 10, ones[i % len(ones)])
        items = [c for c, _ in chosen]
        proof = prove_sum_range(
            Scalar.reduce(sum(r.value for _, r in chosen)),
            value=1,
            public_key=pk,
            ciphertexts=items,
            minimum=1,
            maximum=1,
            context=CONTEXT + i.to_bytes(4, "big"),
        )
        out.append((items, proof))
    return out


def _batch_rows(
    pk: PublicKey, *, quick: bool, single_range: float, single_sum: float, single_ballot: float
) -> list[Row]:
    """Spec §6.7 Batch verification, per proof and per ballot, against the single path."""
    runs = 1 if quick else 3
    ballots = [_make_ballot(pk, i) for i in range(max(BATCH_SIZES) // 10)]
    selections = [
        (c, p, b.context) for b in ballots for c, p in zip(b.ciphertexts, b.proofs, strict=True)
    ]
    sums = _sum_proofs(pk, max(BATCH_SIZES))

    def verify_range_batch(items: Sequence[tuple[Ciphertext, DisjunctiveProof, bytes]]) -> None:
        batch = BatchVerifier()
        for i, (c, p, context) in enumerate(items):
            batch.add_range(p, public_key=pk, ciphertext=c, maximum=1, context=context, label=i)
        batch.verify()

    def verify_sum_batch(items: Sequence[tuple[list[Ciphertext], DisjunctiveProof]]) -> None:
        batch = BatchVerifier()
        for i, (cs, p) in enumerate(items):
            context = CONTEXT + i.to_bytes(4, "big")
            batch.add_sum_range(
                p, public_key=pk, ciphertexts=cs, minimum=1, maximum=1, context=context, label=i
            )
        batch.verify()

    def verify_ballots(chosen: Sequence[_Ballot]) -> None:
        batch = BatchVerifier()
        for number, ballot in enumerate(chosen):
            _add_ballot(batch, pk, ballot, number)
        batch.verify()

    rows = []
    for size in BATCH_SIZES:
        us = measure_each(partial(verify_range_batch, selections[:size]), count=size, runs=runs)
        rows.append(
            Row(
                f"0/1 proof, batched (§6.7), {size:,} proofs: per proof",
                us,
                note=f"{single_range / us:.1f}x the single path",
            )
        )
    for size in BATCH_SIZES:
        us = measure_each(partial(verify_sum_batch, sums[:size]), count=size, runs=runs)
        rows.append(
            Row(
                f"sum proof (10 ciphertexts, 1..1), batched alone, {size:,} proofs: per proof",
                us,
                note=f"{single_sum / us:.1f}x the single path",
            )
        )
    for count in sorted({min(100, len(ballots)), len(ballots)}):
        us = measure_each(partial(verify_ballots, ballots[:count]), count=count, runs=runs)
        rows.append(
            Row(
                f"10-candidate vote-for-1 ballot, batched, {count:,} ballots: per ballot",
                us,
                target_us=1500,
                note=f"{single_ballot / us:.1f}x the single path",
            )
        )
    return rows


MULTI_POW_SIZES = (10, 100, 1_000, 10_000, 100_000)


def _multi_pow_rows(*, quick: bool) -> list[Row]:
    """Spec §2.5 multi_pow_vartime per base, with the method its cost model picks."""
    sizes = MULTI_POW_SIZES[:-1] if quick else MULTI_POW_SIZES
    bases = [g_pow_vartime(Scalar.random()) for _ in range(max(sizes))]
    rows = []
    for bits in (256, 128):
        exponents = [Scalar(secrets.randbits(bits) % N) for _ in bases]
        for size in sizes:
            terms = list(zip(bases[:size], exponents[:size], strict=True))
            window = pippenger_window(
                [len(group) for group in group_by_length([k.value for _, k in terms])]
            )
            method = f"Pippenger, {window}-bit windows" if window else "one multiplication each"
            us = measure_each(
                partial(multi_pow_vartime, terms),
                count=size,
                runs=3 if size < 10_000 or not quick else 1,
            )
            rows.append(
                Row(
                    f"multi_pow_vartime, {size:,} bases, {bits}-bit exponents: per base",
                    us,
                    note=method,
                )
            )
    return rows


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
    single_range = rows[-1]
    single_sum = Row(
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
    )
    # The 1.5 ms target is the verifier's cost per ballot, which batches (§6.7); the single
    # path is shown so the batched rows below can say what batching buys.
    single_ballot = Row(
        "10-candidate vote-for-1 ballot verification, single path",
        bench(verify_ballot),
        note="informative; the 1.5 ms target applies to the batched rows",
    )
    rows += [single_sum, single_ballot]
    batched = _batch_rows(
        pk,
        quick=quick,
        single_range=single_range.median_us,
        single_sum=single_sum.median_us,
        single_ballot=single_ballot.median_us,
    )
    # §8.2 The ballot's credential signature: a compact Schnorr signature, verified alone.
    secret = Scalar.random()
    credential = CredentialKey(bytes(32), secret, g_pow(secret))
    signature = sign_with_credential(credential, b"ballot entry bytes")
    signature_row = Row(
        "credential signature verification (§8.2)",
        bench(
            lambda: verify_credential_signature(
                signature,
                credential=credential.public,
                message=b"ballot entry bytes",
                fingerprint=bytes(32),
            )
        ),
    )
    rows += [
        *batched,
        signature_row,
        Row(
            "10-candidate ballot: batched proofs (largest batch) + credential signature",
            batched[-1].median_us + signature_row.median_us,
            target_us=1500,
            note="sum of the two rows above",
        ),
        *_multi_pow_rows(quick=quick),
    ]
    rows += [
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
    print(f"{'operation':<{width}}  {'median µs':>10}  {'ops/s':>10}  target / note")
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
        note = f"{target}; {row.note}" if target and row.note else target or row.note
        print(f"{row.name:<{width}}  {row.median_us:>10.1f}  {ops:>10,.0f}  {note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer, shorter batches")
    parser.add_argument(
        "--cpu-time",
        action="store_true",
        help="time the thread's CPU time, not the wall clock (for a shared machine)",
    )
    args = parser.parse_args()
    if args.cpu_time:
        global _clock
        _clock = time.thread_time
    print_table(run(quick=args.quick))


if __name__ == "__main__":
    main()
