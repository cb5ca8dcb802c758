"""Election tests share the board tests' fresh-database fixture (SQLite, and PostgreSQL when
VERIVOTE_TEST_DATABASE_URL is set)."""

from tests.board.conftest import db_url

__all__ = ["db_url"]
