"""Write tests/vectors/signing/ed25519.json: spec §8.1 Ed25519 role signatures, valid and not.

Usage: ``.venv/bin/python -m tests.vectors.signing.generate``. Two lists:

* ``signatures``: (public key, purpose, message, signature) with whether PyNaCl (libsodium's
  strict rules, §8.1) accepts it, and why not: a tampered message or signature, another
  purpose, S + L (non-canonical S), small-order A or R (the identity: the equation holds, the
  rules refuse), the identity key written with y = p + 1 (not canonical), the identity R with
  its sign bit set, and a mixed-order A whose signature passes the cofactored equation (which
  noble's ``ed25519.verify`` checks) but not libsodium's cofactorless one;
* ``entries`` and ``tree_heads``: a board's signed entries (§10.1, purpose ``board/entry``) and
  tree heads (§10.2, ``board/sth``), valid and tampered, as the booth reads them.

Keys and nonces come from public labels; tests/crypto/test_signing_vectors.py checks every case with
crypto/signing.py (PyNaCl) and bulletin_board/wire.py, booth/tests/vectors.test.mjs with the
booth's JavaScript.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import nacl.bindings as sodium

from bulletin_board.wire import ENTRY_PURPOSE, sign_entry, sign_tree_head
from crypto import canonical
from crypto.hashing import Dst, encode_parts
from tests.vectors._generate import seed_bytes, signing_key, write_json

HERE = Path(__file__).resolve().parent
SOURCE = "verivote tests/vectors/signing/generate.py (spec §8.1, §10.1, §10.2)"
L = 2**252 + 27742317777372353535851937790883648493
# A point of order 8 (RFC 8032's torsion subgroup), and the identity's encoding.
TORSION_8 = bytes.fromhex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a")
IDENTITY = bytes([1]) + bytes(31)
P = 2**255 - 19
NON_CANONICAL_IDENTITY = (P + 1).to_bytes(32, "little")


def _scalar(label: str) -> int:
    return int.from_bytes(hashlib.sha512(seed_bytes(label)).digest(), "little") % L


def _le(x: int) -> bytes:
    return (x % L).to_bytes(32, "little")


def _k(r: bytes, a: bytes, message: bytes) -> int:
    return int.from_bytes(hashlib.sha512(r + a + message).digest(), "little") % L


def _signed(purpose: bytes, message: bytes) -> bytes:
    return encode_parts(Dst.ED25519, purpose, message)


def _raw_sign(a: int, public: bytes, message: bytes, r_label: str) -> bytes:
    """A plain RFC 8032 signature with scalar a (unclamped) for the key bytes ``public``."""
    r = _scalar(r_label)
    big_r = sodium.crypto_scalarmult_ed25519_base_noclamp(_le(r))
    return big_r + _le(r + _k(big_r, public, message) * a)


def signatures() -> list[dict[str, Any]]:
    key = signing_key("signing/role-key")
    public = key.verify_key.raw
    purpose, message = b"board/entry", b'{"example":"entry bytes"}'
    good = key.sign(purpose, message)
    s = int.from_bytes(good[32:], "little")
    cases: list[tuple[bytes, bytes, bytes, bytes, str | None]] = [
        (public, purpose, message, good, None),
        (public, purpose, message + b" ", good, "message changed"),
        (public, b"board/sth", message, good, "made for another purpose"),
        (public, purpose, message, good[:5] + bytes([good[5] ^ 1]) + good[6:], "R changed"),
        (public, purpose, message, good[:40] + bytes([good[40] ^ 1]) + good[41:], "S changed"),
        (public, purpose, message, good[:32] + (s + L).to_bytes(32, "little"), "S + L: S >= L"),
    ]
    # Small-order A (the identity): R = r·B, S = r satisfies S·B = R + k·A for any k.
    r = _scalar("signing/identity-key-r")
    big_r = sodium.crypto_scalarmult_ed25519_base_noclamp(_le(r))
    signed = _signed(purpose, message)
    cases.append((IDENTITY, purpose, message, big_r + _le(r), "small-order public key"))
    # A non-canonical key (rule 2): the identity written with y = p + 1; S = r still works.
    cases.append(
        (NON_CANONICAL_IDENTITY, purpose, message, big_r + _le(r),
         "non-canonical public key: the identity as y = p + 1"),
    )  # fmt: skip
    # Small-order R (the identity): S = k·a satisfies S·B = R + k·A.
    a = _scalar("signing/identity-r-key")
    a_public = sodium.crypto_scalarmult_ed25519_base_noclamp(_le(a))
    sig = IDENTITY + _le(_k(IDENTITY, a_public, signed) * a)
    cases.append((a_public, purpose, message, sig, "small-order R"))
    # The same R with its sign bit set (rule 4 ignores the sign bit).
    negative = IDENTITY[:31] + bytes([0x80])
    sig = negative + _le(_k(negative, a_public, signed) * a)
    cases.append((a_public, purpose, message, sig, "small-order R with its sign bit set"))
    # Mixed-order A' = A + T: S = r + k·a passes 8·S·B = 8·R + 8·k·A', not S·B = R + k·A'.
    mixed = sodium.crypto_core_ed25519_add(a_public, TORSION_8)
    for attempt in range(16):
        sig = _raw_sign(a, mixed, signed, f"signing/mixed-order-r/{attempt}")
        if _k(sig[:32], mixed, signed) % 8:
            break
    cases.append((mixed, purpose, message, sig, "mixed-order key: only the cofactored check holds"))
    # A key that is not a curve point (y with no x).
    for y in range(2, 100):
        candidate = y.to_bytes(32, "little")
        if not sodium.crypto_core_ed25519_is_valid_point(candidate):
            try:
                sodium.crypto_core_ed25519_add(candidate, candidate)
            except Exception:
                cases.append((candidate, purpose, message, good, "public key not on the curve"))
                break
    return [
        {
            "public_key": pk.hex(),
            "purpose": p.decode(),
            "message": m.hex(),
            "signed_bytes": _signed(p, m).hex(),
            "signature": sg.hex(),
            "valid": reason is None,
            "reason": reason or "valid",
        }
        for pk, p, m, sg, reason in cases
    ]


def _tamper_json(raw: bytes, path: list[str], value: Any) -> bytes:
    obj = canonical.decode(raw)
    target: Any = obj
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return canonical.encode(obj)


def entries_and_heads() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    board = signing_key("signing/board-key")
    admin = signing_key("signing/admin-key")
    election = "vector-2027"
    board_key = sign_entry(
        election=election,
        type="board-key",
        role="board",
        payload={"key": board.verify_key.to_hex(), "rehearsal": False},
        key=board,
    )
    note = sign_entry(
        election=election,
        type="decision",
        role="administrator",
        payload={"subject": "Count", "decision": "Café opens at 9", "reason": "✓"},
        key=admin,
    )
    sth = sign_tree_head(
        election=election,
        tree_size=2,
        root_hash=hashlib.sha256(b"root").digest(),
        timestamp=1_800_000_000_000,
        rehearsal=False,
        key=board,
    ).to_bytes()
    rehearsal = sign_tree_head(
        election=election,
        tree_size=2,
        root_hash=hashlib.sha256(b"root").digest(),
        timestamp=1_800_000_000_000,
        rehearsal=True,
        key=board,
    ).to_bytes()
    other_purpose = canonical.decode(sth)
    assert isinstance(other_purpose, dict)
    unsigned = {k: v for k, v in other_purpose.items() if k != "signature"}
    wrong = board.sign(ENTRY_PURPOSE, canonical.encode(unsigned)).hex()
    entries = [
        {"raw": board_key.decode(), "valid": True, "reason": "valid"},
        {"raw": note.decode(), "valid": True, "reason": "valid"},
        {
            "raw": _tamper_json(note, ["payload", "decision"], "Café opens at 10").decode(),
            "valid": False,
            "reason": "payload changed after signing",
        },
        {
            "raw": _tamper_json(note, ["author", "key"], board.verify_key.to_hex()).decode(),
            "valid": False,
            "reason": "another author key",
        },
    ]
    heads = [
        {"raw": sth.decode(), "valid": True, "reason": "valid"},
        {"raw": rehearsal.decode(), "valid": True, "reason": "valid, a rehearsal's (§10.2)"},
        {
            "raw": _tamper_json(sth, ["rehearsal"], True).decode(),
            "valid": False,
            "reason": "rehearsal flag changed after signing",
        },
        {
            "raw": _tamper_json(sth, ["tree_size"], 3).decode(),
            "valid": False,
            "reason": "size changed",
        },
        {
            "raw": _tamper_json(sth, ["signature"], wrong).decode(),
            "valid": False,
            "reason": "signed with purpose board/entry",
        },
    ]
    return entries, heads


def main() -> None:
    entries, heads = entries_and_heads()
    document = {
        "source": SOURCE,
        "description": (
            "Spec §8.1 Ed25519 role signatures over encode_parts(tag, purpose, m) with "
            "libsodium's strict rules (valid, and each refusal with its reason); §10.1 signed "
            "entries and §10.2 signed tree heads, valid and tampered"
        ),
        "signatures": signatures(),
        "entries": entries,
        "tree_heads": heads,
    }
    write_json(HERE / "ed25519.json", document)


if __name__ == "__main__":
    main()
