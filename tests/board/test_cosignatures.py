"""Spec §10.5 The board's side of witnessing, on SQLite and PostgreSQL: cosignatures stored
beside the tree heads (append-only, not in the log) and served with their head; every refusal
named by its code."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from bulletin_board.client import BoardClient, BoardRefused
from bulletin_board.cosignature import Cosignature, sign_cosignature
from bulletin_board.storage import normalise_url
from bulletin_board.wire import SignedTreeHead, sign_tree_head
from crypto.signing import SigningKey
from simulation.served import SimulatedClock, served_board, served_copy
from tests.board.witnessed import KEYS, PLAN, witnessed_log
from tests.election.board_log import BOARD_KEY

E = PLAN.election
WITNESS, SECOND = KEYS.witnesses[0], KEYS.witnesses[1]


@pytest.fixture
def board(db_url: str) -> Iterator[BoardClient]:
    log = witnessed_log()
    with (
        served_copy(log, db_url, BOARD_KEY, clock=SimulatedClock(0)) as url,
        BoardClient(url, E) as client,
    ):
        yield client


def _post(client: BoardClient, raw: bytes) -> httpx.Response:
    return httpx.post(
        f"{client.url}/v1/elections/{E}/cosignatures",
        content=raw,
        headers={"content-type": "application/json"},
    )


def _refused(client: BoardClient, raw: bytes) -> tuple[int, str]:
    answer = _post(client, raw)
    return answer.status_code, answer.json()["error"]["code"]


def test_cosignatures_are_stored_and_served_with_their_head(board: BoardClient) -> None:
    head = board.tree_head()
    with pytest.raises(BoardRefused) as info:
        board.cosignatures()
    assert (info.value.status, info.value.code) == (404, "unknown_tree_size")
    second = sign_cosignature(head, cosigned=head.timestamp + 5, key=SECOND)
    first = sign_cosignature(head, cosigned=head.timestamp + 9, key=WITNESS)
    assert board.post_cosignature(second) is True
    assert board.post_cosignature(first) is True
    assert board.post_cosignature(first) is False  # the same one again: 200
    for served in (board.cosignatures(), board.cosignatures(head.tree_size)):
        assert served == (head, [first, second])  # in the definition's order of witnesses
    later = sign_cosignature(head, cosigned=head.timestamp + 60, key=SECOND)
    assert board.post_cosignature(later) is True
    assert board.cosignatures()[1] == [first, later]  # each witness's latest
    assert board.tree_head() == head  # not in the log


def _forged_head(head: SignedTreeHead, **changes: object) -> SignedTreeHead:
    fields = {
        "election": head.election, "tree_size": head.tree_size, "root_hash": head.root_hash,
        "timestamp": head.timestamp, "rehearsal": head.rehearsal, "key": BOARD_KEY,
    }  # fmt: skip
    return sign_tree_head(**{**fields, **changes})  # type: ignore[arg-type]


def test_each_refusal_is_named(board: BoardClient) -> None:
    head = board.tree_head()
    good = sign_cosignature(head, cosigned=head.timestamp + 10, key=WITNESS)
    stranger = sign_cosignature(head, cosigned=head.timestamp, key=SigningKey(bytes([99] * 32)))
    tampered = dataclasses.replace(good, cosigned=good.cosigned + 1)
    cases = {
        "unknown_witness": (stranger.to_bytes(), 409),
        "cosignature_mismatch": (
            sign_cosignature(
                _forged_head(head, root_hash=bytes(32)), cosigned=head.timestamp, key=WITNESS
            ).to_bytes(),
            409,
        ),
        "unknown_tree_size": (
            sign_cosignature(
                _forged_head(head, tree_size=head.tree_size + 7),
                cosigned=head.timestamp,
                key=WITNESS,
            ).to_bytes(),
            404,
        ),
        "wrong_election": (
            sign_cosignature(
                _forged_head(head, election="other"), cosigned=head.timestamp, key=WITNESS
            ).to_bytes(),
            400,
        ),
        "bad_signature": (tampered.to_bytes(), 400),
        "non_canonical": (good.to_bytes().replace(b",", b", ", 1), 400),
        "malformed": (b'{"version":1}', 400),
    }
    for code, (raw, status) in cases.items():
        assert _refused(board, raw) == (status, code), code
    assert board.post_cosignature(good) is True
    earlier = sign_cosignature(head, cosigned=head.timestamp + 3, key=WITNESS)
    assert _refused(board, earlier.to_bytes()) == (409, "cosignature_not_later")
    assert board.cosignatures()[1] == [good]


def test_a_log_without_definition_takes_no_cosignature(tmp_path: Path) -> None:
    clock = SimulatedClock(PLAN.at(0))
    db = f"sqlite:///{tmp_path / 'bare.db'}"
    with served_board(db, BOARD_KEY, clock=clock, elections=[E]) as url, BoardClient(url, E) as c:
        head = c.tree_head()
        cosignature = sign_cosignature(head, cosigned=head.timestamp, key=WITNESS)
        assert _refused(c, cosignature.to_bytes()) == (409, "no_definition")


def test_stored_cosignatures_are_append_only(board: BoardClient, db_url: str) -> None:
    head = board.tree_head()
    board.post_cosignature(sign_cosignature(head, cosigned=head.timestamp, key=WITNESS))
    engine = sa.create_engine(normalise_url(db_url))
    try:
        for statement in ("UPDATE cosignatures SET cosigned = 0", "DELETE FROM cosignatures"):
            with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as c:
                c.exec_driver_sql(statement)
    finally:
        engine.dispose()


def test_a_row_that_disagrees_with_its_bytes_is_log_corrupted(
    board: BoardClient, db_url: str
) -> None:
    head = board.tree_head()
    good = sign_cosignature(head, cosigned=head.timestamp, key=WITNESS)
    engine = sa.create_engine(normalise_url(db_url))
    try:
        with engine.begin() as c:  # an inserter behind the board's back: columns say SECOND
            c.execute(
                sa.text(
                    "INSERT INTO cosignatures VALUES (:e, :n, :w, :t, :raw)"
                ),
                {"e": E, "n": head.tree_size, "w": SECOND.verify_key.raw,
                 "t": good.cosigned, "raw": good.to_bytes()},
            )  # fmt: skip
    finally:
        engine.dispose()
    answer = httpx.get(f"{board.url}/v1/elections/{E}/cosignatures")
    assert (answer.status_code, answer.json()["error"]["code"]) == (503, "log_corrupted")
    assert Cosignature.from_bytes(good.to_bytes()) == good


def test_the_election_page_shows_the_witnesses(board: BoardClient) -> None:
    page = httpx.get(f"{board.url}/e/{E}/").text
    assert "the verifier requires 2 of the 3." in page
    assert "No tree head is cosigned yet." in page
    head = board.tree_head()
    board.post_cosignature(sign_cosignature(head, cosigned=head.timestamp, key=SECOND))
    page = httpx.get(f"{board.url}/e/{E}/").text
    assert f"The latest cosigned tree head covers {head.tree_size} entries" in page
    assert "<li>Witness 2 (" in page
