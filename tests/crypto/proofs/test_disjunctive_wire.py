"""Spec §6.4 The wire form of a disjunctive proof: the full transcript, read strictly."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from crypto import canonical
from crypto.errors import MalformedInput, NonCanonicalEncoding
from crypto.group import N, P, g_pow
from crypto.proofs.disjunctive import (
    DisjunctiveProof,
)
from tests.crypto.proofs.disjunctive_tools import (
    PK,
    honest_range,
    scalar,
)

HONEST = honest_range()  # encrypts 1 in 0..1: branch 1 is real, branch 0 simulated


def _uncompressed_hex(compressed_hex: str) -> str:
    data = bytes.fromhex(compressed_hex)
    x = int.from_bytes(data[1:], "big")
    y = pow(x**3 + 7, (P + 1) // 4, P)
    if y % 2 != data[0] - 2:
        y = P - y
    return (x.to_bytes(32, "big") + y.to_bytes(32, "big")).hex()


WIRE: Any = HONEST.proof.to_json()
_BRANCH = WIRE["branches"][0]
# name: (the reader's reason, the wire form)
BAD_WIRE: dict[str, tuple[str, object]] = {
    "missing-branches": (r"proof: missing field\(s\) branches", {}),
    "unknown-field": (
        r"proof: unknown field\(s\) challenge",
        {**WIRE, "challenge": _BRANCH["challenge"]},
    ),
    "branches-not-a-list": ("proof.branches must be a list, got dict", {"branches": _BRANCH}),
    "not-an-object": ("proof must be a JSON object, got list", WIRE["branches"]),
    "too-few-branches": ("proof: expected 2 branches, got 1", {"branches": WIRE["branches"][:1]}),
    "too-many-branches": (
        "proof.branches: at most 2 items, got 3",
        {"branches": [*WIRE["branches"], _BRANCH]},
    ),
    "no-branches": ("proof: expected 2 branches, got 0", {"branches": []}),
    "branch-not-an-object": (
        r"proof.branches\[0\] must be a JSON object, got str",
        {"branches": [_BRANCH["challenge"], _BRANCH["response"]]},
    ),
    "branch-missing-response": (
        r"proof.branches\[0\]: missing field\(s\) a, b, response",
        {"branches": [{"challenge": _BRANCH["challenge"]}, _BRANCH]},
    ),
    "branch-unknown-field": (
        r"proof.branches\[0\]: unknown field\(s\) commitment",
        {"branches": [{**_BRANCH, "commitment": "00"}, _BRANCH]},
    ),
    "response-equals-n": (
        r"scalar out of range \[0, n\)",
        {"branches": [{**_BRANCH, "response": N.to_bytes(32, "big").hex()}] * 2},
    ),
    "challenge-all-ff": (
        r"scalar out of range \[0, n\)",
        {"branches": [{**_BRANCH, "challenge": "ff" * 32}, _BRANCH]},
    ),
    "truncated-scalar": (
        "scalar must be 64 hex digits, got 62",
        {"branches": [{**_BRANCH, "response": _BRANCH["response"][:-2]}] * 2},
    ),
    "trailing-bytes": (
        "scalar must be 64 hex digits, got 66",
        {"branches": [{**_BRANCH, "challenge": _BRANCH["challenge"] + "00"}] * 2},
    ),
    "integer-scalar": (
        "scalar must be a hex string, got int",
        {"branches": [{**_BRANCH, "response": 5}, _BRANCH]},
    ),
    "0x-prefix": (
        "scalar is not hex: '0x",
        {"branches": [{**_BRANCH, "response": "0x" + _BRANCH["response"][2:]}] * 2},
    ),
    "branch-missing-a": (
        r"proof.branches\[0\]: missing field\(s\) a$",
        {"branches": [{k: v for k, v in _BRANCH.items() if k != "a"}, _BRANCH]},
    ),
    "branch-missing-b": (
        r"proof.branches\[0\]: missing field\(s\) b$",
        {"branches": [{k: v for k, v in _BRANCH.items() if k != "b"}, _BRANCH]},
    ),
    "compact-form-of-version-1": (
        r"proof.branches\[0\]: missing field\(s\) a, b$",
        {
            "branches": [
                {"challenge": b["challenge"], "response": b["response"]} for b in WIRE["branches"]
            ]
        },
    ),
    **{
        f"{field}-{name}": (
            rf"proof.branches\[0\].{field}{reason}",
            {"branches": [{**_BRANCH, field: bad}, _BRANCH]},
        )
        for field in ("a", "b")
        for name, (reason, bad) in {
            "uncompressed-65-bytes": (
                " must be 66 hex digits, got 130",
                "04" + _uncompressed_hex(_BRANCH[field]),
            ),
            "uncompressed-prefix-33-bytes": (
                ": commitment prefix .* got 0x04",
                "04" + _BRANCH[field][2:],
            ),
            "hybrid-even-prefix-33-bytes": (
                ": commitment prefix .* got 0x06",
                "06" + _BRANCH[field][2:],
            ),
            "hybrid-odd-prefix-33-bytes": (
                ": commitment prefix .* got 0x07",
                "07" + _BRANCH[field][2:],
            ),
            "hybrid-65-bytes": (
                " must be 66 hex digits, got 130",
                "06" + _uncompressed_hex(_BRANCH[field]),
            ),
            "prefix-05": (": commitment prefix .* got 0x05", "05" + _BRANCH[field][2:]),
            "identity-with-garbage": (": commitment prefix .* got 0x00", "00" * 32 + "01"),
            "zero-prefix-then-x": (": commitment prefix .* got 0x00", "00" + _BRANCH[field][2:]),
            "truncated": (" must be 66 hex digits, got 64", _BRANCH[field][:-2]),
            "trailing-bytes": (" must be 66 hex digits, got 68", _BRANCH[field] + "00"),
            "empty": (" must be 66 hex digits, got 0", ""),
            "not-hex": (" is not hex", "zz" + _BRANCH[field][2:]),
            "integer": (" must be a hex string, got int", 2),
            "null": (" must be a hex string, got NoneType", None),
            "0x-prefix": (" must be 66 hex digits, got 64", "0x" + _BRANCH[field][4:]),
        }.items()
    },
}


@pytest.mark.parametrize("name", BAD_WIRE)
def test_wire_decoder_rejects(name: str) -> None:
    reason, wire = BAD_WIRE[name]
    with pytest.raises(MalformedInput, match=reason):
        DisjunctiveProof.from_json(wire, branches=2)


def test_wire_form_is_the_full_transcript() -> None:
    branch = HONEST.proof.branches[1]
    assert WIRE["branches"][1] == {
        "a": branch.a.hex(),
        "b": branch.b.hex(),
        "challenge": branch.challenge.to_hex(),
        "response": branch.response.to_hex(),
    }
    assert branch.a == g_pow(scalar(7)).to_bytes()  # the real branch: A = g^w, B = pk^w
    assert branch.b == (PK.element ** scalar(7)).to_bytes()
    identity = {"branches": [{**_BRANCH, "a": "00" * 33}, WIRE["branches"][1]]}
    assert DisjunctiveProof.from_json(identity, branches=2).branches[0].a == bytes(33)


@pytest.mark.parametrize(
    "bad", [b"\x04" + bytes(32), b"\x06" + bytes(32), bytes(32), b"\x00" * 32 + b"\x01"]
)
def test_branch_constructor_checks_the_commitment_format(bad: bytes) -> None:
    good = HONEST.proof.branches[0]
    reason = "a commitment must be 33 bytes" if len(bad) != 33 else "commitment prefix must be"
    with pytest.raises(MalformedInput, match=f"branch a: {reason}"):
        replace(good, a=bad)
    with pytest.raises(MalformedInput, match=f"branch b: {reason}"):
        replace(good, b=bad)


def test_wire_bytes_go_through_the_strict_canonical_decoder() -> None:
    data = canonical.encode(WIRE)
    assert DisjunctiveProof.from_json(canonical.decode(data), branches=2) == HONEST.proof
    duplicate = b'{"branches":[],' + data[1:]
    with pytest.raises(MalformedInput, match="duplicate JSON key: 'branches'"):
        DisjunctiveProof.from_json(canonical.decode(duplicate), branches=2)
    with pytest.raises(NonCanonicalEncoding, match="not in canonical form"):
        canonical.decode(data.replace(b",", b", ", 1))


def test_wire_decoder_rejects_upper_case_and_counts_against_the_statement() -> None:
    for field in ("a", "b", "challenge", "response"):
        upper = {"branches": [{**_BRANCH, field: _BRANCH[field].upper()}, _BRANCH]}
        with pytest.raises(NonCanonicalEncoding, match="must be lower-case hex"):
            DisjunctiveProof.from_json(upper, branches=2)
    assert DisjunctiveProof.from_json(WIRE, branches=2) == HONEST.proof
    with pytest.raises(MalformedInput, match="proof: expected 3 branches, got 2"):
        DisjunctiveProof.from_json(WIRE, branches=3)
