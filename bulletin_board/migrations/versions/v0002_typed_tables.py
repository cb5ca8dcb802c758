"""Typed tables: SQLite tables become STRICT; every hash column holds exactly 32 bytes.

Spec §10.2. SQLite's ordinary tables store any value in any column, and a BLOB sorts above
every integer: one INSERT of a tree-head row whose ``tree_size`` is a BLOB passed the v0001
guard and became the "latest" head. STRICT tables refuse a value of the wrong type. SQLite
cannot alter a table into STRICT, so each table is rebuilt (create, copy, drop, rename), with
its v0001 triggers dropped first and re-created, unchanged, after. Both dialects gain CHECK
constraints on the columns' ranges and the hashes' length.

An existing row that does not fit the typed schema was not written by the board: the migration
refuses (``LogCorrupted``, naming the table and column) and leaves the database as it was.

Revision ID: v0002
Revises: v0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bulletin_board.errors import LogCorrupted

revision = "v0002"
down_revision = "v0001"
branch_labels = None
depends_on = None

# table -> [(column, SQLite type, NOT NULL CHECK condition or "")], then the key clauses.
_COLUMNS: dict[str, list[tuple[str, str, str]]] = {
    "elections": [("election_id", "TEXT", ""), ("created", "INTEGER", "")],
    "leaves": [
        ("election_id", "TEXT", ""),
        ("leaf_index", "INTEGER", "leaf_index >= 0"),
        ("leaf_hash", "BLOB", "length(leaf_hash) = 32"),
        ("entry_hash", "BLOB", "length(entry_hash) = 32"),
        ("received", "INTEGER", "received >= 0"),
        ("leaf", "BLOB", ""),
    ],
    "nodes": [
        ("election_id", "TEXT", ""),
        ("level", "INTEGER", "level BETWEEN 0 AND 62"),
        ("node_index", "INTEGER", "node_index >= 0"),
        ("hash", "BLOB", "length(hash) = 32"),
    ],
    "tree_heads": [
        ("election_id", "TEXT", ""),
        ("tree_size", "INTEGER", "tree_size >= 1"),
        ("timestamp", "INTEGER", "timestamp >= 0"),
        ("root_hash", "BLOB", "length(root_hash) = 32"),
        ("sth", "BLOB", ""),
    ],
}
_KEYS = {
    "elections": ["PRIMARY KEY (election_id)"],
    "leaves": [
        "PRIMARY KEY (election_id, leaf_index)",
        "CONSTRAINT leaves_leaf_hash_unique UNIQUE (election_id, leaf_hash)",
        "CONSTRAINT leaves_entry_hash_unique UNIQUE (election_id, entry_hash)",
    ],
    "nodes": ["PRIMARY KEY (election_id, level, node_index)"],
    "tree_heads": ["PRIMARY KEY (election_id, tree_size)"],
}


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        _sqlite_strict(bind)
    else:
        _postgresql_checks(bind)


def _refuse(table: str, column: str, what: str) -> LogCorrupted:
    return LogCorrupted(
        f"{table}: a row's {column} {what}: a row the board did not write; not migrating to "
        "typed tables (v0002), the database is unchanged"
    )


def _sqlite_strict(bind: sa.Connection) -> None:
    for table, columns in _COLUMNS.items():
        # One scan per table: which column first holds a value of another type or range.
        tests = [
            f"SUM(typeof({name}) != '{kind.lower()}')" + (f", SUM(NOT ({check}))" if check else "")
            for name, kind, check in columns
        ]
        query = f"SELECT {', '.join(tests)} FROM {table}"  # noqa: S608 (names: constants above)
        counts = bind.exec_driver_sql(query).one()
        labels = [
            label
            for name, kind, check in columns
            for label in [(name, f"is not of type {kind}")]
            + ([(name, f"breaks {check}")] if check else [])
        ]
        for (name, what), count in zip(labels, counts, strict=True):
            if count:
                raise _refuse(table, name, what)
    triggers = bind.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
    ).all()
    for name, _ in triggers:
        op.execute(f"DROP TRIGGER {name}")
    for table, columns in _COLUMNS.items():
        definitions = [
            f"{name} {kind} NOT NULL" + (f" CHECK ({check})" if check else "")
            for name, kind, check in columns
        ]
        names = ", ".join(name for name, _, _ in columns)
        op.execute(f"CREATE TABLE {table}_typed ({', '.join(definitions + _KEYS[table])}) STRICT")
        op.execute(f"INSERT INTO {table}_typed ({names}) SELECT {names} FROM {table}")  # noqa: S608
        op.execute(f"DROP TABLE {table}")
        op.execute(f"ALTER TABLE {table}_typed RENAME TO {table}")
    for _, sql in triggers:
        op.execute(sql)


def _postgresql_checks(bind: sa.Connection) -> None:
    for table, columns in _COLUMNS.items():
        for name, _, check in columns:
            if not check:
                continue
            check = check.replace("length(", "octet_length(")
            query = f"SELECT 1 FROM {table} WHERE NOT ({check}) LIMIT 1"  # noqa: S608
            bad = bind.exec_driver_sql(query)
            if bad.first() is not None:
                raise _refuse(table, name, f"breaks {check}")
            op.execute(f"ALTER TABLE {table} ADD CONSTRAINT {table}_{name}_range CHECK ({check})")


def downgrade() -> None:
    raise RuntimeError("the board's log is append-only: no downgrade")
