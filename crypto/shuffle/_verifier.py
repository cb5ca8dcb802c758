"""Spec §6.8 The verifier of a shuffle: the single equations (normative) and their batched form.

``check_shuffle_proof`` runs step 1 (shape: list lengths, no identity) and step 2 (recompute
the generators, d, the e_j and c), computes A, C, D and F, then checks every equation at once
with secret 128-bit weights in one multi-exponentiation; only if that fails does it evaluate
the single equations, so as to name each that fails. Either way the answer is the single
equations' (except with probability 2^-128 for the batch, spec §6.8 and §6.7).

Every exponent here is public: the variable-time multi-exponentiation of §2.5 is used
throughout.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from crypto.elgamal import Ciphertext
from crypto.errors import InvalidProof, MalformedInput
from crypto.group import G, N, Point, Scalar, product
from crypto.multiexp import MultiPowAccumulator, multi_pow_vartime
from crypto.shuffle._generators import ShuffleGenerators, shuffle_generators
from crypto.shuffle._proof import ShuffleProof
from crypto.shuffle._statement import (
    MAX_SHUFFLE_SIZE,
    ShuffleStatement,
    batching_exponents,
    challenge,
    statement_digest,
)

__all__ = ["WEIGHT_BITS", "check_shuffle_proof"]

# Spec §6.8 The batched verifier's weights are drawn uniformly from [0, 2^128).
WEIGHT_BITS: Final = 128
_WEIGHT_BYTES: Final = WEIGHT_BITS // 8
# How many failed equations a message names before it counts the rest.
_NAMED_FAILURES: Final = 8


def check_shuffle_proof(
    proof: ShuffleProof, statement: ShuffleStatement, *, batched: bool = True
) -> None:
    """Spec §6.8 Check a proof of a shuffle against its whole statement.

    With ``batched`` (the default) the equations are checked at once (§6.8, batched
    verification) and, if that fails, one by one to name the failures; without it, one by one.
    The outcome is the same.

    Raises:
        InvalidProof: the outputs are not as many as the inputs, a list of the proof has another
            length, an output or a proof point is the identity, or an equation does not hold
            (the message names each).
        MalformedInput: more than 2^32 - 2 inputs.
    """
    prepared = _prepare(proof, statement)
    if batched and _combined_equation_holds(prepared):
        return
    failures = _failed_equations(prepared)
    if failures:
        raise InvalidProof(f"shuffle proof: {_describe(failures)} not hold")


@dataclass(frozen=True, slots=True)
class _Prepared:
    """Steps 1-3 done: the statement and proof, the recomputed values and A, C, F."""

    statement: ShuffleStatement
    proof: ShuffleProof
    generators: ShuffleGenerators
    e: list[int]
    e_product: int  # e_0 · ... · e_(N-1) mod n
    c: int
    a: Point  # A = Π u_j^(e_j)
    c_point: Point  # C = Π u_j / Π h_j
    f: Ciphertext  # F = (Π alpha_j^(e_j), Π beta_j^(e_j))


def _prepare(proof: ShuffleProof, statement: ShuffleStatement) -> _Prepared:
    """Steps 1 (shape), 2 (recompute) and 3 (A, C and F; D is folded where it is used)."""
    size = statement.size
    if size > MAX_SHUFFLE_SIZE:
        raise MalformedInput(f"shuffle: at most {MAX_SHUFFLE_SIZE} ciphertexts, got {size}")
    _check_shape(proof, statement)
    generators = shuffle_generators(statement.generator_seed, size)
    digest = statement_digest(statement, proof.permutation_commitment)
    e = batching_exponents(digest, size)
    k = proof.commitments
    ch = challenge(digest, proof.chain, k.a, k.b, k.c, k.d, k.f).value
    e_product = 1
    for e_j in e:
        e_product = e_product * e_j % N
    u = proof.permutation_commitment
    inputs = statement.inputs
    return _Prepared(
        statement,
        proof,
        generators,
        e,
        e_product,
        ch,
        _multi_pow_128(u, e),
        product(u) / product(generators.hs),
        Ciphertext(
            _multi_pow_128([w.alpha for w in inputs], e),
            _multi_pow_128([w.beta for w in inputs], e),
        ),
    )


def _check_shape(proof: ShuffleProof, statement: ShuffleStatement) -> None:
    """Step 1: every list has N elements; no output component or proof point is the identity."""
    size = statement.size
    if len(statement.outputs) != size:
        raise InvalidProof(f"shuffle: {len(statement.outputs)} outputs for {size} inputs")
    k, s = proof.commitments, proof.responses
    lists: dict[str, Sequence[object]] = {
        "permutation_commitment": proof.permutation_commitment,
        "chain": proof.chain,
        "commitments.b": k.b,
        "responses.b": s.b,
        "responses.e": s.e,
    }
    for name, items in lists.items():
        if len(items) != size:
            raise InvalidProof(f"shuffle proof: {name} has {len(items)} elements, expected {size}")
    for i, output in enumerate(statement.outputs):
        for component, point in (("alpha", output.alpha), ("beta", output.beta)):
            if point.is_identity:
                raise InvalidProof(f"shuffle: output {i} {component} is the identity")
    points: list[tuple[str, Sequence[Point]]] = [
        ("permutation_commitment", proof.permutation_commitment),
        ("chain", proof.chain),
        ("commitments.b", k.b),
    ]
    for name, items in points:
        for i, point in enumerate(items):
            if point.is_identity:
                raise InvalidProof(f"shuffle proof: {name}[{i}] is the identity")
    singles = {"a": k.a, "c": k.c, "d": k.d, "f.alpha": k.f.alpha, "f.beta": k.f.beta}
    for name, point in singles.items():
        if point.is_identity:
            raise InvalidProof(f"shuffle proof: commitments.{name} is the identity")


def _combined_equation_holds(p: _Prepared) -> bool:
    """Batched verification, steps 2-3: the product of every equation (as "left / right = 1")
    raised to its own secret 128-bit weight is the identity."""
    size = p.statement.size
    k, s = p.proof.commitments, p.proof.responses
    ch = p.c
    z_a, z_c, z_d, z_fa, z_fb, *z_b = _weights(size + 5)
    acc = MultiPowAccumulator()
    g_exponent = -(z_a * s.a.value + z_c * s.c.value + z_d * s.d.value) + z_fa * s.f.value
    # (A): A^c · A' · g^(-s_A) · Π h_i^(-s_E_i)
    acc.add(p.a, ch * z_a)
    acc.add(k.a, z_a)
    # (C): C^c · C' · g^(-s_C)     (D): D^c · D' · g^(-s_D), D = B_(N-1) / h^(Π e_j)
    acc.add(p.c_point, ch * z_c)
    acc.add(k.c, z_c)
    acc.add(k.d, z_d)
    h_exponent = -ch * z_d * p.e_product
    # (F.alpha): F_alpha^c · F'_alpha · g^(s_F) · Π alpha'_i^(-s_E_i), and (F.beta) with pk.
    acc.add(p.f.alpha, ch * z_fa)
    acc.add(k.f.alpha, z_fa)
    acc.add(p.f.beta, ch * z_fb)
    acc.add(k.f.beta, z_fb)
    acc.add(p.statement.public_key.element, z_fb * s.f.value)
    # Per position i: h_i, alpha'_i, beta'_i (from (A) and (F)), B'_i and B_i (from (B_i),
    # (B_(i+1)) and, for the last, (D)).
    chain, outputs = p.proof.chain, p.statement.outputs
    for i, (h_i, output, s_e) in enumerate(zip(p.generators.hs, outputs, s.e, strict=True)):
        s_e_value = s_e.value
        acc.add(h_i, -z_a * s_e_value)
        acc.add(output.alpha, -z_fa * s_e_value)
        acc.add(output.beta, -z_fb * s_e_value)
        acc.add(k.b[i], z_b[i])
        g_exponent -= z_b[i] * s.b[i].value
        previous = -z_b[i] * s_e_value  # B_(i-1)^(-s_E_i · z_B_i)
        if i == 0:
            h_exponent += previous
        else:
            acc.add(chain[i - 1], previous + ch * z_b[i - 1])
    if size:
        acc.add(chain[size - 1], ch * (z_b[size - 1] + z_d))
    else:
        h_exponent += ch * z_d  # D = B_(-1) / h^1 = h / h
    acc.add(p.generators.h, h_exponent)
    acc.add(G, g_exponent)
    return acc.compute().is_identity


def _weights(count: int) -> list[int]:
    """``count`` independent integers uniform in [0, 2^128), from ``secrets``."""
    data = secrets.token_bytes(_WEIGHT_BYTES * count)
    return [
        int.from_bytes(data[k : k + _WEIGHT_BYTES], "big")
        for k in range(0, len(data), _WEIGHT_BYTES)
    ]


def _failed_equations(p: _Prepared) -> list[str]:
    """Step 4: the names of the single equations that do not hold."""
    k, s = p.proof.commitments, p.proof.responses
    ch = Scalar(p.c)
    hs, chain = p.generators.hs, p.proof.chain
    outputs = p.statement.outputs
    failed = []
    # (A) A^c · A' = g^(s_A) · Π h_i^(s_E_i)
    if _pow(p.a, ch) * k.a != multi_pow_vartime([(G, s.a), *zip(hs, s.e, strict=True)]):
        failed.append("A")
    # (B_i) B_i^c · B'_i = g^(s_B_i) · B_(i-1)^(s_E_i)
    previous = p.generators.h
    for i, b_i in enumerate(chain):
        if _pow(b_i, ch) * k.b[i] != multi_pow_vartime([(G, s.b[i]), (previous, s.e[i])]):
            failed.append(f"B_{i}")
        previous = b_i
    # (C) C^c · C' = g^(s_C)
    if _pow(p.c_point, ch) * k.c != multi_pow_vartime([(G, s.c)]):
        failed.append("C")
    # (D) D^c · D' = g^(s_D), D = B_(N-1) / h^(Π e_j), with B_(-1) = h
    d = previous / _pow(p.generators.h, Scalar(p.e_product))
    if _pow(d, ch) * k.d != multi_pow_vartime([(G, s.d)]):
        failed.append("D")
    # (F.alpha) F_alpha^c · F'_alpha = g^(-s_F) · Π alpha'_i^(s_E_i), (F.beta) likewise with pk
    minus_s_f = -s.f
    alphas = [(o.alpha, s_e) for o, s_e in zip(outputs, s.e, strict=True)]
    if _pow(p.f.alpha, ch) * k.f.alpha != multi_pow_vartime([(G, minus_s_f), *alphas]):
        failed.append("F.alpha")
    pk = p.statement.public_key.element
    betas = [(o.beta, s_e) for o, s_e in zip(outputs, s.e, strict=True)]
    if _pow(p.f.beta, ch) * k.f.beta != multi_pow_vartime([(pk, minus_s_f), *betas]):
        failed.append("F.beta")
    return failed


def _pow(base: Point, exponent: Scalar) -> Point:
    """base^exponent for a public exponent, in variable time."""
    return multi_pow_vartime([(base, exponent)])


def _multi_pow_128(bases: Sequence[Point], exponents: Sequence[int]) -> Point:
    """Π b_j^(e_j) for 128-bit public exponents (Pippenger's method for many bases)."""
    return multi_pow_vartime(zip(bases, map(Scalar, exponents), strict=True))


def _describe(failures: list[str]) -> str:
    """'equation A does' or 'equations A, B_0, ... and 7 more do' (the message ends 'not hold')."""
    if len(failures) == 1:
        return f"equation {failures[0]} does"
    shown = ", ".join(failures[:_NAMED_FAILURES])
    more = len(failures) - _NAMED_FAILURES
    return f"equations {shown}{f' and {more} more' if more > 0 else ''} do"
