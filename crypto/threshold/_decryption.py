"""Spec §7.6 Partial decryption with a DLEQ proof, and §7.7 combination of any t shares."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from crypto import canonical
from crypto.errors import InsufficientShares, InvalidProof, MalformedInput
from crypto.group import G, Point, Scalar
from crypto.hashing import Dst, encode_parts
from crypto.multiexp import FixedBase, multi_pow_vartime
from crypto.proofs.chaum_pedersen import DleqProof, unsafe_prove_dleq, verify_dleq
from crypto.threshold._ceremony import JointKey, KeyShare
from crypto.threshold._parameters import derive_interpolating_value, index_bytes, parse_index
from crypto.wire import expect_object

# Verifying more proofs than this against one X_j pays for X_j's precomputed table (§2.5):
# building it costs about 25 ms and saves about 9 µs a verification
# (benchmarks/threshold_bench.py).
_TABLE_THRESHOLD: Final = 4096


@dataclass(frozen=True, slots=True)
class PartialDecryption:
    """Spec §7.6 Trustee j's decryption share D_j = alpha^x_j with a DLEQ proof against X_j.

    Wire form: ``{"trustee": j, "decryption_share": D_j, "proof": {...}}``.
    """

    trustee: int
    decryption_share: Point
    proof: DleqProof

    def to_json(self) -> dict[str, canonical.JsonValue]:
        return {
            "trustee": self.trustee,
            "decryption_share": self.decryption_share.to_hex(),
            "proof": dict(self.proof.to_json()),
        }

    @classmethod
    def from_json(cls, value: object) -> PartialDecryption:
        """Spec §7.6 Parse a partial decryption strictly.

        Raises:
            MalformedInput: fields missing or unknown, bad index, point or scalar.
        """
        obj = expect_object(
            value, "partial decryption", required={"trustee", "decryption_share", "proof"}
        )
        return cls(
            parse_index(obj["trustee"], "partial decryption: trustee"),
            Point.from_hex(obj["decryption_share"]),
            DleqProof.from_json(obj["proof"], "partial decryption: proof"),
        )


def decryption_context(context: bytes, trustee: int) -> bytes:
    """Spec §7.6 ctx = encode_parts("verivote-1/decryption/share", context, I2OSP(j, 4))."""
    return encode_parts(Dst.DECRYPTION_SHARE, context, index_bytes(trustee))


def partial_decrypt(key_share: KeyShare, alpha: Point, *, context: bytes) -> PartialDecryption:
    """Spec §7.6 D_j = alpha^x_j with a DLEQ proof (g, X_j, alpha, D_j) bound to ``context``.

    ``context`` names what is decrypted (it must include the election fingerprint).

    Raises:
        MalformedInput: alpha is the identity.
    """
    return unsafe_partial_decrypt(key_share, alpha, context=context, nonce=Scalar.random())


def unsafe_partial_decrypt(
    key_share: KeyShare, alpha: Point, *, context: bytes, nonce: Scalar
) -> PartialDecryption:
    """Spec §7.6 The deterministic core of ``partial_decrypt``. Never reuse a nonce.

    Raises:
        MalformedInput: alpha is the identity.
    """
    if alpha.is_identity:
        raise MalformedInput("partial decryption: alpha is the identity")
    j = key_share.trustee
    share = alpha**key_share.secret
    proof = unsafe_prove_dleq(
        key_share.secret,
        g1=G,
        h1=key_share.verification_key,
        g2=alpha,
        h2=share,
        context=decryption_context(context, j),
        nonce=nonce,
    )
    return PartialDecryption(j, share, proof)


def partial_decrypt_many(
    key_share: KeyShare, alphas: Sequence[Point], *, context: bytes
) -> tuple[PartialDecryption, ...]:
    """Spec §7.6 ``partial_decrypt`` for each alpha in turn (a tally's ciphertexts).

    Raises:
        MalformedInput: an alpha is the identity.
    """
    return tuple(partial_decrypt(key_share, alpha, context=context) for alpha in alphas)


def verify_partial_decryption(
    partial: PartialDecryption, *, alpha: Point, verification_key: Point, context: bytes
) -> None:
    """Spec §7.6 Check D_j's DLEQ proof for the statement (g, X_j, alpha, D_j) and ``context``.

    Raises:
        InvalidProof: alpha, X_j or D_j is the identity, or the proof does not verify.
    """
    try:
        verify_dleq(
            partial.proof,
            g1=G,
            h1=verification_key,
            g2=alpha,
            h2=partial.decryption_share,
            context=decryption_context(context, partial.trustee),
        )
    except InvalidProof as exc:
        raise InvalidProof(f"partial decryption by trustee {partial.trustee}: {exc}") from None


def combine_decryption_shares(shares: Mapping[int, Point]) -> Point:
    """Spec §7.7 Π_{j∈T} D_j^λ_j for exactly the indices T given, with no threshold check.

    With t valid shares this is alpha^x; with fewer it is a meaningless element. Use
    ``combine_partial_decryptions`` or ``threshold_decrypt``, which refuse fewer than t.

    Raises:
        MalformedInput: an index is not in 1..255.
    """
    indices = list(shares)
    return multi_pow_vartime((shares[j], derive_interpolating_value(j, indices)) for j in indices)


def combine_partial_decryptions(partials: Iterable[PartialDecryption], *, threshold: int) -> Point:
    """Spec §7.7 alpha^x from already verified partial decryptions: the t lowest indices are used.

    Raises:
        MalformedInput: t < 1, or two partial decryptions from one trustee.
        InsufficientShares: fewer than t partial decryptions.
    """
    if threshold < 1:
        raise MalformedInput(f"threshold t must be at least 1, got {threshold}")
    by_trustee: dict[int, Point] = {}
    for partial in partials:
        if partial.trustee in by_trustee:
            raise MalformedInput(f"two partial decryptions from trustee {partial.trustee}")
        by_trustee[partial.trustee] = partial.decryption_share
    chosen = sorted(by_trustee)[:threshold]
    if len(chosen) < threshold:
        raise InsufficientShares("cannot combine", valid=len(chosen), threshold=threshold)
    return combine_decryption_shares({j: by_trustee[j] for j in chosen})


def threshold_decrypt(
    alpha: Point,
    beta: Point,
    partials: Iterable[PartialDecryption],
    *,
    joint_key: JointKey,
    context: bytes,
) -> Point:
    """Spec §7.7 Decrypt (alpha, beta) to beta / alpha^x from any t valid partial decryptions.

    Each partial decryption is verified against its trustee's X_j; invalid ones are left out
    (their trustees are named in the error if too few remain); of the valid ones the t with the
    lowest indices are combined.

    Raises:
        MalformedInput: two partial decryptions from one trustee, or an index not in 1..n_T.
        InsufficientShares: fewer than t valid partial decryptions.
    """
    return threshold_decrypt_many(
        [(alpha, beta)], [[p] for p in partials], joint_key=joint_key, context=context
    )[0]


def threshold_decrypt_many(
    ciphertexts: Sequence[tuple[Point, Point]],
    batches: Iterable[Sequence[PartialDecryption]],
    *,
    joint_key: JointKey,
    context: bytes,
) -> list[Point]:
    """Spec §7.7 ``threshold_decrypt`` for many ciphertexts (alpha, beta) at once.

    ``batches`` holds one sequence per trustee, aligned with ``ciphertexts`` (what
    ``partial_decrypt_many`` returns). For each ciphertext the t lowest-indexed trustees whose
    partial decryption of it verifies are combined.

    Raises:
        MalformedInput: a batch of the wrong length or mixing trustees, two batches from one
            trustee, or an index not in 1..n_T.
        InsufficientShares: fewer than t valid partial decryptions for some ciphertext.
    """
    t = joint_key.parameters.threshold
    by_trustee: dict[int, Sequence[PartialDecryption]] = {}
    for batch in batches:
        if len(batch) != len(ciphertexts):
            raise MalformedInput(
                f"partial decryptions: batch of {len(batch)} for {len(ciphertexts)} ciphertexts"
            )
        if not batch:
            continue
        j = batch[0].trustee
        if any(p.trustee != j for p in batch):
            raise MalformedInput("partial decryptions: one batch mixes trustees")
        if j in by_trustee:
            raise MalformedInput(f"two partial decryptions from trustee {j}")
        by_trustee[j] = batch
    keys: dict[int, Point] = {}
    for j in sorted(by_trustee):
        key = joint_key.verification_key(j)
        keys[j] = FixedBase.precompute(key) if len(ciphertexts) >= _TABLE_THRESHOLD else key
    results = []
    for k, (alpha, beta) in enumerate(ciphertexts):
        valid: dict[int, Point] = {}
        rejected: list[int] = []
        # Verify in index order, stopping at the t lowest valid shares.
        for j in sorted(by_trustee):
            if len(valid) == t:
                break
            partial = by_trustee[j][k]
            try:
                verify_partial_decryption(
                    partial, alpha=alpha, verification_key=keys[j], context=context
                )
            except InvalidProof:
                rejected.append(j)
                continue
            valid[j] = partial.decryption_share
        if len(valid) < t:
            detail = f"; invalid from trustee(s) {rejected}" if rejected else ""
            raise InsufficientShares(
                f"ciphertext {k}: cannot decrypt{detail}", valid=len(valid), threshold=t
            )
        results.append(beta / combine_decryption_shares(valid))
    return results
