"""Spec §10 The HTTP API in process (the real app and database, no mocks): reads, the write,
and bad input at every endpoint answered with a 4xx, a stable code, and the log unchanged."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import BaseModel, ValidationError

from bulletin_board.config import ServiceSettings
from bulletin_board.export import verify_export
from bulletin_board.openapi import (
    ConsistencyAnswer,
    InclusionAnswer,
    LeafAnswer,
    LeafModel,
    LeavesPage,
    ReceiptModel,
    TreeHeadModel,
)
from bulletin_board.service import create_app
from bulletin_board.wire import Receipt, SignedTreeHead
from crypto import canonical
from crypto.envelope import AUTHOR_FIELDS, ENTRY_FIELDS, ROLES
from crypto.merkle import verify_consistency, verify_inclusion
from tests.board.helpers import BOARD_KEY, RULES, note, open_board
from tests.jsondoc import json_object

E = "/v1/elections/e1"
JSON = {"content-type": "application/json"}


@pytest.fixture
def client(db_url: str) -> Iterator[TestClient]:
    board = open_board(db_url)
    settings = ServiceSettings(
        max_body_bytes=4096, max_large_body_bytes=4096, write_rate=0, max_page=50
    )
    with TestClient(create_app(board, settings, own_storage=True)) as c:
        yield c


def _post(
    client: TestClient, body: bytes, headers: dict[str, str] = JSON, path: str = E
) -> httpx.Response:
    response: httpx.Response = client.post(f"{path}/entries", content=body, headers=headers)
    return response


def test_post_and_read_back(client: TestClient) -> None:
    raw = note(1)
    r = _post(client, raw)
    assert r.status_code == 201, r.text
    receipt = Receipt.from_json(canonical.decode(r.content), RULES.schemes)
    receipt.check(entry=raw, board_key=BOARD_KEY.verify_key.raw)
    again = _post(client, raw)
    assert again.status_code == 200
    assert json_object(again.content)["leaf_index"] == 1

    sth = SignedTreeHead.from_json(client.get(f"{E}/sth").json())
    assert sth.tree_size == 2
    assert client.get(f"{E}/sth/2").json() == sth.to_json()
    leaf = client.get(f"{E}/leaves/1").json()
    assert leaf["leaf_index"] == 1
    assert client.get(f"{E}/leaf-hash/{leaf['leaf_hash']}").json() == leaf
    assert client.get(f"{E}/entry-hash/{receipt.leaf.entry.hash.hex()}").json() == leaf
    proof = client.get(f"{E}/proof/inclusion", params={"leaf_hash": leaf["leaf_hash"]}).json()
    verify_inclusion(
        leaf_hash=receipt.leaf.hash, index=1, tree_size=2,
        proof=[bytes.fromhex(h) for h in proof["inclusion_proof"]], root=sth.root_hash,
    )  # fmt: skip
    for i in range(2, 5):
        assert _post(client, note(i)).status_code == 201
    new = SignedTreeHead.from_json(client.get(f"{E}/sth").json())
    c = client.get(f"{E}/proof/consistency", params={"first": 2, "second": new.tree_size})
    verify_consistency(
        old_size=2, new_size=new.tree_size, old_root=sth.root_hash, new_root=new.root_hash,
        proof=[bytes.fromhex(h) for h in c.json()["consistency_proof"]],
    )  # fmt: skip
    page = client.get(f"{E}/entries", params={"start": 1, "end": 3}).json()
    assert [x["index"] for x in page["leaves"]] == [1, 2]
    assert page["next"] == 3
    assert client.get(f"{E}/entries", params={"start": 3}).json()["next"] is None
    assert client.get("/v1/elections").json() == {"elections": ["e1"]}
    assert "paths" in client.get("/openapi.json").json()


def test_the_openapi_document_describes_what_the_service_answers(client: TestClient) -> None:
    """The models take their names and patterns from the formats' owners: a real receipt, leaf,
    page and proofs validate against them, with the same members, and the documented request
    is the envelope's (crypto/envelope.py)."""
    document = client.get("/openapi.json").json()
    request = document["paths"]["/v1/elections/{election}/entries"]["post"]["requestBody"]
    entry = request["content"]["application/json"]["schema"]
    assert entry["required"] == list(ENTRY_FIELDS)
    assert set(entry["properties"]) == set(ENTRY_FIELDS)
    assert entry["properties"]["author"]["required"] == list(AUTHOR_FIELDS)
    assert entry["properties"]["author"]["properties"]["role"]["enum"] == list(ROLES)
    schemas = document["components"]["schemas"]
    receipt = json_object(_post(client, note(1)).content)
    _post(client, note(2))
    answers: list[tuple[type[BaseModel], Any]] = [
        (ReceiptModel, receipt),
        (TreeHeadModel, receipt["sth"]),
        (LeafModel, receipt["leaf"]),
        (LeafAnswer, client.get(f"{E}/leaves/1").json()),
        (LeavesPage, client.get(f"{E}/entries").json()),
        (InclusionAnswer, client.get(f"{E}/proof/inclusion", params={"index": 1}).json()),
        (ConsistencyAnswer, client.get(f"{E}/proof/consistency?first=2&second=3").json()),
    ]
    for model, answer in answers:
        model.model_validate(answer, strict=True)
        assert set(schemas[model.__name__]["properties"]) == set(answer), model.__name__
    assert set(receipt["leaf"]["entry"]) == set(ENTRY_FIELDS)
    forged = {**receipt["sth"], "root_hash": receipt["sth"]["root_hash"].upper()}
    with pytest.raises(ValidationError, match="root_hash"):
        TreeHeadModel.model_validate(forged)


