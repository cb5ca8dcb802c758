"""Spec §10.3 Integers in the board's paths and queries are canonical decimal (issue 16 item 5):
``/sth/1_0``, ``+1`` and ``0048`` answered 200 (pydantic reads them leniently); now each is
``bad_parameter`` (400), while the canonical spelling still answers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bulletin_board.config import ServiceSettings
from bulletin_board.service import create_app
from tests.board.helpers import note, open_board

E = "/v1/elections/e1"

#: Each URL with one integer as ``{}``; with ``1`` it answers 200 on a log of two leaves.
URLS = [
    f"{E}/sth/{{}}",
    f"{E}/leaves/{{}}",
    f"{E}/entries?start={{}}",
    f"{E}/entries?start=0&end={{}}",
    f"{E}/proof/inclusion?index=0&tree_size={{}}",
    f"{E}/proof/inclusion?index={{}}&tree_size=2",
    f"{E}/proof/consistency?first={{}}&second=2",
    f"{E}/proof/consistency?first=1&second={{}}",
]

#: Spellings of 1 (or of nothing) that are not canonical decimal.
LENIENT = ["+1", "01", "0001", "1_0", " 1", "1 ", "%2B1", "1.0", "1e0", "0x1", "١", "-0"]


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    board = open_board(f"sqlite:///{tmp_path / 'board.db'}")  # parsing, not storage
    with TestClient(create_app(board, ServiceSettings(write_rate=0), own_storage=True)) as c:
        r = c.post(f"{E}/entries", content=note(1), headers={"content-type": "application/json"})
        assert r.status_code == 201, r.text
        yield c


@pytest.mark.parametrize("url", URLS)
def test_an_integer_is_canonical_decimal_or_bad_parameter(client: TestClient, url: str) -> None:
    assert client.get(url.format("1")).status_code == 200
    for spelling in LENIENT:
        r = client.get(url.format(spelling))
        assert r.status_code == 400, (spelling, r.text)
        assert r.json()["error"]["code"] == "bad_parameter", spelling
        assert "not a canonical decimal integer" in r.json()["error"]["message"], spelling
    if url.endswith("={}"):
        r = client.get(url.format(""))  # an empty value is no integer either
        assert (r.status_code, r.json()["error"]["code"]) == (400, "bad_parameter")


def test_zero_and_the_largest_integer_are_canonical(client: TestClient) -> None:
    assert client.get(f"{E}/entries?start=0&end=0").status_code == 200
    r = client.get(f"{E}/leaves/{2**53 - 1}")
    assert (r.status_code, r.json()["error"]["code"]) == (404, "not_found")
    r = client.get(f"{E}/leaves/{2**53}")
    assert (r.status_code, r.json()["error"]["code"]) == (400, "bad_parameter")
