"""Test helpers for the verifier's fast paths (verifier/_fast_ballots.py,
verifier/_ballot_template.py): a batch verified both ways, and ballot tamperings the fast
paths must hand to the plain path or to the batch's combined equation."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from crypto.group import N, Scalar
from verifier._ballots import BallotContext, BatchOutcome, Item, _parsed, verify_batch

__all__ = ["both_paths", "bump_challenge", "bump_response", "plain_path"]


@contextmanager
def plain_path(context: BallotContext) -> Iterator[None]:
    """Every ballot of ``context``'s election read by the plain parsers meanwhile."""
    reader = _parsed(context).reader
    reader.enabled = False
    try:
        yield
    finally:
        reader.enabled = True


def both_paths(context: BallotContext, items: list[Item]) -> tuple[BatchOutcome, BatchOutcome]:
    """The batch verified with the fast paths, then by the plain parsers alone."""
    fast = verify_batch(context, items)
    with plain_path(context):
        plain = verify_batch(context, items)
    return fast, plain


def _first_range_proof(payload: dict[str, Any]) -> dict[str, Any]:
    proof: dict[str, Any] = payload["contests"][0]["proofs"][0]
    return proof


def bump_response(payload: dict[str, Any]) -> None:
    """The first range proof's second response plus one: the hash still holds, only the
    batch's combined equation fails."""
    branch = _first_range_proof(payload)["branches"][1]
    branch["response"] = Scalar((int(branch["response"], 16) + 1) % N).to_hex()


def bump_challenge(payload: dict[str, Any]) -> None:
    """The first range proof's first challenge plus one: the challenges no longer sum to the
    hash."""
    branch = _first_range_proof(payload)["branches"][0]
    branch["challenge"] = Scalar((int(branch["challenge"], 16) + 1) % N).to_hex()
