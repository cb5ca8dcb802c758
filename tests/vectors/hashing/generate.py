"""Write tests/vectors/hashing/hashing.json: known answers for spec §2.2-§2.4 and §3.

Usage: ``.venv/bin/python -m tests.vectors.hashing.generate`` from the repository root. Run once
and check the output in; tests/crypto/test_hashing_vectors.py recomputes every value with the
Python, and booth/tests/vectors.test.mjs with the booth's JavaScript, so both must agree byte for
byte.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from crypto.errors import MalformedInput, NonCanonicalEncoding
from crypto.group import N, P, Point, Scalar
from crypto.hashing import encode_parts, hash_bytes, hash_to_point, hash_to_scalar
from tests.vectors._generate import write_json

HERE = Path(__file__).resolve().parent
SOURCE = "verivote tests/vectors/hashing/generate.py (spec §2.2-§2.4, §3)"
G_HEX = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"

# (dst, parts): tags from spec §3.4 and parts of every kind: empty, text, a point, a scalar.
INPUTS: list[tuple[bytes, list[bytes]]] = [
    (b"verivote-1/generator", []),
    (b"verivote-1/proof/schnorr", [b""]),
    (b"verivote-1/credential/key", [bytes(32), b"0123456789ABCDEFGHJKMNPQR"]),
    (b"verivote-1/ballot/selection", [bytes.fromhex(G_HEX), (7).to_bytes(4, "big")]),
    (b"verivote-1/election/fingerprint", ["Wahl für Vorstand 🗳".encode()]),
    (b"verivote-1/proof/range", [bytes(range(256)) * 3]),
]


def _error(exc: MalformedInput) -> str:
    return "non_canonical" if isinstance(exc, NonCanonicalEncoding) else "malformed"


def _attempts_scalar(dst: bytes, parts: list[bytes]) -> dict[str, Any]:
    attempts = []
    for counter in range(4):
        digest = hash_bytes(dst, *parts, counter.to_bytes(4, "big"))
        below = int.from_bytes(digest, "big") < N
        attempts.append({"counter": counter, "digest": digest.hex(), "below_n": below})
        if below:
            break
    return {
        "dst": dst.decode(),
        "parts": [p.hex() for p in parts],
        "attempts": attempts,
        "scalar": hash_to_scalar(dst, *parts).to_hex(),
    }


def _attempts_point(dst: bytes, parts: list[bytes]) -> dict[str, Any]:
    attempts = []
    for counter in range(64):
        x = hash_bytes(dst, *parts, counter.to_bytes(4, "big"))
        try:
            Point.from_bytes(b"\x02" + x)
            on_curve = True
        except MalformedInput:
            on_curve = False
        attempts.append({"counter": counter, "x": x.hex(), "on_curve": on_curve})
        if on_curve:
            break
    return {
        "dst": dst.decode(),
        "parts": [p.hex() for p in parts],
        "attempts": attempts,
        "point": hash_to_point(dst, *parts).to_hex(),
    }


def _off_curve_x() -> bytes:
    for x in range(1, 100):
        try:
            Point.from_bytes(b"\x02" + x.to_bytes(32, "big"))
        except MalformedInput:
            return x.to_bytes(32, "big")
    raise AssertionError("unreachable")


def _point_cases() -> dict[str, list[dict[str, str]]]:
    valid = [
        {"hex": "00" * 33, "note": "the identity"},
        {"hex": G_HEX, "note": "the generator g"},
        {"hex": "03" + G_HEX[2:], "note": "g^-1 (odd y)"},
    ]
    off = _off_curve_x().hex()
    rejected = [
        ("02" + "00" * 31, "32 bytes"),
        ("02" + "00" * 33, "34 bytes"),
        ("04" + G_HEX[2:], "prefix 0x04 (uncompressed form)"),
        ("06" + G_HEX[2:], "prefix 0x06 (hybrid form)"),
        ("07" + G_HEX[2:], "prefix 0x07 (hybrid form)"),
        ("01" + G_HEX[2:], "prefix 0x01"),
        ("00" + "00" * 31 + "01", "0x00 followed by a non-zero byte"),
        ("02" + P.to_bytes(32, "big").hex(), "x = p"),
        ("02" + "ff" * 32, "x = 2^256 - 1 > p"),
        ("02" + off, "x^3 + 7 is not a square mod p"),
        ("03" + off, "x^3 + 7 is not a square mod p (odd prefix)"),
        (G_HEX.upper(), "upper-case hex digits"),
        (G_HEX[:2] + "  " + G_HEX[2:-2], "spaces between digit pairs, right length (not hex)"),
        (G_HEX[:-2] + "\t\n", "a tab and a newline, right length (not hex)"),
        ("0x" + G_HEX[2:] + "00", "not hex"),
        (G_HEX[:-2] + "g8", "not hex"),
    ]
    out = []
    for text, reason in rejected:
        try:
            Point.from_hex(text)
        except MalformedInput as exc:
            out.append({"hex": text, "error": _error(exc), "reason": reason})
            continue
        raise AssertionError(f"accepted {text}")
    for case in valid:
        assert Point.from_hex(case["hex"]).to_hex() == case["hex"]
    return {"valid": valid, "rejected": out}


def _scalar_cases() -> dict[str, list[dict[str, str]]]:
    valid = [
        {"hex": "00" * 32, "note": "zero"},
        {"hex": "00" * 31 + "01", "note": "one"},
        {"hex": (N - 1).to_bytes(32, "big").hex(), "note": "n - 1"},
    ]
    rejected = [
        ((N).to_bytes(32, "big").hex(), "n (never reduced)"),
        ((N + 1).to_bytes(32, "big").hex(), "n + 1"),
        ("ff" * 32, "2^256 - 1"),
        ("00" * 31, "31 bytes"),
        ("00" * 33, "33 bytes"),
        ((N - 1).to_bytes(32, "big").hex().upper(), "upper-case hex digits"),
        (" " + "00" * 31 + " ", "spaces around 31 bytes, right length (not hex)"),
        ("0" * 62 + "\u00a01", "a no-break space, right length (not hex)"),
    ]
    out = []
    for text, reason in rejected:
        try:
            Scalar.from_hex(text)
        except MalformedInput as exc:
            out.append({"hex": text, "error": _error(exc), "reason": reason})
            continue
        raise AssertionError(f"accepted {text}")
    return {"valid": valid, "rejected": out}


def main() -> None:
    document = {
        "source": SOURCE,
        "description": (
            "Spec §3.1 encode_parts, §3.2 H, §3.3 H_s (every counter tried), §2.4 hash_to_point "
            "(every counter tried) and the generators of §2.4, §2.3 point and §2.2 scalar "
            "encodings accepted and refused (error: malformed or non_canonical, reason)"
        ),
        "hash": [
            {
                "dst": dst.decode(),
                "parts": [p.hex() for p in parts],
                "encoded": encode_parts(dst, *parts).hex(),
                "digest": hash_bytes(dst, *parts).hex(),
                "sha256_of_encoded": hashlib.sha256(encode_parts(dst, *parts)).hexdigest(),
            }
            for dst, parts in INPUTS
        ],
        "hash_to_scalar": [_attempts_scalar(dst, parts) for dst, parts in INPUTS],
        "hash_to_point": [_attempts_point(dst, parts) for dst, parts in INPUTS],
        "generators": [
            {
                "label": label,
                "index": i,
                "point": hash_to_point(
                    b"verivote-1/generator", label.encode(), i.to_bytes(4, "big")
                ).to_hex(),
            }
            for label, i in [("shuffle", 0), ("shuffle", 1), ("shuffle", 1000), ("h", 0)]
        ],
        "points": _point_cases(),
        "scalars": _scalar_cases(),
    }
    write_json(HERE / "hashing.json", document)


if __name__ == "__main__":
    main()
