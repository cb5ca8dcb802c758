"""Spec §10.2 Append-only storage: the database itself refuses to rewrite the log."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
import sqlalchemy as sa

from bulletin_board.errors import LogCorrupted
from bulletin_board.storage import Storage, normalise_url
from crypto.errors import MalformedInput
from tests.board.helpers import note, open_board, prechecked


def _raw_engine(url: str) -> sa.Engine:
    return sa.create_engine(normalise_url(url))


def _snapshot(engine: sa.Engine) -> list[Sequence[object]]:
    with engine.connect() as c:
        return [
            c.execute(sa.text(f"SELECT * FROM {table} ORDER BY 1, 2")).all()
            for table in ("elections", "leaves", "nodes", "tree_heads")
        ]


ATTACKS_BOTH = {
    "update-leaf": "UPDATE leaves SET received = 0 WHERE leaf_index = 1",
    "update-leaf-bytes": "UPDATE leaves SET leaf = leaf WHERE leaf_index = 2",
    "delete-last-leaf": "DELETE FROM leaves WHERE leaf_index = 3",
    "delete-all-leaves": "DELETE FROM leaves",
    "update-node": "UPDATE nodes SET hash = hash WHERE level = 0",
    "delete-node": "DELETE FROM nodes WHERE level = 1",
    "update-tree-head": "UPDATE tree_heads SET timestamp = 0",
    "delete-tree-head": "DELETE FROM tree_heads WHERE tree_size = 4",
    "update-election": "UPDATE elections SET created = 0",
    "delete-election": "DELETE FROM elections",
    "gap-leaf": (
        "INSERT INTO leaves (election_id, leaf_index, leaf_hash, entry_hash, received, leaf) "
        "SELECT election_id, leaf_index + 10, leaf_hash, entry_hash, received, leaf FROM leaves "
        "WHERE leaf_index = 3"
    ),
    "copy-leaf-next-index": (
        "INSERT INTO leaves (election_id, leaf_index, leaf_hash, entry_hash, received, leaf) "
        "SELECT election_id, 4, leaf_hash, entry_hash, received, leaf FROM leaves "
        "WHERE leaf_index = 3"
    ),
    "gap-node": (
        "INSERT INTO nodes (election_id, level, node_index, hash) "
        "SELECT election_id, 0, 9, hash FROM nodes WHERE level = 0 AND node_index = 0"
    ),
    "node-over-missing-leaves": (
        "INSERT INTO nodes (election_id, level, node_index, hash) "
        "SELECT election_id, 2, 1, hash FROM nodes WHERE level = 0 AND node_index = 0"
    ),
    "tree-head-too-large": (
        "INSERT INTO tree_heads (election_id, tree_size, timestamp, root_hash, sth) "
        "SELECT election_id, 99, timestamp, root_hash, sth FROM tree_heads WHERE tree_size = 4"
    ),
    "tree-head-smaller": (
        "INSERT INTO tree_heads (election_id, tree_size, timestamp, root_hash, sth) "
        "SELECT election_id, 2, timestamp, root_hash, sth FROM tree_heads WHERE tree_size = 4"
    ),
}
ATTACKS_SQLITE = {
    "insert-or-replace-leaf": "INSERT OR REPLACE INTO leaves SELECT * FROM leaves "
    "WHERE leaf_index = 2",
    "replace-leaf-new-index": (
        "INSERT OR REPLACE INTO leaves (election_id, leaf_index, leaf_hash, entry_hash, "
        "received, leaf) SELECT election_id, 4, leaf_hash, entry_hash, received, leaf "
        "FROM leaves WHERE leaf_index = 2"
    ),
    "insert-or-replace-node": "INSERT OR REPLACE INTO nodes SELECT * FROM nodes WHERE level = 0",
    "insert-or-replace-tree-head": "INSERT OR REPLACE INTO tree_heads SELECT * FROM tree_heads",
    "insert-or-replace-election": "INSERT OR REPLACE INTO elections SELECT * FROM elections",
}
ATTACKS_POSTGRESQL = {
    "on-conflict-update-leaf": (
        "INSERT INTO leaves SELECT * FROM leaves WHERE leaf_index = 2 "
        "ON CONFLICT (election_id, leaf_index) DO UPDATE SET received = 0"
    ),
    "on-conflict-update-node": (
        "INSERT INTO nodes SELECT * FROM nodes WHERE level = 0 "
        "ON CONFLICT (election_id, level, node_index) DO UPDATE SET hash = EXCLUDED.hash"
    ),
    "on-conflict-update-tree-head": (
        "INSERT INTO tree_heads SELECT * FROM tree_heads "
        "ON CONFLICT (election_id, tree_size) DO UPDATE SET timestamp = 0"
    ),
    "truncate-leaves": "TRUNCATE leaves CASCADE",
    "truncate-tree-heads": "TRUNCATE tree_heads",
}


@pytest.fixture
def populated(db_url: str) -> str:
    board = open_board(db_url)
    board.append("e1", [prechecked(note(i)) for i in range(3)])
    board.storage.close()
    return db_url


def _attacks(url: str) -> dict[str, str]:
    extra = ATTACKS_SQLITE if url.startswith("sqlite") else ATTACKS_POSTGRESQL
    return {**ATTACKS_BOTH, **extra}


def test_raw_sql_cannot_rewrite_the_log(populated: str) -> None:
    engine = _raw_engine(populated)
    before = _snapshot(engine)
    assert len(before[1]) == 4
    for name, statement in _attacks(populated).items():
        with pytest.raises(sa.exc.DBAPIError, match="verivote") as info, engine.begin() as c:
            c.exec_driver_sql(statement)
        assert info.value is not None, name
    assert _snapshot(engine) == before
    engine.dispose()


def test_a_well_formed_next_insert_is_accepted(populated: str) -> None:
    """The guards are not blanket refusals: the board's own appends still work."""
    board = open_board(populated)
    board.append("e1", [prechecked(note("more"))])
    assert board.storage.size("e1") == 5


