"""Issue 16 item 1: a lone-surrogate escape (``\\udc00``) in a JSON object key or string.

The board answered such a body 500 (before any signature check) and every client that parses a
board's answers raised UnicodeEncodeError from canonical decoding. Now strict decoding (Spec
§4.2) refuses it as MalformedInput: the board answers 400 ``malformed``; a client raises
MalformedInput (one line in the CLI, exit 2); the CLI prints a board's own text escaped.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bulletin_board.client import BoardClient, BoardRefused
from bulletin_board.config import ServiceSettings
from bulletin_board.service import create_board_app
from cli.main import verivote
from crypto.errors import MalformedInput
from simulation.served import serve_in_thread
from tests.board.bad_board import bad_board
from tests.board.helpers import BOARD_KEY, note
from tests.strategies import any_text

JSON = {"content-type": "application/json"}
E = "/v1/elections/e1"
# The reproduction: a non-ASCII sibling key sent encoding down the RFC 8785 path.
REPRODUCTION = b'{"\\udc00":1,"\xc3\xa9":1}'
_NOTE = note(1)
BODIES = {
    "reproduction": REPRODUCTION,
    "top-level-key": _NOTE.replace(b'{"author"', b'{"\\udc00":1,"\xc3\xa9":1,"author"', 1),
    "payload-key": _NOTE.replace(b'"payload":{', b'"payload":{"\\ud800":0,"\xc3\xa9":0,', 1),
    "payload-value": _NOTE.replace(b'"payload":{', b'"payload":{"a":"\\udfff",', 1),
    "entry-type": _NOTE.replace(b'"type":"note"', b'"type":"\\udc00\xc3\xa9"', 1),
    "author-key": _NOTE.replace(b'"author":{', b'"author":{"\\udbff":"x","\xc3\xa9":1,', 1),
}


@pytest.fixture(scope="module")
def board(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real board (uvicorn on 127.0.0.1) with the generic rules, on SQLite."""
    db = tmp_path_factory.mktemp("board") / "board.db"
    app = create_board_app(
        str(db), BOARD_KEY, rules="generic", elections=("e1",),
        settings=ServiceSettings(write_rate=0),
    )  # fmt: skip
    with serve_in_thread(app) as url:
        yield url


def _sth(url: str) -> bytes:
    return httpx.get(f"{url}{E}/sth").content


@pytest.mark.parametrize("case", BODIES)
def test_a_live_board_answers_400_malformed_never_500(board: str, case: str) -> None:
    before = _sth(board)
    response = httpx.post(f"{board}{E}/entries", content=BODIES[case], headers=JSON)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "malformed"
    assert "lone surrogate" in error["message"]
    assert _sth(board) == before


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=any_text, value=any_text, sibling=st.booleans())
def test_any_key_and_value_in_a_payload_is_never_a_5xx(
    board: str, key: str, value: str, sibling: bool
) -> None:
    # json.dumps leaves a lone surrogate as is; backslashreplace writes it as its escape.
    member = f"{json.dumps(key, ensure_ascii=False)}:{json.dumps(value, ensure_ascii=False)},"
    text = '"payload":{' + member + '"\u00e9":1,' * sibling
    body = _NOTE.replace(b'"payload":{', text.encode("utf-8", "backslashreplace"), 1)
    response = httpx.post(f"{board}{E}/entries", content=body, headers=JSON)
    assert response.status_code < 500, response.text
    if _lone_surrogate(key) or _lone_surrogate(value):
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "malformed"


def _lone_surrogate(text: str) -> bool:
    """Whether ``text``, once its escapes are read (a high surrogate then a low one make one
    character), still holds a surrogate."""
    read = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
    return any("\ud800" <= c <= "\udfff" for c in read)


# --- clients that parse a board's answers ------------------------------------------------------


CLIENT_CALLS: dict[str, Callable[[BoardClient], object]] = {
    "key": BoardClient.key,
    "definition": BoardClient.definition,
    "tree_head": BoardClient.tree_head,
    "leaves": lambda client: list(client.leaves(0, 5)),
    "entry": lambda client: client.entry(3),
    "inclusion_proof": lambda client: client.inclusion_proof(1, 2),
    "consistency_proof": lambda client: client.consistency_proof(1, 2),
    "post": lambda client: client.post(_NOTE),
}


@pytest.mark.parametrize("call", CLIENT_CALLS)
def test_the_board_client_refuses_lone_surrogates_in_every_answer(call: str) -> None:
    with (
        bad_board({}, (200, REPRODUCTION)) as url,
        BoardClient(url, "e1") as client,
        pytest.raises(MalformedInput, match="lone surrogate"),
    ):
        CLIENT_CALLS[call](client)


def test_the_board_client_escapes_a_board_refusal_it_prints() -> None:
    refusal = b'{"error":{"code":"malformed","message":"bad \\udc00 key \\ud800"}}'
    with (
        bad_board({}, (400, refusal)) as url,
        BoardClient(url, "e1") as client,
        pytest.raises(BoardRefused, match=r"bad \\udc00 key \\ud800") as info,
    ):
        client.tree_head()
    str(info.value).encode("utf-8")  # printable: no lone surrogate left


def _one_error_line(argv: list[str]) -> str:
    result = CliRunner().invoke(verivote, argv)
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 2, result.output
    assert result.output.count("\n") == 1, result.output
    assert result.output.startswith("error: ")
    return result.output


def test_board_sth_and_check_consistency_print_one_line(tmp_path: Path) -> None:
    with bad_board({}, (200, REPRODUCTION)) as url:
        line = _one_error_line(["board", "sth", "--url", url, "--election", "e1"])
        assert "lone surrogate" in line
    kept = tmp_path / "kept.sth"
    kept.write_bytes(REPRODUCTION + b"\n")
    line = _one_error_line(["board", "check-consistency", "--url", "http://127.0.0.1:9", "--old",
                            str(kept)])  # fmt: skip
    assert "is not a signed tree head: object key contains a lone surrogate" in line


def test_receipt_check_of_a_receipt_file_prints_one_line(tmp_path: Path) -> None:
    receipt = tmp_path / "receipt.json"
    receipt.write_bytes(REPRODUCTION + b"\n")
    line = _one_error_line(["receipt", "check", str(receipt), "--board", "http://127.0.0.1:9"])
    assert "object key contains a lone surrogate U+DC00" in line


def test_verify_of_a_board_url_prints_one_line() -> None:
    answers = {"/v1/elections": (200, REPRODUCTION)}
    with bad_board(answers, (200, REPRODUCTION + b"\n")) as url:
        assert "lone surrogate" in _one_error_line(["verify", url, "--quiet"])
        line = _one_error_line(["verify", f"{url}/v1/elections/e1", "--quiet"])
        assert "not a verivote board export: object key contains a lone surrogate" in line
