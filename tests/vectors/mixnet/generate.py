"""Write the known-answer vectors of spec §6.8 and §7.8.

Usage: ``.venv/bin/python -m tests.vectors.mixnet.generate``.

Run once from the repository root and check the output in; never regenerate to make a failing
test pass (see README.md). Every random value comes from ``seed(label)``, a hash of a fixed label,
and is recorded in the file, so a test never needs the seeds.

Every intermediate value is computed here step by step from the spec's formulas with plain group
operations (not with the library's prover), and the library's deterministic cores must then give
the same bytes: ``unsafe_gen_shuffle_proof`` and ``unsafe_partial_decrypt_list``.
tests/crypto/test_mixnet_vectors.py recomputes all of it again, independently.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from crypto.elgamal import (
    Ciphertext,
    PublicKey,
    SecretKey,
    encrypt_bytes_with_randomness,
    encrypt_with_randomness,
)
from crypto.group import IDENTITY, G, N, Point, Scalar, g_pow
from crypto.hashing import Dst, encode_parts, hash_to_point, hash_to_scalar
from crypto.shuffle import (
    ShuffleNonces,
    ShuffleStatement,
    ShuffleWitness,
    check_shuffle_proof,
    shuffle_with_witness,
    unsafe_gen_shuffle_proof,
)
from crypto.threshold import KeyShare, unsafe_partial_decrypt_list, verify_list_partial_decryption
from tests.vectors._generate import seed, seed_bytes, write_vectors

HERE = Path(__file__).resolve().parent
SOURCE = "verivote tests/vectors/mixnet/generate.py (fixed seeds, spec §6.8 and §7.8)"


SK = SecretKey(seed("mixnet/secret-key"))
PK = SK.public_key()
FINGERPRINT = seed_bytes("mixnet/fingerprint")


def _hex(points: list[Point]) -> list[str]:
    return [p.to_hex() for p in points]


def _prod(points: list[Point]) -> Point:
    out = IDENTITY
    for p in points:
        out = out * p
    return out


def _pow(base: Point, exponent: int) -> Point:
    return base ** Scalar(exponent % N)


def _hash_record(prefix: str, dst: bytes, parts: list[bytes]) -> dict[str, str]:
    """The exact bytes hashed (§3.1) and the digest."""
    hashed = encode_parts(dst, *parts)
    return {f"{prefix}_input": hashed.hex(), prefix: hashlib.sha256(hashed).hexdigest()}


def shuffle_vector(label: str, plaintexts: list[bytes] | list[int]) -> dict[str, Any]:
    size = len(plaintexts)
    context = encode_parts(b"verivote-test/mix", FINGERPRINT, b"nec", (1).to_bytes(4, "big"))
    gs = encode_parts(b"verivote-test/mix-generators", FINGERPRINT, b"nec", (1).to_bytes(4, "big"))
    randomness = [seed(f"{label}/input/{j}") for j in range(size)]
    inputs: list[Ciphertext] = []
    for value, rho in zip(plaintexts, randomness, strict=True):
        if isinstance(value, bytes):
            inputs.append(encrypt_bytes_with_randomness(PK, value, randomness=rho))
        else:
            assert isinstance(value, int)
            inputs.append(encrypt_with_randomness(PK, value, randomness=rho))
    # The witness: a permutation from the seeds (sort indices by a seeded key) and r'_j.
    pi = [0] * size
    for position, j in enumerate(sorted(range(size), key=lambda j: seed(f"{label}/pi/{j}").value)):
        pi[j] = position
    r_prime = [seed(f"{label}/r'/{j}") for j in range(size)]
    witness = ShuffleWitness(tuple(pi), tuple(r_prime))
    # Shuffling: output π(j) = (alpha_j · g^r'_j, beta_j · pk^r'_j).
    outputs: list[Ciphertext] = [Ciphertext(IDENTITY, IDENTITY)] * size
    for j, ct in enumerate(inputs):
        outputs[pi[j]] = Ciphertext(
            ct.alpha * g_pow(r_prime[j]), ct.beta * PK.element ** r_prime[j]
        )
    assert tuple(outputs) == shuffle_with_witness(PK, inputs, witness)
    # Generators G_k = hash_to_point("verivote-1/generator", gs, I2OSP(k, 4)).
    gens = [hash_to_point(Dst.GENERATOR, gs, k.to_bytes(4, "big")) for k in range(size + 1)]
    h, hs = gens[0], gens[1:]
    nonces = ShuffleNonces(
        tuple(seed(f"{label}/r/{j}") for j in range(size)),
        tuple(seed(f"{label}/b/{i}") for i in range(size)),
        seed(f"{label}/w_A"),
        tuple(seed(f"{label}/w_B/{i}") for i in range(size)),
        seed(f"{label}/w_C"),
        seed(f"{label}/w_D"),
        tuple(seed(f"{label}/w_E/{i}") for i in range(size)),
        seed(f"{label}/w_F"),
    )
    r = [s.value for s in nonces.commitment_randomness]
    # Step 1: u_j = g^(r_j) · h_π(j).
    u = [g_pow(nonces.commitment_randomness[j]) * hs[pi[j]] for j in range(size)]
    # Step 2: the statement digest.
    digest_parts = [context, G.to_bytes(), PK.to_bytes(), gs, size.to_bytes(4, "big")]
    digest_parts += [p.to_bytes() for c in inputs for p in (c.alpha, c.beta)]
    digest_parts += [p.to_bytes() for c in outputs for p in (c.alpha, c.beta)]
    digest_parts += [p.to_bytes() for p in u]
    digest_record = _hash_record("digest", Dst.SHUFFLE_STATEMENT, digest_parts)
    d = bytes.fromhex(digest_record["digest"])
    # Step 3: e_j, and e'_π(j) = e_j.
    e = [
        int.from_bytes(
            hashlib.sha256(encode_parts(Dst.SHUFFLE_EXPONENT, d, j.to_bytes(4, "big"))).digest()[
                :16
            ],
            "big",
        )
        for j in range(size)
    ]
    e_prime = [0] * size
    for j in range(size):
        e_prime[pi[j]] = e[j]
    # Step 4: B_i = g^(b_i) · B_(i-1)^(e'_i), B_(-1) = h; x_i and U_i of the closed form.
    chain, xs, us = [], [], []
    previous, x, big_u = h, 0, 1
    for i in range(size):
        b_i = nonces.chain_randomness[i]
        chain.append(g_pow(b_i) * _pow(previous, e_prime[i]))
        x = (b_i.value + e_prime[i] * x) % N
        big_u = big_u * e_prime[i] % N
        assert chain[-1] == g_pow(Scalar(x)) * _pow(h, big_u)
        xs.append(x)
        us.append(big_u)
        previous = chain[-1]
    # Step 5: the commitments.
    w_e = [s.value for s in nonces.w_e]
    a_prime = g_pow(nonces.w_a) * _prod([_pow(hs[i], w_e[i]) for i in range(size)])
    b_prime = [g_pow(nonces.w_b[i]) * _pow(([h, *chain])[i], w_e[i]) for i in range(size)]
    c_prime = g_pow(nonces.w_c)
    d_prime = g_pow(nonces.w_d)
    f_alpha = _pow(G, -nonces.w_f.value) * _prod(
        [_pow(outputs[i].alpha, w_e[i]) for i in range(size)]
    )
    f_beta = _pow(PK.element, -nonces.w_f.value) * _prod(
        [_pow(outputs[i].beta, w_e[i]) for i in range(size)]
    )
    # Step 6: the challenge.
    challenge_parts = [d, *(p.to_bytes() for p in chain), a_prime.to_bytes()]
    challenge_parts += [p.to_bytes() for p in b_prime]
    challenge_parts += [
        c_prime.to_bytes(),
        d_prime.to_bytes(),
        f_alpha.to_bytes(),
        f_beta.to_bytes(),
    ]
    challenge_record = _hash_record("challenge_digest", Dst.SHUFFLE, challenge_parts)
    c = hash_to_scalar(Dst.SHUFFLE, *challenge_parts).value
    # Step 7: the responses.
    a = sum(r[j] * e[j] for j in range(size))
    f = sum(r_prime[j].value * e[j] for j in range(size))
    x_last = xs[-1] if xs else 0
    responses: dict[str, Any] = {
        "a": (nonces.w_a.value + c * a) % N,
        "b": [
            (nonces.w_b[i].value + c * nonces.chain_randomness[i].value) % N for i in range(size)
        ],
        "c": (nonces.w_c.value + c * sum(r)) % N,
        "d": (nonces.w_d.value + c * x_last) % N,
        "e": [(w_e[i] + c * e_prime[i]) % N for i in range(size)],
        "f": (nonces.w_f.value + c * f) % N,
    }
    statement = ShuffleStatement(PK, tuple(inputs), tuple(outputs), context, gs)
    proof = unsafe_gen_shuffle_proof(statement, witness, nonces=nonces)
    wire = proof.to_json()
    assert wire["permutation_commitment"] == _hex(u)
    assert wire["chain"] == _hex(chain)
    k = proof.commitments
    assert (k.a, k.b, k.c, k.d, k.f) == (
        a_prime,
        tuple(b_prime),
        c_prime,
        d_prime,
        Ciphertext(f_alpha, f_beta),
    )
    r_obj = proof.responses
    assert r_obj.a == Scalar(responses["a"])
    assert r_obj.f == Scalar(responses["f"])
    assert [s.value for s in r_obj.b] == responses["b"]
    assert [s.value for s in r_obj.e] == responses["e"]
    assert (r_obj.c.value, r_obj.d.value) == (responses["c"], responses["d"])
    check_shuffle_proof(proof, statement)
    check_shuffle_proof(proof, statement, batched=False)
    # The verifier's derived values (step 3).
    e_product = 1
    for e_j in e:
        e_product = e_product * e_j % N
    big_a = _prod([_pow(u[j], e[j]) for j in range(size)])
    big_c = _prod(u) / _prod(hs)
    big_d = (chain[-1] if chain else h) / _pow(h, e_product)
    big_f = (
        _prod([_pow(inputs[j].alpha, e[j]) for j in range(size)]),
        _prod([_pow(inputs[j].beta, e[j]) for j in range(size)]),
    )
    return {
        "label": label,
        "secret_key": SK.scalar.to_hex(),
        "public_key": PK.to_hex(),
        "context": context.hex(),
        "generator_seed": gs.hex(),
        "plaintexts": [p.hex() if isinstance(p, bytes) else p for p in plaintexts],
        "flavour": "embedded" if plaintexts and isinstance(plaintexts[0], bytes) else "exponential",
        "input_randomness": [s.to_hex() for s in randomness],
        "inputs": [c.to_json() for c in inputs],
        "permutation": pi,
        "re_encryption_randomness": [s.to_hex() for s in r_prime],
        "outputs": [c.to_json() for c in outputs],
        "generators": {"h": h.to_hex(), "h_i": _hex(hs)},
        "nonces": {
            "r": [s.to_hex() for s in nonces.commitment_randomness],
            "b": [s.to_hex() for s in nonces.chain_randomness],
            "w_A": nonces.w_a.to_hex(),
            "w_B": [s.to_hex() for s in nonces.w_b],
            "w_C": nonces.w_c.to_hex(),
            "w_D": nonces.w_d.to_hex(),
            "w_E": [s.to_hex() for s in nonces.w_e],
            "w_F": nonces.w_f.to_hex(),
        },
        **digest_record,
        "e": [f"{v:032x}" for v in e],
        "e_prime": [f"{v:032x}" for v in e_prime],
        "chain_x": [Scalar(v).to_hex() for v in xs],
        "chain_U": [Scalar(v).to_hex() for v in us],
        **challenge_record,
        "challenge": Scalar(c).to_hex(),
        "witness_sums": {
            "a": Scalar(a % N).to_hex(),
            "r": Scalar(sum(r) % N).to_hex(),
            "f": Scalar(f % N).to_hex(),
        },
        "verifier": {
            "A": big_a.to_hex(),
            "C": big_c.to_hex(),
            "D": big_d.to_hex(),
            "F": {"alpha": big_f[0].to_hex(), "beta": big_f[1].to_hex()},
            "e_product": Scalar(e_product).to_hex(),
        },
        "proof": wire,
    }


def list_decryption_vector(label: str, size: int) -> dict[str, Any]:
    trustee = 2
    secret = seed(f"{label}/x_j")
    key_share = KeyShare(trustee, secret, g_pow(secret))
    context = FINGERPRINT + b"|nec|rankings"
    alphas = [g_pow(seed(f"{label}/alpha/{i}")) for i in range(size)]
    shares = [a**secret for a in alphas]
    nonce = seed(f"{label}/w")
    partial = unsafe_partial_decrypt_list(key_share, alphas, context=context, nonce=nonce)
    assert list(partial.decryption_shares) == shares
    record: dict[str, Any] = {
        "label": label,
        "trustee": trustee,
        "key_share": secret.to_hex(),
        "verification_key": key_share.verification_key.to_hex(),
        "context": context.hex(),
        "alphas": _hex(alphas),
        "decryption_shares": _hex(shares),
    }
    if size:
        parts = [context, trustee.to_bytes(4, "big"), G.to_bytes()]
        parts += [key_share.verification_key.to_bytes(), size.to_bytes(4, "big")]
        parts += [p.to_bytes() for p in alphas] + [p.to_bytes() for p in shares]
        digest_record = _hash_record("digest", Dst.DECRYPTION_LIST, parts)
        d = bytes.fromhex(digest_record["digest"])
        e = [
            int.from_bytes(
                hashlib.sha256(
                    encode_parts(Dst.DECRYPTION_LIST_EXPONENT, d, i.to_bytes(4, "big"))
                ).digest()[:16],
                "big",
            )
            for i in range(size)
        ]
        big_a = _prod([_pow(alphas[i], e[i]) for i in range(size)])
        big_d = _prod([_pow(shares[i], e[i]) for i in range(size)])
        assert big_d == big_a**secret
        a1, a2 = g_pow(nonce), big_a**nonce
        dleq_parts = [d, G.to_bytes(), key_share.verification_key.to_bytes()]
        dleq_parts += [big_a.to_bytes(), big_d.to_bytes(), a1.to_bytes(), a2.to_bytes()]
        challenge = hash_to_scalar(Dst.DLEQ, *dleq_parts)
        response = nonce + challenge * secret
        assert partial.proof is not None
        assert (partial.proof.challenge, partial.proof.response) == (challenge, response)
        record |= {
            **digest_record,
            "e": [f"{v:032x}" for v in e],
            "A": big_a.to_hex(),
            "D": big_d.to_hex(),
            "nonce": nonce.to_hex(),
            "dleq_commitments": {"A1": a1.to_hex(), "A2": a2.to_hex()},
            **_hash_record("dleq_challenge_digest", Dst.DLEQ, dleq_parts),
        }
    verify_list_partial_decryption(
        partial, alphas=alphas, verification_key=key_share.verification_key, context=context
    )
    record["wire"] = partial.to_json()
    return record


def write(name: str, description: str, vectors: list[dict[str, Any]]) -> None:
    write_vectors(HERE / f"{name}.json", source=SOURCE, description=description, vectors=vectors)


def main() -> None:
    assert PublicKey.from_hex(PK.to_hex()) == PK
    write(
        "shuffle",
        "Spec §6.8 proofs of a shuffle: statement, witness, every nonce, the generators, the "
        "permutation commitment, the statement digest (its exact input), the batching exponents "
        "e and e', the chain with its closed form (x_i, U_i), the commitments, the challenge (its "
        "exact input), the responses, the verifier's A, C, D, F, and the proof's wire form.",
        [
            shuffle_vector("mixnet/shuffle/empty", []),
            shuffle_vector("mixnet/shuffle/one", [b"\x00\x01\x02"]),
            shuffle_vector("mixnet/shuffle/exponential", [0, 3]),
            shuffle_vector(
                "mixnet/shuffle/rankings", [b"\x02\x00", b"\x01", b"\x00\x01\x02\x03", b"\xff"]
            ),
        ],
    )
    write(
        "list_decryption",
        "Spec §7.8 partial decryption of a list by trustee 2: the shares D_i = alpha_i^x_j, the "
        "digest d (its exact input), the weights e_i, A and D, the DLEQ proof's nonce, "
        "commitments and challenge (its exact input, whose context is d), and the wire form.",
        [
            list_decryption_vector("mixnet/list/empty", 0),
            list_decryption_vector("mixnet/list/one", 1),
            list_decryption_vector("mixnet/list/three", 3),
        ],
    )


if __name__ == "__main__":
    main()
