"""Spec §11.8-§11.9 known answers: tests/vectors/ballots/ballots.json.

Every entry is rebuilt by the Python voter client (election/voter.py) from the recorded
randomness, byte for byte, and read back by the board's parser with every proof and signature
checked. The booth's JavaScript builds the same entries (booth/tests/vectors.test.mjs)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from bulletin_board.wire import parse_entry
from crypto.credentials import CredentialCode, derive_credential_key
from crypto.errors import InvalidProof, InvalidSignature
from crypto.group import Scalar
from election.definition import ElectionDefinition
from election.wire import (
    Audit,
    Ballot,
    CredentialScheme,
    SignedBallot,
    verify_audit,
    verify_ballot,
)
from tests.vectors import load
from tests.vectors.ballots.generate import CASES, candidate_list_entries, cast, election

VECTOR = load("ballots/ballots")
BALLOTS = {b["label"]: b for b in VECTOR["ballots"]}


def test_election() -> None:
    definition, layout, public_key, _, key = election()
    assert definition.to_json() == VECTOR["definition"]
    assert ElectionDefinition.from_json(VECTOR["definition"]).fingerprint == definition.fingerprint
    assert definition.canonical_bytes().decode() == VECTOR["definition_canonical"]
    assert definition.fingerprint.hex() == VECTOR["fingerprint"]
    assert public_key.to_hex() == VECTOR["election_key"]
    parsed = derive_credential_key(
        CredentialCode.parse(VECTOR["code"]), fingerprint=definition.fingerprint
    )
    assert parsed.secret.to_hex() == VECTOR["credential_secret"] == key.secret.to_hex()
    assert parsed.public.to_hex() == VECTOR["credential"]
    assert [s.id for s in layout.style(VECTOR["ballots"][0]["style"])] == [
        c["id"] for c in VECTOR["contests"]
    ]


def _oracle_paper(fingerprint: bytes, hashes: list[bytes]) -> bytes:
    """Spec §11.8 and §3.1-§3.2 written out: SHA-256 over length-prefixed tag, F, h_1..h_m."""
    parts = [b"verivote-1/ballot/paper", fingerprint, *hashes]
    return hashlib.sha256(b"".join(len(p).to_bytes(4, "big") + p for p in parts)).digest()


def test_paper_hash_binds_the_signed_candidate_lists_in_definition_order() -> None:
    definition, layout, *_ = election()
    by_contest = {e["contest"]: e for e in VECTOR["candidate_list_entries"]}
    hashes = []
    for contest in VECTOR["definition"]["contests"]:
        if contest["kind"] == "referendum":
            continue
        listed = by_contest[contest["id"]]
        raw = listed["entry"].encode()
        assert json.loads(raw)["payload"] == VECTOR["candidate_lists"][contest["id"]]
        assert hashlib.sha256(raw).hexdigest() == listed["entry_hash"]
        hashes.append(bytes.fromhex(listed["entry_hash"]))
    assert _oracle_paper(definition.fingerprint, hashes).hex() == VECTOR["paper"]
    assert layout.paper is not None
    assert layout.paper.hex() == VECTOR["paper"]
    assert {c: raw.decode() for c, raw in candidate_list_entries().items()} == {
        c: e["entry"] for c, e in by_contest.items()
    }
    # A reordered list is another entry: another paper hash (issue 16 item 10).
    swapped = [hashes[1], hashes[0], hashes[2]]
    assert _oracle_paper(definition.fingerprint, swapped) != layout.paper
    for label in BALLOTS:
        entry = json.loads(BALLOTS[label]["ballot_entry"])
        assert entry["payload"]["paper"] == VECTOR["paper"]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c[0])
def test_python_client_builds_the_vector(case: tuple[str, str, dict[str, list[int]], bool]) -> None:
    label, style, choices, audit = case
    assert cast(label, style, choices, audit=audit) == BALLOTS[label]


@pytest.mark.parametrize("label", BALLOTS)
def test_board_accepts_the_vector(label: str) -> None:
    vector = BALLOTS[label]
    definition, layout, public_key, _, key = election()
    fingerprint = definition.fingerprint
    schemes = {"voter": CredentialScheme(fingerprint)}
    raw = vector["entry"].encode()
    entry = parse_entry(raw, schemes, election=VECTOR["election"])
    assert hashlib.sha256(raw).hexdigest() == vector["tracker"]
    assert entry.key == key.public.to_bytes()
    if vector["type"] == "audit":
        audit = Audit.from_json(entry.payload, layout)
        verify_audit(
            audit,
            election=VECTOR["election"],
            author=key.public,
            fingerprint=fingerprint,
            public_key=public_key,
            layout=layout,
        )
        assert [o.to_json() for o in audit.openings] == vector["openings"]
        assert audit.ballot.raw == vector["ballot_entry"].encode()
        return
    verify_ballot(
        Ballot.from_json(entry.payload, layout),
        credential=key.public,
        fingerprint=fingerprint,
        public_key=public_key,
        layout=layout,
    )


def test_tampered_vectors_are_refused() -> None:
    definition, layout, public_key, _, key = election()
    vector = BALLOTS["every-kind"]
    obj: dict[str, Any] = json.loads(vector["entry"])
    # A proof changed: the proof check names the contest and option.
    payload = json.loads(json.dumps(obj["payload"]))
    branch = payload["contests"][0]["proofs"][1]["branches"][0]
    branch["response"] = (Scalar.from_hex(branch["response"]) + Scalar(1)).to_hex()
    with pytest.raises(InvalidProof, match="contest executive: option 1"):
        verify_ballot(
            Ballot.from_json(payload, layout),
            credential=key.public,
            fingerprint=definition.fingerprint,
            public_key=public_key,
            layout=layout,
        )
    # The entry's bytes changed after signing: the credential signature fails.
    obj["payload"]["contests"][3]["proof"]["response"] = "00" * 32
    signed = SignedBallot.from_json(obj, layout)
    with pytest.raises(InvalidSignature, match="challenge does not match"):
        signed.verify_signature(definition.fingerprint)