def test_schema_check_refuses_an_unmigrated_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    with pytest.raises(
        LogCorrupted, match="board database schema is at None, expected v0005: run the migration"
    ):
        Storage.open(url, migrate=False)
    Storage.open(url, migrate=True).close()
    Storage.open(url, migrate=False).close()
    Storage.open(url, migrate=True).close()  # migrating twice is a no-op


def test_sqlite_is_in_wal_mode_with_full_sync(tmp_path: Path) -> None:
    storage = Storage.open(str(tmp_path / "b.db"), migrate=True)
    with storage._write.connect() as c:
        assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert c.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    storage.close()


def test_url_normalisation() -> None:
    assert normalise_url("board.db") == "sqlite:///board.db"
    assert normalise_url("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"
    with pytest.raises(MalformedInput, match="unsupported database URL scheme 'mysql'"):
        normalise_url("mysql://u@h/d")


def test_postgresql_plans_each_statement_with_its_values(db_url: str) -> None:
    """The board's statements run many times on one connection: psycopg prepares them, and a
    generic plan PostgreSQL made while the log was tiny (no statistics: autovacuum may be off)
    scanned the whole log on every append. Every plan is a custom one, made at today's size."""
    if not db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL's plan cache")
    board = open_board(db_url)
    for i in range(12):  # more than psycopg's and PostgreSQL's thresholds (5 runs each)
        board.append("e1", [prechecked(note(f"plan {i}"))])
    with board.storage._write.connect() as c:
        assert c.exec_driver_sql("SHOW plan_cache_mode").scalar() == "force_custom_plan"
        plans = c.exec_driver_sql(
            "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements"
        ).all()
    board.storage.close()
    assert any(r.custom_plans >= 6 and "entry_hash IN" in r.statement for r in plans), plans
    assert [r.statement for r in plans if r.generic_plans] == []


def test_postgresql_compresses_new_leaves_with_lz4(db_url: str) -> None:
    """v0005: a ballot's leaf (kilobytes, above the TOAST threshold) is compressed with LZ4,
    not pglz (a sixth of PostgreSQL's CPU per ballot), and reads back byte for byte."""
    if not db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL's TOAST compression")
    board = open_board(db_url)
    try:
        with board.storage._read.connect() as c:
            version = c.exec_driver_sql("SHOW server_version_num").scalar()
            if int(str(version)) < 140000:
                pytest.skip("PostgreSQL before 14 has pglz only")
            method = c.exec_driver_sql(
                "SELECT attcompression FROM pg_attribute "
                "WHERE attrelid = 'leaves'::regclass AND attname = 'leaf'"
            ).scalar()
        assert method == "l"
        text = "".join(f"{i:08x}" for i in range(1000))  # 8 kB that compresses
        appended = board.append("e1", [prechecked(note(text))])[0]
        assert not isinstance(appended, Exception)
        index = appended.receipt.leaf.index
        with board.storage._read.connect() as c:
            stored = c.execute(
                sa.text(
                    "SELECT pg_column_compression(leaf) FROM leaves "
                    "WHERE election_id = 'e1' AND leaf_index = :i"
                ),
                {"i": index},
            ).scalar()
        assert stored == "lz4"
        row = board.storage.leaf("e1", index)
        assert row is not None
        assert row.raw == appended.receipt.leaf.raw
    finally:
        board.storage.close()
