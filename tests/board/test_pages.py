"""Spec §10.3 Pages of leaves are cut by count AND by bytes: the board stops a page before the
leaf that would take it above its byte budget (a larger leaf comes alone), ``next`` says where
the next page starts, and the client follows it, one page in memory at a time, whatever the
leaves' sizes. Served by the real application on a real database; the client over real HTTP."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from bulletin_board.client import BoardClient
from bulletin_board.config import ServiceSettings
from bulletin_board.service import create_app
from bulletin_board.wire import PAGE_BYTES, Leaf, sign_board_key
from crypto import canonical
from crypto.errors import InconsistentLog
from simulation.boards import MemoryBoard
from simulation.builder import ElectionBuilder
from simulation.plan import RoleKeys
from simulation.plans import leader_plan
from simulation.served import SimulatedClock, served_copy
from tests.board.bad_board import bad_board
from tests.board.helpers import BOARD_KEY, note, open_board, prechecked

E = "/v1/elections/e1"
BUDGET = 3200
# Leaf sizes (padding of each note): small ones, then one far above the budget, then small.
PADDING = [10, 800, 800, 800, 800, 5000, 10, 10, 1200, 1200, 1200]


@pytest.fixture
def board_app(db_url: str) -> Iterator[TestClient]:
    board = open_board(db_url)
    board.append("e1", [prechecked(note(i, pad="x" * n)) for i, n in enumerate(PADDING)])
    settings = ServiceSettings(write_rate=0, max_page=4, max_page_bytes=BUDGET)
    with TestClient(create_app(board, settings, own_storage=True)) as client:
        yield client


def _page(client: TestClient, **bounds: int) -> tuple[list[int], int | None, list[int]]:
    answer = client.get(f"{E}/entries", params=bounds)
    assert answer.status_code == 200, answer.text
    page = canonical.decode(answer.content)
    assert isinstance(page, dict)
    leaves, following = page["leaves"], page["next"]
    assert isinstance(leaves, list)
    assert following is None or isinstance(following, int)
    indices, sizes = [], []
    for leaf in leaves:
        assert isinstance(leaf, dict)
        index = leaf["index"]
        assert isinstance(index, int)
        indices.append(index)
        sizes.append(len(canonical.encode(leaf)))
    return indices, following, sizes


def test_a_page_stops_at_its_byte_budget_and_a_larger_leaf_comes_alone(
    board_app: TestClient,
) -> None:
    # leaf 0 is the board key; leaves 1.. are the notes, padded as PADDING says
    indices, following, sizes = _page(board_app, start=0)
    assert (indices, following) == ([0, 1, 2, 3], 4)  # the count limit (4)
    assert sum(sizes) <= BUDGET
    indices, following, sizes = _page(board_app, start=4)
    assert (indices, following) == ([4, 5], 6)  # leaf 6 would take it above the budget
    assert sum(sizes) <= BUDGET < sum(sizes) + 5000
    indices, following, sizes = _page(board_app, start=6)
    assert (indices, following) == ([6], 7)  # alone, however large
    assert sizes[0] > BUDGET
    indices, following, _ = _page(board_app, start=7, end=9)
    assert (indices, following) == ([7, 8], 9)  # the range asked for ends it
    indices, following, _ = _page(board_app, start=9, end=100)
    assert (indices, following) == ([9, 10], 11)  # the budget again: 3 x 1200 is above it
    indices, following, _ = _page(board_app, start=11)
    assert (indices, following) == ([11], None)  # the end of the log
    indices, following, _ = _page(board_app, start=12)
    assert (indices, following) == ([], None)


def test_a_range_longer_than_a_page_is_cut_not_refused(board_app: TestClient) -> None:
    indices, following, _ = _page(board_app, start=0, end=1000)
    assert (indices, following) == ([0, 1, 2, 3], 4)


@pytest.mark.parametrize(
    ("query", "code"),
    [("start=13", "bad_range"), ("start=3&end=2", "bad_range"), ("start=01", "bad_parameter")],
)
def test_a_range_the_log_cannot_answer_is_refused(
    board_app: TestClient, query: str, code: str
) -> None:
    answer = board_app.get(f"{E}/entries?{query}")
    assert (answer.status_code, answer.json()["error"]["code"]) == (400, code)


def test_a_page_budget_above_the_spec_is_refused() -> None:
    with pytest.raises(ValueError, match="byte budget is 1 to"):
        ServiceSettings(max_page_bytes=PAGE_BYTES + 1)


def test_the_client_follows_pages_cut_by_bytes(db_url: str) -> None:
    plan = leader_plan(start=datetime(2027, 9, 6, 9, tzinfo=UTC), members=6, election="paged")
    log = MemoryBoard(plan.election, created=plan.at(0), checked=False)
    builder = ElectionBuilder(plan, log, keys=RoleKeys.fixed_for_testing(5), rng=random.Random(3))
    builder.prepare()
    settings = ServiceSettings(write_rate=0, max_page=4, max_page_bytes=BUDGET)
    clock = SimulatedClock(0)
    with (
        served_copy(log, db_url, BOARD_KEY, clock=clock, settings=settings) as url,
        BoardClient(url, plan.election) as client,
    ):
        leaves = list(client.leaves())
        assert [leaf.entry.raw for leaf in leaves[1:]] == [e.raw for e, _ in log.entries[1:] if e]
        assert [leaf.index for leaf in client.leaves(5, 9)] == [5, 6, 7, 8]
        state, head = client.fold()
        assert head.tree_size == len(log.entries)
        assert state.credentials.counts == log.state.credentials.counts


def _leaf0() -> bytes:
    raw = sign_board_key(election="e1", key=BOARD_KEY, rehearsal=False)
    return Leaf.build(index=0, received=1, entry=prechecked(raw)).raw


def _answers(page: bytes) -> dict[str, tuple[int, bytes]]:
    """A board with no definition yet (leaf 1 not found) that answers every page with
    ``page``."""
    missing = b'{"error":{"code":"not_found","message":"no leaf 1"}}'
    return {f"{E}/entries": (200, page), f"{E}/leaves/1": (404, missing)}


@pytest.mark.parametrize(
    ("page", "reason"),
    [
        (b'{"leaves":[%s],"next":5}', "holds 1 leaves but says the next starts at 5"),
        (b'{"leaves":[],"next":0}', "holds 0 leaves but says the next starts at 0"),
        (b'{"leaves":[%s],"next":"1"}', "says the next starts at '1'"),
    ],
)
def test_the_client_refuses_a_page_whose_next_lies(page: bytes, reason: str) -> None:
    body = page.replace(b"%s", _leaf0())
    with (
        bad_board(_answers(body), None) as url,
        BoardClient(url, "e1") as client,
        pytest.raises(InconsistentLog, match=reason),
    ):
        list(client.leaves(0))


def test_the_client_refuses_a_page_above_the_limit_with_several_leaves() -> None:
    leaf = _leaf0()
    many = (PAGE_BYTES // len(leaf)) + 2000
    body = b'{"leaves":[%s],"next":null}' % b",".join([leaf] * many)
    with (
        bad_board(_answers(body), None) as url,
        BoardClient(url, "e1") as client,
        pytest.raises(InconsistentLog, match="above 16777216 bytes a page holds one leaf"),
    ):
        list(client.leaves(0))
