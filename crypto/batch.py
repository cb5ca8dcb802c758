"""Spec §6.7 Batch verification of §6.4 range proofs and §6.5 sum proofs.

A ``BatchVerifier`` takes many proofs, each with the arguments ``verify_range`` or
``verify_sum_range`` would take and an opaque ``label``, and accepts exactly what verifying each
alone would accept, except with probability at most 2^-128 per batch. The steps are §6.7's:

1. ``add_range``/``add_sum_range`` check each proof alone, at once and without exponentiation:
   the ciphertexts' alphas, the number of branches, the challenges summing to the hash of the
   commitments as received. ``verify`` then decodes the commitments' inverses (first byte
   0x02/0x03 flipped), all of the batch's in one call (proof by proof if one does not decode).
   A proof failing here is recorded with its reason.
2. ``verify`` draws two independent 128-bit weights per branch from ``secrets``, every proof in
   hand, in one call for the batch,
3. and folds the weighted equations into exponents: g's, each public key's, each ciphertext
   component's, and one per commitment (a ``MultiPowAccumulator``).
4. It computes the one multi-exponentiation (Pippenger's method for large batches) and
   accepts every proof recorded as passing step 1 iff it is the identity. If it is not, each of
   them is verified alone, so that the failures named are exactly single verification's.

Statements a verifier would refuse as malformed (bounds, an empty list) raise
``MalformedInput`` from ``add_*`` at once, as ``verify_*`` does. The group has prime order and
the weights are unpredictable, so an invalid proof survives step 4 with probability at most
2^-128 (see §6.7 for the argument, and for why both matter).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Final

from crypto.elgamal import Ciphertext, PublicKey
from crypto.errors import InvalidBatch, InvalidProof, MalformedInput
from crypto.group import G, Point, product
from crypto.hashing import Dst
from crypto.multiexp import FixedBase, MultiPowAccumulator
from crypto.proofs._common import reject_identity
from crypto.proofs.disjunctive import (
    DisjunctiveProof,
    _check_bounds,
    _check_challenges,
    _range_head,
    _sum_head,
    verify_range,
    verify_sum_range,
)

__all__ = ["WEIGHT_BITS", "BatchVerifier"]

# Spec §6.7 Each verification equation is raised to an independent weight in [0, 2^128).
WEIGHT_BITS: Final = 128
_WEIGHT_BYTES: Final = WEIGHT_BITS // 8


class _Pending:
    """A proof that passed step 1's checks without exponentiation (its commitments are decoded
    by ``verify``), with its position in the batch, its label and its statement, kept for the
    combined equation and for verifying it alone (step 4)."""

    __slots__ = (
        "ciphertexts",
        "context",
        "index",
        "label",
        "maximum",
        "minimum",
        "proof",
        "public_key",
        "sum",
    )

    def __init__(
        self,
        index: int,
        label: object,
        proof: DisjunctiveProof,
        public_key: PublicKey,
        ciphertexts: tuple[Ciphertext, ...],
        minimum: int,
        maximum: int,
        context: bytes,
        sum: bool,
    ) -> None:
        self.index, self.label, self.proof = index, label, proof
        self.public_key, self.ciphertexts, self.context = public_key, ciphertexts, context
        self.minimum, self.maximum, self.sum = minimum, maximum, sum

    @property
    def what(self) -> str:
        return "sum proof" if self.sum else "range proof"

    def verify_alone(self) -> None:
        """Spec §6.4 or §6.5 for this proof alone (step 4).

        Raises:
            InvalidProof: as ``verify_range`` or ``verify_sum_range``.
        """
        if self.sum:
            verify_sum_range(
                self.proof,
                public_key=self.public_key,
                ciphertexts=self.ciphertexts,
                minimum=self.minimum,
                maximum=self.maximum,
                context=self.context,
            )
        else:
            verify_range(
                self.proof,
                public_key=self.public_key,
                ciphertext=self.ciphertexts[0],
                maximum=self.maximum,
                context=self.context,
            )


class BatchVerifier:
    """Spec §6.7 Verify many §6.4/§6.5 proofs with one multi-exponentiation.

    Use one verifier per batch: ``add_range``/``add_sum_range`` for each proof, then
    ``verify()`` once. Batches of thousands of proofs amortise best. Not thread-safe.
    """

    __slots__ = ("_failures", "_pending")

    def __init__(self) -> None:
        # Proofs that passed step 1's checks without exponentiation, and those that failed
        # them: (position in the batch, label, reason).
        self._pending: list[_Pending] = []
        self._failures: list[tuple[int, object, str]] = []

    def __len__(self) -> int:
        """The number of proofs added."""
        return len(self._pending) + len(self._failures)

    def add_range(
        self,
        proof: DisjunctiveProof,
        *,
        public_key: PublicKey,
        ciphertext: Ciphertext,
        maximum: int,
        context: bytes,
        label: object,
    ) -> None:
        """Spec §6.7 Add a §6.4 proof that ``ciphertext`` encrypts a value in 0..maximum.

        Arguments as for ``verify_range``; ``label`` names the proof in ``InvalidBatch``.
        A proof failing the checks of step 1 is recorded as failed, not raised.

        Raises:
            MalformedInput: maximum not in [0, 2^32).
        """
        _check_bounds(0, maximum)
        what = "range proof"
        try:
            reject_identity("range proof: ciphertext alpha", ciphertext.alpha)
            _check_challenges(
                what, Dst.RANGE, _range_head(context, public_key, ciphertext), proof, 0, maximum
            )
        except InvalidProof as exc:
            self._fail(label, str(exc))
            return
        self._pending.append(
            _Pending(len(self), label, proof, public_key, (ciphertext,), 0, maximum, context, False)
        )

    def add_sum_range(
        self,
        proof: DisjunctiveProof,
        *,
        public_key: PublicKey,
        ciphertexts: Sequence[Ciphertext],
        minimum: int,
        maximum: int,
        context: bytes,
        label: object,
    ) -> None:
        """Spec §6.7 Add a §6.5 proof that the product of ``ciphertexts`` encrypts a value in
        minimum..maximum.

        Arguments as for ``verify_sum_range``; ``label`` names the proof in ``InvalidBatch``.
        A proof failing the checks of step 1 is recorded as failed, not raised.

        Raises:
            MalformedInput: bad bounds, or not 1 to 2^32 - 1 ciphertexts.
        """
        _check_bounds(minimum, maximum)
        items = tuple(ciphertexts)
        head = _sum_head(context, public_key, items)
        try:
            for i, ciphertext in enumerate(items):
                reject_identity(f"sum proof: ciphertext {i} alpha", ciphertext.alpha)
            _check_challenges("sum proof", Dst.SUM_RANGE, head, proof, minimum, maximum)
        except InvalidProof as exc:
            self._fail(label, str(exc))
            return
        self._pending.append(
            _Pending(len(self), label, proof, public_key, items, minimum, maximum, context, True)
        )

    def verify(self) -> None:
        """Spec §6.7 Check every proof added: return None, or raise ``InvalidBatch``.

        Steps 1 (decoding), 2 and 3 for every proof passing step 1's other checks, then step
        4: the product of all the weighted equations must be the identity. If it is not, each
        proof is verified alone (§6.4, §6.5), so that the failures named are exactly those of
        single verification.

        Raises:
            InvalidBatch: a proof does not verify; ``failures`` lists each with its reason.
        """
        failures = list(self._failures)
        if self._pending:
            decoded = self._decode_and_weigh(failures)
            if decoded and not self._combined_equation_holds(*decoded):
                for item, _ in decoded[0]:
                    try:
                        item.verify_alone()
                    except InvalidProof as exc:
                        failures.append((item.index, item.label, str(exc)))
        if failures:
            failures.sort(key=lambda failure: failure[0])
            raise InvalidBatch(
                f"batch of {len(self)} proofs",
                failures=[(label, reason) for _, label, reason in failures],
            )

    # Internals ----------------------------------------------------------------------------------
    def _fail(self, label: object, reason: str) -> None:
        self._failures.append((len(self), label, reason))

    def _decode_and_weigh(
        self, failures: list[tuple[int, object, str]]
    ) -> tuple[list[tuple[_Pending, int]], list[int], MultiPowAccumulator] | None:
        """Steps 2 and 1's decoding: the weights of every branch of every proof, all the proofs
        being in hand, drawn in one call (za_ij then zb_ij, 128 bits each); then the
        commitments' inverses A_ij^-1, B_ij^-1 decoded (first byte flipped) into a
        multi-exponentiation with their weights as exponents, all in one call. If one does not
        decode, each proof is decoded alone and those failing are recorded, with nothing of
        theirs kept. Returns the proofs kept, each with the position of its first weight, the
        weights, and the multi-exponentiation; None if no proof is kept."""
        pending = self._pending
        branches = sum(len(item.proof.branches) for item in pending)
        drawn = secrets.randbits(2 * WEIGHT_BITS * branches).to_bytes(32 * branches, "little")
        weights = [
            int.from_bytes(drawn[k : k + _WEIGHT_BYTES], "little")
            for k in range(0, len(drawn), _WEIGHT_BYTES)
        ]
        encodings = [
            encoding
            for item in pending
            for branch in item.proof.branches
            for encoding in (branch.a, branch.b)
        ]
        kept: list[tuple[_Pending, int]] = []
        start = 0
        for item in pending:
            kept.append((item, start))
            start += 2 * len(item.proof.branches)
        terms = MultiPowAccumulator()
        try:
            terms.add_encoded(zip(encodings, weights, strict=True), inverse=True)
        except MalformedInput:
            # Rare (a bad proof): proof by proof, so that each one failing is named.
            terms = MultiPowAccumulator()
            alone: list[tuple[_Pending, int]] = []
            for item, start in kept:
                end = start + 2 * len(item.proof.branches)
                try:
                    terms.add_encoded(
                        zip(encodings[start:end], weights[start:end], strict=True), inverse=True
                    )
                except MalformedInput:
                    reason = f"{item.what}: {_undecodable(item.proof)} is not a point on the curve"
                    failures.append((item.index, item.label, reason))
                    continue
                alone.append((item, start))
            kept = alone
        return (kept, weights, terms) if kept else None

    @staticmethod
    def _combined_equation_holds(
        kept: list[tuple[_Pending, int]], weights: list[int], terms: MultiPowAccumulator
    ) -> bool:
        """Step 3, with the commitments already in ``terms``, and the test of step 4.

        For branch j (value v_j = minimum + j) of a proof with weights (za, zb), the equations
        A_j = g^s_j · alpha*^-c_j and B_j = pk^s_j · (beta* / g^v_j)^-c_j contribute
        g^(za·s_j + zb·c_j·v_j) · pk^(zb·s_j) · alpha*^(-za·c_j) · beta*^(-zb·c_j) · (A_j^-1)^za ·
        (B_j^-1)^zb, which is the identity when both hold. The exponents of g, of each public
        key (the table-carrying object kept) and of each ciphertext component (merged when a
        ciphertext recurs) are summed; a §6.5 proof's alpha* and beta* are products.
        """
        g_exponent = 0
        # Bases by encoding, and their summed exponents.
        keys: dict[bytes, Point] = {}
        key_exponents: dict[bytes, int] = {}
        components: dict[bytes, Point] = {}
        exponents: dict[bytes, int] = {}
        products: list[tuple[tuple[Ciphertext, ...], int, int]] = []
        for item, start in kept:
            minimum = item.minimum
            key_exponent = alpha_exponent = beta_exponent = 0
            k = start
            for j, branch in enumerate(item.proof.branches):
                za, zb = weights[k], weights[k + 1]
                k += 2
                c, s = branch.challenge.value, branch.response.value
                g_exponent += za * s + zb * c * (minimum + j)
                key_exponent += zb * s
                alpha_exponent -= za * c
                beta_exponent -= zb * c
            pk = item.public_key.element
            encoding = pk._encoding
            if encoding not in keys or isinstance(pk, FixedBase):
                keys[encoding] = pk
            key_exponents[encoding] = key_exponents.get(encoding, 0) + key_exponent
            if item.sum:
                products.append((item.ciphertexts, alpha_exponent, beta_exponent))
                continue
            ciphertext = item.ciphertexts[0]
            for point, exponent in (
                (ciphertext.alpha, alpha_exponent),
                (ciphertext.beta, beta_exponent),
            ):
                encoding = point._encoding
                components[encoding] = point
                exponents[encoding] = exponents.get(encoding, 0) + exponent
        extra: list[tuple[Point, int]] = []
        for ciphertexts, alpha_exponent, beta_exponent in products:
            alphas = [c.alpha for c in ciphertexts]
            betas = [c.beta for c in ciphertexts]
            if all(p._encoding in components for p in (*alphas, *betas)):
                # alpha*^e = product of alpha_i^e: the alphas are already bases (a ballot's
                # range proofs), so spreading the exponent over them costs nothing more.
                for p in alphas:
                    exponents[p._encoding] += alpha_exponent
                for p in betas:
                    exponents[p._encoding] += beta_exponent
            else:
                extra.append((product(alphas), alpha_exponent))
                extra.append((product(betas), beta_exponent))
        terms.add(G, g_exponent)
        bases = [(keys[e], key_exponents[e]) for e in keys]
        bases += [(components[e], exponents[e]) for e in components]
        return terms.compute([*bases, *extra]).is_identity


def _undecodable(proof: DisjunctiveProof) -> str:
    """Which commitment of the proof does not decode, as "branch j: A" (or B)."""
    for j, branch in enumerate(proof.branches):
        for name, encoding in (("A", branch.a), ("B", branch.b)):
            try:
                Point.from_bytes(encoding)
            except MalformedInput:
                return f"branch {j}: {name}"
    raise AssertionError("unreachable: a commitment failed to decode")
