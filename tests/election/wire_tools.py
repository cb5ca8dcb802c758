"""What the tests of the election's wire formats share: a whole election built with real crypto
(one dealing tampered, so that every payload type is on its log), its entries by type, its
layout and tally, and the edits of a ballot's or an audit's first contest."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from crypto.envelope import Entry
from election.wire import Tally
from tests.crypto.threshold.ceremony import wrong_share_to
from tests.election.scenario import Posted, Scenario

IDENTITY_HEX = "00" * 33  # the identity point's encoding (spec §2.3)


def whole_election() -> Scenario:
    """Every payload type on one log: the election run to its result, trustee 2's dealing
    tampered (so a complaint is on it too)."""
    scenario = Scenario()
    scenario.run(tamper={2: wrong_share_to(4)})
    return scenario


def entries_of(scenario: Scenario, type: str) -> list[Posted | Entry]:
    entries = [e for e, _ in scenario.log.entries[1:] if e is not None and e.type == type]
    assert all(isinstance(e, Posted | Entry) for e in entries)  # signed entries, with raw
    return cast(list[Posted | Entry], entries)


def layout_of(s: Scenario) -> Any:
    params = s.log.state.params
    assert params is not None
    return params.layout


def tally_of(s: Scenario) -> Tally:
    tally = s.log.state.tallying.tally
    assert tally is not None
    return tally


def edit_contest0(p: Any, **edit: Callable[[Any], Any]) -> Any:
    contest = dict(p["contests"][0])
    for key, f in edit.items():
        contest[key] = f(contest[key])
    return {**p, "contests": [contest, *p["contests"][1:]]}


def edit_opening0(p: Any, **edit: Callable[[Any], Any]) -> Any:
    opening = dict(p["openings"][0])
    for key, f in edit.items():
        opening[key] = f(opening[key])
    return {**p, "openings": [opening, *p["openings"][1:]]}
