"""Test helpers: a Scenario's log posted to a real board over HTTP (FastAPI's TestClient on a
simulated clock), mirrored locally so the scenario can compute what comes next."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient

from bulletin_board.config import ServiceSettings
from bulletin_board.service import create_board_app
from bulletin_board.wire import Entry
from crypto import canonical
from crypto.errors import InvalidSignature, MalformedInput
from crypto.signing import SigningKey
from election.rules import LoggedEntry, Refusal
from simulation.served import SimulatedClock as Clock
from tests.election.scenario import ELECTION, NOMINATIONS_OPEN, Log, Posted

BOARD_KEY = SigningKey(bytes([77] * 32))
JSON = {"content-type": "application/json"}


@dataclass
class BoardLog(Log):
    """A Log whose every entry is first posted to a board; refusals raise as the rules do."""

    client: Any = None
    clock: Clock = field(default_factory=lambda: Clock(NOMINATIONS_OPEN))
    receipts: list[Any] = field(default_factory=list)

    def post(self, entry: LoggedEntry, now: int) -> int:
        assert isinstance(entry, Posted | Entry)
        self.clock.now = now
        response = self.client.post(
            f"/v1/elections/{ELECTION}/entries", content=entry.raw, headers=JSON
        )
        if response.status_code == 409:
            error = response.json()["error"]
            raise Refusal(error["code"], error["message"])
        if response.status_code == 400:
            error = response.json()["error"]
            if error["code"] == "bad_signature":
                raise InvalidSignature(error["message"])
            raise MalformedInput(f"{error['code']}: {error['message']}")
        assert response.status_code == 201, response.text
        receipt: Any = canonical.decode(response.content)
        assert isinstance(receipt, dict)
        self.receipts.append(receipt)
        index = super().post(entry, receipt["leaf"]["received"])
        assert receipt["leaf_index"] == index
        return index


@contextmanager
def board_log(db_url: str, **settings: Any) -> Iterator[BoardLog]:
    clock = Clock(NOMINATIONS_OPEN)
    app = create_board_app(
        db_url,
        BOARD_KEY,
        clock=clock,
        elections=[ELECTION],
        settings=ServiceSettings(write_rate=0, **settings),
    )
    with TestClient(app) as client:
        log = BoardLog(client=client, clock=clock)
        log.entries[0] = (
            None,
            client.get(f"/v1/elections/{ELECTION}/leaves/0").json()["leaf"]["received"],
        )
        yield log
