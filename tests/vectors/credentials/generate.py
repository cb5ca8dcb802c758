"""Write the own known-answer vectors of spec §8.2-§8.3.

Usage: ``python -m tests.vectors.credentials.generate``. Run once; credentials.json is
checked in and tests/crypto/test_credentials_vectors.py recomputes it.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from crypto.credentials import (
    CredentialCode,
    derive_credential_key,
    unsafe_sign_with_credential,
)
from crypto.hashing import hash_to_scalar

HERE = Path(__file__).resolve().parent


def case(label: str, entropy: bytes, fingerprint: bytes, message: bytes) -> dict[str, Any]:
    code = CredentialCode.unsafe_from_entropy(entropy)
    key = derive_credential_key(code, fingerprint=fingerprint)
    nonce = hash_to_scalar(b"verivote-test/vector-seed", label.encode(), b"signature-nonce")
    signature = unsafe_sign_with_credential(key, message, nonce=nonce)
    text = code.formatted()
    return {
        "label": label,
        "entropy": entropy.hex(),
        "code": text,
        "normalised": code.normalised().decode(),
        "check_symbol": text[-1],
        "typed_variants": [text.lower(), text.replace("-", " "), text.replace("0", "O")],
        "typo": text[:6] + ("1" if text[6] != "1" else "2") + text[7:],
        "transposed": next(
            text[:k] + text[k + 1] + text[k] + text[k + 2 :]
            for k in range(len(text) - 1)
            if "-" not in text[k : k + 2] and text[k] != text[k + 1]
        )
        if len(set(text)) > 2
        else None,
        "fingerprint": fingerprint.hex(),
        "secret": key.secret.to_hex(),
        "credential": key.public.to_hex(),
        "message": message.hex(),
        "signature_nonce": nonce.to_hex(),
        "signature": signature.to_json(),
    }


def main() -> None:
    fingerprint = hashlib.sha256(b"verivote-1 test vector: credentials").digest()
    cases = [
        case("zero", bytes(15), fingerprint, hashlib.sha256(b"ballot 1").digest()),
        case("ones", b"\xff" * 15, fingerprint, hashlib.sha256(b"ballot 2").digest()),
        case("counting", bytes(range(1, 16)), fingerprint, b""),
        case(
            "other-election",
            bytes(range(1, 16)),
            hashlib.sha256(b"verivote-1 test vector: credentials, another election").digest(),
            b"",
        ),
    ]
    vector = {
        "source": "verivote tests/vectors/credentials/generate.py (own known-answer vector)",
        "description": (
            "Spec §8.3 codes from fixed entropy, their normalised form and check symbol, typed "
            "variants that parse to them, a substitution and a transposition that must be "
            "refused, the derived key (x, X); §8.2 a signature with a fixed nonce."
        ),
        "cases": cases,
    }
    (HERE / "credentials.json").write_text(json.dumps(vector, indent=2) + "\n")
    print("wrote credentials.json")


if __name__ == "__main__":
    main()
