"""Fixtures for board tests: a fresh database per test, on SQLite and (when
VERIVOTE_TEST_DATABASE_URL is set) on PostgreSQL, created and dropped through that server."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

PG_URL = os.environ.get("VERIVOTE_TEST_DATABASE_URL")


def _admin_engine() -> sa.Engine:
    assert PG_URL is not None
    url = sa.engine.make_url(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    return sa.create_engine(url, isolation_level="AUTOCOMMIT")


def create_pg_database() -> str:
    """CREATE DATABASE verivote_t_<random> on the test server; returns its URL."""
    assert PG_URL is not None
    name = f"verivote_t_{secrets.token_hex(6)}"
    engine = _admin_engine()
    with engine.connect() as c:
        c.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()
    url = sa.engine.make_url(PG_URL).set(database=name)
    return url.render_as_string(hide_password=False)


def drop_pg_database(url: str) -> None:
    name = sa.engine.make_url(url).database
    assert name is not None
    assert name.startswith("verivote_t_")
    engine = _admin_engine()
    with engine.connect() as c:
        c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    engine.dispose()


BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(PG_URL is None, reason="VERIVOTE_TEST_DATABASE_URL not set"),
        ],
    ),
]


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty board database URL on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'board.db'}"
        return
    url = create_pg_database()
    try:
        yield url
    finally:
        drop_pg_database(url)
