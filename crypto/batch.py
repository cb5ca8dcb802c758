"""Spec §6.7 Batch verification of §6.4 range proofs and §6.5 sum proofs.

A ``BatchVerifier`` takes many proofs, each with the arguments ``verify_range`` or
``verify_sum_range`` would take and an opaque ``label``, and accepts exactly what verifying each
alone would accept, except with probability at most 2^-128 per batch. The steps are §6.7's:

1. ``add_range``/``add_sum_range`` check each proof alone, at once and without exponentiation:
   the ciphertexts' alphas, the number of branches, the challenges summing to the hash of the
   commitments as received; then they decode the commitments' inverses (first byte 0x02/0x03
   flipped). A proof failing here is recorded with its reason.
2. They draw two independent 128-bit weights per branch from ``secrets``, the proof in hand,
3. and fold its weighted equations into running exponents: g's, each public key's, each
   ciphertext component's, and one per commitment (a ``MultiPowAccumulator``).
4. ``verify`` computes the one multi-exponentiation (Pippenger's method for large batches) and
   accepts every proof recorded as passing step 1 iff it is the identity. If it is not, each of
   them is verified alone, so that the failures named are exactly single verification's.

Statements a verifier would refuse as malformed (bounds, an empty list) raise
``MalformedInput`` from ``add_*`` at once, as ``verify_*`` does. The group has prime order and
the weights are unpredictable, so an invalid proof survives step 4 with probability at most
2^-128 (see §6.7 for the argument, and for why both matter).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
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
_WEIGHT_MASK: Final = (1 << WEIGHT_BITS) - 1


@dataclass(frozen=True, slots=True)
class _Item:
    """A proof in the batch: its label, and its single verification for the fallback."""

    index: int
    label: object
    verify_alone: Callable[[], None]


@dataclass(frozen=True, slots=True)
class _ProductTerm:
    """The exponents of a §6.5 proof's alpha* and beta*, products of a list of ciphertexts."""

    ciphertexts: tuple[Ciphertext, ...]
    alpha_exponent: int
    beta_exponent: int


