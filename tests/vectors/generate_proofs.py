"""Generate tests/vectors/proofs/*.json: known answers for spec §6.4-§6.6, from fixed seeds.

Run once from the repository root (``.venv/bin/python -m tests.vectors.generate_proofs``) and
check the output in; never regenerate to make a failing test pass.

Each vector holds the statement (public key, ciphertexts, bounds, context), the witness (value,
randomness), the prover's random choices (nonce w, and the simulated (c_j, s_j) of the other
branches), then every intermediate value: per branch the value v_j, beta* / g^v_j and the
commitments (A_j, B_j); the exact bytes hashed for the challenge (encode_parts of the tag and
the parts, §3.1, before the counter of §3.3), their SHA-256 digest with counter 0, the challenge
c; and the proof's wire form, the full transcript (A_j, B_j, c_j, s_j) per branch (§6.4).
Secrets come from ``SHA-256("verivote-1/test-vector/" || label)
mod n``. tests/crypto/test_proofs_vectors.py recomputes all of it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from crypto.elgamal import (
    Ciphertext,
    PublicKey,
    SecretKey,
    aggregate,
    encrypt_bytes_with_randomness,
    encrypt_with_randomness,
)
from crypto.group import G, Point, Scalar, g_pow
from crypto.hashing import Dst, encode_parts, hash_to_scalar
from crypto.proofs._common import ChallengeResponse
from crypto.proofs.disjunctive import (
    DisjunctiveBranch,
    unsafe_prove_range,
    unsafe_prove_sum_range,
)
from crypto.proofs.randomness import unsafe_prove_randomness
from tests.vectors._generate import seed, write_vectors

OUT = Path(__file__).resolve().parent / "proofs"
SOURCE = "verivote tests/vectors/generate_proofs.py (fixed seeds, spec §6.4-§6.6)"


PK = SecretKey(seed("proofs/secret-key")).public_key()


def write(name: str, description: str, vectors: list[dict[str, Any]]) -> None:
    write_vectors(OUT / f"{name}.json", source=SOURCE, description=description, vectors=vectors)


def challenge_record(dst: bytes, parts: list[bytes]) -> dict[str, str]:
    hashed = encode_parts(dst, *parts)
    digest = hashlib.sha256(hashed + encode_parts((0).to_bytes(4, "big"))).digest()
    return {
        "challenge_input": hashed.hex(),
        "challenge_digest": digest.hex(),
        "challenge": hash_to_scalar(dst, *parts).to_hex(),
    }


def branch_records(
    proof_branches: tuple[DisjunctiveBranch, ...],
    *,
    alpha: Point,
    beta: Point,
    minimum: int,
) -> list[dict[str, str | int]]:
    records: list[dict[str, str | int]] = []
    for j, branch in enumerate(proof_branches):
        value = minimum + j
        shifted = beta / g_pow(Scalar(value))
        a = G**branch.response / alpha**branch.challenge
        b = PK.element**branch.response / shifted**branch.challenge
        # The transcript's commitments are the ones the verifier's equations give.
        assert (a.to_bytes(), b.to_bytes()) == (branch.a, branch.b)
        records.append(
            {"value": value, "shifted_beta": shifted.to_hex(), "A": a.to_hex(), "B": b.to_hex()}
        )
    return records


def simulated_pairs(label: str, count: int) -> list[ChallengeResponse]:
    return [ChallengeResponse(seed(f"{label}/c/{j}"), seed(f"{label}/s/{j}")) for j in range(count)]


def ranges() -> list[dict[str, Any]]:
    out = []
    for value, maximum in ((0, 1), (1, 1), (0, 0), (2, 4)):
        label = f"proofs/range/{value}-of-{maximum}"
        context = f"election-fingerprint|credential|contest-1|option-{value}".encode()
        r, w = seed(f"{label}/r"), seed(f"{label}/w")
        simulated = simulated_pairs(label, maximum)
        ciphertext = encrypt_with_randomness(PK, value, randomness=r)
        proof = unsafe_prove_range(
            r,
            value=value,
            public_key=PK,
            ciphertext=ciphertext,
            maximum=maximum,
            context=context,
            nonce=w,
            simulated=simulated,
        )
        branches = branch_records(
            proof.branches, alpha=ciphertext.alpha, beta=ciphertext.beta, minimum=0
        )
        commitments = [bytes.fromhex(str(b[k])) for b in branches for k in ("A", "B")]
        parts = [
            context,
            G.to_bytes(),
            PK.to_bytes(),
            ciphertext.alpha.to_bytes(),
            ciphertext.beta.to_bytes(),
            (0).to_bytes(4, "big"),
            maximum.to_bytes(4, "big"),
            *commitments,
        ]
        out.append(
            {
                "public_key": PK.to_hex(),
                "ciphertext": ciphertext.to_json(),
                "maximum": maximum,
                "context": context.hex(),
                "value": value,
                "randomness": r.to_hex(),
                "nonce": w.to_hex(),
                "simulated": [s.to_json() for s in simulated],
                "real_branch": value,
                "real_commitments": {"A": g_pow(w).to_hex(), "B": (PK.element**w).to_hex()},
                "branches": branches,
                **challenge_record(Dst.RANGE, parts),
                "proof": proof.to_json(),
            }
        )
    return out


def sums() -> list[dict[str, Any]]:
    out = []
    for votes, minimum, maximum in (([1, 0, 1], 1, 2), ([0, 0], 0, 1), ([1], 1, 1)):
        label = f"proofs/sum/{''.join(map(str, votes))}/{minimum}-{maximum}"
        context = b"election-fingerprint|credential|contest-1"
        rs = [seed(f"{label}/r/{i}") for i in range(len(votes))]
        items = [
            encrypt_with_randomness(PK, v, randomness=r) for v, r in zip(votes, rs, strict=True)
        ]
        total = aggregate(items)
        total_r = Scalar.reduce(sum(r.value for r in rs))
        w = seed(f"{label}/w")
        simulated = simulated_pairs(label, maximum - minimum)
        proof = unsafe_prove_sum_range(
            total_r,
            value=sum(votes),
            public_key=PK,
            ciphertexts=items,
            minimum=minimum,
            maximum=maximum,
            context=context,
            nonce=w,
            simulated=simulated,
        )
        branches = branch_records(
            proof.branches, alpha=total.alpha, beta=total.beta, minimum=minimum
        )
        commitments = [bytes.fromhex(str(b[k])) for b in branches for k in ("A", "B")]
        listed = [p for c in items for p in (c.alpha.to_bytes(), c.beta.to_bytes())]
        parts = [
            context,
            G.to_bytes(),
            PK.to_bytes(),
            len(items).to_bytes(4, "big"),
            *listed,
            minimum.to_bytes(4, "big"),
            maximum.to_bytes(4, "big"),
            *commitments,
        ]
        out.append(
            {
                "public_key": PK.to_hex(),
                "ciphertexts": [c.to_json() for c in items],
                "minimum": minimum,
                "maximum": maximum,
                "context": context.hex(),
                "messages": votes,
                "randomness": [r.to_hex() for r in rs],
                "value": sum(votes),
                "total_randomness": total_r.to_hex(),
                "product": total.to_json(),
                "nonce": w.to_hex(),
                "simulated": [s.to_json() for s in simulated],
                "real_branch": sum(votes) - minimum,
                "real_commitments": {"A": g_pow(w).to_hex(), "B": (PK.element**w).to_hex()},
                "branches": branches,
                **challenge_record(Dst.SUM_RANGE, parts),
                "proof": proof.to_json(),
            }
        )
    return out


def randomness_proofs() -> list[dict[str, Any]]:
    out = []
    for kind in ("exponential", "embedded"):
        label = f"proofs/randomness/{kind}"
        context = b"election-fingerprint|credential"
        r, w = seed(f"{label}/r"), seed(f"{label}/w")
        ciphertext: Ciphertext
        if kind == "exponential":
            ciphertext = encrypt_with_randomness(PK, 1, randomness=r)
        else:
            ciphertext = encrypt_bytes_with_randomness(PK, b"\x03\x01\x02", randomness=r)
        proof = unsafe_prove_randomness(
            r, public_key=PK, ciphertext=ciphertext, context=context, nonce=w
        )
        commitment = g_pow(w)
        parts = [
            context,
            G.to_bytes(),
            PK.to_bytes(),
            ciphertext.alpha.to_bytes(),
            ciphertext.beta.to_bytes(),
            commitment.to_bytes(),
        ]
        out.append(
            {
                "public_key": PK.to_hex(),
                "ciphertext": ciphertext.to_json(),
                "context": context.hex(),
                "randomness": r.to_hex(),
                "nonce": w.to_hex(),
                "commitment": commitment.to_hex(),
                **challenge_record(Dst.RANDOMNESS, parts),
                "proof": proof.to_json(),
            }
        )
    return out


def main() -> None:
    OUT.mkdir(exist_ok=True)
    assert PublicKey.from_hex(PK.to_hex()) == PK
    write(
        "range",
        "Spec §6.4 disjunctive proof that a ciphertext encrypts a value in 0..L.",
        ranges(),
    )
    write(
        "sum_range",
        "Spec §6.5 the product of a list of ciphertexts encrypts a value in a..b; the challenge "
        "hashes every ciphertext of the list.",
        sums(),
    )
    write(
        "randomness",
        "Spec §6.6 proof of knowledge of the encryption randomness, bound to a context.",
        randomness_proofs(),
    )


if __name__ == "__main__":
    main()