def test_export_endpoint_verifies_offline(client: TestClient, tmp_path: Path) -> None:
    for i in range(7):
        _post(client, note(i))
    path = tmp_path / "export.ndjson"
    path.write_bytes(client.get(f"{E}/export").content)
    with path.open("rb") as f:
        summary = verify_export(f, RULES.schemes)
    assert summary.leaves == 8
    assert summary.final.tree_size == 8


def _state(client: TestClient) -> Any:
    return client.get(f"{E}/sth").json(), client.get(f"{E}/entries").json()


def _bad_posts() -> dict[str, tuple[bytes, dict[str, str], str, int, str]]:
    raw = note(1)
    value: Any = canonical.decode(raw)
    tampered = dict(value, payload={"n": 2})
    return {
        "malformed-json": (b'{"version":', JSON, E, 400, "malformed"),
        "not-utf8": (b'{"a":"\xff"}', JSON, E, 400, "malformed"),
        "duplicate-keys": (
            raw.replace(b'"version":1}', b'"version":1,"version":1}'), JSON, E, 400, "malformed"
        ),
        "nan": (raw.replace(b'"version":1}', b'"version":NaN}'), JSON, E, 400, "malformed"),
        "float": (raw.replace(b'"version":1}', b'"version":1.5}'), JSON, E, 400, "malformed"),
        "lone-surrogate": (
            raw.replace(b'"type":"note"', b'"type":"\\udc00"'), JSON, E, 400, "malformed"
        ),
        "non-canonical": (b" " + raw, JSON, E, 400, "non_canonical"),
        "oversize": (note("x" * 5000), JSON, E, 413, "too_large"),
        "wrong-content-type": (raw, {"content-type": "text/plain"}, E, 415,
                               "unsupported_media_type"),
        "no-content-type": (raw, {}, E, 415, "unsupported_media_type"),
        "wrong-election": (note(1, election="e2"), JSON, E, 400, "wrong_election"),
        "unknown-election": (note(1, election="e2"), JSON, "/v1/elections/e2", 404,
                             "unknown_election"),
        "bad-election-id": (raw, JSON, "/v1/elections/E!", 400, "malformed"),
        "unknown-type": (raw.replace(b'"type":"note"', b'"type":"nope"'), JSON, E, 400,
                         "bad_signature"),
        "bad-signature": (canonical.encode(tampered), JSON, E, 400, "bad_signature"),
        "empty-body": (b"", JSON, E, 400, "malformed"),
        "huge-integer": (b"{\"version\":" + b"9" * 4000 + b"}", JSON, E, 400, "malformed"),
        "deep-nesting": (b"[" * 2000 + b"]" * 2000, JSON, E, 400, "malformed"),
        "array-body": (b"[]", JSON, E, 400, "malformed"),
        "voter-role": (canonical.encode(
            dict(value, author={"role": "voter", "key": value["author"]["key"]})),
            JSON, E, 400, "unsupported_role"),
        "board-role-note": (note(1).replace(b"administrator", b"board"), JSON, E, 400,
                            "bad_signature"),
    }  # fmt: skip


@pytest.mark.parametrize("case", list(_bad_posts()))
def test_bad_posts_are_refused_and_change_nothing(client: TestClient, case: str) -> None:
    body, headers, path, status, code = _bad_posts()[case]
    before = _state(client)
    r = _post(client, body, headers, path)
    assert r.status_code == status, r.text
    error = r.json()["error"]
    assert error["code"] == code
    assert "\n" not in error["message"]
    assert _state(client) == before