class BatchVerifier:
    """Spec §6.7 Verify many §6.4/§6.5 proofs with one multi-exponentiation.

    Use one verifier per batch: ``add_range``/``add_sum_range`` for each proof, then
    ``verify()`` once. Batches of thousands of proofs amortise best. Not thread-safe.
    """

    __slots__ = ("_components", "_failures", "_items", "_keys", "_products", "_terms")

    def __init__(self) -> None:
        self._items: list[_Item] = []
        self._failures: list[tuple[int, object, str]] = []
        # The combined equation's terms: g and the commitments, accumulated as they come; each
        # public key's exponent (the table-carrying object is kept); the alphas' and betas'
        # exponents, merged when a ciphertext recurs; the §6.5 products' exponents.
        self._terms = MultiPowAccumulator()
        self._keys: dict[Point, tuple[Point, int]] = {}
        self._components: dict[Point, int] = {}
        self._products: list[_ProductTerm] = []

    def __len__(self) -> int:
        """The number of proofs added."""
        return len(self._items) + len(self._failures)

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
        verify_alone = partial(
            verify_range,
            proof,
            public_key=public_key,
            ciphertext=ciphertext,
            maximum=maximum,
            context=context,
        )
        try:
            reject_identity("range proof: ciphertext alpha", ciphertext.alpha)
        except InvalidProof as exc:
            self._fail(label, str(exc))
            return
        head = _range_head(context, public_key, ciphertext)
        exponents = self._add(
            "range proof", Dst.RANGE, head, proof, public_key, 0, maximum, label, verify_alone
        )
        if exponents is not None:
            components = self._components
            alpha_exponent, beta_exponent = exponents
            components[ciphertext.alpha] = components.get(ciphertext.alpha, 0) + alpha_exponent
            components[ciphertext.beta] = components.get(ciphertext.beta, 0) + beta_exponent

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
        verify_alone = partial(
            verify_sum_range,
            proof,
            public_key=public_key,
            ciphertexts=items,
            minimum=minimum,
            maximum=maximum,
            context=context,
        )
        try:
            for i, ciphertext in enumerate(items):
                reject_identity(f"sum proof: ciphertext {i} alpha", ciphertext.alpha)
        except InvalidProof as exc:
            self._fail(label, str(exc))
            return
        what, dst = "sum proof", Dst.SUM_RANGE
        exponents = self._add(
            what, dst, head, proof, public_key, minimum, maximum, label, verify_alone
        )
        if exponents is not None:
            self._products.append(_ProductTerm(items, *exponents))

    def verify(self) -> None:
        """Spec §6.7 Check every proof added: return None, or raise ``InvalidBatch``.

        Step 4: the product of all the weighted equations must be the identity. If it is not,
        each proof is verified alone (§6.4, §6.5), so the failures named are exactly those of
        single verification.

        Raises:
            InvalidBatch: a proof does not verify; ``failures`` lists each with its reason.
        """
        failures = list(self._failures)
        if self._items and not self._combined_equation_holds():
            for item in self._items:
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

    def _add(
        self,
        what: str,
        dst: bytes,
        head: list[bytes],
        proof: DisjunctiveProof,
        public_key: PublicKey,
        minimum: int,
        maximum: int,
        label: object,
        verify_alone: Callable[[], None],
    ) -> tuple[int, int] | None:
        """Steps 1-3 for one proof; returns alpha*'s and beta*'s exponents, or None if it failed.

        For branch j (value v_j = minimum + j) with weights (za, zb), the equations
        A_j = g^s_j · alpha*^-c_j and B_j = pk^s_j · (beta* / g^v_j)^-c_j contribute
        g^(za·s_j + zb·c_j·v_j) · pk^(zb·s_j) · alpha*^(-za·c_j) · beta*^(-zb·c_j) · (A_j^-1)^za ·
        (B_j^-1)^zb, which is the identity when both hold.
        """
        # Step 1: the branch count, and sum of c_j = H_s(...) over the commitments as received.
        try:
            _check_challenges(what, dst, head, proof, minimum, maximum)
        except InvalidProof as exc:
            self._fail(label, str(exc))
            return None
        # Steps 2-3: weights, drawn now that the proof is fixed, and the weighted equations.
        weights = secrets.randbits(2 * WEIGHT_BITS * len(proof.branches))
        g_exponent = key_exponent = alpha_exponent = beta_exponent = 0
        commitments: list[tuple[bytes, int]] = []
        for j, branch in enumerate(proof.branches):
            za = weights & _WEIGHT_MASK
            zb = (weights >> WEIGHT_BITS) & _WEIGHT_MASK
            weights >>= 2 * WEIGHT_BITS
            c, s = branch.challenge.value, branch.response.value
            g_exponent += za * s + zb * c * (minimum + j)
            key_exponent += zb * s
            alpha_exponent -= za * c
            beta_exponent -= zb * c
            commitments += ((branch.a, za), (branch.b, zb))
        # Step 1, decoding: A_j^-1 and B_j^-1 (first byte flipped); on failure nothing is added.
        try:
            self._terms.add_encoded(commitments, inverse=True)
        except MalformedInput:
            self._fail(label, f"{what}: {_undecodable(proof)} is not a point on the curve")
            return None
        self._terms.add(G, g_exponent)
        pk = public_key.element
        held, exponent = self._keys.get(pk, (pk, 0))
        self._keys[pk] = (pk if isinstance(pk, FixedBase) else held, exponent + key_exponent)
        self._items.append(_Item(len(self), label, verify_alone))
        return alpha_exponent, beta_exponent

    def _combined_equation_holds(self) -> bool:
        """Step 4: the product over every proof in the batch is the identity."""
        components = dict(self._components)
        extra: list[tuple[Point, int]] = []
        for term in self._products:
            alphas = [c.alpha for c in term.ciphertexts]
            betas = [c.beta for c in term.ciphertexts]
            if all(p in components for p in alphas) and all(p in components for p in betas):
                # alpha*^e = product of alpha_i^e: the alphas are already bases (a ballot's
                # range proofs), so spreading the exponent over them costs nothing more.
                for p in alphas:
                    components[p] += term.alpha_exponent
                for p in betas:
                    components[p] += term.beta_exponent
            else:
                extra.append((product(alphas), term.alpha_exponent))
                extra.append((product(betas), term.beta_exponent))
        terms = [*self._keys.values(), *components.items(), *extra]
        return self._terms.compute(terms).is_identity


def _undecodable(proof: DisjunctiveProof) -> str:
    """Which commitment of the proof does not decode, as "branch j: A" (or B)."""
    for j, branch in enumerate(proof.branches):
        for name, encoding in (("A", branch.a), ("B", branch.b)):
            try:
                Point.from_bytes(encoding)
            except MalformedInput:
                return f"branch {j}: {name}"
    raise AssertionError("unreachable: a commitment failed to decode")
