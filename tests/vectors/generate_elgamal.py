"""Generate tests/vectors/elgamal/*.json: known answers for spec §5, from fixed seeds.

Run once from the repository root (``.venv/bin/python -m tests.vectors.generate_elgamal``) and
check the output in. The files freeze every encoding and intermediate value; they are never
regenerated to make a failing test pass: a change that breaks them changes the spec.

Every secret in these files (keys, randomness) is derived from a public label as
``SHA-256("verivote-1/test-vector/" || label) mod n``, so the files are reproducible and worthless
as keys. tests/crypto/test_elgamal_vectors.py recomputes each value from the inputs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from crypto.elgamal import (
    EMBEDDING_CAPACITY,
    SecretKey,
    aggregate,
    decrypt,
    decrypt_to_point,
    embed,
    encrypt_bytes_with_randomness,
    encrypt_with_randomness,
    re_encrypt_with_randomness,
)
from crypto.errors import MalformedInput
from crypto.group import G, Point, Scalar, g_pow
from tests.vectors._generate import seed, write_vectors

OUT = Path(__file__).resolve().parent / "elgamal"
SOURCE = "verivote tests/vectors/generate_elgamal.py (fixed seeds, spec §5)"


SK = SecretKey(seed("elgamal/secret-key"))
PK = SK.public_key()


def write(name: str, description: str, vectors: list[dict[str, Any]]) -> None:
    write_vectors(OUT / f"{name}.json", source=SOURCE, description=description, vectors=vectors)


def keys() -> list[dict[str, Any]]:
    out = []
    for label in ("elgamal/secret-key", "elgamal/key-2"):
        sk = SecretKey(seed(label))
        out.append(
            {
                "seed_label": label,
                "secret_key": sk.scalar.to_hex(),
                "public_key": sk.public_key().to_hex(),
            }
        )
    out.append({"seed_label": "one", "secret_key": Scalar(1).to_hex(), "public_key": G.to_hex()})
    return out


def encryptions() -> list[dict[str, Any]]:
    out = []
    for m in (0, 1, 2, 5, 1000, 1_000_000):
        r = seed(f"elgamal/encrypt/{m}")
        ciphertext = encrypt_with_randomness(PK, m, randomness=r)
        out.append(
            {
                "public_key": PK.to_hex(),
                "message": m,
                "randomness": r.to_hex(),
                "g_r": g_pow(r).to_hex(),
                "g_m": g_pow(Scalar(m)).to_hex(),
                "pk_r": (PK.element**r).to_hex(),
                "ciphertext": ciphertext.to_json(),
            }
        )
    return out


def re_encryptions() -> list[dict[str, Any]]:
    out = []
    for m in (0, 1, 7):
        r = seed(f"elgamal/re-encrypt/input/{m}")
        r2 = seed(f"elgamal/re-encrypt/{m}")
        ciphertext = encrypt_with_randomness(PK, m, randomness=r)
        out.append(
            {
                "public_key": PK.to_hex(),
                "message": m,
                "input_randomness": r.to_hex(),
                "input": ciphertext.to_json(),
                "randomness": r2.to_hex(),
                "g_r": g_pow(r2).to_hex(),
                "pk_r": (PK.element**r2).to_hex(),
                "output": re_encrypt_with_randomness(PK, ciphertext, randomness=r2).to_json(),
                "total_randomness": (r + r2).to_hex(),
            }
        )
    return out


def aggregates() -> list[dict[str, Any]]:
    out = []
    for label, messages in (("empty", []), ("one", [1]), ("votes", [1, 0, 1, 1, 0, 1])):
        rs = [seed(f"elgamal/aggregate/{label}/{i}") for i in range(len(messages))]
        items = [
            encrypt_with_randomness(PK, m, randomness=r) for m, r in zip(messages, rs, strict=True)
        ]
        total = aggregate(items)
        out.append(
            {
                "public_key": PK.to_hex(),
                "messages": messages,
                "randomness": [r.to_hex() for r in rs],
                "ciphertexts": [c.to_json() for c in items],
                "aggregate": total.to_json(),
                "sum": sum(messages),
                "total_randomness": Scalar.reduce(sum(r.value for r in rs)).to_hex(),
            }
        )
    return out


def decryptions() -> list[dict[str, Any]]:
    out = []
    for m, bound in ((0, 0), (1, 1), (37, 100), (999_999, 1_000_000), (10_000_000, 10_000_000)):
        ciphertext = encrypt_with_randomness(PK, m, randomness=seed(f"elgamal/decrypt/{m}"))
        out.append(
            {
                "secret_key": SK.scalar.to_hex(),
                "ciphertext": ciphertext.to_json(),
                "alpha_x": (ciphertext.alpha**SK.scalar).to_hex(),
                "plaintext_point": decrypt_to_point(SK, ciphertext).to_hex(),
                "bound": bound,
                "message": decrypt(SK, ciphertext, bound=bound),
            }
        )
    # Out of bound: g^(bound + 1) must fail to decode.
    ciphertext = encrypt_with_randomness(PK, 101, randomness=seed("elgamal/decrypt/101"))
    out.append(
        {
            "secret_key": SK.scalar.to_hex(),
            "ciphertext": ciphertext.to_json(),
            "alpha_x": (ciphertext.alpha**SK.scalar).to_hex(),
            "plaintext_point": decrypt_to_point(SK, ciphertext).to_hex(),
            "bound": 100,
            "message": None,
        }
    )
    return out


def _attempts(data: bytes) -> list[dict[str, Any]]:
    prefix = bytes((0, len(data))) + data.ljust(EMBEDDING_CAPACITY, b"\x00")
    attempts = []
    for counter in range(256):
        x = prefix + bytes((counter,))
        try:
            Point.from_bytes(b"\x02" + x)
        except MalformedInput:
            attempts.append({"counter": counter, "x": x.hex(), "on_curve": False})
            continue
        attempts.append({"counter": counter, "x": x.hex(), "on_curve": True})
        return attempts
    raise AssertionError("unreachable")


def embeddings() -> list[dict[str, Any]]:
    out = []
    samples = [b"", b"\x00", b"\x01\x02\x03", b"verivote ranking", bytes(range(1, 30))]
    samples.append(b"\xff" * EMBEDDING_CAPACITY)
    for data in samples:
        r = seed(f"elgamal/embed/{data.hex()}")
        point = embed(data)
        ciphertext = encrypt_bytes_with_randomness(PK, data, randomness=r)
        out.append(
            {
                "data": data.hex(),
                "attempts": _attempts(data),
                "point": point.to_hex(),
                "public_key": PK.to_hex(),
                "randomness": r.to_hex(),
                "pk_r": (PK.element**r).to_hex(),
                "ciphertext": ciphertext.to_json(),
                "secret_key": SK.scalar.to_hex(),
            }
        )
    return out


def main() -> None:
    OUT.mkdir(exist_ok=True)
    write("keys", "Spec §5.1 secret key x -> public key g^x.", keys())
    write(
        "encryption",
        "Spec §5.2 Enc(m; r) = (g^r, g^m · pk^r), with g^r, g^m and pk^r.",
        encryptions(),
    )
    write(
        "re_encryption",
        "Spec §5.3 (alpha · g^r', beta · pk^r'); equals Enc(m; r + r').",
        re_encryptions(),
    )
    write(
        "aggregate",
        "Spec §5.4 component-wise product of a list; the empty list gives (1, 1).",
        aggregates(),
    )
    write(
        "decryption",
        "Spec §5.5 M = beta / alpha^x and the m in [0, bound] with g^m = M; message null: "
        "M is out of bound and decoding must fail.",
        decryptions(),
    )
    write(
        "embedding",
        "Spec §5.6 embed(d): every counter tried (x, whether 0x02 || x is a point), the point, "
        "and EncBytes(d; r) = (g^r, embed(d) · pk^r).",
        embeddings(),
    )


if __name__ == "__main__":
    main()
