"""One election built per test session (real crypto is the cost), shared by the verifier tests;
the board tests' fresh-database fixture for the live board."""

from __future__ import annotations

import pytest

from tests.board.conftest import db_url
from tests.verifier.election import Built, build_election

__all__ = ["built", "db_url"]


@pytest.fixture(scope="session")
def built() -> Built:
    return build_election()
