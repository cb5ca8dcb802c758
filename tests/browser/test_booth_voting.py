"""A whole election voted through the web booth (issue 12 items 3, 8): a real board (uvicorn
on 127.0.0.1, simulated clock) built by the election builder with block, referendum and ranked
contests serves the booth at /booth/ELECTION/; headless Chromium votes as the members would,
and every ballot the booth casts is accepted by the board and counted by `verivote verify`."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from bulletin_board.client import BoardClient
from cli.main import verivote
from simulation.boards import HttpBoard
from simulation.builder import ElectionBuilder, Member
from simulation.plan import ElectionPlan, RoleKeys
from simulation.plans import nec_plan
from simulation.served import SimulatedClock
from tests.browser import booth_driver as booth
from tests.browser.boards import booth_board

START = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
ELECTION = "nec-2027"


@dataclass
class Election:
    url: str
    plan: ElectionPlan
    clock: SimulatedClock
    builder: ElectionBuilder
    client: BoardClient
    trackers: list[str] = field(default_factory=list)

    @property
    def booth(self) -> str:
        return f"{self.url}/booth/{ELECTION}/"

    def member(self, *, youth: bool) -> Member:
        return next(m for m in self.builder.members if ("youth-rep" in m.style) == youth)

    def code(self, member: Member) -> str:
        return member.code.formatted()


@pytest.fixture(scope="module")
def election(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Election]:
    folder = tmp_path_factory.mktemp("booth-voting")
    plan = nec_plan(start=START, members=6, election=ELECTION)
    clock = SimulatedClock(plan.at(0))
    with (
        booth_board(f"sqlite:///{folder / 'board.db'}", clock=clock, elections=[ELECTION]) as url,
        BoardClient(url, ELECTION) as client,
    ):
        builder = ElectionBuilder(
            plan, HttpBoard(client, clock.set), keys=RoleKeys.fixed_for_testing(plan.trustees),
            rng=random.Random(12),
        )  # fmt: skip
        builder.prepare()
        clock.set(plan.at(plan.timetable.voting_open + 0.1))
        yield Election(url, plan, clock, builder, client)


def _leaf_of(election: Election, tracker: str) -> Any:
    """The board's answer for the leaf holding the entry of this tracker."""
    answer = httpx.get(f"{election.url}/v1/elections/{ELECTION}/entry-hash/{tracker}")
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_member_votes_block_referendum_and_ranked(election: Election, browser: Any) -> None:
    booth.open_booth(browser, election.booth)
    assert booth.heading(browser) == "Enter your credential code"
    assert booth.focused_heading(browser)
    booth.enter_code(browser, election.code(election.member(youth=True)))
    assert booth.error(browser) is None, booth.alert(browser)
    assert booth.heading(browser) == "Your ballot paper"
    assert "Vote for one." in browser.find_element("id", "contest-youth-rep").text
    assert (
        "Number the candidates in order of preference"
        in browser.find_element("id", "contest-nec").text
    )
    booth.rank(browser, "nec", [3, 0, 7])
    booth.rank(browser, "mayor", [1])
    booth.mark(browser, "youth-rep", 0)
    booth.mark(browser, "rule-change", 1)
    booth.review(browser)
    text = browser.find_element("css selector", "dl.review").text
    assert "1. " in text
    assert "No" in text
    tracker = booth.cast(browser)
    assert booth.error(browser) is None, booth.alert(browser)
    assert len(tracker) == 64
    assert booth.heading(browser) == "Your vote has been cast"
    assert "only your last vote counts" in browser.find_element("id", "main").text
    leaf = _leaf_of(election, tracker)
    assert leaf["leaf"]["entry"]["type"] == "ballot"
    election.trackers.append(tracker)


def test_every_ballot_passes_verify(election: Election, tmp_path: Path) -> None:
    assert election.trackers, "no ballot was cast through the booth"
    plan, builder = election.plan, election.builder
    election.clock.set(plan.at(plan.timetable.voting_close + 0.01))
    builder.board.refold()  # type: ignore[attr-defined]
    builder.count()
    result = CliRunner().invoke(
        verivote, ["verify", f"{election.url}/v1/elections/{ELECTION}", "--jobs", "1"]
    )
    assert result.exit_code == 0, result.output
    assert "RESULT" in result.output
