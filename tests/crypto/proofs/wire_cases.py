"""The wire mutations every (challenge, response) transcript's reader refuses, with the reason.

Schnorr proofs (§6.2), randomness proofs (§6.5) and credential signatures (§8.4) travel as the
same two-scalar object (§6.1): their readers share these cases.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from crypto.group import N

__all__ = ["CHALLENGE_RESPONSE_WIRE"]

# name: (the reader's reason, the mutation of the wire form)
CHALLENGE_RESPONSE_WIRE: dict[str, tuple[str, Callable[[dict[str, Any]], Any]]] = {
    "response-equals-n": (
        r"scalar out of range \[0, n\)",
        lambda j: {**j, "response": N.to_bytes(32, "big").hex()},
    ),
    "challenge-upper-case": (
        "must be lower-case hex",
        lambda j: {**j, "challenge": j["challenge"].upper()},
    ),
    "truncated": ("must be 64 hex digits, got 62", lambda j: {**j, "response": j["response"][:-2]}),
    "trailing-bytes": (
        "must be 64 hex digits, got 66",
        lambda j: {**j, "response": j["response"] + "00"},
    ),
    "missing-field": (r"missing field\(s\) response", lambda j: {"challenge": j["challenge"]}),
    "unknown-field": (r"unknown field\(s\) commitment", lambda j: {**j, "commitment": "00"}),
    "integer-instead-of-hex": ("must be a hex string, got int", lambda j: {**j, "response": 5}),
    "not-an-object": (
        "must be a JSON object, got list",
        lambda j: [j["challenge"], j["response"]],
    ),
}
