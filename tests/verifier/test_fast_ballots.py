"""The verifier's fast reading of ballots (verifier/_fast_ballots.py) gives exactly the plain
path's outcome: on a real election's ballots (block, referendum and ranked contests) it reads
every one and gives the same verdicts, products and rankings; on tampered ballots, each either
left to the plain path by the reader or failing the batch's combined equation, every ballot of
the batch gets the plain path's verdict, the bad one refused for the plain path's reason."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from crypto import canonical
from crypto.group import G, N, Point, Scalar
from crypto.hashing import Dst, hash_to_scalar
from election.voter import sign_voter_entry
from election.wire import selection_context
from tests.election.scenario import DEFINITION, ELECTION
from tests.verifier.election import Built, entry_of
from tests.verifier.paths import both_paths, bump_challenge, bump_response
from verifier._ballots import BallotContext, Item, _parsed
from verifier._fast_ballots import check, merge_products

Payload = dict[str, Any]


def _context(built: Built) -> BallotContext:
    lists: dict[str, bytes] = {}
    key = b""
    for raw, _ in built.leaves:
        entry = entry_of(raw)
        if entry["type"] == "candidate-list":
            lists[entry["payload"]["contest"]] = raw
        elif entry["type"] == "election-key":
            key = canonical.encode(entry["payload"])
    return BallotContext(
        ELECTION, canonical.encode(DEFINITION.to_json()), tuple(lists.values()), key
    )


def _items(built: Built) -> list[Item]:
    items = []
    for index, (raw, _) in enumerate(built.leaves):
        entry = entry_of(raw)
        if entry["type"] in ("ballot", "audit"):
            items.append((index, entry["type"], bytes.fromhex(entry["author"]["key"]), raw))
    return items


def test_the_fast_path_reads_every_ballot_and_agrees_with_the_plain_path(built: Built) -> None:
    context, items = _context(built), _items(built)
    reader = _parsed(context).reader
    assert reader.enabled
    ballots = [item for item in items if item[1] == "ballot"]
    assert len(ballots) == 5
    reads = []
    for index, _, key, raw in ballots:
        read = reader.read(index, entry_of(raw)["payload"], Point.from_bytes(key))
        assert read is not None, index
        reads.append(read)
    # The batch's combined equation holds, and its products are the plain path's.
    products = check(reads, _parsed(context).key)
    fast, plain = both_paths(context, items)
    assert products is not None
    assert products == {c: row for c, row in plain.products.items() if c in products}
    assert fast == plain
    # Products of two parts of the batch, multiplied, are the whole batch's (a batch mixes
    # ballots of both paths).
    first, rest = check(reads[:2], _parsed(context).key), check(reads[2:], _parsed(context).key)
    assert first is not None
    assert rest is not None
    assert first != products
    assert merge_products(first, rest) == products
    assert all(verdict.check == 0 for verdict in fast.verdicts)
    # The block and referendum contests' products and the ranked contest's rankings are there.
    assert {"nec-clp", "rule-change-1"} <= set(fast.products)
    assert len(fast.rankings["leader"]) == 5


# --- tampering ------------------------------------------------------------------------------


def _first_range_proof(payload: Payload) -> dict[str, Any]:
    proof: dict[str, Any] = payload["contests"][0]["proofs"][0]
    return proof


def _upper_case_alpha(payload: Payload) -> None:
    selection = payload["contests"][0]["selections"][0]
    selection["alpha"] = selection["alpha"].upper()


def _identity_alpha(payload: Payload) -> None:
    payload["contests"][0]["selections"][0]["alpha"] = "00" * 33


def _numeric_beta(payload: Payload) -> None:
    payload["contests"][0]["selections"][1]["beta"] = 7


def _list_commitment(payload: Payload) -> None:
    _first_range_proof(payload)["branches"][1]["b"] = ["0"] * 66


def _unknown_branch_field(payload: Payload) -> None:
    _first_range_proof(payload)["branches"][0]["extra"] = "00"


def _other_paper(payload: Payload) -> None:
    payload["paper"] = "ab" * 32


def _no_total(payload: Payload) -> None:
    payload["contests"][0]["total"] = None


def _swap_selections(payload: Payload) -> None:
    selections = payload["contests"][0]["selections"]
    selections[0], selections[1] = selections[1], selections[0]


def _large_scalar(payload: Payload) -> None:
    _first_range_proof(payload)["branches"][0]["response"] = "ff" * 32


def _ranking_proof(payload: Payload) -> None:
    ranked = next(c for c in payload["contests"] if "ranking" in c)
    proof = ranked["proof"]
    proof["response"] = Scalar((int(proof["response"], 16) + 1) % N).to_hex()


def _off_curve_commitment(key: bytes, public_key: bytes) -> Callable[[Payload], None]:
    """A commitment whose x is on no point, the challenges made to sum to the hash over it
    (as a forger can): the reader accepts the proof's form and hash, the batch cannot decode
    the commitment, and the plain path names it."""

    def tamper(payload: Payload) -> None:
        contest = payload["contests"][0]
        ciphertext = contest["selections"][0]
        branches = _first_range_proof(payload)["branches"]
        x = 5  # x^3 + 7 = 132 is not a square mod p: 5 is no point's x
        branches[0]["a"] = "02" + x.to_bytes(32, "big").hex()
        context = selection_context(
            DEFINITION.fingerprint, Point.from_bytes(key), contest["contest"], 0
        )
        commitments = [bytes.fromhex(b[f]) for b in branches for f in ("a", "b")]
        digest = hash_to_scalar(
            Dst.RANGE, context, G.to_bytes(), public_key, bytes.fromhex(ciphertext["alpha"]),
            bytes.fromhex(ciphertext["beta"]), (0).to_bytes(4, "big"), (1).to_bytes(4, "big"),
            *commitments,
        )  # fmt: skip
        other = int(branches[1]["challenge"], 16)
        branches[0]["challenge"] = Scalar((digest.value - other) % N).to_hex()

    return tamper


# Per tampering: the plain path's reason, and whether the reader accepts the ballot's form and
# hashes (so that the batch's combined equation or decoding is what fails) or leaves it.
TAMPERS: dict[str, tuple[Callable[[Payload], None] | None, str, bool]] = {
    "a response (the batch fails)": (bump_response, "range proof", True),
    "a challenge (the hash fails)": (bump_challenge, "challenges do not sum to the hash", False),
    "upper-case hex": (_upper_case_alpha, "lower-case", False),
    "the identity as alpha": (_identity_alpha, "alpha", False),
    "an unknown branch field": (_unknown_branch_field, "unknown field", False),
    "a number for a point": (_numeric_beta, "hex string", False),
    "a list for a commitment": (_list_commitment, "hex string", False),
    "another paper": (_other_paper, "built against other candidate lists", False),
    "no total proof": (_no_total, "total", False),
    "swapped selections": (_swap_selections, "range proof", False),
    "a scalar not below n": (_large_scalar, "scalar", False),
    "a ranking's proof": (_ranking_proof, "ranking", False),
    "an off-curve commitment": (None, "not a point on the curve", True),
}


@pytest.mark.parametrize("name", sorted(TAMPERS))
def test_a_tampered_ballot_gets_the_plain_paths_verdict(name: str, built: Built) -> None:
    context, items = _context(built), _items(built)
    at = next(i for i, item in enumerate(items) if item[1] == "ballot")
    index, kind, key, raw = items[at]
    member = next(m for m in built.scenario.members if m.key.public.to_bytes() == key)
    payload = copy.deepcopy(entry_of(raw)["payload"])
    tamper, reason, read = TAMPERS[name]
    (tamper or _off_curve_commitment(key, _parsed(context).key.to_bytes()))(payload)
    forged = sign_voter_entry(election=ELECTION, type=kind, payload=payload, credential=member.key)
    items[at] = (index, kind, key, forged)
    reader = _parsed(context).reader
    assert (reader.read(index, entry_of(forged)["payload"], member.key.public) is not None) is read
    fast, plain = both_paths(context, items)
    assert fast == plain
    verdict = fast.verdicts[at]
    assert verdict.check == 5, verdict
    assert reason in verdict.error, verdict
    others = [v for i, v in enumerate(fast.verdicts) if i != at]
    assert len(others) == 5
    assert all(v.check == 0 for v in others)


def test_the_reader_leaves_a_malformed_payload_to_the_plain_path(built: Built) -> None:
    context, items = _context(built), _items(built)
    reader = _parsed(context).reader
    index, _, key, raw = next(item for item in items if item[1] == "ballot")
    payload = entry_of(raw)["payload"]
    credential = Point.from_bytes(key)
    assert reader.read(index, payload, credential) is not None
    broken: object
    for broken in (
        None,
        [],
        {**payload, "extra": 1},
        {**payload, "style": 7},
        {**payload, "style": "no-such-contest"},
        {**payload, "contests": payload["contests"][:-1]},
        {**payload, "contests": "x"},
    ):
        assert reader.read(index, broken, credential) is None