def test_unknown_type_with_valid_signature(client: TestClient) -> None:
    from bulletin_board.wire import sign_entry
    from tests.board.helpers import ADMIN

    raw = sign_entry(election="e1", type="ballot", role="administrator", payload={}, key=ADMIN)
    r = _post(client, raw)
    assert (r.status_code, r.json()["error"]["code"]) == (400, "unknown_type")
    raw = sign_entry(election="e1", type="board-key", role="administrator",
                     payload={"key": ADMIN.verify_key.to_hex()}, key=ADMIN)  # fmt: skip
    r = _post(client, raw)
    assert (r.status_code, r.json()["error"]["code"]) == (409, "role_not_allowed")


BAD_READS = [
    (f"{E}/sth/0", 404, "unknown_tree_size"),
    (f"{E}/sth/99", 404, "unknown_tree_size"),
    (f"{E}/sth/-1", 400, "bad_parameter"),
    (f"{E}/sth/99999999999999999999999", 400, "bad_parameter"),
    (f"{E}/sth/abc", 400, "bad_parameter"),
    ("/v1/elections/e2/sth", 404, "unknown_election"),
    ("/v1/elections/E2/sth", 400, "malformed"),
    (f"{E}/leaves/5", 404, "not_found"),
    (f"{E}/leaves/-5", 400, "bad_parameter"),
    (f"{E}/leaf-hash/{'00' * 32}", 404, "not_found"),
    (f"{E}/leaf-hash/{'AA' * 32}", 400, "non_canonical"),
    (f"{E}/leaf-hash/abcd", 400, "malformed"),
    (f"{E}/entry-hash/{'11' * 32}", 404, "not_found"),
    (f"{E}/entries?start=-1", 400, "bad_parameter"),
    (f"{E}/entries?start=5", 400, "bad_range"),
    (f"{E}/entries?start=99999999999999999999", 400, "bad_parameter"),
    (f"{E}/entries?start=1&end=0", 400, "bad_range"),
    (f"{E}/proof/inclusion?index=0&tree_size=5", 404, "unknown_tree_size"),
    (f"{E}/proof/inclusion?index=3&tree_size=1", 400, "bad_range"),
    (f"{E}/proof/inclusion?tree_size=1", 400, "bad_parameter"),
    (f"{E}/proof/inclusion?index=0&leaf_hash={'00' * 32}", 400, "bad_parameter"),
    (f"{E}/proof/inclusion?leaf_hash={'00' * 32}", 404, "not_found"),
    (f"{E}/proof/inclusion?index=-1", 400, "bad_parameter"),
    (f"{E}/proof/inclusion?index=0&tree_size=0", 400, "bad_parameter"),
    (f"{E}/proof/consistency?first=1&second=7", 404, "unknown_tree_size"),
    (f"{E}/proof/consistency?first=2&second=1", 400, "bad_range"),
    (f"{E}/proof/consistency?first=1", 400, "bad_parameter"),
    (f"{E}/proof/consistency?first=1&second=-2", 400, "bad_parameter"),
    ("/v1/elections/e2/export", 404, "unknown_election"),
    ("/v1/nothing", 404, "not_found"),
]


@pytest.mark.parametrize(("path", "status", "code"), BAD_READS)
def test_bad_reads(client: TestClient, path: str, status: int, code: str) -> None:
    r = client.get(path)
    assert r.status_code == status, r.text
    assert r.json()["error"]["code"] == code


def test_wrong_method(client: TestClient) -> None:
    r = client.delete(f"{E}/entries")
    assert r.status_code == 405
    assert r.json()["error"]["code"] == "method_not_allowed"


def test_rate_limit(db_url: str) -> None:
    board = open_board(db_url)
    settings = ServiceSettings(write_rate=0.001, write_burst=3)
    with TestClient(create_app(board, settings, own_storage=True)) as client:
        statuses = [_post(client, note(i)).status_code for i in range(5)]
    assert statuses == [201, 201, 201, 429, 429]


def test_cors_off_by_default(client: TestClient) -> None:
    r = client.get(f"{E}/sth", headers={"origin": "https://evil.example"})
    assert "access-control-allow-origin" not in r.headers


def test_a_posted_entry_is_routed_before_any_read(client: TestClient) -> None:
    """The board's hot path, a ballot's POST, is the first route tried (not after the 20-odd
    reads and pages); the reads of the same path and the others still reach their own."""
    first = client.app.router.routes[0]  # type: ignore[attr-defined]
    assert isinstance(first, APIRoute)
    assert (first.path, first.methods) == ("/v1/elections/{election}/entries", {"POST"})
    assert _post(client, note(1)).status_code == 201
    assert client.get(f"{E}/entries").json()["leaves"][1]["entry"]["payload"] == {"n": 1}
    assert client.get(f"{E}/sth").json()["tree_size"] == 2
