"""The board's HTTP API fuzzed (issue 16 item 7): schemathesis generates requests for every
operation of the board's own OpenAPI description (positive and negative data, the real election
in the path or a generated one), and hypothesis posts near-valid entries (a real entry of the
election with one to three changes). The board is real: uvicorn on 127.0.0.1, SQLite, the
election rules, and a whole election posted up to the middle of voting, so a valid ballot
would be accepted. The board must answer no 5xx, and accept no fuzzed body: the log does not
grow.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from crypto import canonical
from tests.election.board_log import JSON
from tests.election.live_board import live_board
from tests.election.scenario import ELECTION
from tests.fuzz.budget import Figures, budget
from tests.strategies import mutated_json
from tests.verifier.election import Built

LOG = f"/v1/elections/{ELECTION}"


@dataclass
class Board:
    url: str
    size: int
    unposted: list[bytes]
    """The election's later entries: valid when the log reaches them, the seeds of mutations."""


@pytest.fixture(scope="module")
def board(election: Built, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Board]:
    """The election posted up to its second ballot, the clock in the voting window."""
    db = f"sqlite:///{tmp_path_factory.mktemp('board') / 'board.db'}"
    first_ballot = next(i for i, (raw, _) in enumerate(election.leaves) if b'"ballot"' in raw)
    posted, later = election.leaves[1 : first_ballot + 2], election.leaves[first_ballot + 2 :]
    with live_board(db, elections=(ELECTION,), now=election.leaves[0][1]) as live:
        with httpx.Client(base_url=live.url, timeout=60) as client:
            for raw, received in posted:
                live.clock.now = received
                answer = client.post(f"{LOG}/entries", content=raw, headers=JSON)
                assert answer.status_code == 201, answer.text
        yield Board(live.url, len(posted) + 1, [raw for raw, _ in later])


def _size(board: Board) -> int:
    head = httpx.get(f"{board.url}{LOG}/sth", timeout=60).json()
    return int(head["tree_size"])


@dataclass
class _Checked:
    figures: Figures

    def __call__(self, response: Any, *, method: str, what: str) -> None:
        self.figures.inputs += 1
        if response.status_code >= 500:
            self.figures.server_errors += 1
        assert response.status_code < 500, f"{what}: {response.status_code} {response.text}"
        if method == "POST":
            assert response.status_code not in (200, 201), f"{what} was accepted"
        is_json = "application/json" in str(response.headers.get("content-type", ""))
        error = response.json().get("error") if response.status_code >= 400 and is_json else None
        if error is not None:  # every refusal is one stable code and a one-line message
            assert isinstance(error["code"], str), error
            assert "\n" not in error["message"], error


@pytest.fixture(scope="module")
def schema(board: Board) -> Any:
    return schemathesis.openapi.from_url(f"{board.url}/openapi.json")


def _variants(operation: Any, mode: GenerationMode) -> list[dict[str, str]]:
    """The fixed path parameters of each run of one operation: none, and the real election.
    Negative data needs something to make invalid, so an operation whose only parameter is
    fixed has no negative run of that kind."""
    variants: list[dict[str, str]] = [{}]
    if "{election}" in operation.path:
        variants.append({"election": ELECTION})
    if mode == GenerationMode.NEGATIVE:
        names = {p.name for p in operation.iter_parameters()}
        has_body = bool(list(operation.body))
        variants = [v for v in variants if has_body or names - set(v)]
    return variants


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_of_the_openapi(
    board: Board, schema: Any, mode: GenerationMode, figures: Figures
) -> None:
    """Each operation on its own, so that every endpoint is tried, with the election in the
    path generated and fixed to the real one."""
    check = _Checked(figures)
    operations = [result.ok() for result in schema.get_all_operations()]
    paths = {operation.path for operation in operations}
    assert {f"/v1/elections/{{election}}{p}" for p in ("/entries", "/sth", "/export")} <= paths
    tried: set[str] = set()
    unsatisfiable: set[str] = set()
    for operation in operations:
        for fixed in _variants(operation, mode):
            strategy = operation.as_strategy(generation_mode=mode, path_parameters=fixed or None)

            @budget(15, 400)
            @given(case=strategy)
            def fuzz(case: Any) -> None:
                tried.add(case.operation.path)
                response = case.call(base_url=board.url, timeout=60)
                what = f"{case.method} {case.formatted_path}"
                check(response, method=case.method.upper(), what=what)

            try:
                fuzz()
            except Unsatisfiable:  # only a path string, which has no invalid form to send
                assert mode == GenerationMode.NEGATIVE, operation.path
                unsatisfiable.add(operation.path)
    # Every endpoint was tried (in negative runs, each that has something to make invalid).
    allowed = unsatisfiable | ({"/v1/elections"} if mode == GenerationMode.NEGATIVE else set())
    assert paths - tried <= allowed, paths - tried
    assert "/v1/elections/{election}/entries" in tried
    assert _size(board) == board.size  # nothing fuzzed was appended


@budget(60, 1500)
@given(data=st.data())
def test_near_valid_entries_are_refused(
    data: st.DataObject, board: Board, figures: Figures
) -> None:
    """A later entry of the election (a ballot, an audit, the tally...) with one to three
    changes, re-encoded canonically (so that the signature, the payload and the rules judge
    it), or its bytes edited: a 4xx, and the log unchanged."""
    check = _Checked(figures)
    raw = data.draw(st.sampled_from(board.unposted))
    value = canonical.decode(raw)
    mutant = data.draw(mutated_json(value))
    if mutant == value:
        return
    try:
        body = canonical.encode(mutant)
    except ValueError:
        return
    with httpx.Client(base_url=board.url, timeout=60) as client:
        response = client.post(f"{LOG}/entries", content=body, headers=JSON)
    check(response, method="POST", what=f"a mutated {value['type']}")  # type: ignore[call-overload,index]
    assert _size(board) == board.size
