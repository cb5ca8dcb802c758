"""Spec §6.8 and §7.8 known answers: tests/vectors/mixnet/*.json, recomputed from the inputs.

Every intermediate value is rebuilt here from the spec's formulas, with hashlib and plain group
operations: the generators by try-and-increment, the exact bytes of the statement digest and of
the challenge (length prefixes written out, not through ``encode_parts``), the batching
exponents, the chain, the commitments and the responses. Then the library's deterministic cores
must reproduce the recorded proof byte for byte, its reader must parse it, and its verifier must
accept it. See tests/vectors/mixnet/generate.py and README.md.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from crypto.elgamal import (
    Ciphertext,
    PublicKey,
    SecretKey,
    decrypt,
    decrypt_bytes,
    encrypt_bytes_with_randomness,
    encrypt_with_randomness,
)
from crypto.errors import MalformedInput
from crypto.group import IDENTITY, G, N, Point, Scalar, g_pow
from crypto.shuffle import (
    ShuffleNonces,
    ShuffleProof,
    ShuffleStatement,
    ShuffleWitness,
    check_shuffle_proof,
    shuffle_generators,
    unsafe_gen_shuffle_proof,
)
from crypto.threshold import (
    KeyShare,
    ListPartialDecryption,
    unsafe_partial_decrypt_list,
    verify_list_partial_decryption,
)
from tests.vectors import hex_point, hex_scalar, load_cases

SHUFFLES = load_cases("mixnet/shuffle")
LISTS = load_cases("mixnet/list_decryption")


def _parts(*parts: bytes) -> bytes:
    """Spec §3.1 written out: each part preceded by its length as 4 bytes big-endian."""
    return b"".join(len(p).to_bytes(4, "big") + p for p in parts)


def _sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _pow(base: Point, exponent: int) -> Point:
    return base ** Scalar(exponent % N)


def _prod(points: list[Point]) -> Point:
    out = IDENTITY
    for p in points:
        out = out * p
    return out


def _generator(seed: bytes, k: int) -> Point:
    """Spec §2.4: the first x = H("verivote-1/generator", gs, I2OSP(k, 4), I2OSP(ctr, 4)) that
    is on the curve, with even y."""
    for ctr in range(64):
        x = _sha(
            _parts(b"verivote-1/generator", seed, k.to_bytes(4, "big"), ctr.to_bytes(4, "big"))
        )
        try:
            return Point.from_bytes(b"\x02" + x)
        except MalformedInput:
            continue
    raise AssertionError("no generator in 64 attempts")


def _exponent(dst: bytes, digest: bytes, j: int) -> int:
    return int.from_bytes(_sha(_parts(dst, digest, j.to_bytes(4, "big")))[:16], "big")


def _hash_to_scalar(hashed: bytes) -> Scalar:
    """Spec §3.3 with counter 0 (the vectors' digests are below n)."""
    value = int.from_bytes(_sha(hashed + _parts((0).to_bytes(4, "big"))), "big")
    assert value < N
    return Scalar(value)


def _ciphertexts(values: list[dict[str, str]]) -> list[Ciphertext]:
    return [Ciphertext.from_json(v) for v in values]


@pytest.mark.parametrize("v", SHUFFLES, ids=[v["label"] for v in SHUFFLES])
def test_shuffle_vector(v: dict[str, Any]) -> None:
    sk = SecretKey(hex_scalar(v["secret_key"]))
    pk = PublicKey.from_hex(v["public_key"])
    assert sk.public_key() == pk
    context, gs = bytes.fromhex(v["context"]), bytes.fromhex(v["generator_seed"])
    size = len(v["inputs"])
    # The inputs encrypt the plaintexts with the recorded randomness.
    inputs = _ciphertexts(v["inputs"])
    randomness = [hex_scalar(r) for r in v["input_randomness"]]
    for value, rand, ct in zip(v["plaintexts"], randomness, inputs, strict=True):
        if v["flavour"] == "embedded":
            assert ct == encrypt_bytes_with_randomness(pk, bytes.fromhex(value), randomness=rand)
        else:
            assert ct == encrypt_with_randomness(pk, value, randomness=rand)
    # Shuffling: output π(j) = ReEnc(input j; r'_j).
    pi = v["permutation"]
    assert sorted(pi) == list(range(size))
    r_prime = [hex_scalar(r) for r in v["re_encryption_randomness"]]
    outputs = _ciphertexts(v["outputs"])
    for j, ct in enumerate(inputs):
        assert outputs[pi[j]] == Ciphertext(
            ct.alpha * g_pow(r_prime[j]), ct.beta * pk.element ** r_prime[j]
        )
    # The generators.
    h, hs = hex_point(v["generators"]["h"]), [hex_point(p) for p in v["generators"]["h_i"]]
    assert [h, *hs] == [_generator(gs, k) for k in range(size + 1)]
    generators = shuffle_generators(gs, size)
    assert (generators.h, list(generators.hs)) == (h, hs)
    n_ = v["nonces"]
    r = [hex_scalar(x) for x in n_["r"]]
    b = [hex_scalar(x) for x in n_["b"]]
    w_b, w_e = [hex_scalar(x) for x in n_["w_B"]], [hex_scalar(x) for x in n_["w_E"]]
    w_a, w_c, w_d, w_f = (hex_scalar(n_[k]) for k in ("w_A", "w_C", "w_D", "w_F"))
    proof_wire = v["proof"]
    # Step 1: u_j = g^(r_j) · h_π(j).
    u = [g_pow(r[j]) * hs[pi[j]] for j in range(size)]
    assert [p.to_hex() for p in u] == proof_wire["permutation_commitment"]
    # Step 2: d over the whole statement and u, from its exact bytes.
    hashed = _parts(
        b"verivote-1/shuffle/statement",
        context,
        G.to_bytes(),
        pk.to_bytes(),
        gs,
        size.to_bytes(4, "big"),
        *(p.to_bytes() for c in inputs for p in (c.alpha, c.beta)),
        *(p.to_bytes() for c in outputs for p in (c.alpha, c.beta)),
        *(p.to_bytes() for p in u),
    )
    assert hashed.hex() == v["digest_input"]
    d = _sha(hashed)
    assert d.hex() == v["digest"]
    # Step 3: e_j and e'_π(j) = e_j.
    e = [_exponent(b"verivote-1/shuffle/exponent", d, j) for j in range(size)]
    assert [f"{x:032x}" for x in e] == v["e"]
    e_prime = [0] * size
    for j in range(size):
        e_prime[pi[j]] = e[j]
    assert [f"{x:032x}" for x in e_prime] == v["e_prime"]
    # Step 4: B_i = g^(b_i) · B_(i-1)^(e'_i), B_(-1) = h; and its closed form g^(x_i) · h^(U_i).
    chain = []
    previous = h
    for i in range(size):
        previous = g_pow(b[i]) * _pow(previous, e_prime[i])
        chain.append(previous)
        assert previous == g_pow(hex_scalar(v["chain_x"][i])) * h ** hex_scalar(v["chain_U"][i])
    assert [p.to_hex() for p in chain] == proof_wire["chain"]
    # Step 5: the commitments.
    k = proof_wire["commitments"]
    assert k["a"] == (g_pow(w_a) * _prod([hs[i] ** w_e[i] for i in range(size)])).to_hex()
    starts = [h, *chain]
    b_prime = [g_pow(w_b[i]) * starts[i] ** w_e[i] for i in range(size)]
    assert k["b"] == [p.to_hex() for p in b_prime]
    assert (k["c"], k["d"]) == (g_pow(w_c).to_hex(), g_pow(w_d).to_hex())
    f_alpha = g_pow(-w_f) * _prod([outputs[i].alpha ** w_e[i] for i in range(size)])
    f_beta = pk.element ** (-w_f) * _prod([outputs[i].beta ** w_e[i] for i in range(size)])
    assert k["f"] == {"alpha": f_alpha.to_hex(), "beta": f_beta.to_hex()}
    # Step 6: the challenge, from its exact bytes.
    hashed = _parts(
        b"verivote-1/proof/shuffle",
        d,
        *(p.to_bytes() for p in chain),
        hex_point(k["a"]).to_bytes(),
        *(p.to_bytes() for p in b_prime),
        hex_point(k["c"]).to_bytes(),
        hex_point(k["d"]).to_bytes(),
        f_alpha.to_bytes(),
        f_beta.to_bytes(),
    )
    assert hashed.hex() == v["challenge_digest_input"]
    assert _sha(hashed).hex() == v["challenge_digest"]
    c = _hash_to_scalar(hashed)
    assert c.to_hex() == v["challenge"]
    # Step 7: the responses.
    a = sum(r[j].value * e[j] for j in range(size))
    f = sum(r_prime[j].value * e[j] for j in range(size))
    x_last = hex_scalar(v["chain_x"][-1]).value if size else 0
    s = proof_wire["responses"]
    assert s["a"] == Scalar((w_a.value + c.value * a) % N).to_hex()
    assert s["b"] == [
        Scalar((w_b[i].value + c.value * b[i].value) % N).to_hex() for i in range(size)
    ]
    assert s["c"] == Scalar((w_c.value + c.value * sum(x.value for x in r)) % N).to_hex()
    assert s["d"] == Scalar((w_d.value + c.value * x_last) % N).to_hex()
    assert s["e"] == [
        Scalar((w_e[i].value + c.value * e_prime[i]) % N).to_hex() for i in range(size)
    ]
    assert s["f"] == Scalar((w_f.value + c.value * f) % N).to_hex()
    # The verifier's A, C, D, F (step 3) and, by hand, every equation of step 4.
    ver = v["verifier"]
    big_a = _prod([_pow(u[j], e[j]) for j in range(size)])
    big_c = _prod(u) / _prod(hs)
    e_product = 1
    for x in e:
        e_product = e_product * x % N
    big_d = (chain[-1] if chain else h) / _pow(h, e_product)
    big_fa = _prod([_pow(inputs[j].alpha, e[j]) for j in range(size)])
    big_fb = _prod([_pow(inputs[j].beta, e[j]) for j in range(size)])
    assert (ver["A"], ver["C"], ver["D"]) == (big_a.to_hex(), big_c.to_hex(), big_d.to_hex())
    assert ver["F"] == {"alpha": big_fa.to_hex(), "beta": big_fb.to_hex()}
    assert big_c == g_pow(Scalar(sum(x.value for x in r) % N))
    proof = ShuffleProof.from_json(proof_wire, size=size)
    resp = proof.responses
    assert big_a**c * hex_point(k["a"]) == g_pow(resp.a) * _prod(
        [hs[i] ** resp.e[i] for i in range(size)]
    )
    for i in range(size):
        assert chain[i] ** c * b_prime[i] == g_pow(resp.b[i]) * starts[i] ** resp.e[i]
    assert big_c**c * hex_point(k["c"]) == g_pow(resp.c)
    assert big_d**c * hex_point(k["d"]) == g_pow(resp.d)
    assert big_fa**c * f_alpha == g_pow(-resp.f) * _prod(
        [outputs[i].alpha ** resp.e[i] for i in range(size)]
    )
    assert big_fb**c * f_beta == pk.element ** (-resp.f) * _prod(
        [outputs[i].beta ** resp.e[i] for i in range(size)]
    )
    # The library: its deterministic prover gives the same proof, and its verifier accepts it.
    statement = ShuffleStatement(pk, tuple(inputs), tuple(outputs), context, gs)
    witness = ShuffleWitness(tuple(pi), tuple(r_prime))
    nonces = ShuffleNonces(tuple(r), tuple(b), w_a, tuple(w_b), w_c, w_d, tuple(w_e), w_f)
    assert unsafe_gen_shuffle_proof(statement, witness, nonces=nonces) == proof
    assert proof.to_json() == proof_wire
    check_shuffle_proof(proof, statement)
    check_shuffle_proof(proof, statement, batched=False)
    # The outputs decrypt to the plaintexts, permuted.
    for j, value in enumerate(v["plaintexts"]):
        if v["flavour"] == "embedded":
            assert decrypt_bytes(sk, outputs[pi[j]]) == bytes.fromhex(value)
        else:
            assert decrypt(sk, outputs[pi[j]], bound=10) == value


@pytest.mark.parametrize("v", LISTS, ids=[v["label"] for v in LISTS])
def test_list_decryption_vector(v: dict[str, Any]) -> None:
    j = v["trustee"]
    secret = hex_scalar(v["key_share"])
    x_j = hex_point(v["verification_key"])
    assert g_pow(secret) == x_j
    context = bytes.fromhex(v["context"])
    alphas = [hex_point(a) for a in v["alphas"]]
    shares = [hex_point(d) for d in v["decryption_shares"]]
    assert shares == [a**secret for a in alphas]
    size = len(alphas)
    partial = ListPartialDecryption.from_json(v["wire"], size=size)
    assert partial.to_json() == v["wire"]
    verify_list_partial_decryption(partial, alphas=alphas, verification_key=x_j, context=context)
    if size == 0:
        assert partial.proof is None
        assert "digest" not in v
        return
    hashed = _parts(
        b"verivote-1/decryption/list",
        context,
        j.to_bytes(4, "big"),
        G.to_bytes(),
        x_j.to_bytes(),
        size.to_bytes(4, "big"),
        *(a.to_bytes() for a in alphas),
        *(d.to_bytes() for d in shares),
    )
    assert hashed.hex() == v["digest_input"]
    d = _sha(hashed)
    assert d.hex() == v["digest"]
    e = [_exponent(b"verivote-1/decryption/list-exponent", d, i) for i in range(size)]
    assert [f"{x:032x}" for x in e] == v["e"]
    big_a = _prod([_pow(alphas[i], e[i]) for i in range(size)])
    big_d = _prod([_pow(shares[i], e[i]) for i in range(size)])
    assert (big_a.to_hex(), big_d.to_hex()) == (v["A"], v["D"])
    # The §6.3 proof for (g, X_j, A, D) with context d.
    w = hex_scalar(v["nonce"])
    a1, a2 = g_pow(w), big_a**w
    assert v["dleq_commitments"] == {"A1": a1.to_hex(), "A2": a2.to_hex()}
    hashed = _parts(
        b"verivote-1/proof/dleq",
        d,
        G.to_bytes(),
        x_j.to_bytes(),
        big_a.to_bytes(),
        big_d.to_bytes(),
        a1.to_bytes(),
        a2.to_bytes(),
    )
    assert hashed.hex() == v["dleq_challenge_digest_input"]
    assert _sha(hashed).hex() == v["dleq_challenge_digest"]
    c = _hash_to_scalar(hashed)
    assert partial.proof is not None
    assert partial.proof.challenge == c
    assert partial.proof.response == w + c * secret
    key_share = KeyShare(j, secret, x_j)
    assert unsafe_partial_decrypt_list(key_share, alphas, context=context, nonce=w) == partial
