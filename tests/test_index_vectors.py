"""Spec §11.15 known answers: tests/vectors/credential_index/index.json, with
bulletin_board/credential_index.py (records, index root, answers, standings).

The booth's JavaScript checks the same file (booth/tests/vectors.test.mjs)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bulletin_board.credential_index import CredentialIndex, IndexAnswer, index_root_of, judge
from crypto import canonical
from crypto.errors import (
    InclusionProofMismatch,
    InconsistentLog,
    InvalidSignature,
    MalformedInput,
    VerivoteError,
)
from crypto.merkle import leaf_hash
from tests.vectors import load

VECTOR = load("credential_index/index")
ERRORS: dict[str, type[VerivoteError]] = {
    "malformed": MalformedInput,
    "invalid_signature": InvalidSignature,
    "inclusion_mismatch": InclusionProofMismatch,
    "inconsistent_log": InconsistentLog,
}


def test_the_records_and_the_index_root() -> None:
    leaves = VECTOR["leaves"]
    for leaf, h in zip(leaves, VECTOR["leaf_hashes"], strict=True):
        assert leaf_hash(canonical.encode(leaf)).hex() == h
    root, count = index_root_of((leaf["index"], leaf) for leaf in leaves)
    assert root.hex() == VECTOR["index_root"]
    assert count == len(VECTOR["records"])
    index = CredentialIndex()
    for leaf in leaves:
        index.add_json(leaf["index"], leaf)
    for text in VECTOR["records"]:
        record = index.record(bytes.fromhex(json.loads(text)["credential"]))
        assert record is not None
        assert record.to_bytes().decode() == text


@pytest.mark.parametrize("case", VECTOR["answers"], ids=lambda c: c["reason"])
def test_an_answer(case: dict[str, Any]) -> None:
    credential = bytes.fromhex(case["credential"])
    if case["error"] == "none":
        answer = IndexAnswer.check(case["answer"], credential)
        assert answer.head.index_root.hex() == VECTOR["index_root"]
        return
    with pytest.raises(ERRORS[case["error"]]) as caught:
        IndexAnswer.check(case["answer"], credential)
    assert type(caught.value) is ERRORS[case["error"]], caught.value


@pytest.mark.parametrize("case", VECTOR["standings"], ids=lambda c: c["credential"][:8])
def test_a_standing(case: dict[str, Any]) -> None:
    leaves = VECTOR["leaves"]
    index = CredentialIndex()
    for leaf in leaves:
        index.add_json(leaf["index"], leaf)
    record = index.record(bytes.fromhex(case["credential"]))
    assert record is not None
    payloads = {i: leaves[i]["entry"]["payload"] for i in (*record.ballots, *record.audits)}
    standing = judge(record, payloads)
    assert (standing.revoked, standing.last_ballot, standing.opened_by) == (
        case["revoked"],
        case["last_ballot"],
        case["opened_by"],
    )
