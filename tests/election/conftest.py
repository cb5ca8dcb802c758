"""Election tests share the board tests' fresh-database fixture (SQLite, and PostgreSQL when
VERIVOTE_TEST_DATABASE_URL is set), and the rules tests' checkpoints: one election built phase
by phase once per module (``defined``, ``nominated``, ``listed``, ``ready``, ``voted``,
``tallied``), each forked by the tests that use it."""

from __future__ import annotations

import pytest

from tests.board.conftest import db_url
from tests.election.scenario import NOW, VOTING_CLOSE, Scenario

__all__ = ["db_url"]

# --- checkpoints, built once per module and forked per test ------------------------------------


@pytest.fixture(scope="module")
def defined() -> Scenario:
    s = Scenario()
    s.define()
    return s


@pytest.fixture(scope="module")
def nominated(defined: Scenario) -> Scenario:
    s = defined.fork()
    s.nominate()
    return s


@pytest.fixture(scope="module")
def listed(nominated: Scenario) -> Scenario:
    s = nominated.fork()
    s.candidate_lists()
    return s


@pytest.fixture(scope="module")
def ready(listed: Scenario) -> Scenario:
    s = listed.fork()
    s.ceremony()
    s.issue()
    return s


@pytest.fixture(scope="module")
def voted(ready: Scenario) -> Scenario:
    s = ready.fork()
    for m in s.members:
        s.log.post(s.ballot(m), NOW)
    return s


@pytest.fixture(scope="module")
def tallied(voted: Scenario) -> Scenario:
    s = voted.fork()
    s.log.post(s.tally_entry(), VOTING_CLOSE)
    return s
