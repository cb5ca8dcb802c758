"""Spec §6.8 Shuffling, and the prover of a shuffle.

``shuffle`` re-encrypts and permutes a list, returning the outputs and the secret witness;
``gen_shuffle_proof`` proves it. Each has a deterministic core taking its randomness explicitly
(``shuffle_with_witness``, ``unsafe_gen_shuffle_proof``) for known-answer tests. Both take an
optional ``progress`` callback (a mixer's progress bar: minutes at 100,000 ciphertexts), called
with the number of work units done since its last call: N for a shuffle, ``PROOF_UNITS`` · N
for a proof.

Side channels (spec §6.8, informative): the prover computes with its secrets (the permutation,
the re-encryption randomness, the commitment randomness and the nonces, all ephemeral) in
VARIABLE time: fixed-base tables for g, pk and h, Pippenger's method for A' and F'. This is
sound practice only for a mixer running offline on its trustee's own machine, where nobody can
time single operations; the helpers that do it are named ``*_vartime``. Never reuse them for a
long-lived secret (a key share goes through the constant-time operations, §7.6, §7.8).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from crypto.elgamal import Ciphertext, PublicKey
from crypto.errors import MalformedInput
from crypto.group import G, N, Point, Scalar
from crypto.multiexp import FixedBase, g_pow_vartime, multi_pow_vartime
from crypto.shuffle._generators import shuffle_generators
from crypto.shuffle._proof import ShuffleCommitments, ShuffleProof, ShuffleResponses
from crypto.shuffle._statement import (
    MAX_SHUFFLE_SIZE,
    ShuffleStatement,
    batching_exponents,
    challenge,
    statement_digest,
)

__all__ = [
    "PROOF_UNITS",
    "ShuffleNonces",
    "ShuffleWitness",
    "gen_shuffle_proof",
    "random_permutation",
    "shuffle",
    "shuffle_with_witness",
    "unsafe_gen_shuffle_proof",
]

# Build a fixed-base table for a base raised to at least this many exponents: the table costs
# about 25 ms, and saves some 15 µs (pk alone) or 17 µs (h, beside g) an exponentiation.
_TABLE_THRESHOLD: Final = 1024
# Work units of a proof per ciphertext (the commitment u, the chain B and B', then A' and F'),
# and how many units pass between two calls of a progress callback.
PROOF_UNITS: Final = 3
_REPORT_EVERY: Final = 1024

Progress = Callable[[int], None]


def _no_progress(_units: int) -> None:
    return None


@dataclass(frozen=True, slots=True, repr=False)
class ShuffleWitness:
    """Spec §6.8 The secret of a shuffle: input j moved to output ``permutation[j]`` (π(j)),
    re-encrypted with ``randomness[j]`` (r'_j). Erase it once the proof is made.

    Raises:
        MalformedInput: ``permutation`` is not a permutation of 0..N-1, or the lengths differ.
    """

    permutation: tuple[int, ...]
    randomness: tuple[Scalar, ...]

    def __post_init__(self) -> None:
        size = len(self.permutation)
        if sorted(self.permutation) != list(range(size)):
            raise MalformedInput("shuffle witness: not a permutation of 0..N-1")
        if len(self.randomness) != size:
            raise MalformedInput(
                f"shuffle witness: {len(self.randomness)} randomness values for {size} inputs"
            )

    def __repr__(self) -> str:
        return f"ShuffleWitness(<secret>, N={len(self.permutation)})"


@dataclass(frozen=True, slots=True, repr=False)
class ShuffleNonces:
    """Spec §6.8 The prover's random choices: r_j (step 1), b_i (step 4), w_A, w_C, w_D, w_F,
    w_B_i and w_E_i (step 5). Using them for two proofs reveals the witness.

    Raises:
        MalformedInput: a list of another length than the others.
    """

    commitment_randomness: tuple[Scalar, ...]
    chain_randomness: tuple[Scalar, ...]
    w_a: Scalar
    w_b: tuple[Scalar, ...]
    w_c: Scalar
    w_d: Scalar
    w_e: tuple[Scalar, ...]
    w_f: Scalar

    def __post_init__(self) -> None:
        size = len(self.commitment_randomness)
        if not len(self.chain_randomness) == len(self.w_b) == len(self.w_e) == size:
            raise MalformedInput("shuffle nonces: lists of different lengths")

    @property
    def size(self) -> int:
        return len(self.commitment_randomness)

    @classmethod
    def random(cls, size: int) -> ShuffleNonces:
        """Fresh nonces for a shuffle of ``size`` ciphertexts, uniform in [1, n)."""

        def draw() -> tuple[Scalar, ...]:
            return tuple(Scalar.random() for _ in range(size))

        return cls(draw(), draw(), Scalar.random(), draw(), Scalar.random(), Scalar.random(),
                   draw(), Scalar.random())  # fmt: skip

    def __repr__(self) -> str:
        return f"ShuffleNonces(<secret>, N={self.size})"


def random_permutation(size: int) -> tuple[int, ...]:
    """Spec §6.8 A uniformly random permutation of 0..size-1 (Fisher-Yates with ``secrets``)."""
    items = list(range(size))
    for i in range(size - 1, 0, -1):
        j = secrets.randbelow(i + 1)
        items[i], items[j] = items[j], items[i]
    return tuple(items)


def shuffle(
    public_key: PublicKey, inputs: Sequence[Ciphertext], *, progress: Progress | None = None
) -> tuple[tuple[Ciphertext, ...], ShuffleWitness]:
    """Spec §6.8 Shuffling: re-encrypt (§5.3) and permute ``inputs`` with fresh randomness.

    Returns the outputs and the witness (π, r'_j) that ``gen_shuffle_proof`` needs; keep it
    secret and erase it after. Variable time (see the module docstring).

    Raises:
        MalformedInput: more than 2^32 - 2 inputs.
    """
    _check_size(len(inputs))
    witness = ShuffleWitness(
        random_permutation(len(inputs)), tuple(Scalar.random() for _ in inputs)
    )
    return shuffle_with_witness(public_key, inputs, witness, progress=progress), witness


def shuffle_with_witness(
    public_key: PublicKey,
    inputs: Sequence[Ciphertext],
    witness: ShuffleWitness,
    *,
    progress: Progress | None = None,
) -> tuple[Ciphertext, ...]:
    """Spec §6.8 The deterministic core of ``shuffle``: output π(j) is ReEnc(input j; r'_j).

    Raises:
        MalformedInput: the witness is for another number of inputs.
    """
    size = len(inputs)
    if len(witness.permutation) != size:
        raise MalformedInput(f"shuffle: witness for {len(witness.permutation)} inputs, got {size}")
    report = progress or _no_progress
    pk = _table_vartime(public_key.element, size)
    outputs: list[Ciphertext | None] = [None] * size
    for j, (ciphertext, r) in enumerate(zip(inputs, witness.randomness, strict=True)):
        outputs[witness.permutation[j]] = _re_encrypt_vartime(pk, ciphertext, r)
        if j % _REPORT_EVERY == _REPORT_EVERY - 1:
            report(_REPORT_EVERY)
    report(size % _REPORT_EVERY)
    return tuple(c for c in outputs if c is not None)


def gen_shuffle_proof(
    statement: ShuffleStatement, witness: ShuffleWitness, *, progress: Progress | None = None
) -> ShuffleProof:
    """Spec §6.8 Prove that ``statement.outputs`` is the shuffle of ``statement.inputs`` that
    ``witness`` describes (what ``shuffle`` returned), with fresh nonces. The witness is not
    checked against the lists: a wrong one gives a proof that does not verify.

    Variable time (see the module docstring).

    Raises:
        MalformedInput: the lists' and the witness's lengths differ, or N > 2^32 - 2.
    """
    nonces = ShuffleNonces.random(len(witness.permutation))
    return unsafe_gen_shuffle_proof(statement, witness, nonces=nonces, progress=progress)


def unsafe_gen_shuffle_proof(
    statement: ShuffleStatement,
    witness: ShuffleWitness,
    *,
    nonces: ShuffleNonces,
    progress: Progress | None = None,
) -> ShuffleProof:
    """Spec §6.8 The deterministic core of ``gen_shuffle_proof``. Never reuse nonces.

    Raises:
        MalformedInput: the lists', the witness's and the nonces' lengths differ, or
            N > 2^32 - 2.
    """
    size = statement.size
    _check_size(size)
    if not len(statement.outputs) == len(witness.permutation) == nonces.size == size:
        raise MalformedInput(
            f"shuffle proof: {size} inputs, {len(statement.outputs)} outputs, a witness for "
            f"{len(witness.permutation)} and nonces for {nonces.size}"
        )
    report = progress or _no_progress
    generators = shuffle_generators(statement.generator_seed, size)
    h = _table_vartime(generators.h, 2 * size)
    pk = _table_vartime(statement.public_key.element, 1)
    pi = witness.permutation
    # Step 1: the permutation commitment u_j = g^(r_j) · h_π(j).
    u = tuple(
        g_pow_vartime(r) * generators.hs[pi[j]] for j, r in enumerate(nonces.commitment_randomness)
    )
    report(size)
    # Steps 2-3: the digest of the whole statement and u, then e_j, and e'_π(j) = e_j.
    digest = statement_digest(statement, u)
    e = batching_exponents(digest, size)
    e_prime = [0] * size
    for j, e_j in enumerate(e):
        e_prime[pi[j]] = e_j
    # Steps 4-5: B_i = g^(x_i) · h^(U_i) with x_i = b_i + e'_i·x_(i-1), U_i = e'_0···e'_i, and
    # B'_i = g^(w_B_i) · B_(i-1)^(w_E_i) = g^(w_B_i + w_E_i·x_(i-1)) · h^(w_E_i·U_(i-1)).
    chain: list[Point] = []
    b_prime: list[Point] = []
    x, big_u = 0, 1  # x_(-1) and U_(-1): B_(-1) = h
    for i in range(size):
        w_b_i, w_e_i = nonces.w_b[i].value, nonces.w_e[i].value
        b_prime.append(_g_h_pow_vartime(h, (w_b_i + w_e_i * x) % N, w_e_i * big_u % N))
        x = (nonces.chain_randomness[i].value + e_prime[i] * x) % N
        big_u = big_u * e_prime[i] % N
        chain.append(_g_h_pow_vartime(h, x, big_u))
        if i % _REPORT_EVERY == _REPORT_EVERY - 1:
            report(_REPORT_EVERY)
    report(size % _REPORT_EVERY)
    w_e = nonces.w_e
    minus_w_f = -nonces.w_f
    a = multi_pow_vartime([(G, nonces.w_a), *zip(generators.hs, w_e, strict=True)])
    c = g_pow_vartime(nonces.w_c)
    d = g_pow_vartime(nonces.w_d)
    alphas = [(o.alpha, w) for o, w in zip(statement.outputs, w_e, strict=True)]
    betas = [(o.beta, w) for o, w in zip(statement.outputs, w_e, strict=True)]
    f = Ciphertext(
        multi_pow_vartime([(G, minus_w_f), *alphas]),
        multi_pow_vartime([(pk, minus_w_f), *betas]),
    )
    commitments = ShuffleCommitments(a, tuple(b_prime), c, d, f)
    report(size)
    # Step 6: the challenge.
    ch = challenge(digest, chain, a, commitments.b, c, d, f).value
    # Step 7: the responses.
    r_sum = sum(r.value for r in nonces.commitment_randomness)
    a_value = sum(r.value * e_j for r, e_j in zip(nonces.commitment_randomness, e, strict=True))
    f_value = sum(r.value * e_j for r, e_j in zip(witness.randomness, e, strict=True))
    chain_randomness = nonces.chain_randomness
    responses = ShuffleResponses(
        _response(nonces.w_a, ch, a_value),
        tuple(_response(w, ch, b.value) for w, b in zip(nonces.w_b, chain_randomness, strict=True)),
        _response(nonces.w_c, ch, r_sum),
        _response(nonces.w_d, ch, x),
        tuple(_response(w, ch, e_i) for w, e_i in zip(w_e, e_prime, strict=True)),
        _response(nonces.w_f, ch, f_value),
    )
    return ShuffleProof(u, tuple(chain), commitments, responses)


def _check_size(size: int) -> None:
    if size > MAX_SHUFFLE_SIZE:
        raise MalformedInput(f"shuffle: at most {MAX_SHUFFLE_SIZE} ciphertexts, got {size}")


def _response(nonce: Scalar, ch: int, secret: int) -> Scalar:
    """s = w + c·secret mod n."""
    return Scalar((nonce.value + ch * secret) % N)


def _table_vartime(point: Point, uses: int) -> Point:
    """``point`` with a fixed-base table (§2.5) if it will be raised to ``uses`` exponents, enough
    to pay for building one (some 8,000 additions); its use is variable time."""
    if isinstance(point, FixedBase) or uses < _TABLE_THRESHOLD:
        return point
    return FixedBase.precompute(point)


def _re_encrypt_vartime(pk: Point, ciphertext: Ciphertext, r: Scalar) -> Ciphertext:
    """Spec §5.3 (alpha · g^r, beta · pk^r) in variable time (g's table, and pk's if it has one)."""
    return Ciphertext(
        ciphertext.alpha * g_pow_vartime(r), ciphertext.beta * multi_pow_vartime([(pk, r)])
    )


def _g_h_pow_vartime(h: Point, x: int, y: int) -> Point:
    """g^x · h^y in variable time: from the tables of g and h (64 entries summed), or by one
    Strauss multiplication if h has no table."""
    return multi_pow_vartime(((G, Scalar(x)), (h, Scalar(y))))
