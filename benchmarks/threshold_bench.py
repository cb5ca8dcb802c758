"""Benchmarks for spec §7 (threshold decryption, key ceremony) and §8.2-§8.3 (credentials).

Usage: ``.venv/bin/python benchmarks/threshold_bench.py``. Prints the median time of each
operation (one core) in microseconds and operations per second. Figures are indicative.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from crypto.credentials import (
    CredentialCode,
    derive_credential_key,
    sign_with_credential,
    verify_credential_signature,
)
from crypto.group import Point, Scalar, g_pow
from crypto.multiexp import FixedBase
from crypto.threshold import (
    JointKey,
    KeyShare,
    ThresholdParameters,
    combine_decryption_shares,
    deal,
    derive_key_share,
    generate_trustee_key,
    open_share,
    partial_decrypt,
    threshold_decrypt,
    verify_ceremony,
    verify_partial_decryption,
)

FINGERPRINT = bytes(range(32))
CONTEXT = FINGERPRINT + b"|bench"


def measure(name: str, fn: Callable[[], object], repeat: int) -> None:
    fn()  # warm-up (fills caches such as the g table)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    print(f"{name:<60} {median * 1e6:>11.1f} µs {1 / median:>11.1f} ops/s")


def ceremony(n: int, t: int) -> tuple[JointKey, dict[int, KeyShare]]:
    params = ThresholdParameters(FINGERPRINT, n, t)
    pairs = [generate_trustee_key(params, i) for i in params.indices]
    publics = [p.public for p in pairs]
    dealt = [deal(params, i, publics) for i in params.indices]
    dealings = [d for _, d in dealt]
    result = verify_ceremony(params, publics, dealings, [])
    shares = {}
    for pair, (secret, _) in zip(pairs, dealt, strict=True):
        received = {
            d.dealer: open_share(params, pair, d) for d in dealings if d.dealer != pair.trustee
        }
        shares[pair.trustee] = derive_key_share(secret, received, result.joint_key)
    return result.joint_key, shares


def threshold_rows() -> None:
    joint, shares = ceremony(5, 3)
    r = Scalar.random()
    alpha, beta = g_pow(r), g_pow(Scalar(1234)) * joint.public_key**r
    share = shares[1]
    partial = partial_decrypt(share, alpha, context=CONTEXT)
    key = share.verification_key
    table = FixedBase.precompute(key)
    partials = [partial_decrypt(shares[j], alpha, context=CONTEXT) for j in (1, 2, 3)]
    measure(
        "partial decryption with DLEQ proof (§7.6)",
        lambda: partial_decrypt(share, alpha, context=CONTEXT),
        300,
    )
    measure(
        "verify one partial decryption (§7.6)",
        lambda: verify_partial_decryption(
            partial, alpha=alpha, verification_key=key, context=CONTEXT
        ),
        300,
    )
    measure(
        "verify one partial decryption, X_j table (§2.5)",
        lambda: verify_partial_decryption(
            partial, alpha=alpha, verification_key=table, context=CONTEXT
        ),
        300,
    )
    measure("precompute an X_j table (§2.5)", lambda: FixedBase.precompute(key), 10)
    for t in (3, 5):
        many = shares if t == 3 else ceremony(5, 5)[1]
        decryption_shares: dict[int, Point] = {j: alpha ** many[j].secret for j in range(1, t + 1)}
        measure(
            f"combine t = {t} decryption shares by Lagrange (§7.7)",
            lambda ds=decryption_shares: combine_decryption_shares(ds),  # type: ignore[misc]
            300,
        )
    measure(
        "threshold_decrypt, t = 3: verify 3 proofs + combine (§7.7)",
        lambda: threshold_decrypt(alpha, beta, partials, joint_key=joint, context=CONTEXT),
        200,
    )
    measure("whole ceremony n = 5, t = 3, every trustee in one process", lambda: ceremony(5, 3), 5)


def credential_rows() -> None:
    code = CredentialCode.generate()
    text = code.formatted()
    key = derive_credential_key(code, fingerprint=FINGERPRINT)
    message = bytes(32)
    signature = sign_with_credential(key, message)
    measure("parse a credential code (§8.3)", lambda: CredentialCode.parse(text), 1000)
    measure(
        "derive a credential key and g^x (§8.3)",
        lambda: derive_credential_key(code, fingerprint=FINGERPRINT),
        300,
    )
    measure("credential signature (§8.2)", lambda: sign_with_credential(key, message), 300)
    measure(
        "verify a credential signature (§8.2)",
        lambda: verify_credential_signature(
            signature, credential=key.public, message=message, fingerprint=FINGERPRINT
        ),
        300,
    )


def main() -> None:
    print(f"{'operation':<60} {'median':>14} {'throughput':>17}")
    threshold_rows()
    credential_rows()


if __name__ == "__main__":
    main()
