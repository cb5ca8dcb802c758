"""Spec §6.8 Shuffling, and the prover of a shuffle.

``shuffle`` re-encrypts and permutes a list, returning the outputs and the secret witness;
``gen_shuffle_proof`` proves it. Each has a deterministic core taking its randomness explicitly
(``shuffle_with_witness``, ``unsafe_gen_shuffle_proof``) for known-answer tests. Both take an
optional ``progress`` callback (a mixer's progress bar: minutes at 100,000 ciphertexts), called
with the number of work units done since its last call: N for a shuffle, ``PROOF_UNITS`` · N
for a proof.

Parallel (spec §6.8, informative): every exponentiation of a shuffle and of its proof is
independent of the others once the hashes and scalar recurrences before it are done (the
commitment chain B_i is sequential only in its exponents, x_i and U_i, which cost a
multiplication each; its points are computed from them independently). ``mapper``
(``crypto.multiexp.Mapper``, default: this process) runs them in chunks, e.g. on a trustee's
worker processes; the proof is the same whatever the mapper, and the secrets it computes with
go to those processes (on the mixer's own machine: see below).

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
from functools import lru_cache
from typing import Final

from crypto.elgamal import Ciphertext, PublicKey
from crypto.errors import MalformedInput
from crypto.group import G, N, Point, Scalar
from crypto.multiexp import (
    FixedBase,
    Mapper,
    Points,
    chunks,
    g_pow_vartime,
    multi_pow_vartime,
)
from crypto.multiexp import pack_points as _pack
from crypto.multiexp import unpack_points as _unpack
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
# Exponentiations per task given to a mapper, and bases per task of a multi-exponentiation
# (Pippenger's method gains with the number of bases: fewer, larger tasks).
_CHUNK: Final = 1024
_MULTI_CHUNK: Final = 16384

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
    public_key: PublicKey,
    inputs: Sequence[Ciphertext],
    *,
    progress: Progress | None = None,
    mapper: Mapper = map,
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
    outputs = shuffle_with_witness(public_key, inputs, witness, progress=progress, mapper=mapper)
    return outputs, witness


def shuffle_with_witness(
    public_key: PublicKey,
    inputs: Sequence[Ciphertext],
    witness: ShuffleWitness,
    *,
    progress: Progress | None = None,
    mapper: Mapper = map,
) -> tuple[Ciphertext, ...]:
    """Spec §6.8 The deterministic core of ``shuffle``: output π(j) is ReEnc(input j; r'_j).

    Raises:
        MalformedInput: the witness is for another number of inputs.
    """
    size = len(inputs)
    if len(witness.permutation) != size:
        raise MalformedInput(f"shuffle: witness for {len(witness.permutation)} inputs, got {size}")
    report = progress or _no_progress
    pk = public_key.to_bytes()
    tabled = size >= _TABLE_THRESHOLD
    remote = mapper is not map
    tasks = [
        (
            pk,
            tabled,
            _pack([p for c in inputs[k : k + _CHUNK] for p in (c.alpha, c.beta)], remote),
            [r.value for r in witness.randomness[k : k + _CHUNK]],
        )
        for k in range(0, size, _CHUNK)
    ]
    re_encrypted: list[Ciphertext] = []
    for done in mapper(_re_encrypt_task, tasks):
        points = _unpack(done)
        re_encrypted += map(Ciphertext, points[0::2], points[1::2])
        report(len(points) // 2)
    outputs: list[Ciphertext | None] = [None] * size
    for j, ciphertext in enumerate(re_encrypted):
        outputs[witness.permutation[j]] = ciphertext
    return tuple(c for c in outputs if c is not None)


def gen_shuffle_proof(
    statement: ShuffleStatement,
    witness: ShuffleWitness,
    *,
    progress: Progress | None = None,
    mapper: Mapper = map,
) -> ShuffleProof:
    """Spec §6.8 Prove that ``statement.outputs`` is the shuffle of ``statement.inputs`` that
    ``witness`` describes (what ``shuffle`` returned), with fresh nonces. The witness is not
    checked against the lists: a wrong one gives a proof that does not verify.

    Variable time (see the module docstring).

    Raises:
        MalformedInput: the lists' and the witness's lengths differ, or N > 2^32 - 2.
    """
    nonces = ShuffleNonces.random(len(witness.permutation))
    return unsafe_gen_shuffle_proof(
        statement, witness, nonces=nonces, progress=progress, mapper=mapper
    )


def unsafe_gen_shuffle_proof(
    statement: ShuffleStatement,
    witness: ShuffleWitness,
    *,
    nonces: ShuffleNonces,
    progress: Progress | None = None,
    mapper: Mapper = map,
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
    h = generators.h.to_bytes()
    tabled = 2 * size >= _TABLE_THRESHOLD
    remote = mapper is not map
    pi = witness.permutation
    # Step 1: the permutation commitment u_j = g^(r_j) · h_π(j).
    hs = [generators.hs[pi[j]] for j in range(size)]
    r = [r_j.value for r_j in nonces.commitment_randomness]
    u: list[Point] = []
    tasks = [(r[k : k + _CHUNK], _pack(hs[k : k + _CHUNK], remote)) for k in range(0, size, _CHUNK)]
    for done in mapper(_commitment_task, tasks):
        u += _unpack(done)
    report(size)
    # Steps 2-3: the digest of the whole statement and u, then e_j, and e'_π(j) = e_j.
    digest = statement_digest(statement, u)
    e = batching_exponents(digest, size)
    e_prime = [0] * size
    for j, e_j in enumerate(e):
        e_prime[pi[j]] = e_j
    # Steps 4-5: B_i = g^(x_i) · h^(U_i) with x_i = b_i + e'_i·x_(i-1), U_i = e'_0···e'_i, and
    # B'_i = g^(w_B_i) · B_(i-1)^(w_E_i) = g^(w_B_i + w_E_i·x_(i-1)) · h^(w_E_i·U_(i-1)): the
    # exponents in sequence (a multiplication each), then the points independently.
    exponents: list[tuple[int, int]] = []  # B'_0, B_0, B'_1, B_1, ...
    x, big_u = 0, 1  # x_(-1) and U_(-1): B_(-1) = h
    for i in range(size):
        w_b_i, w_e_i = nonces.w_b[i].value, nonces.w_e[i].value
        exponents.append(((w_b_i + w_e_i * x) % N, w_e_i * big_u % N))
        x = (nonces.chain_randomness[i].value + e_prime[i] * x) % N
        big_u = big_u * e_prime[i] % N
        exponents.append((x, big_u))
    points: list[Point] = []
    chain_tasks = [(h, tabled, remote, part) for part in chunks(exponents, _CHUNK)]
    for done in mapper(_g_h_task, chain_tasks):
        chunk = _unpack(done)
        points += chunk
        report(len(chunk) // 2)
    b_prime, chain = points[0::2], points[1::2]
    # A' = g^(w_A) · Π h_i^(w_E_i) and F' = (g^(-w_F) · Π alpha'_i^(w_E_i),
    # pk^(-w_F) · Π beta'_i^(w_E_i)): each product in parts, the parts multiplied here.
    w_e = nonces.w_e
    minus_w_f = -nonces.w_f
    bases = (
        generators.hs,
        [o.alpha for o in statement.outputs],
        [o.beta for o in statement.outputs],
    )
    weights = [w.value for w in w_e]
    parts = [
        (k, (_pack(base[s : s + _MULTI_CHUNK], remote), weights[s : s + _MULTI_CHUNK]))
        for k, base in enumerate(bases)
        for s in range(0, size, _MULTI_CHUNK)
    ]
    products = [
        g_pow_vartime(nonces.w_a),
        g_pow_vartime(minus_w_f),
        multi_pow_vartime([(statement.public_key.element, minus_w_f)]),
    ]
    for (k, _), product in zip(parts, mapper(_multi_pow_task, [p for _, p in parts]), strict=True):
        products[k] = products[k] * _unpack(product)[0]
    a, f = products[0], Ciphertext(products[1], products[2])
    c = g_pow_vartime(nonces.w_c)
    d = g_pow_vartime(nonces.w_d)
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
    return ShuffleProof(tuple(u), tuple(chain), commitments, responses)


def _check_size(size: int) -> None:
    if size > MAX_SHUFFLE_SIZE:
        raise MalformedInput(f"shuffle: at most {MAX_SHUFFLE_SIZE} ciphertexts, got {size}")


def _response(nonce: Scalar, ch: int, secret: int) -> Scalar:
    """s = w + c·secret mod n."""
    return Scalar((nonce.value + ch * secret) % N)


@lru_cache(maxsize=4)
def _table(encoding: bytes) -> FixedBase:
    """A base's fixed-base table, built once per process (an election key, a shuffle's h)."""
    return FixedBase.precompute(Point.from_bytes(encoding))


def _base(encoding: bytes, tabled: bool) -> Point:
    return _table(encoding) if tabled else Point.from_bytes(encoding)


def _re_encrypt_task(task: tuple[bytes, bool, Points, list[int]]) -> Points:
    """A mapper's task: ReEnc(c; r) under ``pk`` for each ciphertext c (alpha, beta) and r
    (``pk``'s table if ``tabled``)."""
    pk, tabled, ciphertexts, randomness = task
    base = _base(pk, tabled)
    points = _unpack(ciphertexts)
    out: list[Point] = []
    for alpha, beta, r in zip(points[0::2], points[1::2], randomness, strict=True):
        ciphertext = _re_encrypt_vartime(base, Ciphertext(alpha, beta), Scalar(r))
        out += (ciphertext.alpha, ciphertext.beta)
    return _pack(out, isinstance(ciphertexts, bytes))


def _commitment_task(task: tuple[list[int], Points]) -> Points:
    """A mapper's task: g^(r_j) · h_π(j) for each r_j and h_π(j) (step 1)."""
    randomness, hs = task
    out = [g_pow_vartime(Scalar(r)) * h for r, h in zip(randomness, _unpack(hs), strict=True)]
    return _pack(out, isinstance(hs, bytes))


def _g_h_task(task: tuple[bytes, bool, bool, Sequence[tuple[int, int]]]) -> Points:
    """A mapper's task: g^x · h^y for each (x, y) (steps 4-5; ``h``'s table if ``tabled``)."""
    h, tabled, remote, exponents = task
    base = _base(h, tabled)
    return _pack([_g_h_pow_vartime(base, x, y) for x, y in exponents], remote)


def _multi_pow_task(task: tuple[Points, list[int]]) -> Points:
    """A mapper's task: one part of a product of powers (step 5, A' and F')."""
    bases, exponents = task
    product = multi_pow_vartime(zip(_unpack(bases), map(Scalar, exponents), strict=True))
    return _pack([product], isinstance(bases, bytes))


def _re_encrypt_vartime(pk: Point, ciphertext: Ciphertext, r: Scalar) -> Ciphertext:
    """Spec §5.3 (alpha · g^r, beta · pk^r) in variable time (g's table, and pk's if it has one)."""
    return Ciphertext(
        ciphertext.alpha * g_pow_vartime(r), ciphertext.beta * multi_pow_vartime([(pk, r)])
    )


def _g_h_pow_vartime(h: Point, x: int, y: int) -> Point:
    """g^x · h^y in variable time: from the tables of g and h (64 entries summed), or by one
    Strauss multiplication if h has no table."""
    return multi_pow_vartime(((G, Scalar(x)), (h, Scalar(y))))
